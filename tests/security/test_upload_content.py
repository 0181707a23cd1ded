"""Issue 19: an upload is checked by what it contains, not by its name. An H5P package whose
content/ "image" is the EICAR test string was accepted, extracted and served as image/jpeg;
now it is refused before anything is extracted, through the admin upload as well."""

import io
import zipfile

import pytest
from PIL import Image

from assessments.h5p import storage
from assessments.h5p.models import H5PPackage
from assessments.h5p.validation import inspect_package as inspect_h5p
from assessments.scorm.validation import inspect_package as inspect_scorm
from cms.uploads import content_problem
from tests.assessments.h5p.conftest import build_zip, minimal_package
from tests.assessments.scorm.conftest import scorm_package

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_REASON = "“content/images/cat.jpg” không thực sự là tệp .jpg"


@pytest.fixture(autouse=True)
def h5p_storage(settings, tmp_path):
    settings.H5P_STORAGE_ROOT = tmp_path / "h5p-private"
    return settings.H5P_STORAGE_ROOT


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, fmt)
    return buffer.getvalue()


def h5p_with(name: str, data: bytes) -> io.BytesIO:
    return io.BytesIO(build_zip(minimal_package({name: data})))


def test_eicar_named_as_an_image_is_refused_in_h5p():
    result = inspect_h5p(h5p_with("content/images/cat.jpg", EICAR))
    assert result.errors == [EICAR_REASON + ": nội dung của nó là dữ liệu không nhận dạng được."]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("content/images/cat.png", b"<script>alert(1)</script>"),
        ("content/images/cat.gif", b"MZ\x90\x00\x03" + b"\x00" * 200),  # a Windows program
        ("content/video.mp4", EICAR),
        ("content/doc.pdf", b"<html>not a pdf</html>"),
        ("Test.Quiz-1.0/fonts/x.woff2", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
    ],
)
def test_binary_names_with_other_content_are_refused_in_h5p(name, data):
    result = inspect_h5p(h5p_with(name, data))
    assert any(f"“{name}” không thực sự là tệp" in m for m in result.errors), result.errors


def test_binary_data_in_a_text_file_is_refused():
    result = inspect_h5p(h5p_with("content/data.json", b"{\x00\x00}"))
    assert result.errors == ["“content/data.json” phải là văn bản nhưng chứa dữ liệu nhị phân."]


def test_real_images_pass_even_under_another_image_name():
    data = minimal_package(
        {
            "content/images/a.png": image_bytes("PNG"),
            "content/images/b.jpg": image_bytes("JPEG"),
            "content/images/c.jpg": image_bytes("PNG"),  # authoring tools do this
            "content/images/d.bmp": image_bytes("BMP"),
            "content/images/e.gif": image_bytes("GIF"),
        }
    )
    assert inspect_h5p(io.BytesIO(build_zip(data))).errors == []


def test_fake_image_in_scorm_is_refused():
    entries = scorm_package({"sco1/logo.png": b"%PDF-1.4\n" + EICAR})
    result = inspect_scorm(io.BytesIO(build_zip(entries)))
    assert result.errors == [
        "“sco1/logo.png” không thực sự là tệp .png: nội dung của nó là application/pdf."
    ]


def test_fixture_packages_pass_the_content_check(fixtures_dir):
    for path in sorted((fixtures_dir / "h5p" / "valid").glob("*.h5p")):
        assert inspect_h5p(path).errors == [], path
    for name in ("RuntimeMinimumCalls_SCORM12.zip", "singlescobasic.zip"):
        assert inspect_scorm(fixtures_dir / "scorm" / name).errors == [], name


def test_unknown_extensions_are_left_to_the_callers_list():
    assert content_problem("x.unknown", EICAR) is None


@pytest.mark.django_db
def test_eicar_h5p_uploaded_in_the_admin_is_refused_and_never_extracted(
    client, user_factory, django_capture_on_commit_callbacks
):
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    archive = h5p_with("content/images/cat.jpg", EICAR)
    archive.name = "eicar.h5p"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/snippets/h5p/h5ppackage/add/", {"title": "Ảnh giả", "archive": archive}
        )
    assert response.status_code == 302
    package = H5PPackage.objects.get()
    assert package.status == H5PPackage.Status.FAILED
    assert any(EICAR_REASON in m for m in package.error_messages)
    assert not storage.content_path(package.archive_sha256).exists()
    page = client.get(f"/admin/snippets/h5p/h5ppackage/edit/{package.pk}/").content.decode()
    assert "không thực sự là tệp .jpg" in page


def test_zip_member_read_errors_are_reasons_not_crashes():
    data = bytearray(build_zip(minimal_package({"content/images/a.png": image_bytes("PNG")})))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("content/images/a.png")
    start = info.header_offset + 30 + len(info.filename)
    data[start : start + 8] = b"\xff" * 8  # corrupt the compressed bytes
    result = inspect_h5p(io.BytesIO(bytes(data)))
    assert result.errors, "a damaged member must be refused"


# --- single uploads in the admin ------------------------------------------------------------


@pytest.fixture
def admin_client(client, user_factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(user_factory(is_superuser=True, is_staff=True))
    return client


def _upload(name: str, data: bytes, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.django_db
def test_a_document_that_is_not_what_its_name_says_is_refused(admin_client):
    from wagtail.documents.models import Document

    response = admin_client.post(
        "/admin/documents/add/",
        {"title": "Công văn", "file": _upload("cong-van.pdf", EICAR, "application/pdf")},
    )
    assert response.status_code == 200
    assert "“cong-van.pdf” không thực sự là tệp .pdf" in response.content.decode()
    assert not Document.objects.exists()
    response = admin_client.post(
        "/admin/documents/add/",
        {
            "title": "Công văn",
            "file": _upload("cong-van.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        },
    )
    assert response.status_code == 302
    assert Document.objects.get().title == "Công văn"


@pytest.mark.django_db
def test_an_image_that_is_not_an_image_is_refused(admin_client):
    from wagtail.images.models import Image as WagtailImage

    response = admin_client.post(
        "/admin/images/add/", {"title": "Ảnh", "file": _upload("anh.jpg", EICAR, "image/jpeg")}
    )
    assert response.status_code == 200
    assert not WagtailImage.objects.exists()
    response = admin_client.post(
        "/admin/images/add/",
        {"title": "Ảnh", "file": _upload("anh.jpg", image_bytes("JPEG"), "image/jpeg")},
    )
    assert response.status_code == 302
    assert WagtailImage.objects.get().title == "Ảnh"
