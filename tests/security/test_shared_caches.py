"""Issue 16's shared caches, as the attack: what one person's request put in a cache is
tried from another person, another quiz, another role or after an editor's change.

- the question bank (assessments.bank): cached for every learner after one read. An
  attacker posts answers for a question of another quiz, whose bank entry another
  learner's attempt has just cached;
- base.html's header memo (cms.templatetags.fragments) and the manager flag
  (campaigns.context_processors): a manager whose role is taken away keeps neither the
  "Manage" link nor the manager pages;
- the course's lessons cached for the lesson page (cms.pages): a lesson unpublished after
  learners have warmed the cache is gone from the course and its address.
"""

# ruff: noqa: F811 - fixtures imported from the assessments tests are test arguments here

import pytest
from django.urls import reverse

from assessments.models import Attempt
from campaigns.agencies.services import manager_role_grant
from courses.services import enrolment_create
from tests import factories
from tests.assessments.conftest import (  # noqa: F401 - fixtures of the assessments tests
    bank,
    catalogue,
    course_factory,
    in_lesson,
    quiz_factory,
    right_responses,
)
from tests.assessments.test_views import form_data
from tests.courses.conftest import lessons_of

pytestmark = pytest.mark.django_db


def test_an_answer_to_a_cached_question_of_another_quiz_is_not_graded_or_saved(
    client, user_factory, quiz_factory, bank, in_lesson
):
    mine = quiz_factory(questions=[bank["single"]], max_attempts=3)
    theirs = quiz_factory(questions=[bank["multiple"]], max_attempts=3)
    attacker, other = user_factory(), user_factory()
    url_mine = in_lesson(mine, attacker)
    url_theirs = in_lesson(theirs, other)
    # Another learner starts the other quiz: its question is now in the shared bank cache.
    client.force_login(other)
    client.post(url_theirs("start"))
    foreign_attempt = Attempt.objects.get(user=other)
    foreign = form_data(foreign_attempt, right_responses(foreign_attempt))
    (foreign_field,) = foreign
    foreign_id = int(foreign_field.removeprefix("q-"))
    assert foreign_id == bank["multiple"].pk

    client.force_login(attacker)
    client.post(url_mine("start"))
    attempt = Attempt.objects.get(user=attacker)
    wrong = form_data(attempt, right_responses(attempt, wrong={"single"}))
    # The autosave and the submit carry the foreign question's right answer beside a wrong
    # one: both are refused whole, with the learner's message, and nothing is kept.
    saved = client.post(url_mine("autosave", attempt), {**wrong, **foreign})
    assert saved.status_code == 400
    assert saved.json()["saved"] is False and saved.json()["code"] == "unknown_question"
    submitted = client.post(url_mine("attempt", attempt), {**wrong, **foreign, "action": "submit"})
    assert submitted.status_code == 400
    assert "không có trong bài làm này" in submitted.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == "in_progress" and attempt.answers["responses"] == {}
    assert not attempt.results.exists()
    # Handed in without it, the attempt is graded on its own question only.
    client.post(url_mine("attempt", attempt), {**wrong, "action": "submit"})
    attempt.refresh_from_db()
    assert attempt.state == "graded" and attempt.score_percent == 0
    assert list(attempt.results.values_list("question_id", flat=True)) == [bank["single"].pk]


def test_a_manager_whose_role_is_taken_away_loses_the_link_and_the_pages_at_once(
    client, user_factory
):
    manager = user_factory()
    role = manager_role_grant(user=manager, agency=factories.agency(), granted_by=None)
    dashboard = reverse("campaigns:dashboard")
    page = reverse("privacy_notice")
    client.force_login(manager)
    for _ in range(2):  # the header memo and the manager flag are warm
        html = client.get(page).content.decode()
        assert f'href="{dashboard}"' in html
        assert client.get(dashboard).status_code == 200
    role.delete()  # as the admin's delete does
    html = client.get(page).content.decode()
    assert f'href="{dashboard}"' not in html
    assert client.get(dashboard).status_code in (302, 403, 404)
    # A learner served by the same process right after never got the manager's header.
    client.force_login(user_factory())
    assert f'href="{dashboard}"' not in client.get(page).content.decode()


def test_a_lesson_unpublished_after_the_cache_is_warm_is_gone_for_learners(
    client, user_factory, course_factory
):
    course = course_factory(lessons=3)
    first, second, third = lessons_of(course)
    learner = user_factory()
    enrolment_create(user=learner, course=course, source="self")
    client.force_login(learner)
    for lesson in (first, second, third):  # each page read and cached the course's lessons
        assert client.get(lesson.url).status_code == 200
    assert f'href="{second.url}" rel="next"' in client.get(first.url).content.decode()
    assert f'href="{second.url}"' in client.get(course.url).content.decode()
    second.unpublish()  # an editor takes the lesson down (as the admin's Unpublish does)
    assert client.get(second.url).status_code == 404
    html = client.get(first.url).content.decode()
    assert second.url not in html and f'href="{third.url}" rel="next"' in html
    html = client.get(course.url).content.decode()
    assert second.url not in html and f'href="{third.url}"' in html
