"""Database constraints of the bank and attempts: they hold even when code forgets."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Attempt, QuizSlot


def _attempt(user, quiz, number, state="in_progress", **kw):
    return Attempt.objects.create(
        user=user, quiz=quiz, number=number, state=state, started_at=timezone.now(),
        frozen={"version": 1, "questions": []}, **kw,
    )  # fmt: skip


def test_attempt_numbers_are_unique_per_user_quiz_and_context(quiz, user_factory):
    user = user_factory()
    now = timezone.now()
    _attempt(user, quiz, 1, state="graded", submitted_at=now, score_percent=10, passed=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        _attempt(user, quiz, 1)
    # Another context may reuse the number.
    assert _attempt(user, quiz, 1, context_key="lesson:1:abc").pk


def test_only_one_open_attempt_per_context(quiz, user_factory):
    user = user_factory()
    _attempt(user, quiz, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _attempt(user, quiz, 2)


@pytest.mark.parametrize(
    "fields",
    [
        {"state": "graded"},  # graded without a grade
        {"state": "in_progress", "score_percent": 50, "passed": False},  # open with a grade
        {"state": "graded", "score_percent": 101, "passed": True, "submitted_at": "now"},
    ],
)
def test_grade_consistency_is_a_database_constraint(quiz, user_factory, fields):
    if fields.get("submitted_at") == "now":
        fields["submitted_at"] = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        _attempt(user_factory(), quiz, 1, **fields)


def test_slot_is_a_question_or_a_category_never_both(quiz, bank):
    question = bank["single"]
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizSlot.objects.create(quiz=quiz, question=question, category=question.category)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuizSlot.objects.create(quiz=quiz)


def test_choice_keys_are_random_not_in_bank_order(bank):
    keys = [c.key for c in bank["ordering"].choices.all()]
    assert len(set(keys)) == 4
    assert all(len(k) >= 12 for k in keys)
