from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    """Learning without a signal (issue 21): the service worker, the web app manifest,
    course downloads and the idempotent sync of progress recorded offline."""

    name = "courses.offline"
    label = "offline"
    verbose_name = _("Offline learning")
    default_auto_field = "django.db.models.BigAutoField"
