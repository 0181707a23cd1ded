"""Writes of the cms floor: the video library and its renditions; moderation workflows.

`video_create` validates an upload completely (size, signature, an ffmpeg decode of the
first frame) before anything is stored, then asks for renditions after commit.
`video_renditions_make` is what the Celery task runs: idempotent (renditions already made
from the current original are kept), and a file ffmpeg cannot read leaves the original
untouched, the video marked failed with a Vietnamese reason, and no rendition half-stored.
"""

import logging
import math
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Workflow, WorkflowPage, WorkflowTask

from cms import antivirus, media
from cms.models import RenditionStatus, Video, VideoRendition
from cms.outbox import task_send

logger = logging.getLogger(__name__)

VIDEO_MAX_UPLOAD_BYTES_DEFAULT = 500 * 1024 * 1024


def video_max_upload_bytes() -> int:
    return getattr(settings, "HOCSO_VIDEO_MAX_UPLOAD_BYTES", VIDEO_MAX_UPLOAD_BYTES_DEFAULT)


def video_upload_validate(*, file) -> media.VideoProbe:
    """Refuse what is not a video ffmpeg can read, too large, or refused by ClamAV when
    CLAMAV_SOCKET is set (also while the scanner is down: the original is served as soon as
    it is saved), with a Vietnamese message. Works on an UploadedFile (temporary file or in
    memory) or any file object. Stores nothing."""
    limit = video_max_upload_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("The video file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not media.looks_like_video(head):
        raise ValidationError(
            _("This file is not a video. Upload an MP4, WebM or MOV video."), code="not_video"
        )
    infected = antivirus.scan_refusal(file)  # before ffmpeg parses it
    if infected:
        raise ValidationError(infected, code="scan")
    path = getattr(file, "temporary_file_path", None)
    if path is not None:
        return _probe_or_refuse(Path(path()))
    with tempfile.TemporaryDirectory(prefix="hocso-upload-") as tmp:
        local = Path(tmp) / "upload"
        with open(local, "wb") as out:
            shutil.copyfileobj(file, out)
        file.seek(0)
        return _probe_or_refuse(local)


def _probe_or_refuse(path: Path) -> media.VideoProbe:
    try:
        return media.probe(path)
    except media.VideoUnreadable as exc:
        logger.info("video upload refused: %s", exc)
        raise ValidationError(
            _(
                "The video cannot be read (damaged or an unsupported format). "
                "Export it again as MP4 (H.264) and upload it once more."
            ),
            code="unreadable",
        ) from None


def video_create(
    *,
    title: str,
    file,
    captions=None,
    captions_language: str = "vi",
    poster=None,
    transcript: str = "",
    duration_seconds: int | None = None,
) -> Video:
    """Validate, store and queue renditions (after commit) for a new library video."""
    probe = video_upload_validate(file=file)
    video = Video(
        title=title,
        file=file,
        captions=captions,
        captions_language=captions_language,
        poster=poster,
        transcript=transcript,
        duration_seconds=duration_seconds or max(1, math.ceil(probe.duration_seconds)),
        width=probe.width,
        height=probe.height,
    )
    video.full_clean()
    with transaction.atomic():
        video.save()
        video_renditions_request(video=video)
    return video


def video_renditions_request(*, video: Video) -> None:
    """Mark the video's renditions as pending unless they are current, and enqueue the task
    once the surrounding transaction commits."""
    from cms.tasks import video_renditions_make as task

    current = {
        r.quality for r in VideoRendition.objects.filter(video=video, source_name=video.file.name)
    }
    if current >= set(media.RENDITION_SPECS):
        return
    Video.objects.filter(pk=video.pk).update(
        rendition_status=RenditionStatus.PENDING, rendition_error=""
    )
    video_id = video.pk
    task_send(task, [video_id])  # after commit; kept in the outbox if the broker is down


def video_renditions_fail(*, video_id: int, reason: str) -> None:
    Video.objects.filter(pk=video_id).update(
        rendition_status=RenditionStatus.FAILED, rendition_error=reason[:2000]
    )


def video_renditions_make(*, video_id: int) -> dict:
    """Make the missing 360p/720p renditions of the video's current original.

    Returns {"video", "status", "made"}. Raises media.EncodeFailed (the task retries it);
    an unreadable original is a final answer: status "failed", nothing stored.
    """
    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return {"video": video_id, "status": "missing", "made": []}
    source_name = video.file.name
    done = set(
        VideoRendition.objects.filter(video=video, source_name=source_name).values_list(
            "quality", flat=True
        )
    )
    todo = [quality for quality in media.RENDITION_SPECS if quality not in done]
    if not todo:
        Video.objects.filter(pk=video_id).update(
            rendition_status=RenditionStatus.READY, rendition_error=""
        )
        return {"video": video_id, "status": "ready", "made": []}

    Video.objects.filter(pk=video_id).update(rendition_status=RenditionStatus.PROCESSING)
    made = []
    with tempfile.TemporaryDirectory(prefix="hocso-video-") as tmp:
        source = Path(tmp) / ("source" + Path(source_name).suffix.lower())
        with video.file.open("rb") as src, open(source, "wb") as dst:
            shutil.copyfileobj(src, dst)
        try:
            info = media.probe(source)
        except media.VideoUnreadable as exc:
            with translation.override(settings.LANGUAGE_CODE):
                reason = _(
                    "ffmpeg cannot read this video (damaged or an unsupported format); the "
                    "original is kept unchanged. Upload a new MP4 (H.264) file."
                )
            logger.warning("video %s unreadable: %s", video_id, exc)
            video_renditions_fail(video_id=video_id, reason=reason)
            return {"video": video_id, "status": "failed", "made": []}
        for quality in todo:
            target = Path(tmp) / f"{quality}.mp4"
            media.make_rendition(source, target, quality)
            out = media.probe(target)
            if _rendition_store(video_id, quality, target, out, source_name):
                made.append(quality)
    Video.objects.filter(pk=video_id).update(
        rendition_status=RenditionStatus.READY,
        rendition_error="",
        width=info.width,
        height=info.height,
    )
    return {"video": video_id, "status": "ready", "made": made}


def _rendition_store(video_id, quality, path: Path, out: media.VideoProbe, source_name) -> bool:
    """Store one rendition: file first, then the row in a transaction; if the row cannot be
    written (the original was replaced meanwhile, or another worker won) the new file is
    removed again, so nothing is left half-stored."""
    rendition = VideoRendition(
        video_id=video_id,
        quality=quality,
        width=out.width,
        height=out.height,
        size_bytes=path.stat().st_size,
        source_name=source_name,
    )
    with open(path, "rb") as fh:
        rendition.file.save(f"video-{video_id}-{quality}.mp4", File(fh), save=False)
    stored_name = rendition.file.name
    storage = rendition.file.storage
    try:
        with transaction.atomic():
            video = Video.objects.select_for_update().filter(pk=video_id).first()
            if video is None or video.file.name != source_name:
                raise _Stale
            old = list(VideoRendition.objects.filter(video_id=video_id, quality=quality))
            for item in old:
                item.delete()
                name, old_storage = item.file.name, item.file.storage
                transaction.on_commit(lambda n=name, s=old_storage: s.delete(n))
            rendition.save()
    except (_Stale, IntegrityError):
        storage.delete(stored_name)
        return False
    except Exception:
        storage.delete(stored_name)
        raise
    return True


class _Stale(Exception):
    pass


MODERATORS_GROUP = "Moderators"


def moderation_workflow_ensure(*, name: str, task_class, task_name: str, pages) -> Workflow:
    """Put `pages` (and their descendants) under Wagtail's moderation workflow `name`: one
    `task_class` task (a GroupApprovalTask or a subclass) for the Moderators group, which
    approves a change before it is published. Idempotent (demos and tests call it)."""
    with transaction.atomic():
        workflow, _created = Workflow.objects.get_or_create(name=name)
        task = task_class.objects.filter(name=task_name).first()
        if task is None:
            task = task_class.objects.create(name=task_name)
        moderators, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
        task.groups.add(moderators)
        WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
        for page in pages:
            WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow
