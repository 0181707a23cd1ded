"""Issue 15: no task is ever lost, and a dead broker never holds or fails a request.

The broker is unreachable (a closed port, or a private Redis killed): each action is done
through real HTTP (or the service a request calls), answers within 1.5 s with no 500, and
its row is saved with its task in the outbox (cms.outbox). Then the broker comes back with
a real `celery worker`, the sweep sends the outbox, and each piece of work happens exactly
once; a second sweep sends nothing. A worker killed with SIGKILL in the middle of an
import finishes it after a restart, with nobody created twice (acks late + checkpoints).
"""

import contextlib
import re
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from campaigns.models import ImportJob, ReportExport
from cms import outbox
from cms.models import OutboxMessage
from courses.certificates.models import Certificate
from tests.campaigns.conftest import learner_in, manager_of, tree  # noqa: F401
from tests.conftest import MfaClient
from tests.courses.conftest import catalogue, course_factory, lessons_of  # noqa: F401
from tests.resilience.conftest import CLOSED_PORT_URL, wait_for

StaffClient = type("StaffClient", (MfaClient, Client), {})
HEADER = "Họ và tên,Email,Số điện thoại,Mã cơ quan,Đối tượng,Chức danh,Mã cán bộ\n"
FAST = 1.5  # seconds a request may take with the broker down


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def import_upload(client, rows: list[str]):
    body = (HEADER + "".join(rows)).encode("utf-8")
    return client.post(
        reverse("campaigns:import_upload"),
        {"file": SimpleUploadedFile("hoc-vien.csv", body), "send_invitations": "on"},
    )


def actions_with_broker_down(tree, manager_of, learner_in, course_factory, capture, fast=FAST):  # noqa: F811, E501
    """Import, export and a course completed (certificate), each over HTTP; returns
    what they saved. `fast`: the most seconds each request may take."""
    manager = manager_of(tree["snv"])
    staff = StaffClient(raise_request_exception=False)
    staff.force_login(manager)  # with the second factor's record, as a real log-in
    with capture(execute=True):
        response, took = timed(lambda: import_upload(
            staff, [f"Ngô Văn Minh {i},minh{i}@example.vn,,SNV,Công chức,,\n" for i in range(3)]
        ))  # fmt: skip
    assert response.status_code == 302 and took < fast, (response.status_code, took)
    job = ImportJob.objects.get()

    with capture(execute=True):
        response, took = timed(lambda: staff.post(
            reverse("campaigns:export_create", kwargs={"agency_id": tree["snv"].pk}),
            {"kind": "detail", "format": "csv", "period": "2026-m10", "campaign": "all",
             "depth": "1"},
        ))  # fmt: skip
    assert response.status_code == 302 and took < fast, (response.status_code, took)
    export = ReportExport.objects.get()

    learner = learner_in(tree["unit"], name="Trần Thị Ánh", email="anh@example.vn")
    course = course_factory(lessons=1, title="Kỹ năng số cơ bản")
    browser = Client(raise_request_exception=False)
    browser.force_login(learner)
    browser.post(reverse("courses:enrol", args=[course.pk]))
    with capture(execute=True):
        response, took = timed(lambda: browser.post(
            reverse("courses:lesson_progress", args=[lessons_of(course)[0].pk]),
            {"evidence": "read"},
        ))  # fmt: skip
    assert response.status_code in (200, 302) and took < fast, (response.status_code, took)
    certificate = Certificate.objects.get(user=learner)
    return {"job": job, "export": export, "certificate": certificate}


@pytest.mark.django_db
def test_broker_down_requests_answer_fast_and_keep_their_task(
    broker_at, tree, manager_of, learner_in, course_factory,  # noqa: F811
    django_capture_on_commit_callbacks, settings,
):  # fmt: skip
    settings.REPORTS_DIR = settings.BASE_DIR / "var" / "test-reports-resilience"
    broker_at(CLOSED_PORT_URL)
    saved = actions_with_broker_down(
        tree, manager_of, learner_in, course_factory, django_capture_on_commit_callbacks
    )
    assert saved["job"].status == ImportJob.Status.UPLOADED
    assert saved["export"].status == ReportExport.Status.PENDING
    assert not saved["certificate"].pdf
    waiting = {m.task_name: m for m in OutboxMessage.objects.filter(sent_at__isnull=True)}
    assert {"campaigns.import_check", "campaigns.report_export_build", "certificates.render"} <= (
        set(waiting)
    )
    assert all(m.attempts == 1 and m.last_error for m in waiting.values())
    # The sweep with the broker still down: refused fast, nothing lost.
    result, took = timed(lambda: outbox.outbox_sweep(grace_seconds=0))
    assert result["failed"] == 1 and result["sent"] == 0 and took < FAST
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == len(waiting)


def succeeded(log: str, task_name: str) -> int:
    return len(re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded", log))


@pytest.mark.celery_worker
def test_broker_back_the_sweep_does_each_piece_of_work_once(
    real_worker, private_redis, broker_at, tree, manager_of, learner_in,  # noqa: F811
    course_factory, django_capture_on_commit_callbacks, settings,  # noqa: F811
):  # fmt: skip
    private_redis.kill()  # the broker is down
    broker_at(private_redis.url)
    saved = actions_with_broker_down(  # (the speed is checked by the test above)
        tree, manager_of, learner_in, course_factory, django_capture_on_commit_callbacks, fast=10
    )
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    assert unsent >= 3

    private_redis.start()  # the broker is back, with a worker
    broker_at(private_redis.url)
    real_worker.start()
    deadline = time.monotonic() + 30
    while OutboxMessage.objects.filter(sent_at__isnull=True).exists():
        outbox.outbox_sweep(grace_seconds=0)  # (the beat runs it every minute)
        assert time.monotonic() < deadline, "outbox never drained"
        time.sleep(0.5)

    job, export, certificate = saved["job"], saved["export"], saved["certificate"]
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.READY,
             what="the import checked")  # fmt: skip
    wait_for(lambda: ReportExport.objects.get(pk=export.pk).status == ReportExport.Status.DONE,
             what="the export built")  # fmt: skip
    wait_for(lambda: bool(Certificate.objects.get(pk=certificate.pk).pdf),
             what="the certificate rendered")  # fmt: skip
    assert outbox.outbox_sweep(grace_seconds=0)["sent"] == 0  # nothing left to send again
    time.sleep(2)
    log = real_worker.log_text()
    for task_name in ("campaigns.import_check", "campaigns.report_export_build",
                      "certificates.render"):  # fmt: skip
        assert succeeded(log, task_name) == 1, (task_name, log[-3000:])


@contextlib.contextmanager
def held_in_another_transaction(action):
    """`action()` run in a transaction of another connection, left open (then rolled back)
    for the block: what it wrote or locked stops, for sure, a worker that writes the same
    row or unique key (PostgreSQL makes it wait), so a kill lands in the middle of a batch
    and not by a race with the clock."""
    held, release, errors = threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                action()
                held.set()
                release.wait(300)
                transaction.set_rollback(True)  # never committed
        except Exception as error:  # noqa: BLE001 (raised by the test below)
            errors.append(error)
        finally:
            held.set()
            connections.close_all()  # (this thread's)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    held.wait(30)
    try:
        assert not errors, errors
        yield
    finally:
        release.set()
        thread.join(30)


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.celery_worker
def test_worker_killed_mid_import_finishes_after_restart_nothing_twice(
    real_worker, private_redis, broker_at, tree, manager_of, settings,  # noqa: F811
):  # fmt: skip
    from campaigns import tasks
    from campaigns.agencies import imports

    rows, held_index = 3000, 2000  # the import stops at the batch creating person 2000
    settings.CAMPAIGNS_IMPORT_DIR = settings.BASE_DIR / "var" / "imports"
    broker_at(private_redis.url)
    real_worker.start()
    manager = manager_of(tree["snv"])
    body = HEADER + "".join(
        f"Nguyễn Văn Thứ {i},nguoi{i}@example.vn,,SNV,Công chức,,CB{i:06d}\n" for i in range(rows)
    )
    job = imports.import_job_create(
        user=manager, uploaded_file=SimpleUploadedFile("k.csv", body.encode()),
        send_invitations=False,
    )  # fmt: skip
    outbox.task_send(tasks.import_check, [job.pk])  # as import_job_submit queues it
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.READY,
             timeout=120, what="the import checked")  # fmt: skip
    # Another transaction holds a new person with person 2000's e-mail: the import's INSERT of
    # that batch waits on the unique index.
    person = User(email=f"nguoi{held_index}@example.vn", full_name="Người giữ chỗ")
    with held_in_another_transaction(person.save):
        assert imports.import_run_submit(job=ImportJob.objects.get(pk=job.pk))
        wait_for(lambda: (ImportJob.objects.get(pk=job.pk).checkpoint_row or 0) > 1,
                 timeout=120, what="the import running")  # fmt: skip
        wait_for(lambda: waiting_on_a_lock() > 0, timeout=120,
                 what="the import waiting at the held person's batch")  # fmt: skip
        real_worker.kill9()  # SIGKILL in the middle of the import
    killed_at = ImportJob.objects.get(pk=job.pk).checkpoint_row
    assert 1 < killed_at < held_index + 2  # (row 1 is the header)
    assert User.objects.filter(email__startswith="nguoi").count() == killed_at - 1

    real_worker.start()  # the unacknowledged task comes back (visibility timeout)
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE,
             timeout=180, what="the import finished after the restart")  # fmt: skip
    job.refresh_from_db()
    assert job.created_count == rows
    assert User.objects.filter(email__startswith="nguoi").count() == rows


@pytest.mark.celery_worker
def test_worker_killed_mid_certificate_batch_finishes_after_restart_nothing_twice(
    real_worker, private_redis, broker_at, user_factory, course_factory,  # noqa: F811
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from courses import services as course_services
    from courses.certificates.models import CertificateTemplate
    from courses.certificates.tasks import certificates_rerender_template_task

    count = 40
    template = CertificateTemplate(name="Mặc định", issuer="Sở Nội vụ", is_default=True)
    template.full_clean()
    template.save()
    course = course_factory(lessons=1, title="Kỹ năng số cơ bản")
    with django_capture_on_commit_callbacks(execute=True):  # rendered now, in-process
        for i in range(count):
            learner = user_factory(full_name=f"Học Viên {i}")
            course_services.enrolment_create(user=learner, course=course, source="self")
            course_services.lesson_progress_record(
                user=learner, lesson=lessons_of(course)[0], evidence="read"
            )
    assert Certificate.objects.count() == count
    template.issuer = "Sở Khoa học và Công nghệ"  # every certificate is now out of date
    template.save()
    out_of_date = Certificate.objects.out_of_date

    broker_at(private_redis.url)
    real_worker.start()
    # Another transaction locks the middle certificate: the worker's render of it waits.
    middle = Certificate.objects.order_by("pk").values_list("pk", flat=True)[count // 2]
    with held_in_another_transaction(
        lambda: list(Certificate.objects.select_for_update().filter(pk=middle))
    ):
        outbox.task_send(certificates_rerender_template_task, [template.pk], on_commit=False)
        wait_for(lambda: waiting_on_a_lock() > 0, timeout=120,
                 what="the batch waiting at the locked certificate")  # fmt: skip
        real_worker.kill9()  # SIGKILL in the middle of the batch
    left = out_of_date(template=template).count()
    assert left > 0  # the locked certificate at least

    real_worker.start()
    wait_for(lambda: out_of_date(template=template).count() == 0, timeout=180,
             what="every certificate rendered after the restart")  # fmt: skip
    time.sleep(1)
    rendered = re.findall(
        r"certificates\.render\[[^\]]+\] succeeded[^{]*\{'certificate': (\d+), "
        r"'code': '[^']*', 'result': 'rendered'\}",
        real_worker.log_text(),
    )
    assert len(rendered) == len(set(rendered))  # nothing rendered twice
    # each certificate once (one killed just after its commit, before its log line, at most)
    assert len(set(rendered)) >= count - 1
    assert outbox.outbox_sweep(grace_seconds=0)["sent"] == 0
