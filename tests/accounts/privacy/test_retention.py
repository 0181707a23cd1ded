"""Issue 14, retention: the daily task purges each kind of kept data after its own period
(settings.RETENTION_DAYS) and leaves what is younger; a second run purges nothing."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.models import ModelLogEntry

from assessments.h5p.models import H5PLaunch, H5PStatement
from campaigns import services, tasks
from campaigns.models import ImportJob, ImportRow, Notice, ReportExport
from campaigns.reporting import exports, periods
from cms import audit
from tests.assessments.h5p.conftest import (  # noqa: F401 - fixtures
    admin_user,
    h5p_storage,
    make_package,
    playable_package,
)

MONTH = periods.period_containing(timezone.localdate(), kind="month").slug
NOTHING = {"exports": 0, "imports": 0, "xapi_statements": 0, "packages": 0, "notices": 0,
           "audit": 0}  # fmt: skip


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    return settings.REPORTS_DIR


def test_the_periods_are_settings_with_the_documented_defaults(settings):
    assert settings.RETENTION_DAYS == {
        "exports": 30, "imports": 90, "xapi_statements": 365, "packages": 90, "notices": 365,
        "audit": 730,
    }  # fmt: skip


def test_export_files_older_than_30_days_go_with_their_rows(tree, manager_of, reports_dir):
    manager = manager_of(tree["snv"])

    def built() -> ReportExport:
        export = exports.export_request(
            user=manager, agency=tree["snv"], kind="detail", fmt="csv",
            params={"version": 1, "period": MONTH, "campaign": None, "depth": 1},
        )  # fmt: skip
        tasks.report_export_build(export.pk)
        export.refresh_from_db()
        assert (reports_dir / export.file_name).is_file()
        return export

    old, recent = built(), built()
    ReportExport.objects.filter(pk=old.pk).update(created_at=days_ago(31))
    assert tasks.retention_purge()["exports"] == 1
    assert list(ReportExport.objects.values_list("pk", flat=True)) == [recent.pk]
    assert sorted(p.name for p in reports_dir.iterdir()) == [recent.file_name]
    assert tasks.retention_purge() == NOTHING


def test_import_rows_and_files_older_than_90_days_go_and_the_job_stays(
    tree, manager_of, django_capture_on_commit_callbacks
):
    manager = manager_of(tree["snv"])

    def job(status, days) -> ImportJob:
        made = ImportJob(created_by=manager, original_name="ds.csv", status=status)
        made.file.save("ds.csv", ContentFile(b"Ho va ten\nNgo Van Minh\n"), save=False)
        made.save()
        ImportRow.objects.create(job=made, number=2, full_name="Ngô Văn Minh")
        ImportJob.objects.filter(pk=made.pk).update(updated_at=days_ago(days))
        return made

    done, abandoned, running = job("done", 91), job("ready", 91), job("running", 91)
    recent = job("done", 10)
    files = {j.pk: (j.file.storage, j.file.name) for j in (done, abandoned, running, recent)}
    with django_capture_on_commit_callbacks(execute=True):  # files go after the commit
        assert tasks.retention_purge()["imports"] == 2
    assert set(ImportRow.objects.values_list("job_id", flat=True)) == {running.pk, recent.pk}
    for kept in (running, recent):
        storage, name = files[kept.pk]
        assert storage.exists(name)
    for purged in (done, abandoned):
        storage, name = files[purged.pk]
        assert not storage.exists(name)
        purged.refresh_from_db()
        assert purged.file.name == ""
    assert done.status == "done"
    assert abandoned.status == "failed" and "90" in abandoned.message
    assert tasks.retention_purge() == NOTHING


def test_raw_xapi_statements_older_than_a_year_go(playable_package, user_factory):  # noqa: F811
    launch = H5PLaunch.objects.create(
        user=user_factory(), package=playable_package(), context_key="lesson:1:quiz"
    )
    old, recent = (
        H5PStatement.objects.create(launch=launch, verb="answered", digest=d, raw={"version": 1})
        for d in ("a" * 64, "b" * 64)
    )
    H5PStatement.objects.filter(pk=old.pk).update(received_at=days_ago(366))
    assert tasks.retention_purge()["xapi_statements"] == 1
    assert list(H5PStatement.objects.values_list("pk", flat=True)) == [recent.pk]
    assert H5PLaunch.objects.filter(pk=launch.pk).exists()  # the result stays


def test_notices_and_audit_entries_go_after_their_periods(user_factory, tree):
    person = user_factory()
    for days in (366, 364):
        notice = services.notice_create(
            user_id=person.pk, message="Nhắc học", url="/", kind="other"
        )
        Notice.objects.filter(pk=notice.pk).update(created_at=days_ago(days))
    for days in (731, 729):
        entry = audit.audit_record(action="hocso.people_listed", instance=tree["snv"])
        ModelLogEntry.objects.filter(pk=entry.pk).update(timestamp=days_ago(days))
    assert tasks.retention_purge() == {**NOTHING, "notices": 1, "audit": 1}
    assert Notice.objects.count() == 1
    assert audit.audit_entries().filter(action="hocso.people_listed").count() == 1
    assert tasks.retention_purge() == NOTHING


def test_the_purge_runs_daily_from_the_beat_schedule():
    from cms.celery import app

    (entry,) = [
        e for e in app.conf.beat_schedule.values() if e["task"] == "campaigns.retention_purge"
    ]
    assert entry["schedule"].hour == {3}


def test_the_privacy_notice_lists_the_periods_and_the_requests_deadline(client, settings, db):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "exports": 14}
    html = client.get("/quyen-rieng-tu/").content.decode()
    assert "Tệp báo cáo bạn yêu cầu tải về: 14 ngày." in html
    assert "Nhật ký ai đã xem, xuất hoặc thay đổi dữ liệu cá nhân: 730 ngày." in html
    assert "bị từ chối, hoặc đã được thay bằng tệp mới: 90 ngày." in html
    assert "Yêu cầu được xử lý trong vòng 15 ngày." in html
