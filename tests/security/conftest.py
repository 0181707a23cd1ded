"""The security tests attack H5P's and SCORM's entry points from several modules: the H5P and
SCORM tests' fixtures once here (private package storage in a temp folder for each test,
packages, a lesson with an H5P block, a learner in a lesson with a SCORM block in Chromium,
enrolment, an administrator); and clamd for the uploads' scans."""

import hashlib
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from cms import antivirus
from tests.assessments.conftest import two_origins  # noqa: F401 - the H5P and SCORM tests'
from tests.assessments.h5p.conftest import (  # noqa: F401 - fixtures of the H5P tests
    admin_user,
    enrol,
    h5p_lesson,
    h5p_storage,
    make_package,
    playable_package,
)
from tests.assessments.scorm.conftest import (  # noqa: F401 - fixtures of the SCORM tests
    package_storage,
    ready_package,
    scorm_lesson,
)

# --- ClamAV (issue 19): clamd with a signature database made in the session -----------------

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "HocSo-Eicar-Test"


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory):
    """Debian's clamd on a private socket with a database made here (no signature download
    is possible): the EICAR string's MD5 (.hdb, a file that is the string) and its bytes
    anywhere in a file (.ndb, e.g. in a video's free box), both named SIGNATURE."""
    from tests.conftest import require  # here: the imports above are the fixtures' modules

    clamd = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    require(clamd is not None, "clamd (Debian's clamav-daemon) is not installed")
    work = tmp_path_factory.mktemp("clamd")
    (work / "db").mkdir()
    md5 = hashlib.md5(EICAR).hexdigest()  # noqa: S324 - ClamAV's .hdb format is MD5
    (work / "db" / "hocso.hdb").write_text(f"{md5}:{len(EICAR)}:{SIGNATURE}\n")
    (work / "db" / "hocso.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
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
    """Uploads scanned by the session's clamd; private and public storage in tmp_path."""
    settings.CLAMAV_SOCKET = clamd_socket
    settings.H5P_STORAGE_ROOT = tmp_path / "h5p-private"
    settings.MEDIA_ROOT = tmp_path / "media"
    assert antivirus.ping()
    return clamd_socket


@pytest.fixture
def scanner_down(settings, tmp_path):
    """CLAMAV_SOCKET set to a socket nobody listens on."""
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd.sock")
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.CLAMAV_SOCKET
