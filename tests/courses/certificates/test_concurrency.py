"""Uniqueness under concurrent completions, on PostgreSQL: threads with their own
connections race to issue the same (user, course) certificate; exactly one row results and
every caller gets it."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from courses.certificates.models import Certificate
from tests.conftest import require

THREADS = 6


def _postgres():
    require(
        connection.vendor == "postgresql",
        "concurrency needs PostgreSQL (DATABASE_URL=postgres://...): SQLite serialises writers",
    )


def _race(fn):
    """Run fn in THREADS threads released together; each thread has its own connection."""
    barrier = threading.Barrier(THREADS)

    def run():
        try:
            barrier.wait(timeout=30)
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(run) for _ in range(THREADS)]
        return [future.result(timeout=120) for future in futures]


@pytest.mark.django_db(transaction=True)
def test_concurrent_issue_makes_one_certificate(user_factory, course_factory):
    _postgres()
    from courses.certificates.services import certificate_issue

    user = user_factory(full_name="Nguyễn Thị Hồng Nhung")
    course = course_factory(lessons=1)

    def issue():
        with transaction.atomic():  # like the completion transaction around the hook
            certificate = certificate_issue(user=user, course=course)
            time.sleep(0.2)  # hold it open: the others block on the unique index
        return certificate.pk

    ids = _race(issue)
    assert len(set(ids)) == 1
    assert Certificate.objects.filter(user=user, course=course).count() == 1
    certificate = Certificate.objects.get()
    assert certificate.render_status == Certificate.RenderStatus.RENDERED  # enqueued once, ran


@pytest.mark.django_db(transaction=True)
def test_concurrent_course_completions_make_one_certificate(user_factory, course_factory):
    """Two tabs (or retries) finishing the last lesson at once, through the courses
    services; the completion and the certificate both count once."""
    _postgres()
    from courses import services as course_services
    from courses.models import Enrolment
    from tests.courses.conftest import lessons_of

    user = user_factory(full_name="Đặng Văn Lâm")
    course = course_factory(lessons=2)
    course_services.enrolment_create(user=user, course=course, source="self")
    first, last = lessons_of(course)
    course_services.lesson_progress_record(user=user, lesson=first, evidence="read")

    def finish():
        course_services.lesson_progress_record(user=user, lesson=last, evidence="read")
        return Certificate.objects.get(user=user, course=course).pk

    ids = _race(finish)
    assert len(set(ids)) == 1
    assert Certificate.objects.filter(user=user).count() == 1
    assert Enrolment.objects.get(user=user, course=course).completed_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_second_row(user_factory, course_factory):
    """The constraint itself, without the service's handling."""
    _postgres()
    from django.db import IntegrityError
    from django.utils import timezone

    user, course = user_factory(), course_factory(lessons=1)
    fields = {"user": user, "course": course, "full_name": "A", "course_title": "B",
              "issuer": "C", "name_key": "a", "issued_at": timezone.now()}  # fmt: skip
    Certificate.objects.create(code="AAAAAAAAAA", **fields)
    with pytest.raises(IntegrityError):
        Certificate.objects.create(code="BBBBBBBBBB", **fields)
