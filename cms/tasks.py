import os
import socket

from celery import shared_task

from cms import media, outbox, services


@shared_task(name="cms.ping")
def ping(token: str) -> dict:
    """Answers with where it ran: health checks and CI prove a real worker executes tasks."""
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}


# Retries: an encode that fails on a readable source (disk full, killed process) is retried
# with exponential backoff (30 s, 60 s ... capped at 10 min), at most 5 times; then the
# video is marked failed with the reason. An unreadable original fails at once (the service
# records it), since trying again cannot help.
VIDEO_RENDITION_MAX_RETRIES = 5


@shared_task(
    bind=True,
    name="cms.video_renditions_make",
    queue="media",
    acks_late=True,
    max_retries=VIDEO_RENDITION_MAX_RETRIES,
)
def video_renditions_make(self, video_id: int) -> dict:
    """Make the 360p and 720p renditions of one cms.Video (idempotent; takes the id)."""
    try:
        return services.video_renditions_make(video_id=video_id)
    except (media.EncodeFailed, OSError) as exc:
        if self.request.retries >= self.max_retries:
            services.video_renditions_fail(video_id=video_id, reason=str(exc))
            raise
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc


@shared_task(name="cms.outbox_sweep")
def outbox_sweep() -> dict:
    """Send the outbox's unsent tasks (beat, every minute; cms/outbox.py)."""
    return outbox.outbox_sweep()
