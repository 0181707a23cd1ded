"""Issue 22, learner: a failed final quiz must not hand out the right answers while a
retake remains (the default review policy), submitting with questions left empty asks
first (server side, no script needed), and the result page offers "Làm lại"."""

import uuid

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from assessments.models import Attempt, Quiz, ReviewPolicy
from courses.services import enrolment_create
from tests.assessments.conftest import right_responses
from tests.assessments.test_views import SECRETS, form_data
from tests.courses.conftest import lessons_of, text_block

DEFAULT_POLICY = Quiz._meta.get_field("review_policy").get_default()


@pytest.fixture
def final_quiz_lesson(course_factory, quiz_factory):
    """A course whose only lesson holds the final quiz, on the default review policy."""
    quiz = quiz_factory(review_policy=DEFAULT_POLICY, max_attempts=2)
    block_id = str(uuid.uuid4())
    body = [text_block(), {"type": "quiz", "value": {"quiz": quiz.pk, "required": True},
                           "id": block_id}]  # fmt: skip
    course = course_factory(lessons=1, bodies=[body])
    return course, lessons_of(course)[0], block_id, quiz


def _start(client, lesson, block_id, user):
    client.post(reverse("courses:quiz_start", args=[lesson.pk, block_id]))
    attempt = Attempt.objects.filter(user=user).latest("pk")
    return attempt, reverse("courses:quiz_attempt", args=[lesson.pk, block_id, attempt.pk])


def _submit(client, lesson, block_id, user, *, wrong=()):
    attempt, url = _start(client, lesson, block_id, user)
    data = {**form_data(attempt, right_responses(attempt, wrong=wrong)), "action": "submit"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response.url).content.decode()


@pytest.fixture
def learner(client, user_factory, final_quiz_lesson):
    course = final_quiz_lesson[0]
    user = user_factory()
    enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    return user


def test_the_default_policy_hides_answers_until_pass_or_last_attempt():
    assert DEFAULT_POLICY == ReviewPolicy.PASS_OR_LAST == "pass_or_last"
    assert Quiz(title="x", slug="x").review_policy == "pass_or_last"


def test_failed_attempt_shows_no_right_answer_while_a_retake_remains(
    client, learner, final_quiz_lesson
):
    _course, lesson, block_id, _quiz = final_quiz_lesson
    html = _submit(client, lesson, block_id, learner, wrong={"single", "multiple", "ordering"})
    assert "Chưa đạt" in html
    assert "Đáp án đúng:" not in html
    for secret in SECRETS:  # the feedback texts of the bank
        assert secret not in html
    assert "Đáp án sẽ hiện khi bạn đạt hoặc đã dùng hết lượt làm bài." in html
    # The retake is offered on the result page, with the attempts left.
    assert 'data-testid="retake"' in html and ">Làm lại</button>" in html
    assert "còn 1 lượt" in html
    assert f'action="{reverse("courses:quiz_start", args=[lesson.pk, block_id])}"' in html


def test_the_last_failed_attempt_shows_the_answers_and_no_retake(
    client, learner, final_quiz_lesson
):
    _course, lesson, block_id, _quiz = final_quiz_lesson
    failing = {"single", "multiple", "ordering"}
    _submit(client, lesson, block_id, learner, wrong=failing)
    html = _submit(client, lesson, block_id, learner, wrong=failing)
    assert "Chưa đạt" in html
    assert "Đáp án đúng:" in html
    assert 'data-testid="retake"' not in html


def test_passing_shows_the_answers_and_no_retake(client, learner, final_quiz_lesson):
    _course, lesson, block_id, _quiz = final_quiz_lesson
    html = _submit(client, lesson, block_id, learner)
    assert "Đạt." in html and "Đáp án đúng:" in html
    assert 'data-testid="retake"' not in html


def test_after_each_still_shows_answers_when_an_editor_chooses_it(
    client, user_factory, course_factory, quiz_factory
):
    quiz = quiz_factory(review_policy="after_each", max_attempts=3)
    block_id = str(uuid.uuid4())
    body = [{"type": "quiz", "value": {"quiz": quiz.pk, "required": True}, "id": block_id}]
    course = course_factory(lessons=1, bodies=[body])
    lesson = lessons_of(course)[0]
    user = user_factory()
    enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    html = _submit(client, lesson, block_id, user, wrong={"single", "multiple", "ordering"})
    assert "Chưa đạt" in html and "Đáp án đúng:" in html


def test_data_migration_moves_quizzes_off_the_old_default(quiz_factory):
    from importlib import import_module

    migration = import_module("assessments.migrations.0002_review_after_pass_or_last_attempt")
    old = quiz_factory(review_policy="after_each")
    never = quiz_factory(review_policy="never")
    migration.after_each_to_pass_or_last(django_apps, None)
    old.refresh_from_db()
    never.refresh_from_db()
    assert (old.review_policy, never.review_policy) == ("pass_or_last", "never")


def test_submit_with_unanswered_questions_asks_first(client, learner, final_quiz_lesson):
    _course, lesson, block_id, _quiz = final_quiz_lesson
    attempt, url = _start(client, lesson, block_id, learner)
    answers = right_responses(attempt)
    # Leave the second question of the attempt (in its served order) empty.
    second = str(attempt.frozen["questions"][1]["id"])
    del answers["responses"][second]
    response = client.post(url, {**form_data(attempt, answers), "action": "submit"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bạn chưa trả lời câu 2." in html
    assert "Vẫn nộp bài" in html and 'value="submit_anyway"' in html
    assert (
        "data-unanswered-box" in html
        and "hidden>" not in html.split("data-unanswered-box")[1][:400]
    )
    attempt.refresh_from_db()
    assert attempt.is_open  # nothing graded yet
    assert set(attempt.answers["responses"]) == set(answers["responses"])  # answers kept
    # The confirmation submits as it is.
    confirmed = client.post(url, {**form_data(attempt, answers), "action": "submit_anyway"})
    assert confirmed.status_code == 302
    attempt.refresh_from_db()
    assert not attempt.is_open and attempt.state == "graded"


def test_submit_with_every_question_answered_goes_straight_to_the_result(
    client, learner, final_quiz_lesson
):
    _course, lesson, block_id, _quiz = final_quiz_lesson
    attempt, url = _start(client, lesson, block_id, learner)
    response = client.post(
        url, {**form_data(attempt, right_responses(attempt)), "action": "submit"}
    )
    assert response.status_code == 302
    assert response.url.endswith("/ket-qua/")
    attempt.refresh_from_db()
    assert attempt.state == "graded"
