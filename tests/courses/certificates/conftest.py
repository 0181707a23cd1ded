"""Helpers for the certificate tests: read a PDF back as text, as an image, as a QR code."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import require


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF, runs of white space collapsed to one space."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def poppler_text(pdf: bytes) -> str:
    """All text of the PDF as poppler's pdftotext reads it, white space collapsed."""
    require(
        shutil.which("pdftotext") is not None, "pdftotext missing: apt-get install poppler-utils"
    )
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True,
        timeout=60,
    )  # fmt: skip
    return " ".join(out.stdout.decode("utf-8").split())


def pdf_page_image(pdf: bytes, dpi: int = 150):
    """The first page rendered by poppler's pdftoppm, as a PIL image."""
    from PIL import Image

    require(shutil.which("pdftoppm") is not None, "pdftoppm missing: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), f"{tmp}/out"],
            check=True,
            timeout=60,
        )
        with Image.open(Path(tmp) / "out.png") as image:
            image.load()
            return image.copy()


def decode_qr(image) -> list[str]:
    import zxingcpp

    return [result.text for result in zxingcpp.read_barcodes(image)]


def outside_event_loop(fn, *args, **kwargs):
    """Call fn in a fresh thread: pyHanko's sync API uses asyncio.run(), which fails in a
    thread where an event loop runs (Playwright's sync API leaves one in xdist workers)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


@pytest.fixture
def signing_pkcs12(tmp_path, settings):
    """A throw-away signing key and self-signed certificate in a PKCS#12 file, configured as
    the certificate signer; yields the certificate (asn1crypto: the test's trust root)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    from courses.certificates import signing

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Khoa học và Công nghệ (thử)"),
            x509.NameAttribute(NameOID.COMMON_NAME, "HọcSố test signer"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .sign(key, hashes.SHA256())
    )
    password = b"mat-khau-ky-so"
    path = tmp_path / "signer.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"hocso", key, cert, None, serialization.BestAvailableEncryption(password)
        )
    )
    settings.CERTIFICATE_SIGNING_PKCS12_PATH = str(path)
    settings.CERTIFICATE_SIGNING_PKCS12_PASSWORD = password.decode()
    signing._signer_cache.clear()
    from asn1crypto import x509 as asn1_x509

    yield asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    signing._signer_cache.clear()


# The courses tests' catalogue and course factory (real Wagtail pages), re-exported as
# fixtures of this folder.
from tests.courses.conftest import catalogue, course_factory, lessons_of  # noqa: E402,F401,F811


@pytest.fixture
def completed(user_factory, course_factory, django_capture_on_commit_callbacks):  # noqa: F811
    """Complete a course through the courses services (the real hook); returns
    (user, course, certificate) with the render enqueued on commit run eagerly."""

    def make(*, user=None, course=None, full_name="Nguyễn Thị Hồng Nhung"):
        from courses import services as course_services
        from courses.certificates.models import Certificate

        user = user or user_factory(full_name=full_name)
        course = course or course_factory(lessons=2, title="Kỹ năng số cơ bản")
        with django_capture_on_commit_callbacks(execute=True):
            course_services.enrolment_create(user=user, course=course, source="self")
            for lesson in lessons_of(course):
                course_services.lesson_progress_record(user=user, lesson=lesson, evidence="read")
        return user, course, Certificate.objects.get(user=user, course=course)

    return make
