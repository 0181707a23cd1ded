"""Progress recorded offline: one row per event a device sent to /hoc/ngoai-tuyen/dong-bo/.

The device gives each event an id (a UUID); (user, client_id) is unique, so an event sent
twice (a retry after a lost answer, a replay) is found again and its first outcome is
returned: it counts once. Rows are the learner's own: another user's id is another row.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfflineEvent(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", _("Opened the lesson")
        READ = "read", _("Confirmed reading")
        VIDEO = "video", _("Watched the video")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_events"
    )
    client_id = models.UUIDField(_("event id on the device"))
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="offline_events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    block_id = models.CharField(_("video block"), max_length=64, blank=True)
    # The device's clock when the event happened, and the same moment on the server's clock
    # (shifted by the difference between the two clocks at sending time).
    device_at = models.DateTimeField(_("time on the device"))
    happened_at = models.DateTimeField(_("time on the server's clock"))
    status = models.CharField(_("outcome"), max_length=10, choices=Status.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("offline progress event")
        verbose_name_plural = _("offline progress events")
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="offline_event_once"),
        ]
        indexes = [models.Index(fields=["user", "lesson", "kind"], name="offline_event_lesson")]

    def __str__(self):
        return f"{self.user_id} · {self.lesson_id} · {self.kind} · {self.status}"


class OfflineCopy(models.Model):
    """A learner fetched the offline copy of a lesson (GET /hoc/ngoai-tuyen/bai/<id>/).
    An offline event on a lesson needs this row, and cannot have happened before it:
    the video watch-time rule measures from an opening the server can place in time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_copies"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="offline_copies"
    )
    first_fetched_at = models.DateTimeField(_("first downloaded at"))
    last_fetched_at = models.DateTimeField(_("last downloaded at"))

    class Meta:
        verbose_name = _("offline copy of a lesson")
        verbose_name_plural = _("offline copies of lessons")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="offline_copy_once"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.lesson_id}"
