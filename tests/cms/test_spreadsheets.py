"""cms.spreadsheets: the one formula-safe writer and limited reader (no database)."""

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.utils import translation

from cms import spreadsheets
from cms.spreadsheets import SpreadsheetError

HOSTILE = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]


def test_csv_text_starting_like_a_formula_is_text_and_numbers_stay_numbers():
    lines = "".join(spreadsheets.csv_lines([HOSTILE, [-5, 2.5, 0, None, dt.date(2026, 1, 2)]]))
    assert lines.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(lines[1:], newline="")))
    assert rows[0] == ["'" + value for value in HOSTILE]
    assert rows[1] == ["-5", "2.5", "0", "", "2026-01-02"]


def test_csv_read_back_removes_the_apostrophe_it_added():
    data = spreadsheets.csv_bytes([["Họ và tên", "Ghi chú"], ["=1+1", "'bình thường"]])
    rows = list(spreadsheets.read_rows(data, kind="csv"))
    assert rows == [["Họ và tên", "Ghi chú"], ["=1+1", "'bình thường"]]


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_text_is_a_string_cell_numbers_stay_numbers(write_only):
    book = openpyxl.Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    spreadsheets.xlsx_append(sheet, [*HOSTILE, -5, 1.5, "tên\x01lạ"])
    out = io.BytesIO()
    book.save(out)
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml
    cells = next(openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())
    assert [c.value for c in cells[:6]] == HOSTILE
    assert {c.data_type for c in cells[:6]} == {"s"}
    assert [(c.value, c.data_type) for c in cells[6:8]] == [(-5, "n"), (1.5, "n")]
    assert cells[8].value == "tênlạ"  # a control character XML cannot hold is dropped


def _xlsx(rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("x")
    for i in range(rows):
        sheet.append([f"Người {i}", i])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_check_counts_rows_and_refuses_too_many_or_too_big(settings):
    data = _xlsx(50)
    assert spreadsheets.upload_check(io.BytesIO(data), kind="xlsx", size=len(data),
                                     max_bytes=10**6, max_rows=49) == 50  # fmt: skip
    with translation.override("vi"), pytest.raises(SpreadsheetError, match="nhiều hơn 48 dòng"):
        spreadsheets.upload_check(io.BytesIO(data), kind="xlsx", size=len(data),
                                  max_bytes=10**6, max_rows=48)  # fmt: skip
    body = b"a,b\n" + b"1,2\n" * 10
    assert spreadsheets.upload_check(io.BytesIO(body), kind="csv", size=len(body),
                                     max_bytes=100) == 11  # fmt: skip
    with translation.override("vi"), pytest.raises(SpreadsheetError, match="lớn hơn mức cho phép"):
        spreadsheets.upload_check(io.BytesIO(body), kind="csv", size=len(body), max_bytes=10)


def test_xlsx_archive_limits(settings):
    settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    spreadsheets.xlsx_archive_check(io.BytesIO(_xlsx(100)))  # an ordinary workbook passes
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row>" * 600_000)  # 3 MB, packs ~1000x
    with translation.override("vi"), pytest.raises(SpreadsheetError, match="bị nén tới"):
        spreadsheets.xlsx_archive_check(io.BytesIO(packed.getvalue()))
    settings.SPREADSHEET_MAX_COMPRESSION_RATIO = 10_000
    with translation.override("vi"), pytest.raises(SpreadsheetError, match="Khi giải nén"):
        spreadsheets.xlsx_archive_check(io.BytesIO(packed.getvalue()))
    with translation.override("vi"), pytest.raises(SpreadsheetError, match="không phải là"):
        spreadsheets.xlsx_archive_check(io.BytesIO(b"not a zip"))


def test_read_rows_stops_past_the_row_limit():
    data = spreadsheets.csv_bytes([["h"]] + [[str(i)] for i in range(10)])
    with pytest.raises(SpreadsheetError):
        list(spreadsheets.read_rows(data, kind="csv", max_rows=9))
    assert len(list(spreadsheets.read_rows(data, kind="csv", max_rows=10))) == 11
