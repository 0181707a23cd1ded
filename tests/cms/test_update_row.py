"""cms.inserts.update_row: one row's UPDATE by primary key, its SQL built once."""

import pytest
from django.db.models.sql.compiler import SQLUpdateCompiler

from cms.inserts import insert_row, insert_rows, update_row
from courses.models import LessonProgress
from courses.services import enrolment_create, lesson_open_record
from tests.courses.conftest import catalogue, course_factory, lessons_of  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_update_row_writes_the_fields_on_the_row(
    user_factory,
    course_factory,  # noqa: F811 - the fixture imported above
    monkeypatch,
    django_assert_num_queries,
):
    user, course = user_factory(), course_factory(lessons=1)
    enrolment_create(user=user, course=course, source="self")
    progress = lesson_open_record(user=user, lesson=lessons_of(course)[0])
    before = progress.updated_at
    progress.activity_results = {"version": 1, "blocks": {"b": {"passed": True}}}
    progress.read_confirmed = True
    monkeypatch.setattr(SQLUpdateCompiler, "as_sql", None)  # no ORM UPDATE is built
    with django_assert_num_queries(1):
        update_row(progress, ("activity_results", "read_confirmed", "updated_at"))
    assert progress.updated_at > before  # auto_now, set on the row as save() sets it
    stored = LessonProgress.objects.get(pk=progress.pk)
    assert stored.activity_results == progress.activity_results and stored.read_confirmed
    assert stored.updated_at == progress.updated_at and stored.video_watched is False


def test_update_row_only_if_and_insert_rows(user_factory, monkeypatch, django_assert_num_queries):
    """`only_if`: a conditional UPDATE that says whether it changed the row (submit grades
    once: the second finds the attempt no longer open and changes nothing); insert_rows: the
    rows in one INSERT, their keys returned when asked, the ORM's compilers never called."""
    from django.db.models.sql.compiler import SQLInsertCompiler

    from assessments.models import QuestionCategory

    monkeypatch.setattr(SQLInsertCompiler, "as_sql", None)
    monkeypatch.setattr(SQLUpdateCompiler, "as_sql", None)
    rows = [QuestionCategory(name=f"Nhóm {n}") for n in range(3)]
    with django_assert_num_queries(1):
        keys = insert_rows(rows, returning=True)
    stored = list(QuestionCategory.objects.filter(pk__in=keys).order_by("pk"))
    assert [c.name for c in stored] == ["Nhóm 0", "Nhóm 1", "Nhóm 2"]
    first = stored[0]
    first.name = "Đổi tên"
    assert update_row(first, ("name",), only_if={"name": "Nhóm 0"}) == 1
    first.name = "Lần hai"
    assert update_row(first, ("name",), only_if={"name": "Nhóm 0"}) == 0  # no longer so
    assert QuestionCategory.objects.get(pk=first.pk).name == "Đổi tên"
    # In batches: one statement per `batch` rows, the keys of all in order; one row saved.
    more = [QuestionCategory(name=f"Lô {n}") for n in range(5)]
    with django_assert_num_queries(3):
        keys = insert_rows(more, returning=True, batch=2)
    assert [QuestionCategory.objects.get(pk=k).name for k in keys] == [r.name for r in more]
    single = QuestionCategory(name="Một nhóm")
    with django_assert_num_queries(1):
        insert_row(single)
    assert single.pk and not single._state.adding
    assert QuestionCategory.objects.get(pk=single.pk).name == "Một nhóm"


def test_insert_or_fill_inserts_once_and_fills_only_what_is_empty(
    user_factory,
    course_factory,  # noqa: F811 - the fixture imported above
    monkeypatch,
    django_assert_num_queries,
):
    """lesson_open_record's statement: the first opening inserts the row; a second (another
    tab) changes nothing; a row made without an opening (the offline sync's progress) gets
    opened_at and updated_at, and keeps the rest; the row comes back with its JSON and dates
    as the ORM reads them, without the ORM building SQL."""
    import datetime as dt

    from django.db.models.sql.compiler import SQLInsertCompiler
    from django.utils import timezone

    from cms.inserts import insert_or_fill

    user, course = user_factory(), course_factory(lessons=2)
    enrolment_create(user=user, course=course, source="self")
    first, second = lessons_of(course)
    monkeypatch.setattr(SQLInsertCompiler, "as_sql", None)

    def opening(lesson, when):
        row = LessonProgress(user=user, lesson=lesson, course=course, opened_at=when)
        return insert_or_fill(
            row, unique=("user", "lesson"), fill=("opened_at",), touch=("updated_at",)
        )

    t0 = timezone.now() - dt.timedelta(hours=2)
    with django_assert_num_queries(1):
        made = opening(first, t0)
    assert (
        made.pk and made.opened_at == t0 and made.activity_results == {"version": 1, "blocks": {}}
    )
    stored = LessonProgress.objects.get(user=user, lesson=first)
    again = opening(first, t0 + dt.timedelta(hours=1))
    assert again.pk == made.pk and again.opened_at == t0 and again.updated_at == stored.updated_at
    assert LessonProgress.objects.filter(user=user).count() == 1

    LessonProgress.objects.filter(pk=made.pk).update(
        activity_results={"version": 1, "blocks": {"b": {"passed": True}}}
    )
    monkeypatch.undo()
    unopened = LessonProgress.objects.create(
        user=user, lesson=second, course=course, read_confirmed=True
    )
    filled = opening(second, t0)
    assert filled.pk == unopened.pk and filled.opened_at == t0 and filled.read_confirmed
    assert filled.updated_at > unopened.updated_at
    assert opening(first, t0).activity_results == {"version": 1, "blocks": {"b": {"passed": True}}}


def test_update_row_only_if_none_is_is_null(user_factory, django_assert_num_queries):
    """`only_if` {field: None}: the row must still have no value there (IS NULL; '= NULL'
    would match nothing): the certificate's compare-and-swap on a not revoked row."""
    from accounts.models import User

    user = user_factory(full_name="Tên Cũ")
    assert user.phone is None
    user.full_name = "Tên Mới"
    with django_assert_num_queries(1):
        assert update_row(user, ("full_name",), only_if={"phone": None}) == 1
    User.objects.filter(pk=user.pk).update(phone="+84987000111")
    user.full_name = "Lần Hai"
    assert update_row(user, ("full_name",), only_if={"phone": None}) == 0  # no longer empty
    assert User.objects.get(pk=user.pk).full_name == "Tên Mới"


def test_update_row_only_if_by_a_foreign_key_s_column(user_factory, course_factory):  # noqa: F811
    """`only_if` takes a relation by its field's name or its column's (`user_id`)."""
    user, other = user_factory(), user_factory()
    course = course_factory(lessons=1)
    enrolment_create(user=user, course=course, source="self")
    progress = lesson_open_record(user=user, lesson=lessons_of(course)[0])
    progress.read_confirmed = True
    assert update_row(progress, ("read_confirmed",), only_if={"user_id": other.pk}) == 0
    assert update_row(progress, ("read_confirmed",), only_if={"user": other.pk}) == 0
    assert not LessonProgress.objects.get(pk=progress.pk).read_confirmed
    assert update_row(progress, ("read_confirmed",), only_if={"user_id": user.pk}) == 1
    assert LessonProgress.objects.get(pk=progress.pk).read_confirmed
