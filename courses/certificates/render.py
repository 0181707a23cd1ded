"""Drawing a certificate PDF: A4 landscape, a Vietnamese-capable TTF font, a QR code.

Use `render_certificate_pdf(content, assets)`; it knows nothing of models. What does not
change between certificates is prepared once per process and reused:
  - the fonts (parsed and registered with ReportLab once: cms.pdf.ensure_fonts),
  - a template's images (decoded, scaled and compressed once per template version:
    `TemplateAssets` built by `template_assets(...)`, kept in a small LRU cache), and
    drawn into each document as an already-encoded image XObject (binary, no ASCII85),
  - the font subsets (program, widths and ToUnicode map, cached by their characters: cms.pdf),
    and the subset state of the seed characters (copied into each document),
  - the whole document around the page (every object but the page's content stream and
    Info, formatted once per structure: `CertificateCanvas.save`),
  - the QR code's layout per symbol version and mask, and its modules as an affine function
    of the data codewords (`qr_matrix`: no error correction computed per certificate).
Per certificate only the text, the QR code (a vector path of run-merged modules), the Info
dictionary, the cross-reference table and the trailer are made. Names are NFC-normalised first:
ReportLab draws a decomposed mark as a separate glyph that stacks wrongly, and pypdf would
read back a different string.
Text is drawn with `drawString` (never Paragraph markup), so "<b>" in a name prints as typed.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby, islice

import segno
from PIL import Image
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import asciiBase85Decode, escapePDF, fp_str
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from segno import consts
from segno import encoder as _qr

from cms.pdf import (
    FONT,
    FONT_BOLD,
    SUBSET_SEED,
    PdfFontMissing,
    Preformatted,
    PreformattedWithReference,
    ReferenceSlot,
    ensure_fonts,
    format_outside,
    split_at_reference,
    string_width,
)
from cms.text import nfc

# Bump when the layout code changes: certificates rendered by an older layout re-render.
RENDERER_VERSION = 4

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)  # 841.9 x 595.3 pt
MARGIN = 42
PLACEHOLDERS = ("full_name", "course", "date", "issuer")
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")

NAVY = Color(0.08, 0.20, 0.42)
GOLD = Color(0.72, 0.55, 0.18)
INK = Color(0.13, 0.13, 0.16)
MUTED = Color(0.35, 0.37, 0.42)


# --- Fonts: cms.pdf (shared with the reports) ---------------------------------------------

CertificateFontMissing = PdfFontMissing  # the name callers and tests know


# --- Images: decoded and encoded once per template version --------------------------------


@dataclass(frozen=True)
class PreparedImage:
    """An image encoded once as a PDF image XObject (plus its alpha mask), reused per PDF;
    `formatted`: the XObject's bytes (before and after the mask's reference when it has a
    mask), `formatted_smask`: the mask's."""

    key: str
    xobject: pdfdoc.PDFImageXObject
    smask: pdfdoc.PDFImageXObject | None
    width: int
    height: int
    formatted: bytes | tuple[bytes, bytes] = b""
    formatted_smask: bytes = b""


def prepare_image(data: bytes, *, max_px: int, opaque_jpeg: bool = False) -> PreparedImage:
    """Decode, scale to at most max_px on the long side, encode once.

    opaque_jpeg: a full-page background is stored as JPEG (DCT passthrough, small file);
    logos and signatures keep their alpha channel (Flate + soft mask)."""
    key = hashlib.sha256(data).hexdigest()[:24] + f"-{max_px}-{int(opaque_jpeg)}"
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        image = opened
        image.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
        if opaque_jpeg:
            rgb = image.convert("RGB")
            out = io.BytesIO()
            rgb.save(out, "JPEG", quality=82, optimize=True)
            out.seek(0)
            reader = ImageReader(out)
        else:
            has_alpha = image.mode in ("RGBA", "LA") or (
                image.mode == "P" and "transparency" in image.info
            )
            reader = ImageReader(image.convert("RGBA" if has_alpha else "RGB"))
        xobject = pdfdoc.PDFImageXObject(f"img{key}", reader, mask="auto")
    smask = getattr(xobject, "_smask", None)
    _binary_stream(xobject)
    if smask is None:
        return PreparedImage(
            key, xobject, None, xobject.width, xobject.height, format_outside(xobject)
        )
    smask.name = f"msk{key}"
    del xobject._smask
    _binary_stream(smask)
    xobject.smask = ReferenceSlot()
    formatted = split_at_reference(xobject)
    del xobject.smask
    return PreparedImage(
        key, xobject, smask, xobject.width, xobject.height, formatted, format_outside(smask)
    )


def _binary_stream(xobject: pdfdoc.PDFImageXObject) -> None:
    """The image data as bytes, without ReportLab's ASCII85 layer (rl_config.useA85): each
    document would otherwise encode the whole text again, and the file is 25% larger."""
    if xobject._filters[:1] == ("ASCII85Decode",):
        xobject.streamContent = asciiBase85Decode(xobject.streamContent)
        xobject._filters = xobject._filters[1:]
    elif isinstance(xobject.streamContent, str):
        xobject.streamContent = xobject.streamContent.encode("latin-1")


# A byte as ReportLab's escapePDF writes it in a string, for str.translate.
_PDF_ESCAPES = {code: escapePDF(bytes([code])) for code in range(256)}
_fp_cache: dict[tuple, str] = {}


def _fp(*numbers) -> str:
    """ReportLab's fp_str(*numbers), remembered (positions and sizes repeat from one
    certificate to the next)."""
    formatted = _fp_cache.get(numbers)
    if formatted is None:
        if len(_fp_cache) >= 4096:
            _fp_cache.clear()
        formatted = _fp_cache[numbers] = fp_str(*numbers)
    return formatted


def _subset_of(code: int) -> int:
    return code >> 8


class CertificateCanvas(Canvas):
    """A canvas that draws PreparedImages without re-encoding them.

    ReportLab's drawImage hashes and compresses the raw pixels, and formats the XObject, for
    every document; here the XObject formatted once is registered (with this document's
    reference to its soft mask). Mirrors Canvas.drawImage (ReportLab 4-5): the same objects
    in the same order."""

    def draw_prepared(self, image: PreparedImage, x, y, width, height):
        self._currentPageHasImages = 1
        name = image.xobject.name
        reg_name = self._doc.getXObjectName(name)
        if not self._doc.idToObject.get(reg_name):
            if image.smask is None:
                obj = Preformatted(image.formatted)
                mask_name = None
            else:
                mask_name = self._doc.getXObjectName(image.smask.name)
                obj = PreformattedWithReference(
                    *image.formatted, pdfdoc.PDFObjectReference(mask_name)
                )
            self._doc.Reference(obj, reg_name)
            self._doc.addForm(name, obj)
            if mask_name is not None and not self._doc.idToObject.get(mask_name):
                self._doc.Reference(Preformatted(image.formatted_smask), mask_name)
        self.saveState()
        self.translate(x, y)
        self.scale(width, height)
        self._code.append(f"/{reg_name} Do")
        self.restoreState()
        self._formsinuse.append(name)

    def drawString(self, x, y, text):
        """Canvas.drawString for the only text drawn here (left to right, never shaped),
        without measuring the text first (ReportLab measures it and drops the width).

        Text whose characters all have their code in this document's subsets of the font
        (the seed's, or drawn before: splitString would assign nothing) is written here:
        the operators PDFTextObject writes for it (BT, the origin, per run of one subset
        its font and Tj, T*, ET), the numbers formatted once per process (`_fp`). Any
        other text (a letter outside the subsets, a no-break space) goes through ReportLab."""
        font = pdfmetrics.getFont(self._fontname)
        state = font.state.get(self._doc) if font._dynamicFont else None
        codes = None
        if state is not None and "\xa0" not in text:
            assignments = state.assignments
            try:
                codes = [assignments[c] for c in map(ord, text)]
            except KeyError:
                codes = None
        if codes is None:
            text_object = self.beginText(x, y)
            text_object.textLine(text)
            self.drawText(text_object)
            return
        doc, ops = self._doc, []
        if codes:
            size = f"{_fp(self._fontsize)} Tf {_fp(self._leading)} TL"
            runs = (
                [(0, codes)] if max(codes) < 256
                else [(subset, [code & 0xFF for code in run])
                      for subset, run in groupby(codes, _subset_of)]
            )  # fmt: skip
            for subset, run in runs:
                ops.append(f"{font.getSubsetInternalName(subset, doc)} {size}")
                ops.append(f"({bytes(run).decode('latin-1').translate(_PDF_ESCAPES)}) Tj")
        self._code.append(f"BT 1 0 0 1 {_fp(x, y)} Tm {' '.join(ops)} T* ET")

    def drawCentredString(self, x, y, text):
        """Canvas.drawCentredString with the width from the remembered measure."""
        self.drawString(x - 0.5 * string_width(text, self._fontname, self._fontsize), y, text)

    def showPage(self):
        """The page's content stream deflated only (no ASCII85 layer on top: that is a
        third of the cost of writing the page, and makes the stream 25% larger)."""
        super().showPage()
        page = self._doc.Pages.pages[-1]
        if page.compression and not page.Contents:
            page.Contents = pdfdoc.PDFStream(content=page.stream, filters=[pdfdoc.PDFZCompress])

    def save(self):
        """Canvas.save through a whole-document template: every object but the page's
        content stream and the Info dictionary (and the cross-reference table and trailer
        that point at them) is formatted once per document structure (`_structure_key`:
        the template's images, the font subsets and their names) and written as bytes;
        the first document of a structure is written by ReportLab and cut into the
        template. The same bytes as ReportLab's (a test compares them)."""
        if len(self._code):
            self.showPage()
        doc = self._doc
        key = _structure_key(doc)
        with _document_lock:
            template = _document_templates.get(key)
            if template is not None:
                _document_templates.move_to_end(key)
        if template is None:
            data = doc.GetPDFData(self)
            template = _DocumentTemplate.cut(doc, data)
            with _document_lock:
                _document_templates[key] = template
                while len(_document_templates) > DOCUMENT_TEMPLATE_CACHE_SIZE:
                    _document_templates.popitem(last=False)
        else:
            data = template.write(doc)
        self._filename.write(data)


# --- The document around the page: formatted once per structure ----------------------------

DOCUMENT_TEMPLATE_CACHE_SIZE = 16
_document_templates: OrderedDict[tuple, _DocumentTemplate] = OrderedDict()
_document_lock = threading.Lock()
_INFO, _CONTENTS = "info", "contents"  # the per-document objects of a template


def _structure_key(doc: pdfdoc.PDFDocument) -> tuple:
    """What decides every object of a one-page document except its content stream and
    Info: the objects registered while drawing (images by content hash, fonts, the page),
    each embedded font's subsets (characters in order) and names, and the page's size and
    resources."""
    (page,) = doc.Pages.pages
    fonts = tuple(
        (font.fontName, font.face.filename, id(font), font.state[doc].internalName,
         tuple(tuple(subset) for subset in font.state[doc].subsets))
        for font in doc.delayedFonts
    )  # fmt: skip
    xobjects = tuple(sorted(page.XObjects.dict.items())) if page.XObjects else ()
    return (
        tuple(doc.numberToId.values()), tuple(doc.fontMapping.items()), fonts,
        (page.pagewidth, page.pageheight, page.Rotate, page.hasImages, page.compression),
        tuple((name, ref.name) for name, ref in xobjects),
        page.ExtGState is not None, bool(page._colorsUsed), bool(page._shadingUsed),
        bool(page.Annots), doc.compression, doc.invariant, doc._pdfVersion,
        type(doc.encrypt), doc.Outlines.ready if hasattr(doc.Outlines, "ready") else None,
    )  # fmt: skip


@dataclass(frozen=True)
class _DocumentTemplate:
    """A document cut at its objects: `parts` in object-number order, each the object's
    bytes or _INFO / _CONTENTS (formatted per document), after `header`; the trailer's
    dictionary before and after the document ID."""

    header: bytes
    parts: tuple
    numbers: dict
    trailer_before_id: bytes
    trailer_after_id: bytes

    @classmethod
    def cut(cls, doc: pdfdoc.PDFDocument, data: bytes) -> _DocumentTemplate:
        (page,) = doc.Pages.pages
        variable = {doc.info.__InternalName__: _INFO, page.Contents.__InternalName__: _CONTENTS}
        names = [doc.numberToId[n] for n in range(1, len(doc.numberToId) + 1)]
        offsets = [doc.idToOffset[name] for name in names]
        xref_at = data.rindex(b"\nxref\n") + 1
        parts = tuple(
            variable.get(name) or data[start:end]
            for name, start, end in zip(names, offsets, [*offsets[1:], xref_at], strict=True)
        )
        trailer = data[data.index(b"trailer\n", xref_at) : data.rindex(b"\nstartxref\n")]
        before, found, after = trailer.partition(doc.ID())
        if not found or doc.ID() in after or sorted(variable.values()) != [_CONTENTS, _INFO]:
            raise ValueError("unexpected document layout")
        numbers = {kind: names.index(name) + 1 for name, kind in variable.items()}
        return cls(data[: offsets[0]], parts, numbers, before, after)

    def write(self, doc: pdfdoc.PDFDocument) -> bytes:
        """This document's bytes (GetPDFData for a document of the template's structure)."""
        (page,) = doc.Pages.pages
        doc.info.invariant = doc.invariant
        doc.info.digest(doc.signature)
        own = {_INFO: doc.info, _CONTENTS: page.Contents}
        out = [self.header]
        xref = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.parts) + 1)]
        at = len(self.header)
        for part in self.parts:
            if part.__class__ is str:
                if part == _INFO:
                    content = _format_info(doc)
                else:
                    content = pdfdoc.format(own[part], doc, toplevel=1)
                part = b"".join((
                    b"%d 0 obj\n" % self.numbers[part], content,
                    b"" if content.endswith(b"\n") else b"\n", b"endobj\n",
                ))  # fmt: skip
            out.append(part)
            xref.append(b"%010d 00000 n \n" % at)
            at += len(part)
        out += xref
        out += (self.trailer_before_id, doc.ID(), self.trailer_after_id,
                b"\nstartxref\n%d\n%%%%EOF\n" % at)  # fmt: skip
        return b"".join(out)


def pdf_string(value: str) -> bytes:
    """pdfdoc.PDFString(value).format(doc) for a text in a document without encryption
    (PDFDocEncoding when it can, else UTF-16BE with its byte order mark; escaped), the
    bytes escaped by one str.translate instead of ReportLab's loop over each byte."""
    try:
        raw = value.encode("pdfdoc")
    except UnicodeEncodeError:
        raw = codecs.BOM_UTF16_BE + value.encode("utf_16_be")
    return pdfdoc.pdfdocEnc(f"({raw.decode('latin-1').translate(_PDF_ESCAPES)})")


_info_parts: dict[tuple, bytes] = {}


def _info_part(key: tuple, make) -> pdfdoc.PDFObject:
    """An Info value formatted once per process (`make()` the first time)."""
    formatted = _info_parts.get(key)
    if formatted is None:
        if len(_info_parts) >= 256:
            _info_parts.clear()
        formatted = _info_parts[key] = make()
    return Preformatted(formatted)


def _format_info(doc: pdfdoc.PDFDocument) -> bytes:
    """The Info dictionary as ReportLab formats it (PDFInfo.format, ReportLab 4-5), with
    the values that every certificate of a template shares (author, producer, creator,
    keywords, the invariant dates) formatted once; the title and the subject (a person's
    name and code) are formatted for each document."""
    info = doc.info
    if not isinstance(doc.encrypt, pdfdoc.NoEncryption):
        return pdfdoc.format(info, doc, toplevel=1)
    stamp, dates = doc._timeStamp, info._dateFormatter
    date = _info_part(
        ("date", tuple(stamp.YMDhms), stamp.dhh, stamp.dmm, dates),
        lambda: pdfdoc.PDFDate(ts=stamp, dateFormatter=dates).format(doc),
    )

    def string(value):
        return _info_part(("string", value), lambda: pdfdoc.PDFString(value).format(doc))

    values = {
        "Title": Preformatted(pdf_string(info.title)),
        "Author": string(info.author),
        "ModDate": date,
        "CreationDate": date,
        "Producer": string(info.producer),
        "Creator": string(info.creator),
        "Subject": Preformatted(pdf_string(info.subject)),
        "Keywords": string(info.keywords),
        "Trapped": pdfdoc.PDFName(info.trapped),
    }
    return pdfdoc.PDFDictionary(values).format(doc)


def fit_box(image: PreparedImage, max_w: float, max_h: float) -> tuple[float, float]:
    scale = min(max_w / image.width, max_h / image.height)
    return image.width * scale, image.height * scale


# --- What a certificate is drawn from ------------------------------------------------------


@dataclass(frozen=True)
class TemplateAssets:
    """Everything of a template version that is the same for all its certificates."""

    key: str
    title: str
    body: str
    issuer: str
    signer_name: str
    signer_title: str
    logo: PreparedImage | None = None
    signature: PreparedImage | None = None
    background: PreparedImage | None = None


@dataclass(frozen=True)
class CertificateContent:
    full_name: str
    course_title: str
    issued_on: date
    code: str
    verify_url: str
    extra: dict = field(default_factory=dict)


# The preview's sample (the template editor's preview panel): not stored, never signed.
SAMPLE_NAME = "Nguyễn Thị Hồng Nhung"
SAMPLE_COURSE = "Kỹ năng số cơ bản: dùng điện thoại thông minh an toàn"
SAMPLE_CODE = "MAU23456XY"


def sample_pdf(assets: TemplateAssets, *, origin: str) -> bytes:
    """A certificate with sample data drawn with `assets` (verify link on `origin`)."""
    content = CertificateContent(
        full_name=SAMPLE_NAME,
        course_title=SAMPLE_COURSE,
        issued_on=date.today(),
        code=SAMPLE_CODE,
        verify_url=f"{origin.rstrip('/')}/chung-chi/{SAMPLE_CODE}/",
    )
    return render_certificate_pdf(content, assets)


DEFAULT_TITLE = "GIẤY CHỨNG NHẬN"
DEFAULT_BODY = (
    "Đã hoàn thành khoá học “{course}” trên nền tảng HọcSố, "
    "phong trào “Bình dân học vụ số”, ngày {date}."
)
DEFAULT_ISSUER = "HọcSố"

_asset_cache: OrderedDict[str, TemplateAssets] = OrderedDict()
_asset_lock = threading.Lock()
ASSET_CACHE_SIZE = 16


def cached_template_assets(key: str) -> TemplateAssets | None:
    """The assets `template_assets` keeps for the template version `key`, or None."""
    with _asset_lock:
        cached = _asset_cache.get(key)
        if cached is not None:
            _asset_cache.move_to_end(key)
        return cached


def template_assets(
    key: str,
    *,
    title: str = DEFAULT_TITLE,
    body: str = DEFAULT_BODY,
    issuer: str = DEFAULT_ISSUER,
    signer_name: str = "",
    signer_title: str = "",
    logo=None,
    signature=None,
    background=None,
) -> TemplateAssets:
    """The cached assets for a template version `key`; image arguments are callables that
    return the image bytes (or None), called only on a cache miss."""
    cached = cached_template_assets(key)
    if cached is not None:
        return cached

    def load(getter, **kw):
        data = getter() if getter else None
        return prepare_image(data, **kw) if data else None

    assets = TemplateAssets(
        key=key,
        title=nfc(title),
        body=nfc(body),
        issuer=nfc(issuer),
        signer_name=nfc(signer_name),
        signer_title=nfc(signer_title),
        logo=load(logo, max_px=300),
        signature=load(signature, max_px=480),
        background=load(background, max_px=1600, opaque_jpeg=True),
    )
    with _asset_lock:
        _asset_cache[key] = assets
        while len(_asset_cache) > ASSET_CACHE_SIZE:
            _asset_cache.popitem(last=False)
    return assets


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace {full_name} {course} {date} {issuer}; any other brace text stays as typed."""
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({m for m in _PLACEHOLDER_RE.findall(text or "") if m not in PLACEHOLDERS})


def vietnamese_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def vietnamese_long_date(day: date) -> str:
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


# --- Text layout ---------------------------------------------------------------------------


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Greedy word wrap; a single word wider than the line is broken by characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if string_width(candidate, font, size) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = ""
            while string_width(word, font, size) > max_width:
                cut = len(word)
                while cut > 1 and string_width(word[:cut], font, size) > max_width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def fit_lines(
    text: str, font: str, *, max_size: float, min_size: float, max_width: float, max_lines: int
) -> tuple[float, list[str]]:
    """The largest size (down to min_size) at which text fits in max_lines lines; at
    min_size, lines beyond max_lines are joined into the last one and shrunk to fit."""
    size = max_size
    while size > min_size:
        lines = wrap(text, font, size, max_width)
        if len(lines) <= max_lines:
            return size, lines
        size -= 1
    lines = wrap(text, font, min_size, max_width)
    if len(lines) > max_lines:
        # Extreme input: the rest goes on the last line, squeezed by draw_centred_fit.
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return min_size, lines


def draw_centred_fit(c: Canvas, text: str, font: str, size: float, y: float, max_width: float):
    """Centred text; squeezed horizontally if (only in extreme cases) it is still too wide."""
    width = string_width(text, font, size)
    c.setFont(font, size)
    if width <= max_width:
        c.drawCentredString(PAGE_WIDTH / 2, y, text)
        return
    scale = max_width / width
    c.saveState()
    c.translate(PAGE_WIDTH / 2 - max_width / 2, y)
    c.scale(scale, 1)
    c.drawString(0, 0, text)
    c.restoreState()


# --- QR code -------------------------------------------------------------------------------


_mask_cache: dict[tuple[str, int], int] = {}


def _qr_mask(data: str) -> int:
    """The QR mask pattern, chosen once per URL shape by the standard penalty evaluation.

    Choosing the mask is most of the cost of making a QR code (eight trial maskings). The
    verification URLs of one site differ only in the 10-character code, so the mask that
    scores best for one of them is a good mask for all: any mask decodes (the reader finds
    it in the format information); the evaluation only avoids confusing patterns."""
    shape = (data.rsplit("/", 2)[0], len(data))
    mask = _mask_cache.get(shape)
    if mask is None:
        mask = segno.make(data, error="m", micro=False).mask
        _mask_cache[shape] = mask
    return mask


class _QrLayout:
    """What segno computes anew for every code but depends only on the symbol's version and
    mask: the function patterns (finder, alignment, timing), the order in which codeword
    bits are placed, and the data modules the mask inverts. Mirrors segno.encoder._encode
    (segno 1.6) step by step; a test compares the matrices with segno.make's."""

    def __init__(self, version: int, mask: int):
        size = _qr.calc_matrix_size(version)
        base = _qr.make_matrix(size, size)
        _qr.add_finder_patterns(base, size, size)
        _qr.add_alignment_patterns(base, size, size)
        self.base = tuple(bytes(row) for row in base)
        # add_codewords: two-module columns right to left, alternately up and down.
        self.places = []
        for right in range(size - 1, 0, -2):
            if right <= 6:
                right -= 1
            for vertical in range(size):
                for z in (0, 1):
                    j = right - z
                    upwards = (right & 2) == 0
                    upwards ^= j < 6
                    i = (size - 1 - vertical) if upwards else vertical
                    if base[i][j] == 0x2:
                        self.places.append((i, j))
        # find_and_apply_best_mask with the mask given: apply_mask on the encoding region.
        function = _qr.make_matrix(size, size)
        _qr.add_finder_patterns(function, size, size)
        _qr.add_alignment_patterns(function, size, size)
        function[-8][8] = 0x1
        pattern = _qr.get_data_mask_functions(False)[mask]
        self.inverted = [
            (i, j) for i in range(size) for j in range(size)
            if function[i][j] > 0x1 and pattern(i, j)
        ]  # fmt: skip


_qr_layouts: dict[tuple[int, int], _QrLayout] = {}


def _qr_modules(version: int, error: int, mask: int, codewords) -> bytes:
    """The symbol's modules row after row, one byte each, for its data codewords: segno's
    steps from the final message on (error correction, placement, mask, format and version
    information)."""
    buff = _qr.Buffer()
    for codeword in codewords:
        buff.append_bits(codeword, 8)
    bits = _qr.make_final_message(version, error, buff).getbits()
    layout = _qr_layout(version, mask)
    matrix = tuple(bytearray(row) for row in layout.base)
    for (i, j), bit in zip(layout.places, bits, strict=False):  # remainder cells stay 0x2
        matrix[i][j] = bit
    for i, j in layout.inverted:
        matrix[i][j] ^= 1
    _qr.add_format_info(matrix, version, error, mask)
    _qr.add_version_info(matrix, version)
    return b"".join(matrix)


def _qr_layout(version: int, mask: int) -> _QrLayout:
    layout = _qr_layouts.get((version, mask))
    if layout is None:
        layout = _qr_layouts[(version, mask)] = _QrLayout(version, mask)
    return layout


class _QrAffine:
    """A symbol's modules as an affine function of its data codewords (per version, error
    level and mask): error correction is linear over GF(2^8), so bitwise linear, and
    placement, mask and format information move or flip bits. So the modules (one byte
    each, as one integer) are those of all-zero codewords XOR, for every set bit of a
    codeword, that bit's term: the module it is placed in and the error correction modules
    of its block that it flips. All terms are computed at once (a few ms, once)."""

    def __init__(self, version: int, error: int, mask: int, count: int):
        layout = _qr_layout(version, mask)
        size = len(layout.base)
        self.length = size * size
        self.zero = int.from_bytes(_qr_modules(version, error, mask, bytes(count)))
        blocks, ec_counts = [], []  # (first codeword, data count) per block, as make_blocks
        first = 0
        for info in consts.ECC[version][error]:
            for _ in range(info.num_blocks):
                blocks.append((first, info.num_data))
                ec_counts.append(info.num_total - info.num_data)
                first += info.num_data
        if first != count:
            raise ValueError("codeword count does not match the symbol")
        # The final message's codeword order: data interleaved by block, then error words.
        order, slot = {}, 0
        for j in range(max(n for _f, n in blocks)):
            for b, (_first, n) in enumerate(blocks):
                if j < n:
                    order[("d", b, j)], slot = slot, slot + 1
        for j in range(max(ec_counts)):
            for b, n in enumerate(ec_counts):
                if j < n:
                    order[("e", b, j)], slot = slot, slot + 1

        def term(message_bits) -> int:
            value = 0
            for m in message_bits:
                i, j = layout.places[m]
                value |= 1 << (8 * (self.length - 1 - (i * size + j)))
            return value

        log, exp = consts.GALIOS_LOG, consts.GALIOS_EXP
        self.bit_terms = []  # [codeword index][bit 0 = most significant]
        for b, (_first, n) in enumerate(blocks):
            gen, n_ec = consts.GEN_POLY[ec_counts[b]], ec_counts[b]
            for j in range(n):
                terms = []
                for bit in range(8):
                    block = bytearray(n + n_ec)
                    block[j] = 0x80 >> bit
                    for k in range(n):  # make_blocks' synthetic division
                        coef = block[k]
                        if coef:
                            lcoef = log[coef]
                            for e in range(n_ec):
                                block[k + e + 1] ^= exp[lcoef + gen[e]]
                    flipped = [8 * order[("d", b, j)] + bit]
                    for e, word in enumerate(block[n:]):
                        flipped += [
                            8 * order[("e", b, e)] + w for w in range(8) if word & (0x80 >> w)
                        ]
                    terms.append(term(flipped))
                self.bit_terms.append(terms)
        self.terms: dict[tuple[int, int], int] = {}

    def modules(self, codewords: list[int]) -> bytes:
        value, terms = self.zero, self.terms
        for position, codeword in enumerate(codewords):
            if codeword:
                delta = terms.get((position, codeword))
                if delta is None:
                    delta = 0
                    for bit, bit_term in enumerate(self.bit_terms[position]):
                        if codeword & (0x80 >> bit):
                            delta ^= bit_term
                    if len(terms) < QR_TERMS_MAX:
                        terms[(position, codeword)] = delta
                value ^= delta
        return value.to_bytes(self.length)


_qr_affine: dict[tuple[int, int, int, int], _QrAffine] = {}
QR_TERMS_MAX = 4096  # codeword terms kept per symbol shape (~1.4 KB each at version 4)


def _qr_codewords_segno(data: str) -> tuple[int, int, int, list[int]]:
    """(version, error level, count, the data codewords) as segno.make(data, error="m",
    micro=False) makes them: segments, version, boosted error level, terminator, padding."""
    segments = _qr.prepare_data(data, None, None)
    error = consts.ERROR_LEVEL_M
    version = _qr.find_version(segments, error, eci=False, micro=False)
    error = _qr.boost_error_level(version, error, segments, False)
    buff = _qr.Buffer()
    ver_range = _qr.version_range(version)
    for segment in segments:
        _qr.write_segment(buff, segment, None, ver_range, False)
    capacity = consts.SYMBOL_CAPACITY[version][error]
    _qr.write_terminator(buff, capacity, None, len(buff))
    _qr.write_padding_bits(buff, version, len(buff))
    _qr.write_pad_codewords(buff, version, capacity, len(buff))
    count = sum(info.num_blocks * info.num_data for info in consts.ECC[version][error])
    return version, error, count, list(islice(buff.toints(), count))  # as make_blocks reads


# Byte-mode data of one length: its version, error level, codeword count, the codewords of
# the first such data seen (as one integer), that data (as one integer) and how far its bits
# sit from the end of the codewords. {length: shape}
_qr_byte_shapes: dict[int, tuple[int, int, int, int, int, int]] = {}


def _qr_codewords(data: str) -> tuple[int, int, int, bytes | list[int]]:
    """`_qr_codewords_segno(data)`. In byte mode (an address: lower-case letters) the
    codewords are the mode, the length, the data's bytes, then a terminator and padding that
    depend only on the length: so for data of a length seen before they are that data's
    codewords with the data bits swapped (one XOR), without segno's bit buffer."""
    try:
        raw = data.encode(consts.DEFAULT_BYTE_ENCODING)
    except UnicodeError:
        raw = None
    if raw is None or _qr.find_mode(raw) != consts.MODE_BYTE:
        return _qr_codewords_segno(data)
    shape = _qr_byte_shapes.get(len(raw))
    if shape is not None:
        version, error, count, value, sample, shift = shape
        value ^= (sample ^ int.from_bytes(raw)) << shift
        return version, error, count, value.to_bytes(count)
    version, error, count, codewords = _qr_codewords_segno(data)
    header = 4 + consts.CHAR_COUNT_INDICATOR_LENGTH[consts.MODE_BYTE][_qr.version_range(version)]
    shift = 8 * count - header - 8 * len(raw)
    _qr_byte_shapes[len(raw)] = (
        version, error, count, int.from_bytes(bytes(codewords)), int.from_bytes(raw), shift,
    )  # fmt: skip
    return version, error, count, codewords


def _qr_symbol(data: str, mask: int) -> tuple[int, bytes]:
    """(size, the modules row after row, one byte each) of qr_matrix(data, mask)."""
    version, error, count, codewords = _qr_codewords(data)
    key = (version, error, mask, count)
    affine = _qr_affine.get(key)
    if affine is None:
        affine = _qr_affine[key] = _QrAffine(*key)
    return len(_qr_layout(version, mask).base), affine.modules(codewords)


def qr_matrix(data: str, mask: int) -> tuple[bytearray, ...]:
    """segno.make(data, error="m", micro=False, mask=mask).matrix, with what does not depend
    on the data (_QrLayout, _QrAffine, the byte-mode codewords' layout) computed once per
    version and mask."""
    size, modules = _qr_symbol(data, mask)
    return tuple(bytearray(modules[i : i + size]) for i in range(0, size * size, size))


_DARK_RUN = re.compile(rb"[^\x00]+")  # a run of dark modules (any non-zero value) in a row


def qr_path_operators(data: str) -> tuple[int, str]:
    """The QR code as PDF path operators in module units (run-merged rectangles, integers
    only: formatting thousands of floats through ReportLab costs more than the whole page)."""
    n, modules = _qr_symbol(data, _qr_mask(data))
    ops = []
    for row in range(n):
        first, y = row * n, n - 1 - row
        for run in _DARK_RUN.finditer(modules, first, first + n):
            start, end = run.span()
            ops.append(f"{start - first} {y} {end - start} 1 re")
    ops.append("f")
    return n, "\n".join(ops)


def draw_qr(c: Canvas, data: str, x: float, y: float, size: float) -> None:
    n, ops = qr_path_operators(data)
    quiet = 2  # modules of white margin drawn (the frame keeps more around it)
    unit = size / (n + 2 * quiet)
    c.saveState()
    c.setFillColorRGB(1, 1, 1)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.translate(x + quiet * unit, y + quiet * unit)
    c.scale(unit, unit)
    c.setFillColorRGB(0, 0, 0)
    c.addLiteral(ops)
    c.restoreState()


# --- The page ------------------------------------------------------------------------------


def render_certificate_pdf(content: CertificateContent, assets: TemplateAssets) -> bytes:
    """One A4-landscape page; returns the PDF bytes."""
    ensure_fonts()
    full_name = " ".join(nfc(content.full_name).split())
    course = " ".join(nfc(content.course_title).split())
    values = {
        "full_name": full_name,
        "course": course,
        "date": vietnamese_date(content.issued_on),
        "issuer": assets.issuer,
    }
    buf = io.BytesIO()
    c = CertificateCanvas(buf, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, invariant=1)
    for font in (FONT, FONT_BOLD):  # fixed code order: shared, cached subsets
        pdfmetrics.getFont(font).seed(SUBSET_SEED, c._doc)
    c.setTitle(f"{assets.title} – {full_name}")
    c.setAuthor(assets.issuer)
    c.setSubject(f"{course} · {content.code}")
    c.setCreator("HọcSố")

    # Background: the template's image, or a drawn double frame.
    if assets.background is not None:
        c.draw_prepared(assets.background, 0, 0, PAGE_WIDTH, PAGE_HEIGHT)
    else:
        c.setFillColorRGB(0.992, 0.985, 0.965)
        c.rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=0, fill=1)
        c.setStrokeColor(NAVY)
        c.setLineWidth(6)
        c.rect(18, 18, PAGE_WIDTH - 36, PAGE_HEIGHT - 36, stroke=1, fill=0)
        c.setStrokeColor(GOLD)
        c.setLineWidth(1.5)
        c.rect(28, 28, PAGE_WIDTH - 56, PAGE_HEIGHT - 56, stroke=1, fill=0)

    text_width = PAGE_WIDTH - 2 * (MARGIN + 40)
    y = PAGE_HEIGHT - MARGIN - 14

    # Logo and issuing agency.
    if assets.logo is not None:
        w, h = fit_box(assets.logo, 150, 62)
        c.draw_prepared(assets.logo, (PAGE_WIDTH - w) / 2, y - h, w, h)
        y -= h + 16
    else:
        y -= 8
    c.setFillColor(MUTED)
    size, lines = fit_lines(
        assets.issuer.upper(), FONT_BOLD, max_size=13, min_size=9, max_width=text_width,
        max_lines=2,
    )  # fmt: skip
    for line in lines:
        draw_centred_fit(c, line, FONT_BOLD, size, y - size, text_width)
        y -= size * 1.3
    y -= 14

    # Title.
    c.setFillColor(NAVY)
    size, lines = fit_lines(
        assets.title, FONT_BOLD, max_size=34, min_size=20, max_width=text_width, max_lines=2
    )
    for line in lines:
        draw_centred_fit(c, line, FONT_BOLD, size, y - size, text_width)
        y -= size * 1.2
    y -= 12
    c.setFillColor(MUTED)
    c.setFont(FONT, 13)
    c.drawCentredString(PAGE_WIDTH / 2, y - 13, "Chứng nhận ông/bà")
    y -= 13 + 18

    # The name: as large as fits on two lines, then shrunk (never off the page).
    c.setFillColor(INK)
    size, lines = fit_lines(
        full_name, FONT_BOLD, max_size=32, min_size=14, max_width=text_width, max_lines=2
    )
    for line in lines:
        draw_centred_fit(c, line, FONT_BOLD, size, y - size, text_width)
        y -= size * 1.25
    c.setStrokeColor(GOLD)
    c.setLineWidth(1)
    c.line(PAGE_WIDTH / 2 - 160, y - 3, PAGE_WIDTH / 2 + 160, y - 3)  # below descenders
    y -= 22

    # Body text with placeholders filled in.
    body = fill_placeholders(assets.body, values)
    c.setFillColor(INK)
    body_lines = max(2, min(4, int((y - MARGIN - 160) // 21)))  # keep clear of the footer
    size, lines = fit_lines(
        body, FONT, max_size=15, min_size=9, max_width=text_width, max_lines=body_lines
    )
    for line in lines:
        draw_centred_fit(c, line, FONT, size, y - size, text_width)
        y -= size * 1.4

    # Bottom left: QR code, code and verification address.
    qr_size = 92
    qr_x, qr_y = MARGIN + 18, MARGIN + 10
    draw_qr(c, content.verify_url, qr_x, qr_y, qr_size)
    c.setFillColor(MUTED)
    c.setFont(FONT, 8.5)
    left_x = qr_x + qr_size + 10
    c.drawString(left_x, qr_y + 62, "Mã chứng chỉ:")
    c.setFont(FONT_BOLD, 12)
    c.setFillColor(INK)
    c.drawString(left_x, qr_y + 46, content.code)
    c.setFillColor(MUTED)
    c.setFont(FONT, 8.5)
    c.drawString(left_x, qr_y + 28, "Quét mã QR hoặc mở địa chỉ sau để xác minh:")
    url_size = 8.5
    while url_size > 5 and string_width(content.verify_url, FONT, url_size) > 300:
        url_size -= 0.5
    c.setFont(FONT, url_size)
    c.drawString(left_x, qr_y + 16, content.verify_url)

    # Bottom right: place and date, signer's title, signature, name.
    right_centre = PAGE_WIDTH - MARGIN - 150
    right_width = 250
    by = MARGIN + 138
    c.setFillColor(INK)
    draw_text_centred_at(c, vietnamese_long_date(content.issued_on).capitalize(), FONT, 11,
                         right_centre, by, right_width)  # fmt: skip
    if assets.signer_title:
        draw_text_centred_at(c, assets.signer_title.upper(), FONT_BOLD, 10.5, right_centre,
                             by - 17, right_width)  # fmt: skip
    if assets.signature is not None:
        w, h = fit_box(assets.signature, 160, 62)
        c.draw_prepared(assets.signature, right_centre - w / 2, MARGIN + 32, w, h)
    if assets.signer_name:
        draw_text_centred_at(c, assets.signer_name, FONT_BOLD, 12, right_centre, MARGIN + 16,
                             right_width)  # fmt: skip

    c.showPage()
    c.save()
    return buf.getvalue()


def draw_text_centred_at(c, text, font, size, cx, y, max_width):
    while size > 6 and string_width(text, font, size) > max_width:
        size -= 0.5
    c.setFont(font, size)
    c.drawCentredString(cx, y, text)
