"""The report and people-export writers, each file opened back and read cell by cell."""

import csv
import datetime as dt
import io
import itertools

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from campaigns.reporting.report_files import (
    DetailLine,
    ReportLine,
    ReportTable,
    detail_csv,
    detail_xlsx,
    report_csv,
    report_pdf,
    report_xlsx,
)

REPORT_HEADERS = [
    "No.",
    "Agency",
    "Code",
    "Headcount",
    "Registered",
    "Enrolled",
    "Completed",
    "Completed (%)",
    "Certified",
    "Change since last period",
]
DETAIL_HEADERS = [
    "Full name",
    "E-mail",
    "Agency",
    "Agency code",
    "Audience",
    "Course",
    "Status",
    "Enrolled on",
    "Completed on",
    "Certified on",
]
LINES = [
    ReportLine("Sở Nội vụ", "SNV", 0, 1250, 1100, 1000, 529, 480, 37),
    ReportLine("Phòng Tổ chức biên chế", "SNV-TC", 1, 250, 240, 230, 200, 190, -3),
    ReportLine("Phường Hòa Bình", "P-HB", 1, 0, 0, 0, 0, 0, None),
    ReportLine("=Đội tình nguyện", "+DTN", 2, 40, 30, 20, 10, 10, 0),
]


def make_table(lines=LINES) -> ReportTable:
    return ReportTable(
        title="Báo cáo kết quả Bình dân học vụ số",
        agency_name="Sở Nội vụ",
        period_label="Tháng 3/2026",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        generated_at=dt.datetime(2026, 4, 1, 1, 30, tzinfo=dt.UTC),  # 08:30 in Hà Nội
        campaign_name="Kỹ năng số cơ bản",
        lines=lines,
    )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_percent_is_completed_per_headcount_and_none_without_headcount():
    assert LINES[0].percent == 42.3  # rounded once, half up (campaigns.reporting.rollups.percent)
    assert LINES[2].percent is None


# --- XLSX ------------------------------------------------------------------------------------


def test_report_xlsx_cell_by_cell():
    out = io.BytesIO()
    report_xlsx(make_table(), out)
    out.seek(0)
    sheet = load_workbook(out).active

    assert sheet.title == "Bao cao"
    assert sheet["A1"].value == "Báo cáo kết quả Bình dân học vụ số"
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert "A1:J1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "Agency: Sở Nội vụ"
    assert sheet["A3"].value == "Period: Tháng 3/2026 (01/03/2026 – 31/03/2026)"
    assert sheet["A4"].value == "Campaign: Kỹ năng số cơ bản"
    assert sheet["A5"].value == "Generated at: 01/04/2026 08:30"

    assert [c.value for c in sheet[7]] == REPORT_HEADERS
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("DCE6F1") for c in sheet[7])
    assert sheet[7][0].border.bottom.style == "thin"
    assert sheet.freeze_panes == "A8"

    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=8)]
    assert rows == [
        [None, "Sở Nội vụ", "SNV", 1250, 1100, 1000, 529, pytest.approx(0.423), 480, 37],
        [1, "Phòng Tổ chức biên chế", "SNV-TC", 250, 240, 230, 200, 0.8, 190, -3],
        [2, "Phường Hòa Bình", "P-HB", 0, 0, 0, 0, None, 0, None],
        [3, "=Đội tình nguyện", "+DTN", 40, 30, 20, 10, 0.25, 10, 0],
    ]
    for row in sheet.iter_rows(min_row=8, max_row=10):
        for cell in row[3:7] + (row[8],):
            assert type(cell.value) is int, cell.coordinate
    assert sheet["H8"].number_format == "0.0%"
    assert sheet["J9"].number_format == "+#,##0;-#,##0;0" and sheet["J9"].value == -3
    assert all(cell.font.b for cell in sheet[8])
    assert not any(cell.font.b for cell in sheet[9])
    assert sheet["B8"].alignment.indent == 0
    assert sheet["B9"].alignment.indent == 1
    assert sheet["B11"].alignment.indent == 2
    # A name that looks like a formula stays text.
    assert sheet["B11"].data_type == "s" and sheet["C11"].data_type == "s"

    assert sheet.column_dimensions["B"].width == 42
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_report_xlsx_without_a_campaign_says_all_courses():
    table = make_table()
    table.campaign_name = ""
    out = io.BytesIO()
    report_xlsx(table, out)
    out.seek(0)
    assert load_workbook(out).active["A4"].value == "Campaign: All courses"


# --- CSV -------------------------------------------------------------------------------------


def test_report_csv_round_trips_every_cell():
    text = "".join(report_csv(make_table()))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [
        REPORT_HEADERS,
        ["", "Sở Nội vụ", "SNV", "1250", "1100", "1000", "529", "42.3", "480", "37"],
        ["1", "Phòng Tổ chức biên chế", "SNV-TC", "250", "240", "230", "200", "80.0", "190", "-3"],
        ["2", "Phường Hòa Bình", "P-HB", "0", "0", "0", "0", "", "0", ""],
        # Text a spreadsheet would run as a formula gets an apostrophe.
        ["3", "'=Đội tình nguyện", "'+DTN", "40", "30", "20", "10", "25.0", "10", "0"],
    ]
    assert text.encode("utf-8").decode("utf-8-sig").startswith("No.,Agency")


# --- PDF -------------------------------------------------------------------------------------


def test_report_pdf_has_vietnamese_text_and_numbers():
    out = io.BytesIO()
    report_pdf(make_table(), out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)
    text = page.extract_text()
    for expected in (
        "BÁO CÁO KẾT QUẢ BÌNH DÂN HỌC VỤ SỐ",  # Decree 30: the title in capitals
        "Sở Nội vụ",
        "Phòng Tổ chức biên chế",
        "Phường Hòa Bình",
        "01/03/2026 – 31/03/2026",
        "1,250",
        "1,100",
        "42.3",
        "+37",
        "-3",
        "Page 1",
    ):
        assert expected in text, expected
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert {font.split("+")[-1] for font in fonts} >= {"DejaVuSans", "DejaVuSans-Bold"}


def test_a_long_report_pdf_breaks_across_pages_with_the_header_repeated():
    children = [
        ReportLine(f"Xã Đồng Tâm {n}", f"X{n:03}", 1, 100 + n, 90, 80, n % 100, 5, n - 60)
        for n in range(1, 120)
    ]
    out = io.BytesIO()
    report_pdf(make_table([LINES[0], *children]), out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) > 1
    second = reader.pages[1].extract_text()
    assert "Agency" in second and "Headcount" in second and "Certified" in second
    assert "Page 2" in second
    everything = "".join(page.extract_text() for page in reader.pages)
    assert "Xã Đồng Tâm 1\n" in everything or "Xã Đồng Tâm 1 " in everything
    assert "Xã Đồng Tâm 119" in everything


def test_report_pdf_prints_markup_in_a_name_as_text():
    line = ReportLine("<b>Ban</b> & Co", "B&C", 1, 1, 1, 1, 1, 1, 1)
    out = io.BytesIO()
    report_pdf(make_table([LINES[0], line]), out)
    assert "<b>Ban</b> & Co" in PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()


# --- People export ---------------------------------------------------------------------------


def people(count: int, consumed: list | None = None):
    """A generator of DetailLine; `consumed` records how many were read so far."""
    for n in range(count):
        if consumed is not None:
            consumed.append(n)
        yield DetailLine(
            full_name=f"Nguyễn Thị Hoà {n}",
            email=f"hoa{n}@phutho.gov.vn",
            agency_name="Phường Hòa Bình",
            agency_code="P-HB",
            audience_label="Cán bộ, công chức",
            course_title="Kỹ năng số cơ bản",
            status_label="Đã hoàn thành" if n % 3 else "Đang học",
            enrolled_on=dt.date(2026, 1, 1) + dt.timedelta(days=n % 50),
            completed_on=dt.date(2026, 3, 1) + dt.timedelta(days=n % 20) if n % 3 else None,
            certified_on=dt.date(2026, 3, 5) if n % 6 == 1 else None,
        )


# The text columns of person 7 of people(): the same in the CSV and the XLSX.
PERSON_7 = [
    "Nguyễn Thị Hoà 7",
    "hoa7@phutho.gov.vn",
    "Phường Hòa Bình",
    "P-HB",
    "Cán bộ, công chức",
    "Kỹ năng số cơ bản",
    "Đã hoàn thành",
]


def test_detail_csv_round_trips_1000_rows():
    text = "".join(detail_csv(people(1000)))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == DETAIL_HEADERS
    assert len(rows) == 1001
    assert rows[1 + 7] == [*PERSON_7, "2026-01-08", "2026-03-08", "2026-03-05"]
    assert rows[1][7:] == ["2026-01-01", "", ""]


def test_detail_csv_streams_its_input():
    consumed = []
    chunks = detail_csv(people(10**9, consumed))  # far more than could ever be listed
    assert consumed == []
    assert next(chunks) == "\ufeff"
    assert next(chunks).startswith("Full name,")
    assert consumed == []
    first_three = list(itertools.islice(chunks, 3))
    assert first_three[0].startswith("Nguyễn Thị Hoà 0,") and len(consumed) == 3


def test_detail_xlsx_writes_1000_rows_with_real_dates():
    out = io.BytesIO()
    consumed = []
    assert detail_xlsx(people(1000, consumed), out, title="Học viên: Sở/Nội vụ") == 1000
    assert len(consumed) == 1000  # read once, from a generator
    out.seek(0)
    sheet = load_workbook(out).active
    assert sheet.title == "Học viên  Sở Nội vụ"
    assert sheet.max_row == 1001
    assert [c.value for c in sheet[1]] == DETAIL_HEADERS
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    row = [c.value for c in sheet[2 + 7]]  # header, then person 0 on row 2
    assert row[:7] == PERSON_7
    assert row[7:] == [dt.datetime(2026, 1, 8), dt.datetime(2026, 3, 8), dt.datetime(2026, 3, 5)]
    for cell in sheet[2 + 7][7:]:
        assert cell.is_date and cell.number_format == "dd/mm/yyyy"
    assert [c.value for c in sheet[2]][7:] == [dt.datetime(2026, 1, 1), None, None]


def test_detail_exports_keep_formula_like_names_as_text():
    line = next(people(1))
    line.full_name = '=HYPERLINK("http://x")'
    out = io.BytesIO()
    detail_xlsx([line], out, title="x")
    out.seek(0)
    cell = load_workbook(out).active["A2"]
    assert cell.value == line.full_name and cell.data_type == "s"
    row = list(csv.reader(io.StringIO("".join(detail_csv([line]))[1:])))[1]
    assert row[0] == "'" + line.full_name


def test_headers_follow_the_active_language():
    with translation.override("vi"):
        header = "".join(itertools.islice(detail_csv([]), 2))[1:]
    assert header.startswith("Họ và tên,")  # an msgid the catalogue already has
