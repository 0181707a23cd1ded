"""One place registers the PDF fonts (cms.pdf): certificates and reports draw with the same
registered Vietnamese-capable faces, as one family."""

import io

import pytest
from reportlab.lib.fonts import tt2ps
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate

from cms import pdf
from courses.certificates import render


def test_certificates_draw_with_the_shared_fonts():
    assert (render.FONT, render.FONT_BOLD) == (pdf.FONT, pdf.FONT_BOLD)
    assert render.ensure_fonts is pdf.ensure_fonts
    assert render.CertificateFontMissing is pdf.PdfFontMissing


def test_fonts_registered_once_as_a_family():
    pdf.ensure_fonts()
    regular, bold = pdfmetrics.getFont(pdf.FONT), pdfmetrics.getFont(pdf.FONT_BOLD)
    pdf.ensure_fonts()
    assert pdfmetrics.getFont(pdf.FONT) is regular and pdfmetrics.getFont(pdf.FONT_BOLD) is bold
    assert isinstance(bold, pdf.SubsetCachingTTFont)
    assert tt2ps(pdf.FONT, 1, 0) == pdf.FONT_BOLD  # <b> in a Paragraph picks the bold face
    # Every Vietnamese letter of the seed has a glyph (no .notdef boxes).
    face = regular.face
    assert all(ord(ch) in face.charToGlyph for ch in pdf.SUBSET_SEED)


def test_a_report_paragraph_in_vietnamese():
    pdf.ensure_fonts()
    out = io.BytesIO()
    style = ParagraphStyle("body", fontName=pdf.FONT, fontSize=9)
    SimpleDocTemplate(out).build([Paragraph("<b>Đơn vị</b>: Sở Nội vụ tỉnh Phú Thọ", style)])
    from pypdf import PdfReader

    page = PdfReader(out).pages[0]
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    # Both faces embedded (named after the TTF files: DejaVu Sans by default).
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= {name.split("+")[-1] for name in fonts}
    assert "Đơn vị: Sở Nội vụ tỉnh Phú Thọ" in page.extract_text()


def test_a_missing_font_says_what_to_install(settings):
    settings.CERTIFICATE_FONT_PATH = "/nonexistent/NoSuchFont.ttf"
    with pytest.raises(pdf.PdfFontMissing, match="fonts-dejavu-core"):
        pdf.ensure_fonts()


@pytest.mark.parametrize("size", [7, 8.5, 11, 13.0, 32])
def test_string_width_is_reportlabs_measure(size):
    """The remembered sums give exactly ReportLab's float (line fitting compares with <=)."""
    pdf.ensure_fonts()
    for text in ("", "GIẤY CHỨNG NHẬN", "Nguyễn Thị Hồng Nhung", "Zoë Ångström ✓", "a " * 40):
        for font in (pdf.FONT, pdf.FONT_BOLD, "Helvetica"):
            if font == "Helvetica" and not text.isascii():
                continue
            expected = pdfmetrics.stringWidth(text, font, size)
            assert pdf.string_width(text, font, size) == expected
            assert pdf.string_width(text, font, size) == expected  # from the cache
