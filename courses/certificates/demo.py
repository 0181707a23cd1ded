"""Demo data of the certificates app: the default certificate template (with a logo and a
signature drawn here with Pillow) and the demo learner's certificates for the courses the
courses demo completed for them. Idempotent: running it twice changes nothing."""

from __future__ import annotations

import io
import math

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from PIL import Image, ImageDraw, ImageFont
from wagtail.images import get_image_model

from courses.certificates import services
from courses.certificates.models import Certificate, CertificateTemplate
from courses.models import Enrolment

TEMPLATE_NAME = "Mẫu mặc định HọcSố"
LOGO_TITLE = "Biểu trưng HọcSố (chứng chỉ)"
SIGNATURE_TITLE = "Chữ ký mẫu (chứng chỉ, dữ liệu demo)"
LEARNER_EMAIL = "learner@hocso.local"

NAVY = (20, 51, 107)
GOLD = (184, 140, 46)
RED = (200, 32, 38)


def _font(size: int, bold: bool = True):
    path = settings.CERTIFICATE_FONT_BOLD_PATH if bold else settings.CERTIFICATE_FONT_PATH
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return ImageFont.load_default()


def draw_logo() -> bytes:
    """A round emblem: gold ring, navy disc, a red star and "HọcSố"."""
    size = 480
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=GOLD)
    draw.ellipse((30, 30, size - 30, size - 30), fill=NAVY)
    draw.ellipse((52, 52, size - 52, size - 52), outline=GOLD, width=4)
    cx, cy, outer, inner = size / 2, size * 0.38, 78, 31
    star = [
        (
            cx + (outer if i % 2 == 0 else inner) * math.sin(i * math.pi / 5),
            cy - (outer if i % 2 == 0 else inner) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=RED, outline=(255, 215, 0))
    font = _font(78)
    text = "HọcSố"
    box = draw.textbbox((0, 0), text, font=font)
    draw.text(((size - (box[2] - box[0])) / 2, size * 0.6), text, font=font, fill="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def draw_signature() -> bytes:
    """A hand-like flourish in dark blue ink on a transparent background."""
    width, height = 520, 180
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    ink = (18, 32, 110, 255)
    points = []
    for step in range(0, 401):
        t = step / 400
        x = 30 + t * 440
        y = 95 - 48 * math.sin(t * math.pi * 3.2) * (1 - t * 0.6) - 18 * math.sin(t * 19)
        points.append((x, y))
    draw.line(points, fill=ink, width=5, joint="curve")
    draw.line([(60, 140), (250, 128), (470, 118)], fill=ink, width=3, joint="curve")
    draw.ellipse((300, 40, 360, 100), outline=ink, width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _image(title: str, draw, filename: str):
    Image_ = get_image_model()
    existing = Image_.objects.filter(title=title).first()
    if existing is not None:
        return existing
    return Image_.objects.create(title=title, file=ImageFile(io.BytesIO(draw()), name=filename))


def ensure_default_template() -> CertificateTemplate:
    template = CertificateTemplate.objects.filter(is_default=True).first()
    if template is not None:
        return template
    template = CertificateTemplate(
        name=TEMPLATE_NAME,
        is_default=True,
        title="GIẤY CHỨNG NHẬN",
        body=(
            "Đã hoàn thành khoá học “{course}” trên nền tảng HọcSố, hưởng ứng phong trào "
            "“Bình dân học vụ số”. Cấp ngày {date}."
        ),
        issuer="Sở Khoa học và Công nghệ tỉnh Phú Thọ",
        signer_name="Trần Quốc Hưng",
        signer_title="Giám đốc",
        logo=_image(LOGO_TITLE, draw_logo, "hocso-bieu-trung.png"),
        signature_image=_image(SIGNATURE_TITLE, draw_signature, "chu-ky-mau.png"),
    )
    template.full_clean()
    template.save()
    return template


def load(stdout) -> None:
    template = ensure_default_template()
    learner = get_user_model().objects.filter(email=LEARNER_EMAIL).first()
    if learner is None:
        return
    completed = Enrolment.objects.completed().filter(user=learner).select_related("course")
    issued = 0
    for enrolment in completed:
        certificate = services.certificate_issue(user=learner, course=enrolment.course)
        if certificate.template_id is None and template is not None:
            # Issued by the courses demo before this template existed: give it the design.
            services.certificate_reissue(certificate=certificate)
        issued += 1
    if issued:
        codes = ", ".join(Certificate.objects.filter(user=learner).values_list("code", flat=True))
        stdout.write(f"  certificates of {LEARNER_EMAIL}: {codes} (/chung-chi/<code>/)")
