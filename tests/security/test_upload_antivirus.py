"""Issue 19: uploads are scanned by ClamAV over clamd's socket (CLAMAV_SOCKET). No signature
download is possible here, so the session starts Debian's clamd with a database of one
signature made now (tests/security/conftest.py: clamd_socket). An infected package or
document is refused with the signature's name; with the scanner down, a package waits
"pending" (never played) and a document is refused."""

import io

import pytest

from assessments.h5p import services, storage
from assessments.h5p.models import H5PPackage
from cms import antivirus
from tests.assessments.h5p.conftest import build_zip, minimal_package
from tests.security.conftest import EICAR, SIGNATURE


def test_clean_and_infected_streams(scanning):
    assert antivirus.scan_stream(io.BytesIO(b"hello")) is None
    assert antivirus.scan_stream(io.BytesIO(EICAR)).startswith(SIGNATURE)
    zipped = build_zip({"a/b/readme.txt": EICAR})
    assert antivirus.scan_stream(io.BytesIO(zipped)).startswith(SIGNATURE)


def _upload_package(data: bytes, django_capture_on_commit_callbacks) -> H5PPackage:
    with django_capture_on_commit_callbacks(execute=True):
        package = services.package_create(title="Gói", fileobj=io.BytesIO(data))
    package.refresh_from_db()
    return package


@pytest.mark.django_db
def test_an_infected_h5p_package_is_refused_with_the_signature_name(
    scanning, django_capture_on_commit_callbacks
):
    # A text file (allowed by name and by content) holding the EICAR string.
    package = _upload_package(
        build_zip(minimal_package({"content/readme.txt": EICAR})),
        django_capture_on_commit_callbacks,
    )
    assert package.status == H5PPackage.Status.FAILED
    assert package.error_messages == [
        f"Trình quét virus phát hiện “{SIGNATURE}.UNOFFICIAL” trong tệp: tệp bị từ chối."
    ]
    assert not storage.content_path(package.archive_sha256).exists()


@pytest.mark.django_db
def test_a_clean_package_is_scanned_and_accepted(scanning, django_capture_on_commit_callbacks):
    package = _upload_package(build_zip(minimal_package()), django_capture_on_commit_callbacks)
    assert package.status == H5PPackage.Status.READY, package.error_messages


@pytest.mark.django_db
def test_scanner_down_leaves_the_package_pending_and_never_played(settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd.sock")
    settings.H5P_STORAGE_ROOT = tmp_path / "h5p-private"
    sha, size = storage.store_upload(io.BytesIO(build_zip(minimal_package())), max_bytes=10**7)
    package = H5PPackage.objects.create(title="Chờ quét", archive_sha256=sha, archive_size=size)
    with pytest.raises(antivirus.ScannerUnavailable):
        services.package_process(package_id=package.pk)
    package.refresh_from_db()
    assert package.status == H5PPackage.Status.PENDING
    assert not services.package_is_playable(package)
    assert not storage.content_path(sha).exists()


@pytest.mark.django_db
def test_documents_are_scanned_in_the_admin(scanning, client, user_factory, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.documents.models import Document

    client.force_login(user_factory(is_superuser=True, is_staff=True))
    infected = SimpleUploadedFile("ghi-chu.txt", EICAR, content_type="text/plain")
    response = client.post("/admin/documents/add/", {"title": "Ghi chú", "file": infected})
    assert response.status_code == 200
    assert f"phát hiện “{SIGNATURE}.UNOFFICIAL”" in response.content.decode()
    assert not Document.objects.exists()
    settings.CLAMAV_SOCKET = str(tmp_path / "down.sock")
    clean = SimpleUploadedFile("ghi-chu.txt", b"Xin chao", content_type="text/plain")
    response = client.post("/admin/documents/add/", {"title": "Ghi chú", "file": clean})
    assert "Trình quét virus hiện không hoạt động" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_package_check_scans_too(scanning, tmp_path):
    from tests.assessments.scorm.conftest import scorm_zip
    from tests.assessments.scorm.test_validation import run_check

    infected = tmp_path / "infected.zip"
    infected.write_bytes(scorm_zip({"sco1/notes.txt": EICAR}))
    out, code = run_check(infected)
    assert code == 1
    assert out.startswith(f"refused Trình quét virus phát hiện “{SIGNATURE}.UNOFFICIAL”")
