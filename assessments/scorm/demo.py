"""Demo SCORM activity: HọcSố's own SCORM 2004 (4th edition) package, no third-party files.

Identity for other demo loaders (courses/demo.py places it in a lesson):
    ScormPackage.objects.filter(original_filename=DEMO_FILENAME)
    title "Thực hành: quét mã QR an toàn", one SCO, one question (passed at 100 %).

The package's files live in assessments/scorm/demo_package/ (imsmanifest.xml, index.html,
sco.js, sco.css): the SCO finds API_1484_11, Initialize, and on "Kiểm tra" sets the score,
success_status and completion_status "completed" and Commits (a wrong answer can be
changed); "Hoàn thành" Terminates. `load` zips them in memory (a deterministic zip: same
bytes every run), then goes through the real services: upload to private storage, the
check (virus scan when CLAMAV_SOCKET is set, manifest and zip checks) and extraction.
Idempotent: a second run finds the same package (same archive hash) ready and changes
nothing; changed files replace its archive.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from assessments.scorm import services
from assessments.scorm.models import ScormPackage

DEMO_TITLE = "Thực hành: quét mã QR an toàn"
DEMO_FILENAME = "hocso-demo-qr.zip"
PACKAGE_DIR = Path(__file__).resolve().parent / "demo_package"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def build_package() -> bytes:
    """The demo package as zip bytes; identical on every call (fixed timestamps and order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(PACKAGE_DIR.iterdir()):
            info = zipfile.ZipInfo(path.name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return buffer.getvalue()


def demo_package() -> ScormPackage | None:
    return ScormPackage.objects.filter(original_filename=DEMO_FILENAME).order_by("pk").first()


def load(stdout) -> ScormPackage:
    data = build_package()
    package = demo_package()
    action = "unchanged"
    if package is None or package.archive_sha256 != hashlib.sha256(data).hexdigest():
        upload = {"fileobj": io.BytesIO(data), "original_filename": DEMO_FILENAME}
        with transaction.atomic():
            if package is None:
                admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
                uploaded_by = admins.order_by("pk").first()
                package = services.package_create(
                    title=DEMO_TITLE, uploaded_by=uploaded_by, **upload
                )
                action = "created"
            else:  # the files here changed: the same package, its archive replaced
                package = services.package_replace_archive(package=package, **upload)
                action = "updated"
    # Checked here as well (idempotent): with a broker the queued task finds it READY.
    package = services.package_process(package_id=package.pk)
    if package.status != ScormPackage.Status.READY:
        raise RuntimeError(f"demo SCORM package refused: {package.error_messages}")
    stdout.write(
        f"SCORM demo “{package.title}”: {action}, {package.get_version_display()} "
        f"({package.edition}), {len(package.sco_items)} SCO\n"
    )
    return package
