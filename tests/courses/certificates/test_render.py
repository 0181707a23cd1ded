"""The PDF renderer on its own: exact Vietnamese names, long names, markup, QR, signature."""

import io
import unicodedata
from datetime import date

import pytest
from PIL import Image, ImageDraw

from courses.certificates import render
from courses.certificates.render import (
    FONT,
    FONT_BOLD,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    CertificateContent,
    CertificateFontMissing,
    render_certificate_pdf,
    template_assets,
)
from tests.courses.certificates.conftest import (
    decode_qr,
    outside_event_loop,
    pdf_page_image,
    pdf_text,
    poppler_text,
)

URL = "http://127.0.0.1:8000/chung-chi/K7MQ2XWP9R/"


def content(name, code="K7MQ2XWP9R", course="Kỹ năng số cơ bản cho mọi người"):
    return CertificateContent(
        full_name=name, course_title=course, issued_on=date(2026, 11, 29), code=code,
        verify_url=f"http://127.0.0.1:8000/chung-chi/{code}/",
    )  # fmt: skip


def png(size, colour, *, alpha=True):
    image = Image.new("RGBA" if alpha else "RGB", size, (255, 255, 255, 0) if alpha else "white")
    ImageDraw.Draw(image).ellipse((4, 4, size[0] - 4, size[1] - 4), outline=colour, width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def assets():
    return template_assets(
        "test-template-1",
        issuer="Sở Khoa học và Công nghệ tỉnh Điện Biên",
        signer_name="Phạm Thị Ngọc Ánh",
        signer_title="Giám đốc",
        logo=lambda: png((240, 240), (180, 20, 20)),
        signature=lambda: png((400, 140), (10, 20, 120)),
    )


@pytest.mark.parametrize(
    "name",
    ["Nguyễn Thị Hồng Nhung", "Đặng Văn Lâm", "Hoàng Thị Thuỷ", "Lò Thị Ửng",
     "Âu Dương Ỷ Ơn Ữ Ự Ẵ Ậ Ẹ Ễ Ỗ Ợ Ỹ Ỵ đ"],
)  # fmt: skip
def test_every_vietnamese_diacritic_reads_back_exactly(assets, name):
    text = pdf_text(render_certificate_pdf(content(name), assets))
    assert name in text
    assert "K7MQ2XWP9R" in text
    assert "Kỹ năng số cơ bản cho mọi người" in text
    assert "Sở Khoa học và Công nghệ tỉnh Điện Biên".upper() in text


def test_decomposed_input_is_drawn_composed(assets):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    assert decomposed != "Nguyễn Thị Hồng Nhung"
    text = pdf_text(render_certificate_pdf(content(decomposed), assets))
    assert "Nguyễn Thị Hồng Nhung" in text
    # No stray combining marks drawn as glyphs of their own.
    assert not any(unicodedata.combining(ch) for ch in text)


def test_markup_in_a_name_is_printed_as_text(assets):
    name = '<b>Lan</b> <script>alert("x")</script> & Co'
    text = pdf_text(render_certificate_pdf(content(name), assets))
    assert name in text


def _text_boxes(pdf: bytes):
    """(text, x0, x1, y) for every text run, in page coordinates."""
    from pypdf import PdfReader
    from reportlab.pdfbase.pdfmetrics import stringWidth

    boxes = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        base = (font_dict or {}).get("/BaseFont", "")
        font = FONT_BOLD if "Bold" in str(base) else FONT
        width = stringWidth(text, font, font_size) * tm[0] * cm[0]
        boxes.append((text, x, x + width, y))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return boxes


@pytest.mark.parametrize("words", [12, 40])
def test_very_long_names_wrap_or_shrink_and_stay_on_the_page(assets, words):
    name = " ".join(["Tôn Nữ Thị Hoàng Bảo Ngọc Khuê"] * (words // 7 + 1)).split()[:words]
    name = " ".join(name)[:150]
    pdf = render_certificate_pdf(content(name), assets)
    assert " ".join(name.split()) in pdf_text(pdf)
    boxes = _text_boxes(pdf)
    assert boxes
    for text, x0, x1, y in boxes:
        assert x0 >= -0.5 and x1 <= PAGE_WIDTH + 0.5, (text, x0, x1)
        assert 0 <= y <= PAGE_HEIGHT, (text, y)


def test_a_single_unbreakable_long_word_is_split_not_clipped(assets):
    name = "Nguyễn" * 25
    pdf = render_certificate_pdf(content(name), assets)
    for text, x0, x1, _y in _text_boxes(pdf):
        assert x0 >= 0 and x1 <= PAGE_WIDTH, text
    assert name in pdf_text(pdf).replace(" ", "")


def test_placeholders_filled_and_unknown_braces_kept():
    assets = template_assets(
        "test-template-placeholders",
        title="CHỨNG NHẬN HOÀN THÀNH",
        body="{full_name} hoàn thành {course} ngày {date} do {issuer} cấp. {khac}",
        issuer="UBND xã Tả Van",
    )
    text = pdf_text(render_certificate_pdf(content("Lò Thị Ửng"), assets))
    assert "Lò Thị Ửng hoàn thành Kỹ năng số cơ bản cho mọi người ngày 29/11/2026" in text
    assert "do UBND xã Tả Van cấp. {khac}" in text
    assert render.unknown_placeholders("{full_name} {khac} {date}") == ["khac"]


def test_the_page_is_a4_landscape(assets):
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(render_certificate_pdf(content("Đặng Văn Lâm"), assets))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)


def test_qr_code_decodes_to_the_verification_url(assets):
    image = pdf_page_image(render_certificate_pdf(content("Hoàng Thị Thuỷ"), assets))
    assert decode_qr(image) == [URL]


def test_template_images_are_prepared_once_per_version():
    calls = []

    def logo():
        calls.append(1)
        return png((120, 120), (0, 120, 0))

    first = template_assets("test-template-cache-v1", logo=logo)
    second = template_assets("test-template-cache-v1", logo=logo)
    assert first is second and len(calls) == 1
    template_assets("test-template-cache-v2", logo=logo)
    assert len(calls) == 2
    # The same prepared image drawn into two documents makes two valid PDFs with the image.
    for name in ("Lò Thị Ửng", "Đặng Văn Lâm"):
        pdf = render_certificate_pdf(content(name), first)
        assert b"/Subtype /Image" in pdf


def test_a_background_image_is_embedded_as_jpeg():
    assets = template_assets(
        "test-template-background", background=lambda: png((1200, 850), (0, 0, 0), alpha=False)
    )
    pdf = render_certificate_pdf(content("Đặng Văn Lâm"), assets)
    assert b"/DCTDecode" in pdf
    assert "Đặng Văn Lâm" in pdf_text(pdf)


def test_a_missing_font_fails_with_a_clear_message(settings, assets):
    settings.CERTIFICATE_FONT_PATH = "/nonexistent/NoSuchFont.ttf"
    try:
        with pytest.raises(CertificateFontMissing, match="fonts-dejavu-core"):
            render_certificate_pdf(content("Đặng Văn Lâm"), assets)
    finally:
        settings.CERTIFICATE_FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def test_signed_pdf_signature_verifies(assets, signing_pkcs12):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from courses.certificates.signing import sign_pdf

    pdf = render_certificate_pdf(content("Nguyễn Thị Hồng Nhung"), assets)
    signed = sign_pdf(pdf, reason="Chứng chỉ HọcSố")
    reader = PdfFileReader(io.BytesIO(signed))
    assert len(reader.embedded_signatures) == 1
    status = outside_event_loop(
        validate_pdf_signature,
        reader.embedded_signatures[0],
        ValidationContext(trust_roots=[signing_pkcs12]),
    )
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert "Nguyễn Thị Hồng Nhung" in pdf_text(signed)

    # A byte changed after signing breaks it.
    tampered = bytearray(signed)
    index = tampered.index(b"/Title")
    tampered[index + 1 : index + 2] = b"t"
    broken = PdfFileReader(io.BytesIO(bytes(tampered)), strict=False)
    status = outside_event_loop(
        validate_pdf_signature,
        broken.embedded_signatures[0],
        ValidationContext(trust_roots=[signing_pkcs12]),
    )
    assert not status.intact


def test_font_subsets_are_made_once_and_shared(assets):
    from reportlab.pdfbase import pdfmetrics

    render.ensure_fonts()  # the test may run first in its worker
    bold = pdfmetrics.getFont(FONT_BOLD)
    render_certificate_pdf(content("Đặng Văn Lâm"), assets)
    cached = dict(bold._subset_cache)
    for name in ("Lò Thị Ửng", "Nguyễn Thị Hồng Nhung", "Hoàng Thị Thuỷ"):
        render_certificate_pdf(content(name), assets)
    assert dict(bold._subset_cache) == cached  # same subsets: no new font program made
    # A letter outside the seed (ë, Å) still prints and reads back, in a subset of its own.
    pdf = render_certificate_pdf(content("Zoë Ångström"), assets)
    assert "Zoë Ångström" in pdf_text(pdf)


def test_signing_works_inside_a_running_event_loop(assets, signing_pkcs12):
    import asyncio
    import concurrent.futures

    from courses.certificates.signing import sign_pdf

    pdf = render_certificate_pdf(content("Lò Thị Ửng"), assets)

    async def sign_in_loop():
        return sign_pdf(pdf, reason="Chứng chỉ HọcSố")

    # A thread of its own: this test process may already run Playwright's loop (browser
    # tests on the same xdist worker), and asyncio.run() refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(asyncio.run, sign_in_loop()).result()
    assert b"/ByteRange" in signed and "Lò Thị Ửng" in pdf_text(signed)


def test_two_certificates_after_a_warm_cache_each_carry_only_their_own_text(assets):
    """The per-process caches (font subsets, widths and ToUnicode maps, images, measured
    widths) hold nothing of a person: two certificates drawn one after the other with warm
    caches read back (poppler and pypdf) with their own name, code and QR code only."""
    render_certificate_pdf(content("Đặng Văn Lâm", code="WARM2345XY"), assets)
    people = [("Nguyễn Thị Hồng Nhung", "AB23CD45EF"), ("Lò Thị Ửng", "GH67JK89LM")]
    pdfs = [render_certificate_pdf(content(name, code=code), assets) for name, code in people]
    for (name, code), pdf, (other_name, other_code) in zip(people, pdfs, people[::-1], strict=True):
        for text in (poppler_text(pdf), pdf_text(pdf)):
            assert name in text and code in text
            assert other_name not in text and other_code not in text
            assert "Đặng Văn Lâm" not in text and "WARM2345XY" not in text
        assert decode_qr(pdf_page_image(pdf)) == [f"http://127.0.0.1:8000/chung-chi/{code}/"]


def test_the_shortcuts_write_the_bytes_reportlab_and_segno_write(assets, monkeypatch):
    """The font dictionaries taken from the cache, the seeded subsets copied, the document
    written from its template, the text drawn without ReportLab's unused measuring and the
    QR matrix from the cached layout are exactly what ReportLab and segno make
    anew, for seed-only names and for letters outside the seed (a subset of their own)."""
    import segno
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from cms import pdf as cms_pdf

    names = [
        "Hoàng Thị Thuỷ", "Zoë Ångström Đỗ", "Lê (Bé) \\ Út <b>", "Nguyễn\u00a0Thị Hà",
        # Letters enough outside the seed to fill its subset: runs in a second subset.
        "Đỗ " + "".join(chr(c) for c in range(0x0410, 0x0450)) + " " + "".join(
            chr(c) for c in range(0x03B1, 0x03CA)
        ),
    ]  # fmt: skip
    cached = [render_certificate_pdf(content(name), assets) for name in names]
    cached_again = [render_certificate_pdf(content(name), assets) for name in names]
    monkeypatch.setattr(cms_pdf.SubsetCachingTTFont, "addObjects", TTFont.addObjects)
    monkeypatch.setattr(
        cms_pdf.SubsetCachingTTFont, "seed", lambda font, text, doc: font.splitString(text, doc)
    )
    monkeypatch.setattr(render.CertificateCanvas, "save", Canvas.save)
    monkeypatch.setattr(render.CertificateCanvas, "drawString", Canvas.drawString)
    monkeypatch.setattr(render.CertificateCanvas, "drawCentredString", Canvas.drawCentredString)
    monkeypatch.setattr(
        render, "qr_matrix",
        lambda data, mask: segno.make(data, error="m", micro=False, mask=mask).matrix,
    )  # fmt: skip
    fresh = [render_certificate_pdf(content(name), assets) for name in names]
    assert cached == cached_again == fresh


def test_qr_matrix_is_segnos_for_every_mask_and_url_length():
    import random

    import segno

    rng = random.Random(16)
    origins = ["http://127.0.0.1:8000", "https://hocso.phutho.gov.vn",
               "https://a-much-longer-origin.hocso.example.gov.vn:8443/duong-dan/con"]  # fmt: skip
    for index in range(120):
        code = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
        data = f"{origins[index % 3]}/chung-chi/{code}/"
        mask = index % 8
        expected = segno.make(data, error="m", micro=False, mask=mask).matrix
        assert [bytes(row) for row in render.qr_matrix(data, mask)] == [
            bytes(row) for row in expected
        ], data


def test_font_objects_and_images_are_formatted_once(assets, monkeypatch):
    from reportlab.pdfbase import pdfdoc, ttfonts

    from cms import pdf as cms_pdf

    render_certificate_pdf(content("Đặng Văn Lâm"), assets)  # warm: the seed's subsets
    calls = []

    def counting(name, subset, original=ttfonts.makeToUnicodeCMap):
        calls.append(name)
        return original(name, subset)

    def counting_format(self, document, original=pdfdoc.PDFImageXObject.format):
        calls.append(self.name)
        return original(self, document)

    def counting_descriptor(self, fontname, ref, original=cms_pdf.SubsetCachingTTFont._descriptor):
        calls.append(fontname)
        return original(self, fontname, ref)

    monkeypatch.setattr(ttfonts, "makeToUnicodeCMap", counting)
    monkeypatch.setattr(cms_pdf, "makeToUnicodeCMap", counting)
    monkeypatch.setattr(pdfdoc.PDFImageXObject, "format", counting_format)
    monkeypatch.setattr(cms_pdf.SubsetCachingTTFont, "_descriptor", counting_descriptor)
    for name in ("Nguyễn Thị Hồng Nhung", "Lò Thị Ửng"):
        pdf = render_certificate_pdf(content(name), assets)
        assert name in pdf_text(pdf) and pdf.count(b"/Subtype /Image") == 4
    assert calls == []  # no ToUnicode map, image XObject or font descriptor formatted again


def test_streams_are_deflated_without_an_ascii85_layer(assets):
    """Images and the page are binary Flate streams (ASCII85 made every document encode the
    image text again and the file 25% larger); the images are still drawn."""
    pdf = render_certificate_pdf(content("Vi Văn Quyết"), assets)
    assert b"ASCII85Decode" not in pdf
    assert pdf.count(b"/Subtype /Image") == 4  # logo and signature, each with its soft mask
    image = pdf_page_image(pdf, dpi=50).convert("RGB")
    pixels, (width, height) = image.load(), image.size
    reds = sum(
        1 for x in range(width) for y in range(height)
        if pixels[x, y][0] > 150 and pixels[x, y][1] < 80 and pixels[x, y][2] < 80
    )  # fmt: skip
    assert reds > 20  # the red logo ring is on the page


def test_a_document_of_a_known_structure_is_written_from_its_template(assets, monkeypatch):
    """Once a structure (images, font subsets) has been written by ReportLab, the next
    documents of that structure are written from the template: no ReportLab document
    formatting, no font objects made, and each reads back with its own text and QR code;
    a name with letters outside the seed gets a template of its own."""
    from reportlab.pdfbase import pdfdoc

    from cms import pdf as cms_pdf

    for name in ("Đặng Văn Lâm", "Zoë Ångström"):  # warm: both structures
        render_certificate_pdf(content(name, code="WARM2345XY"), assets)

    def refuse(*args, **kwargs):
        raise AssertionError("formatted by ReportLab again")

    monkeypatch.setattr(pdfdoc.PDFDocument, "GetPDFData", refuse)
    monkeypatch.setattr(cms_pdf.SubsetCachingTTFont, "addObjects", refuse)
    for name, code in (("Lò Thị Ửng", "GH67JK89LM"), ("Zoë Ångström", "AB23CD45EF")):
        pdf = render_certificate_pdf(content(name, code=code), assets)
        for text in (poppler_text(pdf), pdf_text(pdf)):
            assert name in text and code in text and "WARM2345XY" not in text
        assert decode_qr(pdf_page_image(pdf)) == [f"http://127.0.0.1:8000/chung-chi/{code}/"]
    monkeypatch.undo()
    with pytest.raises(AssertionError, match="again"):  # a new structure: ReportLab writes it
        monkeypatch.setattr(pdfdoc.PDFDocument, "GetPDFData", refuse)
        render_certificate_pdf(content("Ærøskøbing Ünal"), assets)


def test_qr_modules_come_from_terms_computed_once_per_symbol_shape():
    """The QR modules are an affine function of the data codewords, with the terms computed
    once per version, error level and mask: once warm, no certificate's QR code runs error
    correction, and the matrices stay segno's (also for codes never seen before)."""
    import unittest.mock

    import segno
    from segno import encoder

    render.qr_matrix("https://hocso.example.vn/chung-chi/WARM2345XY/", 5)
    urls = [f"https://hocso.example.vn/chung-chi/{code}/" for code in
            ("ZZZZ9999ZZ", "K7MQ2XWP9R", "23456789AB")]  # fmt: skip
    expected = [segno.make(url, error="m", micro=False, mask=5).matrix for url in urls]
    with unittest.mock.patch.object(
        encoder, "make_final_message", side_effect=AssertionError("error correction again")
    ):
        for url, matrix in zip(urls, expected, strict=True):
            assert [bytes(r) for r in render.qr_matrix(url, 5)] == [bytes(r) for r in matrix]


def test_pdf_strings_are_reportlabs():
    """The Info's title and subject are escaped by one translate: the bytes of ReportLab's
    own PDFString, for PDFDocEncoding texts, UTF-16 ones, brackets, backslashes and control
    characters."""
    from reportlab.pdfbase import pdfdoc

    doc = pdfdoc.PDFDocument(invariant=1)
    texts = ["", "GIẤY CHỨNG NHẬN – Lò Thị Ửng", "Plain (ascii) \\ text", "a\tb\nc\x00",
             "Kỹ năng số · K7MQ2XWP9R", "Zoë Ångström", "naïve", "(((", "\u00a0",
             "€ ‰ •"]  # fmt: skip
    for text in texts:
        assert render.pdf_string(text) == pdfdoc.PDFString(text).format(doc), text


def test_byte_mode_qr_codewords_are_computed_once_per_length():
    """Addresses of one length (byte mode) share their codewords' layout: once one has gone
    through segno's bit buffer, the next ones are one XOR of their bytes, still segno's
    codewords and matrices, for any mask; other lengths and modes go through segno."""
    import unittest.mock

    import segno
    from segno import encoder

    render.qr_matrix("https://hocso.example.vn/chung-chi/WARM2345XY/", 2)  # warm: this length
    urls = [f"https://hocso.example.vn/chung-chi/{code}/" for code in
            ("ZZZZ9999ZZ", "K7MQ2XWP9R", "23456789AB", "zz(\\)  ~qq")]  # fmt: skip
    expected = [[segno.make(url, error="m", micro=False, mask=m).matrix for m in (2, 6)]
                for url in urls]  # fmt: skip
    with unittest.mock.patch.object(
        encoder, "write_segment", side_effect=AssertionError("bit buffer again")
    ):
        for url, matrices in zip(urls, expected, strict=True):
            for mask, matrix in zip((2, 6), matrices, strict=True):
                assert [bytes(r) for r in render.qr_matrix(url, mask)] == [
                    bytes(r) for r in matrix
                ], url
    for data in ("HTTPS://HOCSO.VN/CHUNG-CHI/ABC/", "https://hocso.example.vn/x/", "Đỗ Ánh"):
        assert [bytes(r) for r in render.qr_matrix(data, 4)] == [
            bytes(r) for r in segno.make(data, error="m", micro=False, mask=4).matrix
        ], data


def test_text_of_known_letters_is_written_without_reportlabs_text_object(assets, monkeypatch):
    """Once the letters have their codes in the document's subsets (the seed's), a line is
    written directly (the bytes ReportLab's text object writes: the identity test above);
    a letter outside the subsets still goes through ReportLab, which assigns its code."""
    from reportlab.pdfgen.textobject import PDFTextObject

    render_certificate_pdf(content("Đặng Văn Lâm"), assets)  # warm
    used = []
    original = PDFTextObject._formatText
    monkeypatch.setattr(
        PDFTextObject, "_formatText", lambda self, text: used.append(text) or original(self, text)
    )
    pdf = render_certificate_pdf(content("Nguyễn Thị Hồng Nhung"), assets)
    assert used == [] and "Nguyễn Thị Hồng Nhung" in pdf_text(pdf)
    pdf = render_certificate_pdf(content("Zoë Ångström"), assets)
    assert any("Zoë" in text for text in used) and "Zoë Ångström" in pdf_text(pdf)
