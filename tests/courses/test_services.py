"""The courses services: enrolment, lesson progress, activities, completion."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses import services
from courses.models import Enrolment, LessonPage, LessonProgress
from courses.services import ProgressRefused
from tests.courses.conftest import activity_block, lessons_of, text_block

pytestmark = pytest.mark.django_db


def test_enrolment_create_is_idempotent_and_upgrades_source(user_factory, course_factory):
    user, course = user_factory(), course_factory()
    first = services.enrolment_create(user=user, course=course, source="self")
    again = services.enrolment_create(user=user, course=course, source="self")
    assert first.pk == again.pk
    due = timezone.now() + timedelta(days=30)
    assigned = services.enrolment_create(
        user=user, course=course, source="assignment", due_at=due, source_ref="assignment:7"
    )
    assert assigned.pk == first.pk
    assert (assigned.source, assigned.source_ref, assigned.due_at) == (
        "assignment",
        "assignment:7",
        due,
    )
    # A later deadline never loosens; an earlier one tightens; self never downgrades.
    services.enrolment_create(
        user=user, course=course, source="self", due_at=due + timedelta(days=9)
    )
    assigned.refresh_from_db()
    assert (assigned.source, assigned.due_at) == ("assignment", due)
    earlier = due - timedelta(days=10)
    services.enrolment_create(user=user, course=course, source="campaign", due_at=earlier)
    assigned.refresh_from_db()
    assert (assigned.source, assigned.due_at) == ("assignment", earlier)
    assert Enrolment.objects.filter(user=user, course=course).count() == 1


def test_one_active_enrolment_is_a_database_constraint(user_factory, course_factory):
    user, course = user_factory(), course_factory()
    services.enrolment_create(user=user, course=course, source="self")
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            user=user, course=course, source="self", enrolled_at=timezone.now()
        )


def test_unenrol_keeps_history_and_progress_counts_again(user_factory, course_factory):
    user, course = user_factory(), course_factory(lessons=2)
    enrolment = services.enrolment_create(user=user, course=course, source="self")
    lesson = lessons_of(course)[0]
    services.lesson_open_record(user=user, lesson=lesson)
    services.lesson_progress_record(user=user, lesson=lesson, evidence="read")
    services.enrolment_cancel(enrolment=enrolment)
    services.enrolment_cancel(enrolment=enrolment)  # idempotent
    assert enrolment.unenrolled_at is not None
    with pytest.raises(ProgressRefused):
        services.lesson_progress_record(user=user, lesson=lessons_of(course)[1], evidence="read")
    again = services.enrolment_create(user=user, course=course, source="self")
    assert again.pk != enrolment.pk
    assert (again.lessons_done, again.percent) == (1, 50)
    assert Enrolment.objects.filter(user=user, course=course).count() == 2


def test_reading_completes_lesson_once_and_updates_counters(user_factory, course_factory):
    user, course = user_factory(), course_factory(lessons=4)
    services.enrolment_create(user=user, course=course, source="self")
    lesson = lessons_of(course)[0]
    for _ in range(3):  # double click and replay
        progress = services.lesson_progress_record(user=user, lesson=lesson, evidence="read")
    assert progress.completed_by == "read" and progress.completed_at is not None
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert (enrolment.lessons_done, enrolment.percent) == (1, 25)
    assert enrolment.last_lesson_id == lesson.pk and enrolment.last_activity_at is not None
    assert LessonProgress.objects.filter(user=user, lesson=lesson).count() == 1


def test_course_completes_when_all_required_lessons_done(user_factory, course_factory):
    user, course = user_factory(), course_factory(lessons=3)
    optional = lessons_of(course)[2]
    LessonPage.objects.filter(pk=optional.pk).update(required=False)
    services.enrolment_create(user=user, course=course, source="self")
    for lesson in lessons_of(course)[:2]:
        services.lesson_progress_record(user=user, lesson=lesson, evidence="read")
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.completed_at is not None
    assert enrolment.completed_required_lessons == 2
    course.refresh_from_db()
    assert enrolment.completed_revision_id == course.live_revision_id
    assert enrolment.percent == 100
    completed_at = enrolment.completed_at
    services.course_complete(enrolment=enrolment)  # idempotent
    enrolment.refresh_from_db()
    assert enrolment.completed_at == completed_at


def test_completion_survives_a_lesson_added_later(user_factory, course_factory):
    user, course = user_factory(), course_factory(lessons=1)
    services.enrolment_create(user=user, course=course, source="self")
    services.lesson_progress_record(user=user, lesson=lessons_of(course)[0], evidence="read")
    course.add_child(instance=LessonPage(title="Bài mới", slug="bai-moi", body=[text_block()]))
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.completed_at is not None and enrolment.completed_required_lessons == 1


def test_activity_result_completes_lesson_and_stays_passed(user_factory, course_factory):
    quiz = activity_block("quiz")
    h5p = activity_block("h5p")
    optional = activity_block("quiz", required=False)
    user = user_factory()
    course = course_factory(lessons=1, bodies=[[text_block(), quiz, h5p, optional]])
    lesson = lessons_of(course)[0]
    services.enrolment_create(user=user, course=course, source="self")
    with pytest.raises(ProgressRefused):  # an activity lesson is not completed by reading
        services.lesson_progress_record(user=user, lesson=lesson, evidence="read")
    p = services.activity_result_record(
        user=user, lesson=lesson, block_id=quiz["id"], passed=True, score_percent=80
    )
    assert p.completed_at is None
    p = services.activity_result_record(
        user=user, lesson=lesson, block_id=quiz["id"], passed=False, score_percent=20
    )
    result = p.activity_results["blocks"][quiz["id"]]
    assert p.activity_results["version"] == 1
    assert (result["passed"], result["best_score_percent"], result["attempts"]) == (True, 80, 2)
    p = services.activity_result_record(
        user=user, lesson=lesson, block_id=h5p["id"], passed=True, score_percent=None
    )
    assert p.completed_by == "activity"
    assert Enrolment.objects.get(user=user, course=course).completed_at is not None


def test_activity_of_another_lesson_or_unenrolled_is_refused(user_factory, course_factory):
    quiz = activity_block("quiz")
    user = user_factory()
    course = course_factory(lessons=1, bodies=[[quiz]])
    lesson = lessons_of(course)[0]
    with pytest.raises(ProgressRefused) as refused:
        services.activity_result_record(
            user=user, lesson=lesson, block_id=quiz["id"], passed=True, score_percent=100
        )
    assert refused.value.code == "not_enrolled"
    services.enrolment_create(user=user, course=course, source="self")
    with pytest.raises(ProgressRefused):
        services.activity_result_record(
            user=user, lesson=lesson, block_id="not-a-block", passed=True, score_percent=100
        )
    assert not LessonProgress.objects.filter(user=user).exists()


def test_sequential_course_refuses_a_later_lesson(user_factory, course_factory):
    user, course = user_factory(), course_factory(lessons=3, sequential=True)
    services.enrolment_create(user=user, course=course, source="self")
    first, second, _third = lessons_of(course)
    with pytest.raises(ProgressRefused) as refused:
        services.lesson_progress_record(user=user, lesson=second, evidence="read")
    assert refused.value.code == "locked"
    assert not LessonProgress.objects.filter(user=user).exists()
    services.lesson_progress_record(user=user, lesson=first, evidence="read")
    assert services.lesson_progress_record(user=user, lesson=second, evidence="read").completed_at


def test_prerequisite_locks_until_completed(user_factory, course_factory):
    user = user_factory()
    basics = course_factory(lessons=1)
    advanced = course_factory(lessons=1)
    advanced.prerequisites.add(basics)
    advanced.save()
    services.enrolment_create(user=user, course=advanced, source="self")
    with pytest.raises(ProgressRefused) as refused:
        services.lesson_progress_record(user=user, lesson=lessons_of(advanced)[0], evidence="read")
    assert refused.value.code == "locked"
    services.enrolment_create(user=user, course=basics, source="self")
    services.lesson_progress_record(user=user, lesson=lessons_of(basics)[0], evidence="read")
    services.lesson_progress_record(user=user, lesson=lessons_of(advanced)[0], evidence="read")
    assert Enrolment.objects.get(user=user, course=advanced).completed_at is not None


def test_required_activities_rule(user_factory, course_factory):
    quiz = activity_block("quiz")
    user = user_factory()
    course = course_factory(
        lessons=2, bodies=[[text_block()], [quiz]], completion_rule="required_activities"
    )
    services.enrolment_create(user=user, course=course, source="self")
    services.activity_result_record(
        user=user, lesson=lessons_of(course)[1], block_id=quiz["id"], passed=True, score_percent=90
    )
    assert Enrolment.objects.get(user=user, course=course).completed_at is not None


def test_the_completion_counts_the_lessons_live_now(
    user_factory, course_factory, django_assert_num_queries
):
    """The course's lessons (for the percent and the rule) come from the cache, read once
    for every learner (courses.services.course_outline); a lesson published since counts
    at the next completion."""
    user, course = user_factory(), course_factory(lessons=2)
    services.enrolment_create(user=user, course=course, source="self")
    first, second = lessons_of(course)
    services.lesson_progress_record(user=user, lesson=first, evidence="read")
    assert Enrolment.objects.get(user=user, course=course).percent == 50
    with django_assert_num_queries(0):
        assert [pk for pk, *_rest in services.course_outline(course)] == [first.pk, second.pk]
    course.add_child(instance=LessonPage(title="Bài mới", slug="bai-moi", body=[text_block()]))
    services.lesson_progress_record(user=user, lesson=second, evidence="read")
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert (enrolment.lessons_done, enrolment.percent) == (2, 66)
    assert enrolment.completed_at is None  # the new lesson is required
    assert len(services.course_outline(course)) == 3
