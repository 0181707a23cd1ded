"""Issue 13 finding 6, as the attack: a learner takes a course's quiz outside its lesson.

The standalone page /kiem-tra/<slug>/ needed no enrolment, kept an attempt budget of its
own apart from the lesson's, and its review showed every right answer. It is removed:
learners take a quiz only through its lesson block (enrolment, locks and the lesson's
attempt budget apply there); editors preview a quiz in the admin, which records nothing.
The other routes to an attempt (guessed ids, another learner's, another lesson's) are
tried too.
"""

# ruff: noqa: F811 - fixtures imported from the assessments tests are test arguments here

import uuid

import pytest
from django.urls import reverse

from assessments.models import Attempt
from courses.models import Enrolment
from courses.services import enrolment_cancel, enrolment_create
from tests.assessments.conftest import (  # noqa: F401 - fixtures of the assessments tests
    bank,
    catalogue,
    course_factory,
    quiz,
    quiz_factory,
    right_responses,
)
from tests.assessments.test_views import SECRETS, form_data
from tests.courses.conftest import lessons_of, text_block

pytestmark = pytest.mark.django_db


def quiz_course(course_factory, quiz):
    block_id = str(uuid.uuid4())
    body = [text_block(), {"type": "quiz", "value": {"quiz": quiz.pk, "required": True},
                           "id": block_id}]  # fmt: skip
    course = course_factory(lessons=1, bodies=[body])
    return course, lessons_of(course)[0], block_id


def lesson_urls(lesson, block_id, attempt_id=None):
    args = [lesson.pk, block_id]
    urls = {"start": reverse("courses:quiz_start", args=args)}
    if attempt_id is not None:
        for name in ("attempt", "autosave", "result"):
            urls[name] = reverse(f"courses:quiz_{name}", args=[*args, attempt_id])
    return urls


def standalone_urls(quiz, attempt_id):
    """The routes the removed standalone page answered (by path: their names are gone)."""
    return {
        "detail": f"/kiem-tra/{quiz.slug}/",
        "start": f"/kiem-tra/{quiz.slug}/bat-dau/",
        "attempt": f"/kiem-tra/bai-lam/{attempt_id}/",
        "autosave": f"/kiem-tra/bai-lam/{attempt_id}/luu/",
        "result": f"/kiem-tra/bai-lam/{attempt_id}/ket-qua/",
    }


def take_in_lesson(client, lesson, block_id, user):
    client.post(lesson_urls(lesson, block_id)["start"])
    attempt = Attempt.objects.filter(user=user).latest("pk")
    urls = lesson_urls(lesson, block_id, attempt.pk)
    client.post(urls["attempt"], {**form_data(attempt, right_responses(attempt, wrong={"single"})),
                                  "action": "submit"})  # fmt: skip
    return attempt


def test_learner_not_enrolled_cannot_take_a_courses_quiz_on_its_own_page(
    client, user_factory, course_factory, quiz
):
    quiz_course(course_factory, quiz)
    learner = user_factory()
    client.force_login(learner)
    assert client.get(f"/kiem-tra/{quiz.slug}/").status_code == 404
    start = client.post(f"/kiem-tra/{quiz.slug}/bat-dau/")
    assert start.status_code == 404
    assert not Attempt.objects.filter(user=learner).exists()


def test_right_answers_cannot_be_harvested_outside_the_lesson(
    client, user_factory, course_factory, quiz
):
    """Start, hand in a blank attempt, read the review: every answer, no enrolment needed."""
    quiz_course(course_factory, quiz)
    learner = user_factory()
    client.force_login(learner)
    pages = [client.post(f"/kiem-tra/{quiz.slug}/bat-dau/", follow=True)]
    attempt = Attempt.objects.filter(user=learner).first()
    if attempt is not None:
        urls = standalone_urls(quiz, attempt.pk)
        pages.append(client.post(urls["attempt"], {"action": "submit"}, follow=True))
        pages.append(client.get(urls["result"]))
    for page in pages:
        html = page.content.decode()
        for secret in SECRETS:
            assert secret not in html
    assert not Attempt.objects.filter(user=learner, state="graded").exists()


def test_lessons_attempt_budget_cannot_be_topped_up_on_another_page(
    client, user_factory, course_factory, quiz
):
    course, lesson, block_id = quiz_course(course_factory, quiz)
    learner = user_factory()
    enrolment_create(user=learner, course=course, source="self")
    client.force_login(learner)
    for _ in range(quiz.max_attempts):
        take_in_lesson(client, lesson, block_id, learner)
    assert Attempt.objects.filter(user=learner).count() == quiz.max_attempts
    client.post(lesson_urls(lesson, block_id)["start"])  # the lesson refuses a third
    client.post(f"/kiem-tra/{quiz.slug}/bat-dau/")  # and no other page grants one
    assert Attempt.objects.filter(user=learner).count() == quiz.max_attempts


def test_another_learners_attempt_cannot_be_seen_saved_or_submitted(
    client, user_factory, course_factory, quiz
):
    course, lesson, block_id = quiz_course(course_factory, quiz)
    owner, attacker = user_factory(), user_factory()
    for user in (owner, attacker):
        enrolment_create(user=user, course=course, source="self")
    client.force_login(owner)
    client.post(lesson_urls(lesson, block_id)["start"])
    attempt = Attempt.objects.get(user=owner)
    client.force_login(attacker)
    answers = {**form_data(attempt, right_responses(attempt)), "action": "submit"}
    # The owner's id and guessed neighbours, on the lesson's routes and the old ones.
    for attempt_id in (attempt.pk, attempt.pk + 1, attempt.pk + 2, 0):
        for urls in (lesson_urls(lesson, block_id, attempt_id),
                     standalone_urls(quiz, attempt_id)):  # fmt: skip
            assert client.get(urls["attempt"]).status_code == 404
            assert client.get(urls["result"]).status_code == 404
            assert client.post(urls["attempt"], answers).status_code == 404
            assert client.post(urls["autosave"], answers).status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == "in_progress" and attempt.answers["responses"] == {}
    assert not Attempt.objects.filter(user=attacker).exists()


def test_an_attempt_of_one_lesson_cannot_be_replayed_through_another(
    client, user_factory, course_factory, quiz
):
    """Same quiz in two courses: each lesson keeps its own attempts and budget."""
    course_a, lesson_a, block_a = quiz_course(course_factory, quiz)
    course_b, lesson_b, block_b = quiz_course(course_factory, quiz)
    learner = user_factory()
    enrolment_create(user=learner, course=course_a, source="self")
    enrolment_create(user=learner, course=course_b, source="self")
    client.force_login(learner)
    client.post(lesson_urls(lesson_a, block_a)["start"])
    attempt = Attempt.objects.get(user=learner)
    urls = lesson_urls(lesson_b, block_b, attempt.pk)
    assert client.get(urls["attempt"]).status_code == 404
    submitted = client.post(urls["attempt"], {**form_data(attempt, right_responses(attempt)),
                                              "action": "submit"})  # fmt: skip
    assert submitted.status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


def test_a_learner_who_left_the_course_cannot_submit_an_open_attempt(
    client, user_factory, course_factory, quiz
):
    course, lesson, block_id = quiz_course(course_factory, quiz)
    learner = user_factory()
    enrolment = enrolment_create(user=learner, course=course, source="self")
    client.force_login(learner)
    client.post(lesson_urls(lesson, block_id)["start"])
    attempt = Attempt.objects.get(user=learner)
    enrolment_cancel(enrolment=Enrolment.objects.get(pk=enrolment.pk))
    urls = lesson_urls(lesson, block_id, attempt.pk)
    submitted = client.post(urls["attempt"], {**form_data(attempt, right_responses(attempt)),
                                              "action": "submit"})  # fmt: skip
    assert submitted.status_code == 403
    assert client.get(urls["result"]).status_code == 403
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


def test_editors_preview_records_no_attempt_and_learners_cannot_open_it(
    client, user_factory, quiz, bank
):
    preview = reverse("assessments_quiz_preview", args=[quiz.pk])
    learner = user_factory()
    client.force_login(learner)
    assert client.get(preview).status_code in (302, 403)
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    response = client.get(preview)
    assert response.status_code == 200
    html = response.content.decode()
    assert bank["single"].text in html and "Không ghi lại gì" in html
    assert not Attempt.objects.exists()
