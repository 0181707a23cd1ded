"""Fixtures of the offline-learning tests: a course with a read lesson, an image, a PDF and a
video with its 360p rendition; helpers to send offline events."""

import json
import time
import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cms.models import Video, VideoRendition
from courses.models import Enrolment
from courses.services import enrolment_create
from tests.courses.conftest import image_block, lessons_of, make_image, text_block, video_block


@pytest.fixture
def video(db):
    video = Video.objects.create(
        title="Cài đặt VNeID",
        file=ContentFile(b"\x00\x00\x00\x18ftypmp42" * 10, name="vneid.mp4"),
        duration_seconds=100,
    )
    VideoRendition.objects.create(
        video=video, quality="360p", file=ContentFile(b"\x00" * 3000, name="vneid-360.mp4"),
        width=480, height=360, size_bytes=3000, source_name=video.file.name,
    )  # fmt: skip
    VideoRendition.objects.create(
        video=video, quality="720p", file=ContentFile(b"\x00" * 9000, name="vneid-720.mp4"),
        width=1280, height=720, size_bytes=9000, source_name=video.file.name,
    )  # fmt: skip
    return video


@pytest.fixture
def offline_course(course_factory, video):
    """Three lessons in order: read (with an image), video, read."""
    image = make_image()
    block = video_block(video)
    course = course_factory(
        lessons=3,
        sequential=True,
        bodies=[[text_block(), image_block(image)], [text_block(), block], [text_block()]],
    )
    course.video_block_id = block["id"]
    return course


@pytest.fixture
def learner(client, user_factory, offline_course):
    user = user_factory(full_name="Hoàng Văn Học")
    enrolment_create(user=user, course=offline_course, source=Enrolment.Source.SELF)
    client.force_login(user)
    return user


def event(kind, lesson, *, at=None, block_id="", client_id=None):
    return {
        "id": str(client_id or uuid.uuid4()),
        "kind": kind,
        "lesson": lesson.pk,
        "block_id": block_id,
        "at": int((at if at is not None else time.time()) * 1000),
    }


def send(client, events, *, sent_at=None, **extra):
    body = {"sent_at": int((sent_at if sent_at is not None else time.time()) * 1000),
            "events": events}  # fmt: skip
    return client.post(
        reverse("courses:offline:sync"), json.dumps(body), content_type="application/json",
        HTTP_ACCEPT="application/json", **extra,
    )  # fmt: skip


def fetch_copies(client, course, *, hours_ago=1):
    """Fetch every lesson's offline copy, as if `hours_ago` hours ago."""
    from datetime import timedelta

    from django.utils import timezone

    from courses.offline.models import OfflineCopy

    for lesson in lessons_of(course):
        response = client.get(reverse("courses:offline:lesson_copy", args=[lesson.pk]))
        assert response.status_code == 200
    OfflineCopy.objects.filter(lesson__in=lessons_of(course)).update(
        first_fetched_at=timezone.now() - timedelta(hours=hours_ago)
    )
