"""The certificates demo loader: a default template with drawn images, the demo learner's
certificate; idempotent."""

import io

import pytest
from wagtail.images import get_image_model

from courses.certificates import demo
from courses.certificates.models import Certificate, CertificateTemplate
from tests.courses.certificates.conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_gives_the_learner_a_designed_certificate(
    completed, user_factory, django_capture_on_commit_callbacks
):
    learner = user_factory(email=demo.LEARNER_EMAIL, full_name="Nguyễn Thị Hồng Nhung")
    # The courses demo completed a course before the template existed (builtin design).
    _u, _c, certificate = completed(user=learner)
    assert certificate.template is None
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(out)
    counts = (CertificateTemplate.objects.count(), get_image_model().objects.count(),
              Certificate.objects.count())  # fmt: skip
    certificate.refresh_from_db()
    rendered = (certificate.pdf.name, certificate.rendered_at)
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(io.StringIO())
    certificate.refresh_from_db()
    assert counts == (1, 2, 1)
    assert (CertificateTemplate.objects.count(), get_image_model().objects.count(),
            Certificate.objects.count()) == counts  # fmt: skip
    assert (certificate.pdf.name, certificate.rendered_at) == rendered
    template = CertificateTemplate.objects.get()
    assert template.is_default and template.logo and template.signature_image
    assert certificate.template == template
    assert certificate.code in out.getvalue()
    with certificate.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH PHÚ THỌ" in text and "Trần Quốc Hưng" in text


def test_demo_without_a_learner_only_makes_the_template():
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert CertificateTemplate.objects.filter(is_default=True).count() == 1
    assert not Certificate.objects.exists()
