"""Progress rules over HTTP: the 90% video rule, locks answered with a friendly 403."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cms.models import Video
from courses import services
from courses.models import Enrolment, LessonProgress
from tests.courses.conftest import lessons_of, text_block, video_block

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(db):
    return Video.objects.create(
        title="Cài đặt VNeID",
        file=ContentFile(b"\x00\x00\x00\x18ftypmp42", name="vneid.mp4"),
        duration_seconds=100,
    )


def claim(client, lesson, block_id):
    return client.post(
        reverse("courses:lesson_progress", args=[lesson.pk]),
        {"evidence": "video", "block_id": block_id},
        HTTP_ACCEPT="application/json",
    )


def test_video_claim_sooner_than_90_percent_is_refused(client, learner, course_factory, video):
    block = video_block(video)
    course = course_factory(lessons=1, bodies=[[text_block(), block]])
    lesson = lessons_of(course)[0]
    client.post(reverse("courses:enrol", args=[course.pk]))
    page = client.get(lesson.url)
    assert f'data-block-id="{block["id"]}"' in page.content.decode()
    # Reading is not evidence for a video lesson.
    read = client.post(
        reverse("courses:lesson_progress", args=[lesson.pk]),
        {"evidence": "read"},
        HTTP_ACCEPT="application/json",
    )
    assert read.status_code == 403
    too_soon = claim(client, lesson, block["id"])
    assert too_soon.status_code == 403
    progress = LessonProgress.objects.get(user=learner, lesson=lesson)
    assert not progress.video_watched and progress.completed_at is None
    # 89 seconds after opening a 100-second video: still too soon; 91: accepted.
    LessonProgress.objects.filter(pk=progress.pk).update(
        opened_at=timezone.now() - timedelta(seconds=89)
    )
    assert claim(client, lesson, block["id"]).status_code == 403
    LessonProgress.objects.filter(pk=progress.pk).update(
        opened_at=timezone.now() - timedelta(seconds=91)
    )
    ok = claim(client, lesson, block["id"])
    assert ok.status_code == 200 and ok.json()["lesson_completed"] is True
    assert ok.json()["course_completed"] is True
    progress.refresh_from_db()
    assert progress.completed_by == "video"


def test_video_claim_for_a_block_not_in_the_lesson_is_refused(
    client, learner, course_factory, video
):
    course = course_factory(lessons=1, bodies=[[video_block(video)]])
    lesson = lessons_of(course)[0]
    client.post(reverse("courses:enrol", args=[course.pk]))
    client.get(lesson.url)
    LessonProgress.objects.update(opened_at=timezone.now() - timedelta(hours=1))
    assert claim(client, lesson, "made-up-block").status_code == 403
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_locked_lesson_url_answers_403_saying_what_to_finish(client, learner, course_factory):
    course = course_factory(lessons=3, sequential=True)
    first, second, _third = lessons_of(course)
    client.post(reverse("courses:enrol", args=[course.pk]))
    response = client.get(second.url)
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="refused"' in html and first.title in html and first.url in html
    progress_post = client.post(
        reverse("courses:lesson_progress", args=[second.pk]), {"evidence": "read"}
    )
    assert progress_post.status_code == 403
    assert not LessonProgress.objects.filter(lesson=second).exists()
    client.post(reverse("courses:lesson_progress", args=[first.pk]), {"evidence": "read"})
    assert client.get(second.url).status_code == 200


def test_prerequisite_course_named_on_the_403_page(client, learner, course_factory):
    basics = course_factory(lessons=1, title="Kỹ năng số cơ bản")
    advanced = course_factory(lessons=1)
    advanced.prerequisites.add(basics)
    advanced.save_revision().publish()
    client.post(reverse("courses:enrol", args=[advanced.pk]))
    response = client.get(lessons_of(advanced)[0].url)
    assert response.status_code == 403
    assert "Kỹ năng số cơ bản" in response.content.decode()


def test_anonymous_lesson_visit_goes_to_log_in(client, course_factory):
    course = course_factory(lessons=1)
    response = client.get(lessons_of(course)[0].url)
    assert response.status_code == 302 and "/tai-khoan/login/" in response["Location"]


def test_unenrol_keeps_the_row_and_my_learning_shows_sections(client, learner, course_factory):
    done = course_factory(lessons=1, title="Thanh toán không tiền mặt")
    going = course_factory(lessons=2, title="Nhận biết lừa đảo trực tuyến")
    assigned = course_factory(lessons=1, title="Dịch vụ công trực tuyến")
    client.post(reverse("courses:enrol", args=[done.pk]))
    client.post(
        reverse("courses:lesson_progress", args=[lessons_of(done)[0].pk]), {"evidence": "read"}
    )
    client.post(reverse("courses:enrol", args=[going.pk]))
    services.enrolment_create(
        user=learner, course=assigned, source="assignment",
        due_at=timezone.now() + timedelta(days=10), source_ref="assignment:1",
    )  # fmt: skip
    page = client.get(reverse("courses:my_learning")).content.decode()
    completed = page.split('data-testid="completed"')[1]
    in_progress = page.split('data-testid="in-progress"')[1].split('data-testid="completed"')[0]
    assigned_part = page.split('data-testid="assigned"')[1].split('data-testid="in-progress"')[0]
    assert "Thanh toán không tiền mặt" in completed
    assert "Nhận biết lừa đảo trực tuyến" in in_progress and lessons_of(going)[0].url in in_progress
    assert "Dịch vụ công trực tuyến" in assigned_part
    client.post(reverse("courses:unenrol", args=[going.pk]))
    assert Enrolment.objects.filter(course=going, unenrolled_at__isnull=False).count() == 1
    page = client.get(reverse("courses:my_learning")).content.decode()
    assert "Nhận biết lừa đảo trực tuyến" not in page
