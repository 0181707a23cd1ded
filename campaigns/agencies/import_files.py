"""The files a manager downloads to prepare an import: the template (CSV or XLSX, with a
passing example row, the audiences and the manager's agency codes) and the agency codes."""

import io

import openpyxl
from django.utils import translation

from campaigns.agencies.imports import COLUMNS
from cms import spreadsheets
from cms.vocabularies import Subgroup

TEMPLATE_EXAMPLE = [
    "Nguyễn Thị Hồng Nhung",
    "nhung.nth@phutho.gov.vn",
    "0912345678",
    "SNV",
    "Công chức",
    "Chuyên viên",
    "CB-000123",
]


def _example(agency_code: str | None) -> list[str]:
    """The template's example row, with one of the manager's own agency codes so that it
    passes the check as it stands (the fixed "SNV" was refused outside Sở Nội vụ)."""
    row = list(TEMPLATE_EXAMPLE)
    if agency_code:
        row[3] = agency_code
    return row


def template_csv(*, agency_code: str | None = None) -> bytes:
    return spreadsheets.csv_bytes([[vi for _field, vi, _en in COLUMNS], _example(agency_code)])


AGENCY_CODE_HEADER = ["Mã cơ quan", "Tên cơ quan", "Loại"]


def agency_codes_rows(agencies) -> list[list[str]]:
    """The codes a manager may import into (their visible, active agencies), for the
    template's "Mã cơ quan" sheet and its CSV."""
    return [AGENCY_CODE_HEADER] + [[a.code, a.name, str(a.get_kind_display())] for a in agencies]


def agency_codes_csv(agencies) -> bytes:
    return spreadsheets.csv_bytes(agency_codes_rows(agencies))


def template_xlsx(*, agencies=()) -> bytes:
    """The template: the header and a passing example row, the audiences, and a sheet of
    the agency codes `agencies` (the manager's own) with their names."""
    agencies = list(agencies)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Hoc vien")
    spreadsheets.xlsx_append(sheet, [vi for _field, vi, _en in COLUMNS])
    spreadsheets.xlsx_append(sheet, _example(agencies[0].code if agencies else None))
    if agencies:
        codes = book.create_sheet("Ma co quan")
        for row in agency_codes_rows(agencies):
            spreadsheets.xlsx_append(codes, row)
    notes = book.create_sheet("Huong dan")
    spreadsheets.xlsx_append(notes, ["Cột “Đối tượng”: một trong các giá trị sau"])
    with translation.override("vi"):  # the vocabulary's names, as the import reads them
        for label in Subgroup.labels:
            spreadsheets.xlsx_append(notes, [str(label)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
