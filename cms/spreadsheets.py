"""Spreadsheets in and out (CSV, XLSX): the one place that writes them formula-safe and reads
uploads within limits. Every export and every spreadsheet import goes through here.

Writing. A text cell that begins with = + - @ (or a tab or carriage return, which Excel
skips before looking for one) would be run as a formula by the spreadsheet that opens the
file: a learner who signs up as `=HYPERLINK("http://evil…")` must never get a link into a
manager's Excel. So text is written as text: in CSV with a leading apostrophe (OWASP's
advice: Excel and LibreOffice show the rest as text), in XLSX as a string cell (data type
"s"), never a formula. Numbers and dates stay numbers and dates. Characters XML cannot hold
(controls other than tab, newline, carriage return) are dropped from XLSX text, so a stray
control character in a name cannot break an export.

  csv_lines(rows)                 -> iterator of CSV text lines (first a BOM), streaming
  csv_bytes(rows)                 -> a small CSV file at once (templates)
  xlsx_cell(sheet, value)         -> a cell for a write-only sheet's append
  xlsx_set(cell, value)           -> put a value into a cell of an ordinary sheet
  xlsx_append(sheet, values)      -> append a row to an ordinary or a write-only sheet

Reading. An upload is checked before any parser sees it (`upload_check`): its size; what it
really is, by its first bytes and as the kind it will be read as, whatever its name
(cms.uploads: an "XLSX" must be a zip, a CSV must be text); ClamAV's scan when
CLAMAV_SOCKET is set (cms.antivirus: refused while the scanner is down); for XLSX (a zip)
the central directory alone, before openpyxl opens anything: the number of
parts, their total unpacked size, the shared-strings part's size (openpyxl holds it all in
memory) and the compression ratio (a 530 KB shared-strings bomb unpacks to hundreds of MB;
no real workbook packs more than about 20 times), then a workbook's parts (a zip that is not
an OOXML workbook is refused). Python's zipfile never yields more than
a part's declared size, so the directory's figures bound what openpyxl can unpack. Rows
are counted cheaply (newlines; `<row` tags streamed from the sheets) so a file over the row
limit is refused at once and a big one can be sent to the background. Then `read_rows`
streams the rows as lists of text cells (`cell_text`), still stopping at the row limit.

Limits come from settings (environment variables through cms/config.py, listed in the
README): SPREADSHEET_MAX_UNCOMPRESSED_BYTES and SPREADSHEET_MAX_COMPRESSION_RATIO here; each
importer passes its own size and row limits. Refusals are `SpreadsheetError`s whose message
is ready for the user (translated).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import BinaryIO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cms import antivirus
from cms.text import nfc
from cms.uploads import upload_problem

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_XLSX_PARTS = 1000  # a workbook has a dozen parts; thousands only slow the directory down
RATIO_FLOOR_BYTES = 1024 * 1024  # parts smaller than this unpack to too little to matter
SHARED_STRINGS = "xl/sharedStrings.xml"


class SpreadsheetError(Exception):
    """The upload is refused; the message says why, for the person who sent it."""


# --- Writing ------------------------------------------------------------------------------


def formula_safe_text(value) -> str:
    """`value` as NFC text; a leading formula character gets an apostrophe (for CSV)."""
    text = nfc(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_value(value):
    """One CSV cell: numbers as they are, dates ISO, None empty, text formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return formula_safe_text(value)


class _Echo:
    """A file-like object whose write returns the text: csv.writer then yields rows."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence], *, bom: bool = True, **fmtparams) -> Iterator[str]:
    """CSV text, one line per row as the rows are read (for StreamingHttpResponse or a
    file). First a BOM, so Excel reads UTF-8 (Vietnamese) correctly."""
    writer = csv.writer(_Echo(), **fmtparams)
    if bom:
        yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_value(value) for value in row])


def csv_bytes(rows: Iterable[Sequence], **fmtparams) -> bytes:
    """A whole (small) CSV file as UTF-8 bytes with a BOM."""
    return "".join(csv_lines(rows, **fmtparams)).encode("utf-8")


def _xlsx_text(value) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", nfc(str(value)))


def xlsx_set(cell, value) -> None:
    """Put `value` into an openpyxl cell: text always as a string cell, never a formula."""
    if isinstance(value, str) or (value is not None and not _xlsx_native(value)):
        cell.value = _xlsx_text(value)
        cell.data_type = "s"  # whatever the first character: openpyxl reads "=..." as a formula
    else:
        cell.value = value


def _xlsx_native(value) -> bool:
    return isinstance(value, int | float | Decimal | dt.date | dt.datetime | dt.time | bool)


def xlsx_cell(sheet, value, *, font=None, number_format: str | None = None):
    """A cell for `sheet.append([...])` of a write-only sheet (styles need such cells)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    xlsx_set(cell, value)
    if font is not None:
        cell.font = font
    if number_format:
        cell.number_format = number_format
    return cell


def xlsx_append(sheet, values: Sequence) -> None:
    """Append one row of values to an ordinary or a write-only sheet, text as text."""
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    if isinstance(sheet, WriteOnlyWorksheet):  # cells made already (styled) pass through
        sheet.append([v if isinstance(v, Cell) else xlsx_cell(sheet, v) for v in values])
        return
    sheet.append([_xlsx_text(v) if isinstance(v, str) else v for v in values])
    row = sheet._current_row  # the row append just wrote (openpyxl keeps no public name)
    for column, value in enumerate(values, start=1):
        if value is not None and not _xlsx_native(value):
            xlsx_set(sheet.cell(row=row, column=column), value)


# --- Reading ------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A read cell as stripped NFC text (None empty; 912345678.0 read as 912345678)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def _size(n: int) -> str:
    return str(filesizeformat(n))


def _count(n: int) -> str:
    """A whole number with Vietnamese thousands dots (200.000)."""
    return f"{n:,}".replace(",", ".")


def kind_of(name: str) -> str | None:
    """The kind of a file by its name: "csv", "xlsx", or None for anything else."""
    lowered = (name or "").lower()
    if lowered.endswith(".xlsx"):
        return "xlsx"
    if lowered.endswith(".csv"):
        return "csv"
    return None


def size_check(size: int, *, max_bytes: int) -> None:
    if size > max_bytes:
        raise SpreadsheetError(
            _("The file is %(size)s, larger than the %(max)s allowed.")
            % {"size": _size(size), "max": _size(max_bytes)}
        )


def xlsx_archive_check(source: BinaryIO) -> zipfile.ZipFile:
    """Check an XLSX's zip central directory against the limits (nothing is unpacked);
    returns the open ZipFile (positioned reads only) for counting rows."""
    max_total = settings.SPREADSHEET_MAX_UNCOMPRESSED_BYTES
    max_ratio = settings.SPREADSHEET_MAX_COMPRESSION_RATIO
    try:
        archive = zipfile.ZipFile(source)
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(_("The file is not an Excel (.xlsx) workbook.")) from None
    if len(parts) > MAX_XLSX_PARTS:
        raise SpreadsheetError(
            _("The XLSX file holds %(n)s parts, more than a workbook ever has: it is refused.")
            % {"n": _count(len(parts))}
        )
    for part in parts:
        if part.file_size > RATIO_FLOOR_BYTES:
            ratio = part.file_size / max(part.compress_size, 1)
            if ratio > max_ratio:
                raise SpreadsheetError(
                    _(
                        "The XLSX file is compressed %(ratio)s times, more than a spreadsheet "
                        "ever is (at most %(max)s): it is refused."
                    )
                    % {"ratio": _count(round(ratio)), "max": max_ratio}
                )
    total = sum(part.file_size for part in parts)
    if total > max_total:
        raise SpreadsheetError(
            _("Unpacked, the XLSX file would take %(size)s, more than the %(max)s allowed.")
            % {"size": _size(total), "max": _size(max_total)}
        )
    names = {part.filename for part in parts}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:  # a zip, but no workbook
        raise SpreadsheetError(
            _("The file is a zip archive but not an Excel (.xlsx) workbook: it is refused.")
        )
    strings = next((p for p in parts if p.filename == SHARED_STRINGS), None)
    if strings is not None and strings.file_size > max_total // 4:
        # openpyxl keeps every shared string in memory (the sheets it streams).
        raise SpreadsheetError(
            _("The XLSX file's text part unpacks to %(size)s, more than the %(max)s allowed.")
            % {"size": _size(strings.file_size), "max": _size(max_total // 4)}
        )
    return archive


def _count_csv_lines(source: BinaryIO) -> int:
    lines, last = 0, b"\n"
    while chunk := source.read(1024 * 1024):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    return lines + (last != b"\n")


_ROW_TAG = re.compile(rb"<(?:\w{1,10}:)?row[\s>]")  # <row ...> or <x:row ...>, 16 bytes at most


def _count_xlsx_rows(archive: zipfile.ZipFile) -> int:
    """Row tags in the worksheets, streamed (bounded by the checked unpacked size). A tag
    starting in the last 16 bytes of a chunk is counted with the next one."""
    rows = 0
    for part in archive.infolist():
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        tail = b""
        with archive.open(part) as stream:
            while chunk := stream.read(1024 * 1024):
                data = tail + chunk
                cut = max(len(data) - 16, 0)
                rows += sum(1 for m in _ROW_TAG.finditer(data) if m.start() < cut)
                tail = data[cut:]
        rows += len(_ROW_TAG.findall(tail))
    return rows


def upload_check(source: BinaryIO, *, kind: str, size: int, max_bytes: int,
                 max_rows: int | None = None, name: str = "") -> int:  # fmt: skip
    """Refuse (SpreadsheetError) an upload over the limits, not what `kind` says by its
    content, or with a virus (module docstring), before any parser reads it; return its
    number of rows (an upper bound: header and blank lines included). `source` is read
    from the start and left there; `name` is the file's, for the messages."""
    size_check(size, max_bytes=max_bytes)
    content_check(source, kind=kind, name=name)
    source.seek(0)
    try:
        if kind == "xlsx":
            archive = xlsx_archive_check(source)
            try:
                rows = _count_xlsx_rows(archive)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                raise SpreadsheetError(_("The file is not an Excel (.xlsx) workbook.")) from None
        else:
            rows = _count_csv_lines(source)
    finally:
        source.seek(0)
    if max_rows is not None and rows - 1 > max_rows:  # the header row is not counted
        raise SpreadsheetError(
            _("The file has more than %(max)s rows. Split it into smaller files.")
            % {"max": _count(max_rows)}
        )
    return rows


def content_check(source: BinaryIO, *, kind: str, name: str = "") -> None:
    """Refuse (SpreadsheetError) a file whose first bytes are not of `kind` (cms.uploads:
    an "XLSX" that is not a zip, a CSV holding binary data), then one ClamAV refuses."""
    name = name or getattr(source, "name", "") or f"upload.{kind}"
    problem = upload_problem(source, ext=kind, name=name)
    if problem and kind == "xlsx":
        problem = _("The file is not an Excel (.xlsx) workbook.") + " " + problem
    problem = problem or antivirus.scan_refusal(source)
    if problem:
        raise SpreadsheetError(problem)


def _unquote_csv(text: str) -> str:
    """Undo the apostrophe `formula_safe_text` put before a formula character, so an
    exported CSV imports back as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def read_rows(path_or_file, *, kind: str, max_rows: int | None = None) -> Iterator[list[str]]:
    """Stream the rows of the first sheet (XLSX) or of the file (CSV: UTF-8, with or without
    a BOM, comma or semicolon) as lists of text cells. The caller has passed the upload
    through `upload_check`. Stops with SpreadsheetError past `max_rows` data rows."""
    limit = None if max_rows is None else max_rows + 1  # plus the header
    rows = _read_xlsx(path_or_file) if kind == "xlsx" else _read_csv(path_or_file)
    for number, row in enumerate(rows, start=1):
        if limit is not None and number > limit:
            raise SpreadsheetError(
                _("The file has more than %(max)s rows. Split it into smaller files.")
                % {"max": _count(max_rows)}
            )
        yield row


def _read_xlsx(path_or_file) -> Iterator[list[str]]:
    import defusedxml  # noqa: F401 - openpyxl uses it, when installed, against XML entity tricks
    import openpyxl

    source = path_or_file
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds on a file that is not XLSX
        raise SpreadsheetError(_("The XLSX file cannot be opened.")) from exc
    try:
        for raw in sheet.iter_rows(values_only=True):
            yield [cell_text(v) for v in raw]
    finally:
        book.close()


def _read_csv(path_or_file) -> Iterator[list[str]]:
    if isinstance(path_or_file, bytes):
        handle = io.TextIOWrapper(io.BytesIO(path_or_file), encoding="utf-8-sig", newline="")
    else:
        handle = open(path_or_file, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    with handle:
        try:
            sample = handle.read(4096)
            handle.seek(0)
            delimiter = ";" if sample.count(";") > sample.count(",") else ","
            for raw in csv.reader(handle, delimiter=delimiter):
                yield [_unquote_csv(cell_text(v)) for v in raw]
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(_("The CSV file must be saved as UTF-8.")) from exc
        except csv.Error as exc:
            raise SpreadsheetError(_("The CSV file is malformed.")) from exc
