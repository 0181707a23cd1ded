"""A quiz inside a lesson: attempts in the lesson's context, enrolment and lock checks,
and passing completes the lesson through courses.services.activity_result_record."""

import uuid

import pytest
from django.urls import reverse

from assessments.models import Attempt
from courses.models import LessonProgress
from courses.services import enrolment_create
from tests.assessments.conftest import right_responses
from tests.assessments.test_views import SECRETS, form_data
from tests.courses.conftest import lessons_of, text_block


@pytest.fixture
def quiz_lesson(course_factory, quiz):
    block_id = str(uuid.uuid4())
    body = [text_block(), {"type": "quiz", "value": {"quiz": quiz.pk, "required": True},
                           "id": block_id}]  # fmt: skip
    course = course_factory(lessons=2, bodies=[body, [text_block()]], sequential=True)
    lesson = lessons_of(course)[0]
    return course, lesson, block_id


def urls(lesson, block_id, attempt=None):
    args = [lesson.pk, block_id]
    out = {"start": reverse("courses:quiz_start", args=args)}
    if attempt is not None:
        out["attempt"] = reverse("courses:quiz_attempt", args=[*args, attempt.pk])
        out["result"] = reverse("courses:quiz_result", args=[*args, attempt.pk])
    return out


def take(client, lesson, block_id, user, *, wrong=()):
    response = client.post(urls(lesson, block_id)["start"])
    attempt = Attempt.objects.filter(user=user).latest("pk")
    assert (
        response.status_code == 302 and response.url == urls(lesson, block_id, attempt)["attempt"]
    )
    page = client.get(response.url).content.decode()
    for secret in SECRETS:
        assert secret not in page
    submitted = client.post(
        response.url, {**form_data(attempt, right_responses(attempt, wrong=wrong)),
                       "action": "submit"},
    )  # fmt: skip
    assert submitted.url == urls(lesson, block_id, attempt)["result"]
    attempt.refresh_from_db()
    return attempt, client.get(submitted.url).content.decode()


def test_fail_then_pass_completes_the_lesson(client, user_factory, quiz_lesson, quiz):
    course, lesson, block_id = quiz_lesson
    user = user_factory()
    enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    lesson_html = client.get(lesson.url).content.decode()
    assert "Bắt đầu làm bài" in lesson_html and f'id="quiz-{block_id}"' in lesson_html
    for secret in SECRETS:
        assert secret not in lesson_html

    first, html = take(client, lesson, block_id, user, wrong={"single", "multiple", "ordering"})
    assert first.context_key == f"lesson:{lesson.pk}:{block_id}"
    assert not first.passed and "Chưa đạt" in html
    progress = LessonProgress.objects.get(user=user, lesson=lesson)
    assert progress.completed_at is None
    assert progress.activity_results["blocks"][block_id]["passed"] is False

    second, html = take(client, lesson, block_id, user)
    assert second.passed and second.number == 2
    assert "Đã hoàn thành bài học" in html or 'data-testid="lesson-completed"' in html
    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert progress.activity_results["blocks"][block_id]["attempts"] == 2
    # A repeated submit of the graded attempt records nothing more.
    client.post(urls(lesson, block_id, second)["attempt"], {"action": "submit"})
    progress.refresh_from_db()
    assert progress.activity_results["blocks"][block_id]["attempts"] == 2
    lesson_html = client.get(lesson.url).content.decode()
    assert 'data-testid="lesson-done"' in lesson_html
    # There is no other page of the quiz where a second budget of attempts would start.
    assert client.get(f"/kiem-tra/{quiz.slug}/").status_code == 404


def test_not_enrolled_is_refused(client, user_factory, quiz_lesson):
    _course, lesson, block_id = quiz_lesson
    user = user_factory()
    client.force_login(user)
    response = client.post(urls(lesson, block_id)["start"])
    assert response.status_code == 403
    assert not Attempt.objects.filter(user=user).exists()


def test_locked_lesson_is_refused(client, user_factory, course_factory, quiz):
    block_id = str(uuid.uuid4())
    body = [{"type": "quiz", "value": {"quiz": quiz.pk, "required": True}, "id": block_id}]
    course = course_factory(lessons=2, bodies=[[text_block()], body], sequential=True)
    locked = lessons_of(course)[1]
    user = user_factory()
    enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    response = client.post(urls(locked, block_id)["start"])
    assert response.status_code == 403
    assert not Attempt.objects.filter(user=user).exists()


def test_unknown_block_and_foreign_attempt(client, user_factory, quiz_lesson):
    course, lesson, block_id = quiz_lesson
    owner, other = user_factory(), user_factory()
    for user in (owner, other):
        enrolment_create(user=user, course=course, source="self")
    client.force_login(owner)
    assert client.post(urls(lesson, str(uuid.uuid4()))["start"]).status_code == 404
    client.post(urls(lesson, block_id)["start"])
    attempt = Attempt.objects.get(user=owner)
    client.force_login(other)
    for name in ("attempt", "result"):
        assert client.get(urls(lesson, block_id, attempt)[name]).status_code == 404
    assert (
        client.post(
            urls(lesson, block_id, attempt)["attempt"],
            {**form_data(attempt, right_responses(attempt)), "action": "submit"},
        ).status_code
        == 404
    )
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"
    assert not LessonProgress.objects.filter(user=other, completed_at__isnull=False).exists()
