"""Files for managers: the periodic report (XLSX, CSV, PDF) and the people export (CSV, XLSX).

Pure writers: they take plain dataclasses (`ReportTable`, an iterable of `DetailLine`) and
know nothing of models or requests; the caller scopes and gathers the data. Use
`report_xlsx` / `report_pdf` for people (title block, formats), `report_csv` for machines
(header and rows only). The people export streams: `detail_csv` yields as it reads, and
`detail_xlsx` writes a write-only workbook, so neither holds the rows in memory.

Headers and labels are lazy translations, rendered in the language active when the writer
runs. Text is NFC-normalised (PDF glyphs and read-back need it). Every CSV and XLSX cell goes
through cms.spreadsheets, the one formula-safe writer: a text cell that a spreadsheet would
take for a formula stays text (a learner's name must never run in a manager's Excel).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from campaigns.reporting.rollups import percent
from cms import pdf, spreadsheets
from cms.text import nfc


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
        """Completed per hundred of headcount, rounded once (campaigns.reporting.rollups.percent);
        None when the headcount is 0."""
        return percent(self.completed, self.headcount)


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
    # The Decree 30/2020 heading: the issuing agency's parent ("" at the top), the place
    # of the place-and-date line ("Phú Thọ, ngày 05 tháng 12 năm 2026"), who signs.
    parent_name: str = ""
    place: str = ""
    signer_name: str = ""
    # When the figures were read from the rollups (a snapshot at most a few minutes older
    # than generated_at: campaigns.reporting.aggregates.SNAPSHOT_SECONDS).
    figures_at: datetime | None = None


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


# --- Shared helpers --------------------------------------------------------------------------


def _text(value: str) -> str:
    return nfc(str(value))


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _local(when: datetime) -> datetime:
    return timezone.localtime(when) if timezone.is_aware(when) else when


def _title_block(table: ReportTable) -> list[str]:
    """The lines under the title, in the active language."""
    when = _local(table.generated_at)
    period = _("Period: %(label)s (%(start)s – %(end)s)") % {
        "label": _text(table.period_label),
        "start": _dmy(table.period_start),
        "end": _dmy(table.period_end),
    }
    lines = [
        _("Agency: %(name)s") % {"name": _text(table.agency_name)},
        period,
        _("Campaign: %(name)s") % {"name": _text(table.campaign_name) or _("All courses")},
        _("Generated at: %(when)s") % {"when": when.strftime("%d/%m/%Y %H:%M")},
    ]
    if table.figures_at is not None:
        at = _local(table.figures_at).replace(second=0, microsecond=0)
        if at < when.replace(second=0, microsecond=0):  # read earlier: the pages' snapshot
            lines.append(_("Figures as of: %(when)s") % {"when": at.strftime("%d/%m/%Y %H:%M")})
    return lines


def _numbering(lines: list[ReportLine]) -> Iterator[tuple[int | None, ReportLine]]:
    """(No., line): the totals line (level 0) has no number, the others count from 1."""
    number = 0
    for line in lines:
        if line.level == 0:
            yield None, line
        else:
            number += 1
            yield number, line


# --- Periodic report ------------------------------------------------------------------------


def report_csv(table: ReportTable) -> Iterator[str]:
    """The report for machines: a BOM (Excel then reads UTF-8), the header, one row a line.
    Percent as "42.3" (one decimal, a dot), an empty cell for unknown values."""

    def rows():
        yield [str(header) for header in REPORT_COLUMNS]
        for number, line in _numbering(table.lines):
            percent = line.percent
            yield [
                number,
                line.name,
                line.code,
                line.headcount,
                line.registered,
                line.enrolled,
                line.completed,
                None if percent is None else f"{percent:.1f}",
                line.certified,
                line.change,
            ]

    return spreadsheets.csv_lines(rows())


def _set_text(cell, value: str) -> None:
    spreadsheets.xlsx_set(cell, str(value))  # never a formula, whatever the first character


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


# PDF fonts: the project's one family (cms.pdf: DejaVu by default, full Vietnamese
# coverage), shared with the certificates and registered once per process there.
PDF_FONT = pdf.FONT
PDF_FONT_BOLD = pdf.FONT_BOLD


def _pdf_number(value: int | None, *, signed: bool = False) -> str:
    if value is None:
        return ""
    text = formats.number_format(value, force_grouping=True)
    return "+" + text if signed and value > 0 else text


def report_pdf(table: ReportTable, fileobj: BinaryIO) -> None:
    """The report as an A4 landscape PDF; the table's header repeats on every page."""
    pdf.ensure_fonts()  # pdf.PdfFontMissing (ImproperlyConfigured) says which file
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
    widths = _pdf_widths(table, rows, 267 * mm)
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
    story = _decree_heading(table, body, bold, title, para)
    story += [para(text, body) for text in _title_block(table)]
    story += [Spacer(1, 4 * mm), grid]
    story += _signature_block(table, body, bold, para)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


CELL_PADDING = 6 + 6  # ReportLab's default left and right cell padding, in points


def _pdf_widths(table: ReportTable, rows: list[list], available: float) -> list[float]:
    """Column widths that hold their content on one line: each column at least its
    widest value and its header's longest word (headers wrap between words only, so
    "STT" never breaks into "ST T"); the agency name takes what is left (it wraps)."""

    def fit(texts, font, size) -> float:
        widest = max(pdf.string_width(t, font, size) for t in texts if t is not None)
        return widest + CELL_PADDING + 2

    widths = []
    for column, header in enumerate(REPORT_COLUMNS):
        words = str(header).split() or [""]
        head = fit(words, PDF_FONT_BOLD, 8)
        values = [r[column] for r in rows[1:] if isinstance(r[column], str)]
        widths.append(max(head, fit(values or [""], PDF_FONT_BOLD, 9)))
    others = sum(widths) - widths[1]
    widths[1] = max(available - others, 40 * mm)
    return widths


NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"


def _decree_heading(table: ReportTable, body, bold, title, para) -> list:
    """The heading of Vietnamese administrative documents (Decree 30/2020/NĐ-CP, annex I):
    left, the parent agency and the issuing agency (bold, capitals); right, the national
    name and the motto (bold, underlined by a rule); then the place-and-date line in
    italics on the right, and the title in bold capitals centred."""
    from reportlab.platypus import HRFlowable

    center = {"alignment": 1}
    left = [para(table.parent_name.upper(), body, **center)] if table.parent_name else []
    left += [para(table.agency_name.upper(), bold, **center),
             HRFlowable(width="30%", thickness=0.6, color=colors.black)]  # fmt: skip
    right = [para(NATIONAL_NAME, bold, **center), para(NATIONAL_MOTTO, bold, fontSize=10, **center),
             HRFlowable(width="45%", thickness=0.6, color=colors.black)]  # fmt: skip
    heading = Table([[left, right]], colWidths=[110 * mm, 157 * mm])
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    when = _local(table.generated_at)
    place_date = _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": _text(table.place) or "…",
        "day": f"{when.day:02d}",
        "month": f"{when.month:02d}",
        "year": when.year,
    }
    italic_right = ParagraphStyle("place", parent=body, alignment=2, fontSize=10, leading=13)
    return [heading, Spacer(1, 3 * mm), Paragraph(escape(place_date), italic_right),
            Spacer(1, 3 * mm), para(str(table.title).upper(), title, alignment=1)]  # fmt: skip


def _signature_block(table: ReportTable, body, bold, para) -> list:
    """The signature block, bottom right: the signer's role, "(signature, full name)",
    room to sign, the name."""
    center = {"alignment": 1}
    block = [para(str(_("THE REPORTER")), bold, **center),
             para(str(_("(Signature and full name)")), body, **center), Spacer(1, 18 * mm),
             para(table.signer_name, bold, **center)]  # fmt: skip
    sign = Table([["", block]], colWidths=[160 * mm, 107 * mm])
    return [Spacer(1, 8 * mm), sign]


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

    def rows():
        yield [str(header) for header in DETAIL_COLUMNS]
        for line in lines:
            yield _detail_values(line)

    return spreadsheets.csv_lines(rows())


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
        number_format = DATE_FORMAT if isinstance(value, date) else None
        return spreadsheets.xlsx_cell(sheet, value, font=font, number_format=number_format)

    sheet.append([cell(str(header), font=header_font) for header in DETAIL_COLUMNS])
    count = 0
    for line in lines:
        sheet.append([cell(value) for value in _detail_values(line)])
        count += 1
    workbook.save(fileobj)
    return count
