"""HọcSố site package: settings, urls, Celery app, base templates and site page types."""

from .celery import app as celery_app

__all__ = ("celery_app",)
