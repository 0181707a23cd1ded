"""Issuing, rendering, revoking, re-issuing; the completion hook; template changes."""

import pytest
from django.core.exceptions import ValidationError

from courses.certificates import services
from courses.certificates.models import (
    CODE_ALPHABET,
    Certificate,
    CertificateCourse,
    CertificateTemplate,
)
from courses.certificates.tasks import certificate_render_task, certificates_rerender_template_task
from tests.courses.certificates.conftest import outside_event_loop, pdf_text

pytestmark = pytest.mark.django_db


def read_pdf(certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def make_template(**fields):
    fields.setdefault("name", "Mẫu thử")
    fields.setdefault("issuer", "Sở Thông tin và Truyền thông tỉnh Hà Giang")
    template = CertificateTemplate(**fields)
    template.full_clean()
    template.save()
    return template


def test_completing_a_course_issues_and_renders_one_certificate(completed):
    user, course, certificate = completed(full_name="Đặng Văn Lâm")
    assert len(certificate.code) == 10 and set(certificate.code) <= set(CODE_ALPHABET)
    assert certificate.full_name == "Đặng Văn Lâm"
    assert certificate.course_title == "Kỹ năng số cơ bản"
    assert certificate.render_status == Certificate.RenderStatus.RENDERED
    assert not certificate.signed
    text = pdf_text(read_pdf(certificate))
    assert "Đặng Văn Lâm" in text and certificate.code in text and "Kỹ năng số cơ bản" in text
    # Issuing again (a retry, a second completion path) returns the same row.
    again = services.certificate_issue(user=user, course=course)
    assert again.pk == certificate.pk
    assert Certificate.objects.filter(user=user).count() == 1


def test_issue_snapshots_the_name_nfc(
    user_factory, course_factory, django_capture_on_commit_callbacks
):
    import unicodedata

    user = user_factory(full_name="Hoàng Thị Thuỷ")
    user.full_name = unicodedata.normalize("NFD", "  Hoàng   Thị Thuỷ ")
    user.save(update_fields=["full_name"])
    course = course_factory(lessons=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        certificate = services.certificate_issue(user=user, course=course)
    # One render enqueued, on commit; and the certificate notice's bell count forgotten
    # again on commit (campaigns.notice_counts).
    assert len(callbacks) == 2
    certificate.refresh_from_db()
    assert certificate.full_name == "Hoàng Thị Thuỷ"
    assert certificate.name_key == "hoang thi thuy"
    assert "Hoàng Thị Thuỷ" in pdf_text(read_pdf(certificate))


def test_render_is_idempotent_unless_forced(completed, django_capture_on_commit_callbacks):
    _user, _course, certificate = completed()
    first_name, first_at = certificate.pdf.name, certificate.rendered_at
    result = certificate_render_task.apply(args=[certificate.pk]).get()
    assert result["result"] == "current"
    certificate.refresh_from_db()
    assert (certificate.pdf.name, certificate.rendered_at) == (first_name, first_at)
    with django_capture_on_commit_callbacks(execute=True):
        forced = services.certificate_render(certificate=certificate, force=True)
    assert forced.pdf.name != first_name and forced.rendered_at > first_at
    # The old file is deleted once the new one is in (on commit).
    assert not forced.pdf.storage.exists(first_name)


def test_template_assigned_to_course_wins_over_default(course_factory, user_factory):
    default = make_template(name="Mặc định", is_default=True, issuer="HọcSố")
    special = make_template(name="Riêng", issuer="UBND xã Lũng Cú")
    course, other = course_factory(lessons=1), course_factory(lessons=1)
    CertificateCourse.objects.create(template=special, course=course)
    assert CertificateTemplate.objects.for_course(course.pk) == special
    assert CertificateTemplate.objects.for_course(other.pk) == default
    certificate = services.certificate_issue(user=user_factory(), course=course)
    assert certificate.template == special and certificate.issuer == "UBND xã Lũng Cú"


def test_one_default_template_and_one_template_per_course(course_factory):
    from django.db import IntegrityError, transaction

    make_template(name="A", is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateTemplate.objects.create(name="B", issuer="X", is_default=True)
    course = course_factory(lessons=1)
    first = make_template(name="C")
    CertificateCourse.objects.create(template=first, course=course)
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateCourse.objects.create(template=make_template(name="D"), course=course)


def test_unknown_placeholder_is_refused_in_vietnamese():
    template = CertificateTemplate(
        name="Sai", issuer="X", body="Chúc mừng {ho_ten} đã học {course}"
    )
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "{ho_ten}" in str(error.value.message_dict["body"])
    assert "Biến không hợp lệ" in str(error.value.message_dict["body"])


def test_template_change_rerenders_its_certificates(completed, course_factory):
    template = make_template(name="Mặc định", is_default=True, issuer="Sở Nội vụ")
    _u, _c, first = completed(course=course_factory(lessons=1))
    _u, _c, second = completed(full_name="Lò Thị Ửng", course=course_factory(lessons=1))
    assert first.template == template and "SỞ NỘI VỤ" in pdf_text(read_pdf(first))
    names = {first.pk: first.pdf.name, second.pk: second.pdf.name}

    template.issuer = "Sở Khoa học và Công nghệ"
    template.save()
    assert Certificate.objects.out_of_date(template=template).count() == 2
    result = certificates_rerender_template_task.apply(args=[template.pk]).get()
    assert result["enqueued"] == 2
    for certificate in Certificate.objects.filter(pk__in=names):
        assert certificate.pdf.name != names[certificate.pk]
        assert certificate.issuer == "Sở Khoa học và Công nghệ"
        assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in pdf_text(read_pdf(certificate))
    assert Certificate.objects.out_of_date(template=template).count() == 0
    # Nothing left to do: a second run renders nothing.
    assert certificates_rerender_template_task.apply(args=[template.pk]).get()["enqueued"] == 0


def test_revoke_needs_a_reason_and_keeps_the_row(completed):
    _user, _course, certificate = completed()
    with pytest.raises(ValidationError) as error:
        services.certificate_revoke(certificate=certificate, reason="   ")
    assert "lý do" in error.value.messages[0]
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    revoked = services.certificate_revoke(certificate=certificate, reason="Gian lận khi làm bài")
    assert revoked.is_revoked and revoked.revoke_reason == "Gian lận khi làm bài"
    at = revoked.revoked_at
    again = services.certificate_revoke(certificate=certificate, reason="Lần hai")
    assert again.revoked_at == at and again.revoke_reason == "Gian lận khi làm bài"
    # A revoked certificate is not drawn again.
    assert (
        certificate_render_task.apply(args=[certificate.pk], kwargs={"force": True}).get()["result"]
        == "revoked"
    )


def test_reissue_takes_the_corrected_name_keeps_the_code(
    completed, django_capture_on_commit_callbacks
):
    user, _course, certificate = completed(full_name="Nguyen Thi Hong Nhung")
    services.certificate_revoke(certificate=certificate, reason="Sai chính tả họ tên")
    user.full_name = "Nguyễn Thị Hồng Nhung"
    user.save(update_fields=["full_name"])
    with django_capture_on_commit_callbacks(execute=True):
        reissued = services.certificate_reissue(certificate=certificate)
    reissued.refresh_from_db()
    assert reissued.code == certificate.code and not reissued.is_revoked
    assert reissued.full_name == "Nguyễn Thị Hồng Nhung"
    assert reissued.render_status == Certificate.RenderStatus.RENDERED
    assert "Nguyễn Thị Hồng Nhung" in pdf_text(read_pdf(reissued))


def test_a_missing_font_marks_the_render_failed_with_the_reason(
    settings, user_factory, course_factory
):
    certificate = services.certificate_issue(user=user_factory(), course=course_factory(lessons=1))
    settings.CERTIFICATE_FONT_PATH = "/nonexistent/font.ttf"
    with pytest.raises(Exception, match="fonts-dejavu-core"):
        certificate_render_task.apply(args=[certificate.pk], throw=True).get()
    certificate.refresh_from_db()
    assert certificate.render_status == Certificate.RenderStatus.FAILED
    assert "CERTIFICATE_FONT_PATH" in certificate.render_error
    assert not certificate.pdf


def test_signed_when_a_key_is_configured(completed, signing_pkcs12):
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _user, _course, certificate = completed(full_name="Lò Thị Ửng")
    assert certificate.signed
    reader = PdfFileReader(BytesIO(read_pdf(certificate)))
    status = outside_event_loop(
        validate_pdf_signature,
        reader.embedded_signatures[0],
        ValidationContext(trust_roots=[signing_pkcs12]),
    )
    assert status.intact and status.valid and status.trusted


def test_sample_preview_uses_the_template(rf):
    template = make_template(name="Xem thử", issuer="Ban Chỉ đạo Bình dân học vụ số")
    response = template.serve_preview(rf.get("/"), "")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert services.SAMPLE_NAME in text and "BAN CHỈ ĐẠO BÌNH DÂN HỌC VỤ SỐ" in text


def _library_image(colour):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    out = io.BytesIO()
    PILImage.new("RGB", (90, 60), colour).save(out, "PNG")
    image = Image(title="Logo thử", file=ImageFile(io.BytesIO(out.getvalue()), name="logo.png"))
    image._set_image_file_metadata()
    image.save()
    return image, out.getvalue()


def test_a_warm_render_is_one_read_and_one_update_with_no_sql_built(
    completed, course_factory, monkeypatch, django_assert_num_queries
):
    """The render task reads the certificate with its template's fingerprint inputs (SQL
    built once per process: cms.prepared) and swaps the file in by one UPDATE (its SQL
    built once too): no transaction around it, no template or image read while the
    template's assets are cached, and no queryset compiled."""
    from django.db.models.sql.compiler import SQLCompiler

    logo, _data = _library_image((200, 30, 30))
    make_template(name="Mặc định", is_default=True, logo=logo)
    _u, _c, first = completed(course=course_factory(lessons=1))  # warm: assets, SQL
    _u, _c, second = completed(full_name="Lò Thị Ửng", course=course_factory(lessons=1))

    def refuse(self, *args, **kwargs):
        raise AssertionError("a queryset's SQL built during a warm render")

    monkeypatch.setattr(SQLCompiler, "as_sql", refuse)
    with django_assert_num_queries(2):  # the certificate read, the swap
        services.certificate_render(certificate=second, force=True)
    monkeypatch.undo()
    second.refresh_from_db()
    assert second.render_status == Certificate.RenderStatus.RENDERED
    assert second.template_fingerprint == second.template.fingerprint()
    assert "Lò Thị Ửng" in pdf_text(read_pdf(second))


def test_a_template_image_replaced_since_is_never_drawn_from_the_cache(
    completed, course_factory, monkeypatch
):
    """The assets are found by the fingerprint read with the certificate: a logo replaced by
    another image, or the same image re-uploaded (a new file hash), since the assets were
    cached is drawn as it is now, and the fingerprint stored is the template's new one."""
    from courses.certificates import render

    red, red_data = _library_image((200, 30, 30))
    template = make_template(name="Mặc định", is_default=True, logo=red)
    _u, _c, certificate = completed(course=course_factory(lessons=1))
    drawn = []
    original = render.render_certificate_pdf
    monkeypatch.setattr(
        render, "render_certificate_pdf",
        lambda content, assets: drawn.append(assets) or original(content, assets),
    )  # fmt: skip

    def logo_drawn():
        services.certificate_render(certificate=certificate, force=True)
        certificate.refresh_from_db()
        assert (
            certificate.template_fingerprint
            == CertificateTemplate.objects.get(pk=template.pk).fingerprint()
        )
        return drawn[-1].logo.key

    import hashlib

    assert logo_drawn().startswith(hashlib.sha256(red_data).hexdigest()[:24])
    blue, blue_data = _library_image((20, 30, 200))
    template.logo = blue
    template.save()
    assert logo_drawn().startswith(hashlib.sha256(blue_data).hexdigest()[:24])
    # The same image re-uploaded: its row keeps its id, the file and its hash change.
    green, green_data = _library_image((20, 200, 30))
    blue.file, blue.file_hash = green.file.name, green.file_hash
    blue.save()
    assert logo_drawn().startswith(hashlib.sha256(green_data).hexdigest()[:24])
