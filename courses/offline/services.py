"""Offline learning: what a course download holds, and the sync of events recorded offline.

The rules are the courses app's own (courses.services): progress goes through
lesson_open_record and lesson_progress_record, which check the enrolment, the sequential
unlock and the evidence; completion is computed there. This module adds what only an
offline event needs: its id (counted once), and the device's timestamps, which are put on
the server's clock and checked for plausibility before the video watch-time rule applies.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import Video
from courses import services as course_services
from courses.models import CoursePage, Enrolment, LessonPage, LessonProgress
from courses.offline.models import OfflineCopy, OfflineEvent
from courses.selectors import course_lessons, course_of, prerequisites_status

# Images are stored at the sizes the lesson page offers a phone (courses/blocks/image.html's
# srcset), the video poster at the player's size (cms/includes/video_player.html).
IMAGE_SPECS = ("width-400|format-webp", "width-800|format-webp")
POSTER_SPEC = "width-640|format-webp"
VIDEO_QUALITY = "360p"
# The HTML of a stored page is not known before it is fetched: the demo's offline copies
# weigh 7-9 KB each (bench/offline.py), rich lessons more.
PAGE_ESTIMATE_BYTES = 12 * 1024
MAX_EVENTS = 200
# Plausibility of the device's clock, once shifted onto the server's: an event cannot come
# after it was sent (a little slack for the request's own travel) nor before the lesson's
# offline copy was fetched, nor be older than OFFLINE_MAX_AGE.
CLOCK_SLACK = timedelta(seconds=5)
OFFLINE_MAX_AGE = timedelta(days=60)


class OfflineRefused(course_services.ProgressRefused):
    """A download or a sync the learner may not make: the one refusal type of the project
    (cms.errors.Refused, through courses' ProgressRefused). `message` is user-facing."""

    def __init__(self, message: str, *, code: str = "offline", status: int = 403, context=None):
        super().__init__(message, code=code, status=status, context=context)


# --- Downloads --------------------------------------------------------------------------


def _enrolment_or_refuse(*, user, course: CoursePage) -> Enrolment:
    enrolment = Enrolment.objects.active().filter(user=user, course=course).first()
    if enrolment is None:
        raise OfflineRefused(_("Enrol in the course to download it."))
    if any(not c.done for c in prerequisites_status(user=user, course=course)):
        raise OfflineRefused(_("Finish the courses this one needs first."))
    return enrolment


def _rendition(image, spec: str) -> dict | None:
    try:
        rendition = image.get_rendition(spec)
        return {"url": rendition.url, "size": rendition.file.size}
    except (OSError, ValueError):  # a missing or unreadable source file: left out
        return None


def _field_file(field_file) -> dict | None:
    if not field_file:
        return None
    try:
        return {"url": field_file.url, "size": field_file.size}
    except OSError:
        return None


def _lesson_files(lesson: LessonPage) -> tuple[list[dict], list[dict]]:
    """(files, videos) a lesson's offline copy needs: image renditions, documents, video
    posters and captions; and the 360p rendition of each library video."""
    files: list[dict] = []
    videos: list[dict] = []
    for block in lesson.body:
        value = block.value
        if block.block_type == "image" and value.get("image"):
            files += [r for r in (_rendition(value["image"], s) for s in IMAGE_SPECS) if r]
        elif block.block_type == "document" and value.get("document"):
            document = value["document"]
            files.append({"url": document.url, "size": document.get_file_size() or 0})
        elif block.block_type == "video" and value.get("video"):
            video = Video.objects.for_player().get(pk=value["video"].pk)
            if video.poster:
                files += [r for r in [_rendition(video.poster, POSTER_SPEC)] if r]
            files += [f for f in [_field_file(video.captions)] if f]
            low = next(
                (
                    r
                    for r in video.renditions.all()
                    if r.quality == VIDEO_QUALITY and r.source_name == video.file.name
                ),
                None,
            )
            if low is not None:
                videos.append(
                    {"url": low.file.url, "size": low.size_bytes, "lesson": lesson.pk,
                     "title": video.title}
                )  # fmt: skip
            elif not any(r.source_name == video.file.name for r in video.renditions.all()):
                # No rendition made (yet): the player plays the original, so that is stored.
                original = _field_file(video.file)
                if original is not None:
                    videos.append({**original, "lesson": lesson.pk, "title": video.title})
    return files, videos


def course_offline_manifest(*, user, course: CoursePage, request) -> dict:
    """What "Tải về để học khi không có mạng" stores for `course`, with sizes.

    `pages`: the course page and each lesson, each stored under its own address (`url`)
    from `source` (lessons come from their offline copy, which opens even a lesson still
    locked by the sequential order; its progress is checked when it syncs). `version`
    changes with a new published revision, so the device replaces its copy at the next
    sync. Raises OfflineRefused when the learner is not enrolled."""
    from django.urls import reverse

    _enrolment_or_refuse(user=user, course=course)
    course_url = course.get_url(request)
    pages = [{"url": course_url, "source": course_url, "kind": "course",
              "version": str(course.live_revision_id or "")}]  # fmt: skip
    files: list[dict] = []
    videos: list[dict] = []
    seen: set[str] = set()
    lesson_ids = [x.pk for x in course_lessons(course)]
    lessons = LessonPage.objects.filter(pk__in=lesson_ids).order_by("path")
    for lesson in lessons:
        pages.append(
            {"url": lesson.get_url(request), "kind": "lesson", "lesson": lesson.pk,
             "title": lesson.title, "version": str(lesson.live_revision_id or ""),
             "source": reverse("courses:offline:lesson_copy", args=[lesson.pk])}
        )  # fmt: skip
        lesson_files, lesson_videos = _lesson_files(lesson)
        for item in lesson_files:
            if item["url"] not in seen:
                seen.add(item["url"])
                files.append(item)
        for item in lesson_videos:
            if item["url"] not in seen:
                seen.add(item["url"])
                videos.append(item)
    base = len(pages) * PAGE_ESTIMATE_BYTES + sum(f["size"] for f in files)
    video_bytes = sum(v["size"] for v in videos)
    return {
        "course": {"id": course.pk, "title": course.title, "url": course_url},
        "pages": pages,
        "files": files,
        "videos": videos,
        "size": {"without_video": base, "video": video_bytes, "with_video": base + video_bytes},
    }


def lesson_copy_record(*, user, lesson: LessonPage, course: CoursePage) -> OfflineCopy:
    """The learner fetches a lesson's offline copy: checked (enrolled, prerequisites met)
    and remembered (the first time bounds the offline events on this lesson)."""
    _enrolment_or_refuse(user=user, course=course)
    now = timezone.now()
    with transaction.atomic():
        copy, created = OfflineCopy.objects.get_or_create(
            user=user, lesson=lesson, defaults={"first_fetched_at": now, "last_fetched_at": now}
        )
        if not created:
            OfflineCopy.objects.filter(pk=copy.pk).update(last_fetched_at=now)
    return copy


# --- Sync -------------------------------------------------------------------------------


@dataclass
class EventIn:
    client_id: uuid.UUID
    lesson_id: int
    kind: str
    block_id: str
    device_at: datetime
    index: int


def _from_ms(value) -> datetime:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError
    return datetime.fromtimestamp(float(value) / 1000.0, tz=UTC)


def events_parse(payload) -> tuple[datetime, list[EventIn]]:
    """Validate the JSON body {"sent_at": ms, "events": [{"id", "lesson", "kind",
    "block_id"?, "at": ms}]}. Raises OfflineRefused with a message naming the problem."""
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise OfflineRefused(_("The progress sent is not in the expected form."))
    events = payload["events"]
    if len(events) > MAX_EVENTS:
        raise OfflineRefused(
            _("Too many events at once (at most %(n)s); the rest are sent next time.")
            % {"n": MAX_EVENTS}
        )
    try:
        sent_at = _from_ms(payload.get("sent_at"))
    except (ValueError, OverflowError, OSError):
        raise OfflineRefused(_("The device's clock time is missing.")) from None
    parsed = []
    for index, raw in enumerate(events):
        try:
            if not isinstance(raw, dict):
                raise ValueError
            kind = raw.get("kind")
            if kind not in OfflineEvent.Kind.values:
                raise ValueError
            lesson_id = raw.get("lesson")
            if isinstance(lesson_id, bool) or not isinstance(lesson_id, int) or lesson_id < 1:
                raise ValueError
            block_id = raw.get("block_id") or ""
            if not isinstance(block_id, str) or len(block_id) > 64:
                raise ValueError
            parsed.append(
                EventIn(
                    client_id=uuid.UUID(str(raw.get("id"))),
                    lesson_id=lesson_id,
                    kind=kind,
                    block_id=block_id,
                    device_at=_from_ms(raw.get("at")),
                    index=index,
                )
            )
        except (ValueError, TypeError, OverflowError, OSError):
            raise OfflineRefused(
                _("Event %(n)s of the progress sent is not valid.") % {"n": index + 1}
            ) from None
    return sent_at, parsed


def _apply(*, user, event: EventIn, lesson: LessonPage, happened_at: datetime) -> LessonProgress:
    """Apply one new event through the courses services; raises ProgressRefused."""
    now = timezone.now()
    course = course_of(lesson)
    copy = OfflineCopy.objects.filter(user=user, lesson=lesson).first()
    if copy is None:
        raise course_services.ProgressRefused(
            _("This lesson was not downloaded for offline learning.")
        )
    if happened_at > now + CLOCK_SLACK or happened_at < copy.first_fetched_at - CLOCK_SLACK:
        raise course_services.ProgressRefused(
            _("The time of this progress on the device is not plausible.")
        )
    if happened_at < now - OFFLINE_MAX_AGE:
        raise course_services.ProgressRefused(_("This progress is too old to be counted."))
    if event.kind == OfflineEvent.Kind.OPEN:
        reason = course_services.lesson_lock_reason(user=user, lesson=lesson, course=course)
        if not Enrolment.objects.active().filter(user=user, course=course).exists():
            raise course_services.ProgressRefused(_("You are not enrolled in this course."))
        if reason is not None:
            raise course_services.ProgressRefused(reason[0])
        progress = course_services.lesson_open_record(user=user, lesson=lesson, course=course)
        # Opened offline: the opening happened at the device's (shifted) time, not now.
        LessonProgress.objects.filter(pk=progress.pk, opened_at__gt=happened_at).update(
            opened_at=happened_at
        )
        progress.refresh_from_db()
        return progress
    if event.kind == OfflineEvent.Kind.VIDEO:
        video_id = lesson.video_blocks().get(event.block_id)
        video = Video.objects.filter(pk=video_id).only("duration_seconds").first()
        progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
        if video is not None and progress is not None and not progress.video_watched:
            needed = timedelta(seconds=video.duration_seconds * course_services.VIDEO_WATCH_SHARE)
            if progress.opened_at is None or happened_at - progress.opened_at < needed:
                raise course_services.ProgressRefused(
                    _("Please watch the video to the end before continuing."),
                    code="too_soon",
                )
    return course_services.lesson_progress_record(
        user=user, lesson=lesson, evidence=event.kind, block_id=event.block_id
    )


def events_sync(*, user, sent_at: datetime, events: list[EventIn]) -> dict:
    """Apply `user`'s offline events in the order they happened, each once.

    An event id already received returns its first outcome and changes nothing. A refused
    event (not enrolled, locked, implausible time, too soon for the video) is final: the
    device drops it and shows the message. Returns {"results": [...], "courses": {...}}."""
    offset = timezone.now() - sent_at
    results = {}
    touched: set[int] = set()
    for event in sorted(events, key=lambda e: (e.device_at, e.index)):
        happened_at = event.device_at + offset
        key = str(event.client_id)
        previous = OfflineEvent.objects.filter(user=user, client_id=event.client_id).first()
        if previous is not None:
            results[key] = {"id": key, "status": previous.status, "message": previous.message,
                            "replayed": True}  # fmt: skip
            continue
        lesson = LessonPage.objects.live().filter(pk=event.lesson_id).first()
        if lesson is None:
            results[key] = {"id": key, "status": OfflineEvent.Status.REFUSED,
                            "message": _("This lesson is no longer available.")}  # fmt: skip
            continue
        try:
            with transaction.atomic():
                row = OfflineEvent.objects.create(
                    user=user, client_id=event.client_id, lesson=lesson, kind=event.kind,
                    block_id=event.block_id, device_at=event.device_at,
                    happened_at=happened_at, status=OfflineEvent.Status.ACCEPTED,
                )  # fmt: skip
                try:
                    with transaction.atomic():
                        progress = _apply(
                            user=user, event=event, lesson=lesson, happened_at=happened_at
                        )
                except course_services.ProgressRefused as refused:
                    row.status, row.message = OfflineEvent.Status.REFUSED, refused.message[:300]
                    row.save(update_fields=["status", "message"])
                    progress = None
        except IntegrityError:
            # The same event arrived in a concurrent request, which recorded it first.
            previous = OfflineEvent.objects.get(user=user, client_id=event.client_id)
            results[key] = {"id": key, "status": previous.status, "message": previous.message,
                            "replayed": True}  # fmt: skip
            continue
        results[key] = {"id": key, "status": row.status, "message": row.message,
                        "lesson_completed": bool(progress and progress.completed_at)}  # fmt: skip
        if progress is not None:
            touched.add(progress.course_id)
    courses = {
        str(e.course_id): {"percent": e.percent, "completed": e.completed_at is not None}
        for e in Enrolment.objects.filter(user=user, course_id__in=touched).order_by("pk")
    }
    return {"results": [results[str(e.client_id)] for e in events], "courses": courses}
