"""Fixtures for the assessments tests: a small bank with every question type and a quiz."""

import uuid
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from assessments.models import Question, QuestionCategory
from courses.services import enrolment_create
from tests import factories

# The courses tests' catalogue and course factory, for the lesson wiring tests.
from tests.courses.conftest import catalogue, course_factory, lessons_of, text_block  # noqa: F401

# (text, weight[, match_text[, feedback]]) choices in bank order: tests/factories.py's.
make_question = factories.question


@pytest.fixture
def two_origins(live_server, settings):
    """The app on http://localhost:PORT, the content origin (H5P, SCORM players) on
    http://127.0.0.1:PORT: another site, as in production. Returns (app, content) origins."""
    port = urlsplit(live_server.url).port
    settings.APP_ORIGIN = f"http://localhost:{port}"
    settings.CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    return settings.APP_ORIGIN, settings.CONTENT_ORIGIN


@pytest.fixture
def bank(db):
    """One question of each type in category "Kiểm thử"; returns {type: question}."""
    return factories.question_bank(QuestionCategory.objects.create(name="Kiểm thử"))


@pytest.fixture
def quiz_factory(bank):
    """factories.quiz over the bank (80 % to pass, two attempts, review after each)."""

    def make(**fields):
        fields.setdefault("pass_mark_percent", 80)
        fields.setdefault("max_attempts", 2)
        fields.setdefault("review_policy", "after_each")
        fields.setdefault("questions", list(bank.values()))
        return factories.quiz(**fields)

    return make


@pytest.fixture
def quiz(quiz_factory):
    return quiz_factory()


def right_responses(attempt, *, wrong=()):
    """The fully right answers to an attempt's frozen questions, from the bank (the test
    knows the bank; the browser never does). Question types in `wrong` get a wrong answer."""
    responses = {}
    for entry in attempt.frozen["questions"]:
        question = Question.objects.get(pk=entry["id"])
        rows = list(question.choices.order_by("sort_order"))
        qtype = entry["type"]
        bad = qtype in wrong
        if qtype in ("single", "true_false"):
            pick = [c for c in rows if (c.weight <= 0 if bad else c.weight == 100)][0]
            responses[str(question.id)] = {"choice": pick.key}
        elif qtype == "multiple":
            keys = [c.key for c in rows if (c.weight <= 0 if bad else c.weight > 0)]
            responses[str(question.id)] = {"choices": keys}
        elif qtype == "short_answer":
            responses[str(question.id)] = {"text": "sai" if bad else rows[0].text}
        elif qtype == "ordering":
            keys = [c.key for c in rows]
            responses[str(question.id)] = {"order": keys[::-1] if bad else keys}
        elif qtype == "matching":
            first = {}
            for c in rows:
                first.setdefault(c.match_text, c.key)
            texts = [c.match_text for c in rows]
            pairs = {
                c.key: first[texts[(i + 1) % len(texts)] if bad else c.match_text]
                for i, c in enumerate(rows)
            }
            responses[str(question.id)] = {"pairs": pairs}
    return {"version": 1, "responses": responses}


@pytest.fixture
def admin_client(client, user_factory):
    """A Wagtail admin (superuser) logged in; pytest-django's own has no full name."""
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def in_lesson(course_factory):  # noqa: F811 - the imported fixture
    """in_lesson(quiz, *users) -> url(name, attempt=None): the quiz as the block of a
    one-lesson course the users are enrolled in; url() names its routes."""

    def make(quiz, *users):
        block_id = str(uuid.uuid4())
        body = [text_block(), {"type": "quiz", "value": {"quiz": quiz.pk, "required": True},
                               "id": block_id}]  # fmt: skip
        course = course_factory(lessons=1, bodies=[body])
        lesson = lessons_of(course)[0]
        for user in users:
            enrolment_create(user=user, course=course, source="self")

        def url(name, attempt=None):
            args = [lesson.pk, block_id] + ([attempt.pk] if attempt is not None else [])
            return reverse(f"courses:quiz_{name}", args=args)

        url.lesson = lesson
        return url

    return make
