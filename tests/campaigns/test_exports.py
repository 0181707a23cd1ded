"""Background exports and scheduled reports, through real HTTP and the real tasks (eager).

The files are opened back (csv, openpyxl) and read cell by cell; REPORTS_DIR is a temporary
folder per test, so "no file left behind" is a plain directory listing.
"""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from campaigns import services, tasks
from campaigns.models import (
    Campaign,
    CampaignCourse,
    ManagerRole,
    Notice,
    ReportExport,
    ReportSubscription,
)
from campaigns.reporting import aggregates, exports, periods, report_files
from cms.vocabularies import Subgroup
from courses import services as course_services
from courses.certificates.models import Certificate
from tests.courses.conftest import catalogue, course_factory, lessons_of  # noqa: F401

# The month the test data is made in: a detail export holds only its period's enrolments
# (issue 22: a past period's file listed people enrolled after it).
PERIOD = periods.period_containing(timezone.localdate(), kind="month").slug


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    return settings.REPORTS_DIR


def files_in(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def vi(text) -> str:
    """A lazy or gettext-able string as the tasks write it (the site's language)."""
    with translation.override("vi"):
        return str(text)


@pytest.fixture
def world(tree, learner_in, manager_of, course_factory):  # noqa: F811 - imported fixture
    """Two courses; in Sở Nội vụ's subtree Ánh (unit: course A certified, course B in
    progress) and Bình (course A not started); Chi in Sở Y tế next door (course A)."""
    for agency in tree.values():  # siblings sorted by name moved some paths since
        agency.refresh_from_db()
    course_a = course_factory(lessons=2, title="VNeID và dịch vụ công trực tuyến")
    course_b = course_factory(lessons=2, title="Nhận biết lừa đảo trực tuyến")
    anh = learner_in(tree["unit"], name="Trần Thị Ánh", email="anh@example.vn")
    binh = learner_in(
        tree["snv"], name="Lê Văn Bình", email="binh@example.vn", audience=Subgroup.LEADER
    )
    chi = learner_in(tree["syt"], name="Phạm Thị Chi", email="chi@example.vn")
    done = course_services.enrolment_create(user=anh, course=course_a, source="self")
    course_services.course_complete(enrolment=done)
    course_services.enrolment_create(user=anh, course=course_b, source="self")
    course_services.lesson_progress_record(
        user=anh, lesson=lessons_of(course_b)[0], evidence="read"
    )
    course_services.enrolment_create(user=binh, course=course_a, source="self")
    course_services.enrolment_create(user=chi, course=course_a, source="self")
    return {
        "tree": tree, "a": course_a, "b": course_b, "anh": anh, "binh": binh, "chi": chi,
        "manager": manager_of(tree["snv"]), "neighbour": manager_of(tree["syt"]),
    }  # fmt: skip


def request_export(client, user, agency, *, kind="detail", fmt="csv", campaign="all",
                   capture) -> ReportExport:  # fmt: skip
    client.force_login(user)
    with capture(execute=True):
        response = client.post(
            reverse("campaigns:export_create", kwargs={"agency_id": agency.pk}),
            {"kind": kind, "format": fmt, "period": PERIOD, "campaign": campaign, "depth": "1"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:exports")
    return ReportExport.objects.filter(user=user).latest("pk")


def download_rows(client, export) -> tuple[object, list[list]]:
    """The file through the download view, as rows of text (dates ISO, None as "")."""
    response = client.get(reverse("campaigns:export_download", kwargs={"export_id": export.pk}))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if export.fmt == "csv":
        return response, list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        cells = []
        for value in row:
            if isinstance(value, dt.datetime):
                value = value.date().isoformat()
            cells.append("" if value is None else str(value))
        # Read-only sheets end a row at its last value: pad to the full width.
        rows.append(cells + [""] * (len(report_files.DETAIL_COLUMNS) - len(cells)))
    return response, rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_detail_export_over_http_holds_exactly_the_subtree_cell_by_cell(
    client, world, fmt, manager_of, django_capture_on_commit_callbacks
):
    tree, manager = world["tree"], world["manager"]
    export = request_export(
        client, manager, tree["snv"], fmt=fmt, capture=django_capture_on_commit_callbacks
    )
    assert export.status == ReportExport.Status.DONE
    assert export.rows == 3
    assert export.params == {"version": 1, "period": PERIOD, "campaign": None, "depth": 1}

    response, rows = download_rows(client, export)
    assert response["Content-Type"] == exports.CONTENT_TYPES[fmt]
    assert f'filename="hoc-vien-SNV-{PERIOD}.{fmt}"' in response["Content-Disposition"]
    assert rows[0] == [vi(header) for header in report_files.DETAIL_COLUMNS]
    # Bình's agency (Sở Nội vụ) comes before Ánh's unit below it; Chi (Sở Y tế) is absent.
    assert [(r[0], r[5]) for r in rows[1:]] == [
        ("Lê Văn Bình", "VNeID và dịch vụ công trực tuyến"),
        ("Trần Thị Ánh", "VNeID và dịch vụ công trực tuyến"),
        ("Trần Thị Ánh", "Nhận biết lừa đảo trực tuyến"),
    ]
    certificate = Certificate.objects.get(user=world["anh"], course=world["a"])
    enrolment = world["anh"].enrolments.get(course=world["a"])
    assert rows[2] == [
        "Trần Thị Ánh", "anh@example.vn", "Phòng Tổ chức biên chế", "SNV-TC",
        vi(Subgroup.CIVIL_SERVANT.label), "VNeID và dịch vụ công trực tuyến",
        vi(exports.STATUS_CERTIFIED), timezone.localdate(enrolment.enrolled_at).isoformat(),
        timezone.localdate(enrolment.completed_at).isoformat(),
        timezone.localdate(certificate.issued_at).isoformat(),
    ]  # fmt: skip
    assert rows[3][6:] == [vi(exports.STATUS_IN_PROGRESS), rows[3][7], "", ""]
    assert rows[1][4:8] == [
        vi(Subgroup.LEADER.label), "VNeID và dịch vụ công trực tuyến",
        vi(exports.STATUS_NOT_STARTED), rows[1][7],
    ]  # fmt: skip

    # The owner is told in the app and by e-mail, with the download link.
    assert Notice.objects.filter(user=manager, url=reverse("campaigns:exports")).count() == 1
    (message,) = mail.outbox
    assert message.to == [manager.email]
    assert message.subject == vi(_("Your report is ready"))
    assert reverse("campaigns:export_download", kwargs={"export_id": export.pk}) in message.body

    # Another manager, of the neighbour agency or of the same one, gets a 404 and no listing.
    for other in (world["neighbour"], manager_of(tree["snv"])):
        client.force_login(other)
        url = reverse("campaigns:export_download", kwargs={"export_id": export.pk})
        assert client.get(url).status_code == 404
        assert f'data-export="{export.pk}"' not in client.get(reverse("campaigns:exports")).text


def test_a_campaign_detail_export_lists_its_required_courses_for_its_assigned_people(
    client, world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Bình dân học vụ số 2026", starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=40), due_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    CampaignCourse.objects.create(campaign=campaign, course=world["a"])
    services.campaign_assign(campaign=campaign)
    export = request_export(
        client, world["manager"], world["tree"]["snv"], campaign=str(campaign.pk),
        capture=django_capture_on_commit_callbacks,
    )  # fmt: skip
    _response, rows = download_rows(client, export)
    # Course B (not required) is left out; Chi is assigned too but outside the subtree.
    assert [(r[0], r[5], r[6]) for r in rows[1:]] == [
        ("Lê Văn Bình", "VNeID và dịch vụ công trực tuyến", vi(exports.STATUS_NOT_STARTED)),
        ("Trần Thị Ánh", "VNeID và dịch vụ công trực tuyến", vi(exports.STATUS_CERTIFIED)),
    ]


def test_detail_lines_cost_one_certificates_query_per_chunk(world, django_assert_num_queries):
    manager = world["manager"]
    manager = type(manager).objects.get(pk=manager.pk)  # no memoised role roots
    # role roots 1 + course titles 1 + enrolments 1 (one cursor) + certificates 2 (chunks
    # of 2 and 1 of the 3 lines).
    with django_assert_num_queries(5):
        lines = list(
            exports.detail_lines(
                user=manager, agency=world["tree"]["snv"], subject=aggregates.Subject.of(None),
                chunk_size=2,
            )
        )  # fmt: skip
    assert [line.full_name for line in lines] == ["Lê Văn Bình", "Trần Thị Ánh", "Trần Thị Ánh"]


def test_a_build_failing_midway_leaves_no_file_and_nothing_to_download(
    client, world, reports_dir, monkeypatch, django_capture_on_commit_callbacks
):
    real = report_files.detail_csv

    def breaks_after_two_rows(lines):
        for number, chunk in enumerate(real(lines)):
            if number == 4:  # BOM, header, two rows written
                raise RuntimeError("disk on fire")
            yield chunk

    monkeypatch.setattr(report_files, "detail_csv", breaks_after_two_rows)
    export = request_export(
        client, world["manager"], world["tree"]["snv"], capture=django_capture_on_commit_callbacks
    )
    assert export.status == ReportExport.Status.FAILED
    assert "RuntimeError" in export.error
    assert export.file_name == ""
    assert files_in(reports_dir) == []
    url = reverse("campaigns:export_download", kwargs={"export_id": export.pk})
    assert client.get(url).status_code == 404
    page = client.get(reverse("campaigns:exports")).text
    assert "RuntimeError" in page
    assert url not in page
    assert not mail.outbox
    assert not Notice.objects.filter(user=world["manager"]).exists()


def test_a_connection_error_fails_the_build_for_the_retry_which_then_completes(
    world, reports_dir, monkeypatch
):
    export = exports.export_request(
        user=world["manager"], agency=world["tree"]["snv"], kind="detail", fmt="xlsx",
        params={"version": 1, "period": PERIOD, "campaign": None, "depth": 1},
    )  # fmt: skip

    def database_gone(lines, fileobj, *, title):
        fileobj.write(b"PK half a zip")
        raise ConnectionError("replica went away")

    monkeypatch.setattr(report_files, "detail_xlsx", database_gone)
    with pytest.raises(ConnectionError):
        exports.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED
    assert files_in(reports_dir) == []
    monkeypatch.undo()
    assert tasks.report_export_build(export.pk) == {
        "export": export.pk, "status": "done", "rows": 3,
    }  # fmt: skip
    assert files_in(reports_dir) == [f"export-{export.pk}.xlsx"]


def test_a_done_export_is_not_built_again(world, reports_dir, monkeypatch):
    export = exports.export_request(
        user=world["manager"], agency=world["tree"]["snv"], kind="report", fmt="xlsx",
        params={"version": 1, "period": PERIOD, "campaign": None, "depth": 2},
    )  # fmt: skip
    assert tasks.report_export_build(export.pk)["status"] == "done"
    path = reports_dir / f"export-{export.pk}.xlsx"
    before = (path.stat().st_mtime_ns, path.read_bytes())

    def must_not_run(*args, **kwargs):
        raise AssertionError("a done export was built again")

    monkeypatch.setattr(report_files, "report_xlsx", must_not_run)
    # 3 lines: the department, its "(trực thuộc)" line, the unit.
    assert tasks.report_export_build(export.pk) == {"export": export.pk, "status": "done",
                                                    "rows": 3}  # fmt: skip
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert Notice.objects.filter(user=world["manager"]).count() == 1


def test_a_manager_who_lost_the_role_gets_a_failed_export(world, reports_dir):
    manager, snv = world["manager"], world["tree"]["snv"]
    export = exports.export_request(
        user=manager, agency=snv, kind="detail", fmt="csv",
        params={"version": 1, "period": PERIOD, "campaign": None, "depth": 1},
    )  # fmt: skip
    ManagerRole.objects.filter(user=manager).delete()
    tasks.report_export_build(export.pk)
    export.refresh_from_db()
    assert export.status == ReportExport.Status.FAILED
    assert export.error == vi(_("You are no longer allowed to see this agency's data."))
    assert files_in(reports_dir) == []


def test_requests_outside_the_scope_or_for_a_pdf_people_file_are_refused(client, world):
    client.force_login(world["manager"])
    ward = world["tree"]["ward"]
    data = {"kind": "detail", "format": "csv", "period": PERIOD, "campaign": "all"}
    url = reverse("campaigns:export_create", kwargs={"agency_id": ward.pk})
    assert client.post(url, data).status_code == 404
    snv_url = reverse("campaigns:export_create", kwargs={"agency_id": world["tree"]["snv"].pk})
    assert client.post(snv_url, {**data, "format": "pdf"}).status_code == 400
    assert client.post(snv_url, {**data, "period": "2026-m13"}).status_code == 400
    assert not ReportExport.objects.exists()


def test_my_files_refreshes_while_pending_in_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    manager = world["manager"]
    for _number in range(3):  # on_commit never runs here: they stay pending
        exports.export_request(
            user=manager, agency=world["tree"]["snv"], kind="report", fmt="pdf",
            params={"version": 1, "period": PERIOD, "campaign": None, "depth": 1},
        )  # fmt: skip
    client.force_login(manager)
    # user 1 + role roots (manager_required) 1 + exports with agencies 1 + the notices
    # bell's unread count (base.html) 1; the session comes from the cache (cms.sessions).
    with django_assert_num_queries(4):
        page = client.get(reverse("campaigns:exports")).text
    assert page.count('data-status="pending"') == 3
    assert '<meta http-equiv="refresh" content="5">' in page
    ReportExport.objects.update(status=ReportExport.Status.DONE)
    assert "http-equiv" not in client.get(reverse("campaigns:exports")).text


# --- Scheduled reports ------------------------------------------------------------------


def test_scheduled_report_is_mailed_once_for_last_month_as_xlsx(client, world):
    manager, snv = world["manager"], world["tree"]["snv"]
    client.force_login(manager)
    report = client.get(reverse("campaigns:report", kwargs={"agency_id": snv.pk})).text
    url = reverse("campaigns:agency_subscriptions", kwargs={"agency_id": snv.pk})
    assert url in report and 'id="export-form"' in report
    assert 'id="subscribe-form"' in client.get(url).text
    response = client.post(url, {"kind": "month", "format": "xlsx", "campaign": "all"})
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get(user=manager)
    assert (subscription.agency, subscription.campaign, subscription.kind) == (snv, None, "month")

    assert tasks.report_subscriptions_send() == {"sent": 1, "switched_off": 0, "failed": 0}
    (message,) = mail.outbox
    period = periods.period_containing(timezone.localdate(), kind="month").previous()
    assert message.to == [manager.email]
    assert vi(period.label) in message.subject and snv.name in message.subject
    ((name, content, content_type),) = message.attachments
    assert name == f"bao-cao-SNV-{period.slug}.xlsx"
    assert content_type == exports.CONTENT_TYPES["xlsx"]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["B8"].value == "Sở Nội vụ"  # the totals line under the header (row 7)
    assert sheet["E8"].value == 2  # Bình and Ánh registered before the period ended
    assert [sheet.cell(row=r, column=2).value for r in (9, 10, 11)] == [
        "Sở Nội vụ (trực thuộc)",  # its own people, so the parent = the lines under it
        "Phòng Tổ chức biên chế",
        None,
    ]
    subscription.refresh_from_db()
    assert subscription.last_sent_period == period.slug

    # A second (or doubled) run sends nothing.
    assert tasks.report_subscriptions_send() == {"sent": 0, "switched_off": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_subscriptions_stay_within_the_scope(client, world, manager_of):
    manager, tree = world["manager"], world["tree"]
    client.force_login(manager)
    outside = reverse("campaigns:agency_subscriptions", kwargs={"agency_id": tree["ward"].pk})
    assert client.post(outside, {"kind": "month", "format": "xlsx"}).status_code == 404
    assert client.get(outside).status_code == 404
    assert not ReportSubscription.objects.exists()

    # A manager whose role was removed is skipped, and the subscription switched off.
    former = manager_of(tree["syt"])
    gone = exports.subscription_set(user=former, agency=tree["syt"], kind="quarter", fmt="pdf")
    ManagerRole.objects.filter(user=former).delete()
    assert tasks.report_subscriptions_send() == {"sent": 0, "switched_off": 1, "failed": 0}
    assert not mail.outbox
    gone.refresh_from_db()
    assert (gone.active, gone.last_sent_period) == (False, "")

    # Someone else's subscription cannot be cancelled (404); one's own can.
    mine = exports.subscription_set(user=manager, agency=tree["snv"], kind="month", fmt="xlsx")
    cancel = reverse("campaigns:subscription_cancel", kwargs={"subscription_id": gone.pk})
    assert client.post(cancel).status_code == 404
    cancel = reverse("campaigns:subscription_cancel", kwargs={"subscription_id": mine.pk})
    assert client.post(cancel).status_code == 302
    mine.refresh_from_db()
    assert mine.active is False
