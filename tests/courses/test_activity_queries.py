"""Exact query counts on the learner's activity paths (issue 16): quiz start, attempt page,
autosave, submit, H5P launch, statement and graded statement; and the learner's lesson
state computed once per request.

The course opens its lessons in order and has two: the activity's lesson, then a text
lesson, so passing completes the lesson, not the course (the bench's walk,
bench/hot_paths.py). Counts here include the SAVEPOINT / RELEASE pairs of every
transaction.atomic() block, the outermost too (a test runs inside a transaction); in
production the outermost block is BEGIN / COMMIT, which the bench does not count.

Shared by every path (the access check, courses.activities.access.lesson_access):
  no query for the user (the session and the user's row come from the cache:
    accounts.middleware.CachedUserMiddleware),
  the lesson: from the cache (courses.activities.access.activity_lesson, the same for every
    learner until a page changes; no query: see test_activity_lesson_cached for the two
    queries after a change: the lesson, its course); its block found in the stored JSON:
    no query for the quiz or package unless the view starts something,
  the course (its columns and `has_prerequisites`: no prerequisites query for a course
    without any) cached with the lesson,
  1 the active enrolment (courses.selectors.activity_lesson_state),
  1 the course's lessons, each with `done` (only because the course opens its lessons in
    order: the lock).
No progress rows, no second course query, no lesson state computed again after recording.
"""

import json
import uuid

import pytest
from django.db.models.sql.compiler import SQLUpdateCompiler
from django.http import Http404
from django.urls import reverse

from assessments.h5p.services import activity_iri
from assessments.models import Attempt
from assessments.services import attempt_start
from courses import selectors
from courses.activities.access import activity_lesson
from courses.models import Enrolment, LessonProgress
from courses.services import course_outline, enrolment_create
from tests.assessments.conftest import bank, quiz, quiz_factory, right_responses  # noqa: F401
from tests.assessments.h5p.conftest import (  # noqa: F401
    admin_user,
    h5p_storage,
    make_package,
    playable_package,
)
from tests.assessments.test_views import form_data
from tests.courses.conftest import lessons_of, text_block

pytestmark = pytest.mark.django_db

ACCESS = 2

# Quiz start (POST .../kiem-tra/<block>/bat-dau/), a new attempt, another learner having
# started the quiz before (as on any day but the first):
#   ACCESS + 1 the quiz (the block's activity: the view starts it),
#   +1 SAVEPOINT (attempt_start's transaction), +1 the learner's attempts here, locked (the
#      open one, graded first when overdue; else the count and the last number),
#   the quiz's plan (its lines, a random line's pool) and the drawn questions with their
#      choices: from this process's memory under the bank generation (assessments.bank:
#      no query; 2 or 3 for the first start after a change, test_bank_cache),
#   +1 INSERT the attempt (a concurrent start's IntegrityError is caught outside the
#      transaction: no savepoint of its own), +1 RELEASE.
#   No look-up of the user or the quiz by full_clean: they are the rows in hand.
QUIZ_START = ACCESS + 5
# Attempt page (GET .../bai-lam/<id>/):
#   ACCESS + 1 the attempt with its quiz (the learner's own, in this lesson's context),
#   its questions with their choices from the cache (assessments.bank: the start read
#   them; no query); the notices bell's unread count from the cache (base.html,
#   campaigns.notice_counts: no query).
ATTEMPT_PAGE = ACCESS + 1
# Autosave (POST .../bai-lam/<id>/luu/):
#   ACCESS + 1 SAVEPOINT (the view's transaction), +1 the attempt with its quiz, locked
#   (read once), +1 UPDATE its answers, +1 RELEASE.
AUTOSAVE = ACCESS + 4
# Submit (POST .../bai-lam/<id>/, action=submit) that passes and completes the lesson:
#   ACCESS + 1 SAVEPOINT (the view's transaction: attempt_submit and
#   activity_outcome_record have no savepoint of their own inside it), +1 the attempt with
#   its quiz, locked (read once), its questions with their choices from the cache (the
#   start read them: no query), +1 UPDATE the grade (conditional), +1 INSERT the question
#   results (the graded attempt is not read back),
#   activity_result_record: +1 the progress row, locked (INSERT ... ON CONFLICT DO UPDATE
#   ... RETURNING: made when the learner never opened the lesson page, as here), +1 UPDATE
#   its activity results and its completion (one statement: the row is locked, so the
#   completion is written by whoever finds it empty),
#   completion: the course's lessons from the cache (courses.services.course_outline: no
#   query), +1 UPDATE the enrolment's counters ... RETURNING the row (not read back), +1
#   the learner's progress rows on the required lessons for the course rule,
#   +1 RELEASE. The progress row is not read back.
#   (13 before the completion's writes were merged: the completion's own UPDATE and the
#   enrolment read back after its counters' UPDATE.)
SUBMIT = ACCESS + 9
# H5P launch (POST .../h5p/<block>/bat-dau/), a new launch:
#   ACCESS + 1 the package (the block's activity), +1 its libraries approved,
#   +1 the learner's latest launch here, +1 SAVEPOINT, +1 INSERT the launch, +1 RELEASE,
#   +1 the saved state. No look-up of the user or the package by full_clean.
H5P_LAUNCH = ACCESS + 7
# H5P statement that grades nothing (an "interacted" statement):
#   ACCESS + 1 SAVEPOINT (activity_outcome_record; statement_record has none of its own
#   inside it), +1 the launch locked with its package (and whether the same statement was
#   stored before: an EXISTS in the same query), +1 INSERT the statement (ON CONFLICT DO
#   NOTHING: a replay racing this one is a duplicate, no savepoint), +1 UPDATE the
#   launch's count, +1 RELEASE. The launch is not read back; the course's progress in the
#   answer is the access check's enrolment.
H5P_STATEMENT = ACCESS + 5
# Graded statement that passes and completes the lesson: the statement's writes as above
#   (the package's maximum is its own here; for a package without one, the learner's first
#   graded maximum comes with the locked launch: tests/assessments/h5p/test_statements.py),
#   then activity_result_record (no savepoint of its own): +1 the progress row locked (the
#   lesson page made it: INSERT ... ON CONFLICT DO UPDATE ... RETURNING), +1 UPDATE its
#   activity results and its completion in one statement, the course's lessons from the
#   cache (course_outline), +1 UPDATE the enrolment's counters ... RETURNING the row (also
#   the answer's course progress), +1 the progress rows on the required lessons for the
#   course rule. (+6 before: the completion's own UPDATE, the enrolment read back.)
H5P_GRADED = H5P_STATEMENT + 4


@pytest.fixture
def counting(monkeypatch):
    """Which lessons had their learner's state computed (either selector)."""
    computed = []
    for name in ("lesson_state", "activity_lesson_state"):
        original = getattr(selectors, name)

        def wrapped(*, original=original, name=name, **kwargs):
            computed.append((name, kwargs["lesson"].pk))
            return original(**kwargs)

        monkeypatch.setattr(f"courses.selectors.{name}", wrapped)
        monkeypatch.setattr(f"courses.activities.access.{name}", wrapped, raising=False)
        monkeypatch.setattr(f"courses.services.{name}", wrapped, raising=False)
    return computed


def test_quiz_paths(
    client,
    user_factory,
    course_factory,
    quiz,  # noqa: F811 - the fixture imported above
    django_assert_num_queries,
    counting,
):
    block_id = str(uuid.uuid4())
    body = [text_block(), {"type": "quiz", "value": {"quiz": quiz.pk, "required": True},
                           "id": block_id}]  # fmt: skip
    course = course_factory(lessons=2, bodies=[body, [text_block()]], sequential=True)
    lesson = lessons_of(course)[0]
    user = user_factory()
    enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    client.get(reverse("courses:my_learning"))  # warms the navigation's caches
    activity_lesson(lesson.pk)  # the lesson as any learner's request leaves it cached
    attempt_start(user=user_factory(), quiz=quiz)  # another learner drew the quiz before
    course_outline(course)  # the course's lessons as any completion leaves them cached
    start = reverse("courses:quiz_start", args=[lesson.pk, block_id])

    with django_assert_num_queries(QUIZ_START):
        response = client.post(start)
    attempt = Attempt.objects.get(user=user)
    assert response.status_code == 302 and str(attempt.pk) in response.url
    with django_assert_num_queries(ATTEMPT_PAGE):
        assert client.get(response.url).status_code == 200
    data = form_data(attempt, right_responses(attempt))
    with django_assert_num_queries(AUTOSAVE):
        saved = client.post(response.url + "luu/", data)
    assert saved.status_code == 200 and saved.json()["saved"] is True
    del counting[:]
    with django_assert_num_queries(SUBMIT):
        submitted = client.post(response.url, {**data, "action": "submit"})
    assert submitted.status_code == 302
    assert counting == [("activity_lesson_state", lesson.pk)]  # once, not again to record
    attempt.refresh_from_db()
    assert attempt.state == "graded" and attempt.passed
    progress = LessonProgress.objects.get(user=user, lesson=lesson)
    assert progress.completed_at is not None
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.lessons_done == 1 and enrolment.percent == 50
    assert enrolment.completed_at is None


def statement(iri, verb="interacted", **result):
    return json.dumps({"verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
                       "object": {"id": iri, "objectType": "Activity"},
                       "result": result or {"response": "1"}})  # fmt: skip


def test_h5p_paths(
    client,
    user_factory,
    course_factory,
    playable_package,  # noqa: F811 - the fixture imported above
    django_assert_num_queries,
    counting,
    monkeypatch,
):
    package = playable_package("H5P.TrueFalse")
    block_id = str(uuid.uuid4())
    body = [text_block(), {"type": "h5p", "id": block_id,
                           "value": {"package": package.pk, "pass_percent": 60,
                                     "required": True}}]  # fmt: skip
    course = course_factory(lessons=2, bodies=[body, [text_block()]], sequential=True)
    lesson = lessons_of(course)[0]
    user = user_factory()
    enrolment_create(user=user, course=course, source="self")
    client.force_login(user)
    assert client.get(lesson.url).status_code == 200  # records the lesson's opening
    activity_lesson(lesson.pk)  # the lesson as any learner's request leaves it cached
    course_outline(course)  # the course's lessons as any completion leaves them cached
    base = f"/hoc/bai/{lesson.pk}/h5p/{block_id}"

    with django_assert_num_queries(H5P_LAUNCH):
        launch = client.post(f"{base}/bat-dau/", "{}", content_type="application/json")
    assert launch.status_code == 200
    url, iri = launch.json()["statement_url"], activity_iri(package)

    def no_orm_update(*args, **kwargs):
        raise AssertionError("an UPDATE built by the ORM on the statement paths")

    # The launch's and the progress row's UPDATEs: SQL built once (cms.inserts.update_row),
    # the enrolment's counters by courses.services' own statement: no UPDATE built per
    # request (a lesson's completion; a course's completion still is).
    monkeypatch.setattr(SQLUpdateCompiler, "as_sql", no_orm_update)
    with django_assert_num_queries(H5P_STATEMENT):
        answer = client.post(url, statement(iri), content_type="application/json")
    assert answer.status_code == 200 and answer.json()["graded"] is False
    assert answer.json()["course_percent"] == 0
    del counting[:]
    graded = statement(iri, "answered", score={"min": 0, "max": 1, "raw": 1}, completion=True)
    with django_assert_num_queries(H5P_GRADED):
        answer = client.post(url, graded, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert counting == [("activity_lesson_state", lesson.pk)]  # once, not again to record
    body = answer.json()
    assert body["graded"] is True and body["passed"] is True
    assert body["lesson_completed"] is True and body["course_percent"] == 50
    assert body["course_completed"] is False


def test_activity_lesson_cached(course_factory, django_assert_num_queries):
    """The access check's lesson is read once, then comes from the cache for every learner
    until a page changes: a new revision shows at once, an unpublished lesson is refused."""
    course = course_factory(lessons=1)
    lesson = lessons_of(course)[0]
    with django_assert_num_queries(2):  # the lesson, its course
        assert activity_lesson(lesson.pk).title == lesson.title
    with django_assert_num_queries(0):
        cached = activity_lesson(lesson.pk)
    assert cached.pk == lesson.pk and cached.live
    assert [b["type"] for b in cached.body.raw_data] == [b["type"] for b in lesson.body.raw_data]
    lesson.title = "Bài học đã sửa"
    lesson.save_revision().publish()
    with django_assert_num_queries(2):
        assert activity_lesson(lesson.pk).title == "Bài học đã sửa"
    lesson.unpublish()
    with pytest.raises(Http404):
        activity_lesson(lesson.pk)
    with pytest.raises(Http404):
        activity_lesson(lesson.pk + 1000)
