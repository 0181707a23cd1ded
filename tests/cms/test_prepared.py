"""cms.prepared: a query's SQL built once per process, run with each call's values, gives
the rows and objects the ORM gives (select_related, deferred columns, annotations), is
refused where the ORM refuses it, and is counted like any query."""

import uuid

import pytest
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.transaction import TransactionManagementError

from assessments.models import Attempt, AttemptState, QuestionResult
from assessments.services import attempt_start
from cms.prepared import Prepared
from tests.assessments.conftest import bank, quiz, quiz_factory  # noqa: F401

pytestmark = pytest.mark.django_db

WITH_QUIZ = Prepared(
    "test-attempt-with-quiz",
    lambda pk, user_id, key: (
        Attempt.objects.select_related("quiz")
        .defer("frozen")
        .annotate(graded_any=Exists(QuestionResult.objects.filter(attempt=OuterRef("pk"))))
        .filter(pk=pk, user_id=user_id, context_key=key)
    ),
    "iis",
)


def test_same_objects_as_the_orm_for_each_call(quiz, user_factory, django_assert_num_queries):  # noqa: F811
    one, two = user_factory(), user_factory()
    first = attempt_start(user=one, quiz=quiz, context_key="here")
    second = attempt_start(user=two, quiz=quiz, context_key="here")
    for attempt, user in ((first, one), (second, two)):
        with django_assert_num_queries(1):  # counted like any query; the quiz in the same
            found = WITH_QUIZ.first(attempt.pk, user.pk, "here")
            assert found.quiz.title == quiz.title and found.graded_any is False
        orm = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
        assert (found.pk, found.user_id, found.number, found.state, found.started_at) == (
            orm.pk, orm.user_id, orm.number, orm.state, orm.started_at,
        )  # fmt: skip
        assert found.answers == orm.answers and found.quiz == orm.quiz
        assert found.frozen == orm.frozen  # deferred: loaded on use, as the ORM does
    assert WITH_QUIZ.first(first.pk, two.pk, "here") is None  # someone else's
    assert WITH_QUIZ.first(first.pk, one.pk, "elsewhere") is None
    assert WITH_QUIZ.all(first.pk, one.pk, "here") == [first]


def test_locking_query_refused_outside_a_transaction(quiz, user_factory):  # noqa: F811
    user = user_factory()
    attempt = attempt_start(user=user, quiz=quiz)
    locked = Prepared(
        "test-locked",
        lambda pk: Attempt.objects.select_for_update().filter(pk=pk),
        "i",
    )
    with transaction.atomic():
        assert locked.first(attempt.pk).state == AttemptState.IN_PROGRESS
    # Outside the test's own transaction there is none here to refuse it, so check the
    # rule itself: autocommit on -> refused, as the ORM refuses it.
    from django.db import connection

    autocommit = connection.get_autocommit
    connection.get_autocommit = lambda: True
    try:
        with pytest.raises(TransactionManagementError):
            locked.first(attempt.pk)
    finally:
        connection.get_autocommit = autocommit


def test_values_of_the_wrong_kind_are_refused(quiz, user_factory):  # noqa: F811
    with pytest.raises(TypeError):
        WITH_QUIZ.first("1", 1, "here")
    with pytest.raises(TypeError):
        WITH_QUIZ.first(1, True, "here")


def test_a_value_the_sql_does_not_hold_once_is_refused():
    twice = Prepared(
        "test-twice", lambda pk: Attempt.objects.filter(pk=pk) | Attempt.objects.filter(pk=pk), "i"
    )
    with pytest.raises(ValueError):
        twice.first(1)
    unused = Prepared("test-unused", lambda pk, key: Attempt.objects.filter(pk=pk), "is")
    with pytest.raises(ValueError):
        unused.first(1, "x")


def test_uuid_values(quiz, user_factory):  # noqa: F811
    from assessments.h5p.models import H5PLaunch

    by_public_id = Prepared(
        "test-uuid", lambda public_id: H5PLaunch.objects.filter(public_id=public_id), "u"
    )
    assert by_public_id.first(uuid.uuid4()) is None
