"""The bank's questions as an attempt reads them (assessments.bank.bank_questions):
cached for every learner after the first read, and read again from the database after any
save or deletion of a question or a choice, so grading always uses the bank as it is now
(issue 16)."""

from decimal import Decimal

import pytest

from assessments.bank import bank_questions
from assessments.models import Choice
from assessments.services import attempt_start, attempt_submit
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
