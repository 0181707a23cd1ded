"""PDF fonts for every app that draws PDFs (certificates, reports): one place registers them.

The fonts are TTF files with full Vietnamese coverage (settings CERTIFICATE_FONT_PATH and
CERTIFICATE_FONT_BOLD_PATH, Debian's DejaVu Sans by default; the names are historical: the
certificates drew the first PDFs), registered with ReportLab once per process under FONT and
FONT_BOLD, as one family. Register them nowhere else: a second registration of the same file
under other names would share ReportLab's font face and break the subset cache below.

- `ensure_fonts()`: call before drawing; raises `PdfFontMissing` (ImproperlyConfigured) with
  what to install when a file is missing or unreadable.
- `SUBSET_SEED`: the characters a Vietnamese document normally needs; registering them first
  in each document (`pdfmetrics.getFont(FONT).seed(SUBSET_SEED, doc)`) keeps the embedded
  subsets the same from one PDF to the next (cached).
- `string_width(text, font, size)`: ReportLab's measure, for fitting text.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)

FONT = "HocSoSans"
FONT_BOLD = "HocSoSans-Bold"


class PdfFontMissing(ImproperlyConfigured):
    """The configured TTF font file is absent or unreadable."""


_font_lock = threading.Lock()
_fonts_ready: tuple[str, str] | None = None


def ensure_fonts() -> None:
    """Register the regular and bold TTF fonts with ReportLab once (thread-safe), as one
    family (so <b> in a Paragraph picks the bold face). Again when the settings change."""
    global _fonts_ready
    paths = (settings.CERTIFICATE_FONT_PATH, settings.CERTIFICATE_FONT_BOLD_PATH)
    if _fonts_ready == paths:
        return
    with _font_lock:
        if _fonts_ready == paths:
            return
        for name, path in zip((FONT, FONT_BOLD), paths, strict=True):
            if not path or not Path(path).is_file():
                raise PdfFontMissing(
                    f"PDF font not found at {path!r} (settings CERTIFICATE_FONT_PATH / "
                    "CERTIFICATE_FONT_BOLD_PATH). Install a TTF font with full Vietnamese "
                    "coverage, e.g. Debian's fonts-dejavu-core "
                    "(apt-get install fonts-dejavu-core), or point the settings at one."
                )
            try:
                pdfmetrics.registerFont(SubsetCachingTTFont(name, path))
            except Exception as exc:  # a truncated or non-TTF file
                raise PdfFontMissing(
                    f"PDF font {path!r} cannot be read as a TrueType font: {exc}"
                ) from exc
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)
        _fonts_ready = paths


# Every character a Vietnamese PDF normally needs, registered first in each document so that
# the embedded font subsets are the same from one document to the next (and cached):
# ASCII, all Vietnamese letters (precomposed, NFC), typographic punctuation.
_VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
SUBSET_SEED = (
    "".join(chr(code) for code in range(32, 127))
    + _VIETNAMESE
    + _VIETNAMESE.upper()
    + "“”‘’–—…·«»×"
)


class SubsetCachingTTFont(TTFont):
    """A TTFont whose embedded subsets are made, formatted and compressed once per subset.

    ReportLab builds, formats and deflates every font subset anew for each document; with
    the seed above, certificates share their subsets, so everything of a subset that depends
    on its characters alone is cached by them: the font program (deflated), the widths
    array (formatted) and the ToUnicode map (deflated). Only the small dictionaries that
    refer to other objects of the document are written per document. Mirrors
    TTFont.addObjects and TTFontFace.addSubsetObjects of ReportLab 4-5: the objects written
    are the same, so text extraction is unchanged."""

    CACHE_SIZE = 32

    def __init__(self, name, filename):
        super().__init__(name, filename)
        self._subset_cache: OrderedDict[tuple, tuple[bytes, int]] = OrderedDict()
        self._parts_cache: OrderedDict[tuple, tuple[bytes, bytes]] = OrderedDict()
        self._descriptor_cache: dict[str, tuple[bytes, bytes]] = {}  # by subset name
        self._seeded: dict[str, tuple[dict, list, int]] = {}  # by seed text
        self._subset_lock = threading.Lock()
        self.face.addSubsetObjects = self._add_subset_objects

    def seed(self, text: str, doc) -> None:
        """`splitString(text, doc)` for a document that has not used this font yet: the
        subset state the text leads to is computed once per text and copied (the same
        assignments, subsets and next code as splitting it again)."""
        with self._subset_lock:
            seeded = self._seeded.get(text)
        if seeded is None:
            probe = _Probe()
            self.splitString(text, probe)
            state = self.state.pop(probe)
            seeded = (dict(state.assignments), [list(s) for s in state.subsets], state.nextCode)
            with self._subset_lock:
                self._seeded[text] = seeded
        if doc in self.state:
            raise ValueError("seed() is for a document that has not used this font yet")
        assignments, subsets, next_code = seeded
        state = self.state[doc] = TTFont.State(self._asciiReadable, self)
        state.assignments = dict(assignments)
        state.subsets = [list(s) for s in subsets]
        state.nextCode = next_code

    def _subset_program(self, subset) -> tuple[bytes, int]:
        key = tuple(subset)
        with self._subset_lock:
            entry = self._subset_cache.get(key)
        if entry is None:
            raw = self.face.makeSubset(subset)
            entry = (zlib.compress(raw), len(raw))
            with self._subset_lock:
                self._subset_cache[key] = entry
                while len(self._subset_cache) > self.CACHE_SIZE:
                    self._subset_cache.popitem(last=False)
        return entry

    def _subset_parts(self, base_font_name: str, subset, compress: bool) -> tuple[bytes, bytes]:
        """(the formatted widths array, the ToUnicode map, deflated when `compress`)."""
        key = (base_font_name, tuple(subset), compress)
        with self._subset_lock:
            entry = self._parts_cache.get(key)
        if entry is None:
            widths = pdfdoc.PDFArray([self.face.getCharWidth(code) for code in subset])
            cmap = makeToUnicodeCMap(base_font_name, subset).encode("latin-1")
            entry = (widths.format(None), zlib.compress(cmap) if compress else cmap)
            with self._subset_lock:
                self._parts_cache[key] = entry
                while len(self._parts_cache) > self.CACHE_SIZE:
                    self._parts_cache.popitem(last=False)
        return entry

    def addObjects(self, doc):
        """The document's font objects, one PDF font per subset (TTFont.addObjects with the
        widths and the ToUnicode map taken from the cache)."""
        state = self.state.get(doc)
        if state is None:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        font_dict = doc.idToObject["BasicFonts"].dict
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_font_name = b"".join(
                (SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)
            ).decode("pdfdoc")
            widths, cmap = self._subset_parts(base_font_name, subset, bool(doc.compression))
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_font_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = Preformatted(widths)
            cmap_stream = pdfdoc.PDFStream(content=cmap)
            if doc.compression:  # already deflated: no filter is applied again
                cmap_stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            pdf_font.ToUnicode = doc.Reference(cmap_stream, "toUnicodeCMap:" + base_font_name)
            pdf_font.FontDescriptor = self.face.addSubsetObjects(doc, base_font_name, subset)
            doc.Reference(pdf_font, internal_name)
            font_dict[internal_name] = pdf_font
        del self.state[doc]

    def _add_subset_objects(self, doc, fontname, subset):
        face = self.face
        compressed, length = self._subset_program(subset)
        font_file = pdfdoc.PDFStream(content=compressed)
        font_file.dictionary["Length1"] = length
        # Already deflated: PDFStream applies no filter when "Filter" is set.
        font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        font_file_ref = doc.Reference(font_file, f"fontFile:{face.filename}({fontname})")
        with self._subset_lock:
            parts = self._descriptor_cache.get(fontname)
        if parts is None:
            parts = split_at_reference(self._descriptor(fontname, ReferenceSlot()))
            with self._subset_lock:
                self._descriptor_cache[fontname] = parts
        descriptor = PreformattedWithReference(*parts, font_file_ref)
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)

    def _descriptor(self, fontname, font_file_ref) -> pdfdoc.PDFDictionary:
        face = self.face
        return pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": font_file_ref,
                "MissingWidth": face.defaultWidth,
            }
        )


class _Probe:
    """A stand-in document for `SubsetCachingTTFont.seed` (a weak key of the font's states)."""


class Preformatted(pdfdoc.PDFObject):
    """A PDF object already formatted (bytes without references), written as it is."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document):
        return self.data


_SLOT = b"\x00hocso-reference-slot\x00"
# Formatting outside any document: streams keep their own filters, nothing is encrypted.
_OUTSIDE = SimpleNamespace(defaultStreamFilters=None, encrypt=pdfdoc.NoEncryption())


class ReferenceSlot(pdfdoc.PDFObject):
    """Where a per-document reference goes in an object formatted once."""

    def format(self, document):
        return _SLOT


def format_outside(obj: pdfdoc.PDFObject) -> bytes:
    """An object without references formatted once, for `Preformatted`."""
    return obj.format(_OUTSIDE)


def split_at_reference(obj: pdfdoc.PDFObject) -> tuple[bytes, bytes]:
    """An object holding one ReferenceSlot, formatted outside any document: (before, after)."""
    before, slot, after = format_outside(obj).partition(_SLOT)
    if not slot or _SLOT in after:
        raise ValueError("exactly one ReferenceSlot expected")
    return before, after


class PreformattedWithReference(pdfdoc.PDFObject):
    """An object formatted once (`split_at_reference`) with this document's reference."""

    def __init__(self, before: bytes, after: bytes, reference):
        self.before, self.after, self.reference = before, after, reference

    def format(self, document):
        return self.before + self.reference.format(document) + self.after


@lru_cache(maxsize=8192)
def _text_units(text: str, face) -> float:
    get, default = face.charWidths.get, face.defaultWidth
    return sum(get(ord(char), default) for char in text)


def string_width(text: str, font: str, size: float) -> float:
    """ReportLab's measure (the same float: the same sum, then the same product), with the
    sum of a text's widths remembered per font face: fitting a line measures the same
    texts (a template's title, issuer and body) again in every document."""
    registered = pdfmetrics.getFont(font)
    if not isinstance(registered, TTFont):
        return pdfmetrics.stringWidth(text, font, size)
    return 0.001 * size * _text_units(text, registered.face)
