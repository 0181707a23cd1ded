"""Issue 19: uploads are scanned by ClamAV over clamd's socket (CLAMAV_SOCKET). No signature
download is possible here, so the session starts Debian's clamd with a database of one
signature made now: the EICAR test string's MD5 (an .hdb line). An infected package or
document is refused with the signature's name; with the scanner down, a package waits
"pending" (never played) and a document is refused."""

import hashlib
import io
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from assessments.h5p import services, storage
from assessments.h5p.models import H5PPackage
from cms import antivirus
from tests.assessments.h5p.conftest import build_zip, minimal_package
from tests.conftest import require

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "HocSo-Eicar-Test"


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory):
    """Debian's clamd on a private socket with a one-signature database made here."""
    clamd = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    require(clamd is not None, "clamd (Debian's clamav-daemon) is not installed")
    work = tmp_path_factory.mktemp("clamd")
    (work / "db").mkdir()
    md5 = hashlib.md5(EICAR).hexdigest()  # noqa: S324 - ClamAV's .hdb format is MD5
    (work / "db" / "hocso.hdb").write_text(f"{md5}:{len(EICAR)}:{SIGNATURE}\n")
    sock = work / "clamd.sock"
    (work / "clamd.conf").write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {work / 'db'}\nForeground yes\n"
        f"LogFile {work / 'clamd.log'}\nTemporaryDirectory {work}\n"
    )
    process = subprocess.Popen(  # noqa: S603 - our own binary and config
        [clamd, "-c", str(work / "clamd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not sock.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        require(sock.exists(), f"clamd did not start: {(work / 'clamd.log').read_text()[-500:]}")
        yield str(sock)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def scanning(settings, clamd_socket, tmp_path):
    settings.CLAMAV_SOCKET = clamd_socket
    settings.H5P_STORAGE_ROOT = tmp_path / "h5p-private"
    settings.MEDIA_ROOT = tmp_path / "media"
    assert antivirus.ping()
    return clamd_socket


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
