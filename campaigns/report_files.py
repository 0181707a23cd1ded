"""Files for managers: the periodic report (XLSX, CSV, PDF) and the people export (CSV, XLSX).

Pure writers: they take plain dataclasses (`ReportTable`, an iterable of `DetailLine`) and
know nothing of models or requests; the caller scopes and gathers the data. Use
`report_xlsx` / `report_pdf` for people (title block, formats), `report_csv` for machines
(header and rows only). The people export streams: `detail_csv` yields as it reads, and
`detail_xlsx` writes a write-only workbook, so neither holds the rows in memory.

Headers and labels are lazy translations, rendered in the language active when the writer
runs. Text is NFC-normalised (PDF glyphs and read-back need it), and a text cell that a
spreadsheet would take for a formula ("=", "+", "-", "@") stays text: a learner's name must
never run as a formula in a manager's Excel.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cms.text import nfc
from courses.certificates import render


@dataclass
class ReportLine:
    name: str
    code: str
    level: int  # 0 = the chosen agency itself (the totals line), 1 = its children, ...
    headcount: int
    registered: int
    enrolled: int
    completed: int
    certified: int
    change: int | None  # completed this period minus completed the previous one; None: unknown

    @property
    def percent(self) -> float | None:
        """Completed per hundred of headcount; None when the headcount is 0."""
        return self.completed / self.headcount * 100 if self.headcount else None


@dataclass
class ReportTable:
    title: str  # e.g. "Báo cáo kết quả Bình dân học vụ số"
    agency_name: str
    period_label: str
    period_start: date
    period_end: date
    generated_at: datetime
    campaign_name: str  # "" when the report covers all courses
    lines: list[ReportLine]  # first the chosen agency (totals), then its children


@dataclass
class DetailLine:
    full_name: str
    email: str
    agency_name: str
    agency_code: str
    audience_label: str
    course_title: str
    status_label: str
    enrolled_on: date | None
    completed_on: date | None
    certified_on: date | None


REPORT_COLUMNS = (
    _("No."),
    _("Agency"),
    _("Code"),
    _("Headcount"),
    _("Registered"),
    _("Enrolled"),
    _("Completed"),
    _("Completed (%)"),
    _("Certified"),
    _("Change since last period"),
)
DETAIL_COLUMNS = (
    _("Full name"),
    _("E-mail"),
    _("Agency"),
    _("Agency code"),
    _("Audience"),
    _("Course"),
    _("Status"),
    _("Enrolled on"),
    _("Completed on"),
    _("Certified on"),
)
REPORT_WIDTHS = (6, 42, 12, 12, 12, 12, 12, 12, 12, 14)  # XLSX characters
DETAIL_WIDTHS = (28, 30, 34, 12, 20, 36, 16, 13, 13, 13)
PERCENT_FORMAT = "0.0%"
CHANGE_FORMAT = "+#,##0;-#,##0;0"
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- Shared helpers --------------------------------------------------------------------------


def _text(value: str) -> str:
    return nfc(str(value))


def _safe_csv_text(value: str) -> str:
    """Text as CSV cell: a leading formula character gets an apostrophe (Excel opens CSVs)."""
    value = _text(value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _title_block(table: ReportTable) -> list[str]:
    """The lines under the title, in the active language."""
    when = table.generated_at
    if timezone.is_aware(when):
        when = timezone.localtime(when)
    period = _("Period: %(label)s (%(start)s – %(end)s)") % {
        "label": _text(table.period_label),
        "start": _dmy(table.period_start),
        "end": _dmy(table.period_end),
    }
    return [
        _("Agency: %(name)s") % {"name": _text(table.agency_name)},
        period,
        _("Campaign: %(name)s") % {"name": _text(table.campaign_name) or _("All courses")},
        _("Generated at: %(when)s") % {"when": when.strftime("%d/%m/%Y %H:%M")},
    ]


def _numbering(lines: list[ReportLine]) -> Iterator[tuple[int | None, ReportLine]]:
    """(No., line): the totals line (level 0) has no number, the others count from 1."""
    number = 0
    for line in lines:
        if line.level == 0:
            yield None, line
        else:
            number += 1
            yield number, line


class _Echo:
    """A file-like object whose write returns the text: csv.writer then yields rows."""

    def write(self, value: str) -> str:
        return value


# --- Periodic report ------------------------------------------------------------------------


def report_csv(table: ReportTable) -> Iterator[str]:
    """The report for machines: a BOM (Excel then reads UTF-8), the header, one row a line.
    Percent as "42.3" (one decimal, a dot), an empty cell for unknown values."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([str(header) for header in REPORT_COLUMNS])
    for number, line in _numbering(table.lines):
        percent = line.percent
        yield writer.writerow(
            [
                "" if number is None else number,
                _safe_csv_text(line.name),
                _safe_csv_text(line.code),
                line.headcount,
                line.registered,
                line.enrolled,
                line.completed,
                "" if percent is None else f"{percent:.1f}",
                line.certified,
                "" if line.change is None else line.change,
            ]
        )


def _set_text(cell, value: str) -> None:
    cell.value = _text(value)
    cell.data_type = "s"  # never a formula, whatever the first character


def report_xlsx(table: ReportTable, fileobj: BinaryIO) -> None:
    """The report as a formatted workbook (A4 landscape, fit to width, header frozen)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bao cao"
    ncols = len(REPORT_COLUMNS)
    last = get_column_letter(ncols)

    sheet.merge_cells(f"A1:{last}1")
    _set_text(sheet["A1"], table.title)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for row, text in enumerate(_title_block(table), start=2):
        _set_text(sheet.cell(row=row, column=1), text)

    header_row = 7
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fill = PatternFill("solid", fgColor="DCE6F1")
    for column, header in enumerate(REPORT_COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=column)
        _set_text(cell, str(header))
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[header_row].height = 30  # two lines of wrapped header text

    for row, (number, line) in enumerate(_numbering(table.lines), start=header_row + 1):
        percent = line.percent
        values = (
            number,
            None,  # the name: set as text below
            None,
            line.headcount,
            line.registered,
            line.enrolled,
            line.completed,
            None if percent is None else percent / 100,
            line.certified,
            line.change,
        )
        bold = Font(bold=True) if line.level == 0 else None
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = border
            if column >= 4:
                cell.number_format = COUNT_FORMAT
            if bold:
                cell.font = bold
        _set_text(sheet.cell(row=row, column=2), line.name)
        _set_text(sheet.cell(row=row, column=3), line.code)
        sheet.cell(row=row, column=2).alignment = Alignment(indent=line.level, wrap_text=True)
        sheet.cell(row=row, column=8).number_format = PERCENT_FORMAT
        sheet.cell(row=row, column=10).number_format = CHANGE_FORMAT

    for column, width in enumerate(REPORT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.save(fileobj)


# PDF fonts: the certificates' TTF files (settings CERTIFICATE_FONT_PATH / _BOLD_PATH,
# DejaVu Sans by default: full Vietnamese coverage), registered with ReportLab once.
# The certificates' fonts (DejaVu by default, full Vietnamese coverage), registered once per
# process by the certificates renderer: registering the same TTF file a second time under
# other names would share ReportLab's font face and break the certificates' subset cache.
PDF_FONT = render.FONT
PDF_FONT_BOLD = render.FONT_BOLD


def _ensure_pdf_fonts() -> None:
    try:
        render.ensure_fonts()
    except render.CertificateFontMissing as exc:
        raise ImproperlyConfigured(str(exc)) from exc
    pdfmetrics.registerFontFamily(PDF_FONT, normal=PDF_FONT, bold=PDF_FONT_BOLD)


def _pdf_number(value: int | None, *, signed: bool = False) -> str:
    if value is None:
        return ""
    text = formats.number_format(value, force_grouping=True)
    return "+" + text if signed and value > 0 else text


def report_pdf(table: ReportTable, fileobj: BinaryIO) -> None:
    """The report as an A4 landscape PDF; the table's header repeats on every page."""
    _ensure_pdf_fonts()
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=9, leading=11)
    bold = ParagraphStyle("bold", parent=body, fontName=PDF_FONT_BOLD)
    title = ParagraphStyle("title", parent=bold, fontSize=14, leading=18, spaceAfter=4)
    header = ParagraphStyle("header", parent=bold, fontSize=8, leading=10, alignment=1)

    def para(text: str, style: ParagraphStyle, **extra) -> Paragraph:
        if extra:
            style = ParagraphStyle(f"{style.name}-x", parent=style, **extra)
        return Paragraph(escape(_text(text)), style)  # escaped: "<b>" in a name prints as typed

    rows: list[list] = [[para(str(text), header) for text in REPORT_COLUMNS]]
    for number, line in _numbering(table.lines):
        percent = line.percent
        rows.append(
            [
                "" if number is None else str(number),
                para(line.name, bold if line.level == 0 else body, leftIndent=8 * line.level),
                _text(line.code),
                _pdf_number(line.headcount),
                _pdf_number(line.registered),
                _pdf_number(line.enrolled),
                _pdf_number(line.completed),
                "" if percent is None else formats.number_format(percent, 1),
                _pdf_number(line.certified),
                _pdf_number(line.change, signed=True),
            ]
        )
    style = [
        ("FONT", (0, 0), (-1, -1), PDF_FONT, 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
    ]
    style += [
        ("FONT", (0, row), (-1, row), PDF_FONT_BOLD, 9)
        for row, line in enumerate(table.lines, start=1)
        if line.level == 0
    ]
    # Wide enough for each header word at 8 pt (Vietnamese ones too): 262 mm of 267.
    widths = [c * mm for c in (10, 66, 22, 23, 23, 23, 23, 23, 23, 26)]
    grid = Table(rows, colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle(style))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(PDF_FONT, 8)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin,
            8 * mm,
            str(_("Page %(number)s") % {"number": canvas.getPageNumber()}),
        )
        canvas.restoreState()

    doc = SimpleDocTemplate(
        fileobj,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=15 * mm,
        title=_text(table.title),
    )
    story = [para(table.title, title)]
    story += [para(text, body) for text in _title_block(table)]
    story += [Spacer(1, 4 * mm), grid]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


# --- People export --------------------------------------------------------------------------


def _detail_values(line: DetailLine) -> tuple:
    return (
        line.full_name,
        line.email,
        line.agency_name,
        line.agency_code,
        line.audience_label,
        line.course_title,
        line.status_label,
        line.enrolled_on,
        line.completed_on,
        line.certified_on,
    )


def detail_csv(lines: Iterable[DetailLine]) -> Iterator[str]:
    """A BOM, the header, then one row per line as it is read (dates ISO, empty if None)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([str(header) for header in DETAIL_COLUMNS])
    for line in lines:
        yield writer.writerow([_detail_csv_cell(value) for value in _detail_values(line)])


def _detail_csv_cell(value: str | date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else _safe_csv_text(value)


def _sheet_title(title: str) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in _text(title)).strip()
    return cleaned[:31] or "Sheet1"


def detail_xlsx(lines: Iterable[DetailLine], fileobj: BinaryIO, *, title: str) -> int:
    """Write the people export as a write-only workbook (rows go to disk as they come, so
    memory stays flat) on a sheet named after `title`. Returns the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    for column, width in enumerate(DETAIL_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    header_font = Font(bold=True)

    def cell(value, *, font=None):
        result = WriteOnlyCell(sheet, value=value)
        if isinstance(value, date):
            result.number_format = DATE_FORMAT
        elif isinstance(value, str):
            result.value = _text(value)
            result.data_type = "s"  # never a formula, whatever the first character
        if font:
            result.font = font
        return result

    sheet.append([cell(str(header), font=header_font) for header in DETAIL_COLUMNS])
    count = 0
    for line in lines:
        sheet.append([cell(value) for value in _detail_values(line)])
        count += 1
    workbook.save(fileobj)
    return count
