"""Races: double clicks, replays and two tabs count once (database constraints and
conditional updates). Real concurrency needs a database server: run with
DATABASE_URL=postgres://... (skipped locally on SQLite, required in CI)."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from courses import services
from courses.models import Enrolment, LessonProgress
from tests.conftest import require
from tests.courses.conftest import activity_block, lessons_of


def run_together(functions):
    """Start every function at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def wrap(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # collected and raised in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


@pytest.fixture
def postgres():
    require(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "concurrency tests need PostgreSQL (DATABASE_URL=postgres://...)",
    )


@pytest.mark.django_db(transaction=True)
def test_two_tabs_finishing_the_same_lesson_count_once(postgres, user_factory, course_factory):
    user, course = user_factory(), course_factory(lessons=2)
    services.enrolment_create(user=user, course=course, source="self")
    lesson = lessons_of(course)[0]
    run_together(
        [lambda: services.lesson_progress_record(user=user, lesson=lesson, evidence="read")] * 8
    )
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert (enrolment.lessons_done, enrolment.percent) == (1, 50)
    assert LessonProgress.objects.filter(user=user, lesson=lesson).count() == 1


@pytest.mark.django_db(transaction=True)
def test_last_two_lessons_finished_at_once_complete_the_course_once(
    postgres, user_factory, course_factory
):
    user, course = user_factory(), course_factory(lessons=2)
    services.enrolment_create(user=user, course=course, source="self")
    first, second = lessons_of(course)
    run_together(
        [
            lambda: services.lesson_progress_record(user=user, lesson=first, evidence="read"),
            lambda: services.lesson_progress_record(user=user, lesson=second, evidence="read"),
        ]
        * 3
    )
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.completed_at is not None
    assert (enrolment.lessons_done, enrolment.percent) == (2, 100)


@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolment_and_completion_calls(postgres, user_factory, course_factory):
    quiz = activity_block("quiz")
    user, course = user_factory(), course_factory(lessons=1, bodies=[[quiz]])
    run_together([lambda: services.enrolment_create(user=user, course=course, source="self")] * 6)
    assert Enrolment.objects.filter(user=user, course=course).count() == 1
    lesson = lessons_of(course)[0]
    run_together(
        [
            lambda: services.activity_result_record(
                user=user, lesson=lesson, block_id=quiz["id"], passed=True, score_percent=90
            )
        ]
        * 6
    )
    enrolment = Enrolment.objects.get(user=user, course=course)
    first_completion = enrolment.completed_at
    assert first_completion is not None and enrolment.lessons_done == 1
    run_together([lambda: services.course_complete(enrolment=enrolment)] * 4)
    enrolment.refresh_from_db()
    assert enrolment.completed_at == first_completion
    progress = LessonProgress.objects.get(user=user, lesson=lesson)
    assert progress.activity_results["blocks"][quiz["id"]]["attempts"] == 6
