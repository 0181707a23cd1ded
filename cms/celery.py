"""The Celery app. Tasks take ids, are enqueued with transaction.on_commit, are idempotent.

Without REDIS_URL, settings make every task run eagerly in-process (the demo); with it,
tasks go to Redis and a worker: `celery -A cms worker -Q default,media,reports,certificates,mail`.
All periodic schedules live here (beat_schedule), in one place.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")

app = Celery("hocso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic schedules (reminders, rollups, scheduled reports) are added here as they land.
app.conf.beat_schedule = {}
