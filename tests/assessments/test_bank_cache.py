"""The bank's questions as an attempt reads them (assessments.bank.bank_questions):
cached for every learner after the first read, and read again from the database after any
save or deletion of a question or a choice, so grading always uses the bank as it is now
(issue 16)."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from assessments.bank import bank_questions
from assessments.models import Choice, QuestionCategory, QuizSlot
from assessments.services import (
    AttemptError,
    attempt_start,
    attempt_submit,
    quiz_add_category_questions,
)
from tests import factories
from tests.assessments.conftest import bank, quiz, quiz_factory, right_responses  # noqa: F401

pytestmark = pytest.mark.django_db


def test_cached_after_the_start_and_read_again_after_an_edit(
    quiz,  # noqa: F811 - the fixture imported above
    bank,  # noqa: F811
    user_factory,
    django_assert_num_queries,
):
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    ids = [e["id"] for e in attempt.frozen["questions"]]
    with django_assert_num_queries(0):  # the start cached what it drew
        cached = bank_questions(ids)
    single = bank["single"]
    assert cached[single.pk].data.qtype == "single"
    assert [c.key for c in cached[single.pk].data.choices] == list(
        single.choices.order_by("sort_order", "id").values_list("key", flat=True)
    )
    # An editor moves the right answer to another choice (saved as in the admin).
    right = single.choices.get(weight=100)
    other = single.choices.exclude(pk=right.pk).first()
    right.weight, other.weight = Decimal(0), Decimal(100)
    right.save()
    other.save()
    with django_assert_num_queries(1):  # the edit forgot the cached questions: one query
        fresh = bank_questions(ids)
    assert {c.key: c.weight for c in fresh[single.pk].data.choices}[other.key] == 100
    # Grading uses the bank as it is now: the old right answer earns nothing.
    answers = right_responses(attempt)
    answers["responses"][str(single.pk)] = {"choice": right.key}
    graded = attempt_submit(attempt=attempt, user=user, answers=answers)
    assert graded.results.get(question=single).fraction == 0
    # A deleted choice is forgotten as well.
    Choice.objects.filter(pk=other.pk).delete()
    assert other.key not in [c.key for c in bank_questions(ids)[single.pk].data.choices]


def test_a_second_start_draws_without_a_query(
    quiz,  # noqa: F811
    user_factory,
    django_assert_num_queries,
):
    """The quiz's plan (its lines, a random line's pool) and its questions are kept in the
    process under the bank generation: after one learner's start, the next learner's start
    reads neither (issue 16)."""
    attempt_start(user=user_factory(), quiz=quiz)
    learner = user_factory()
    # SAVEPOINT, the learner's attempts locked, INSERT the attempt, RELEASE: no quiz line,
    # no pool, no question read (5 with the lines read on every start).
    with django_assert_num_queries(4):
        second = attempt_start(user=learner, quiz=quiz)
    assert sorted(e["id"] for e in second.frozen["questions"]) == sorted(
        quiz.slots.values_list("question_id", flat=True)
    )


def test_the_questions_kept_in_the_process_need_no_round_trip(
    quiz,  # noqa: F811
    user_factory,
    monkeypatch,
):
    """After one read, a question comes from this process's copy under the generation: no
    get_many on the shared cache (one round trip and the unpickling saved per request)."""
    attempt = attempt_start(user=user_factory(), quiz=quiz)
    ids = [e["id"] for e in attempt.frozen["questions"]]

    def refused(*args, **kwargs):
        raise AssertionError("the shared cache was asked again")

    monkeypatch.setattr(cache, "get_many", refused)
    assert set(bank_questions(ids)) == set(ids)


def test_a_quiz_line_added_or_a_question_moved_is_drawn_at_the_next_start(
    bank,  # noqa: F811
    user_factory,
):
    """The plan kept under the generation is forgotten by a line saved (the admin's form),
    a line added by quiz_add_category_questions (bulk_create: no signal of its own) and a
    question moved to a random line's category."""
    single, multiple, short = bank["single"], bank["multiple"], bank["short_answer"]
    made = factories.quiz(questions=[single], shuffle_questions=False)

    def drawn():
        started = attempt_start(user=user_factory(), quiz=made)
        return [e["id"] for e in started.frozen["questions"]]

    other = QuestionCategory.objects.create(name="Thêm")
    short.category = other
    short.save()
    assert drawn() == [single.pk]
    QuizSlot.objects.create(quiz=made, question=multiple, sort_order=1)
    assert drawn() == [single.pk, multiple.pk]
    assert quiz_add_category_questions(quiz=made, category=other) == 1
    assert drawn() == [single.pk, multiple.pk, short.pk]
    pool = QuestionCategory.objects.create(name="Bốc thăm")
    QuizSlot.objects.filter(quiz=made).delete()
    QuizSlot.objects.create(quiz=made, category=pool, draw_count=1, sort_order=0)
    with pytest.raises(AttemptError):  # an empty pool draws nothing
        drawn()
    short.category = pool
    short.save()
    assert drawn() == [short.pk]
