"""Uploads left waiting are checked again: with the virus scanner down a package waits
"pending" (never served) and its task gives up after its retries; the periodic sweep
(scorm.packages_requeue, every 15 minutes in cms/celery.py) queues the check again once the
package has waited PACKAGES_REQUEUE_MINUTES, for SCORM and H5P uploads alike."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.h5p import storage
from assessments.h5p.models import H5PPackage
from assessments.scorm import services
from assessments.scorm.models import ScormPackage
from cms import antivirus
from cms.celery import app
from tests.assessments.h5p.conftest import build_zip, minimal_package
from tests.assessments.scorm.conftest import scorm_zip

pytestmark = pytest.mark.django_db


def _waiting(model, data: bytes, *, minutes_ago: int):
    suffix = ".zip" if model is ScormPackage else ".h5p"
    sha, size = storage.store_upload(io.BytesIO(data), max_bytes=10**7, suffix=suffix)
    package = model.objects.create(title="Chờ quét", archive_sha256=sha, archive_size=size)
    model.objects.filter(pk=package.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return package


def test_packages_left_pending_by_a_scanner_outage_are_checked_again(
    settings, tmp_path, package_storage, django_capture_on_commit_callbacks
):
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd.sock")  # the scanner is down
    scorm = _waiting(ScormPackage, scorm_zip(), minutes_ago=0)
    with pytest.raises(antivirus.ScannerUnavailable):
        services.package_process(package_id=scorm.pk)
    scorm.refresh_from_db()
    assert scorm.status == ScormPackage.Status.PENDING  # waits, never served
    h5p = _waiting(H5PPackage, build_zip(minimal_package()), minutes_ago=45)
    fresh = _waiting(ScormPackage, scorm_zip(), minutes_ago=5)  # its own task may still retry
    ScormPackage.objects.filter(pk=scorm.pk).update(
        updated_at=timezone.now() - timedelta(minutes=45)
    )
    settings.CLAMAV_SOCKET = ""  # the scanner is back (here: scanning switched off)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packages_requeue() == 2
    scorm.refresh_from_db()
    h5p.refresh_from_db()
    fresh.refresh_from_db()
    assert scorm.status == ScormPackage.Status.READY, scorm.error_messages
    assert h5p.status in (H5PPackage.Status.READY, H5PPackage.Status.FAILED)
    assert fresh.status == ScormPackage.Status.PENDING
    # Nothing stale is left: a second sweep queues nothing (the fresh one is not due yet).
    with django_capture_on_commit_callbacks(execute=True):
        assert services.packages_requeue() == 0


def test_the_sweep_is_scheduled():
    entry = app.conf.beat_schedule["scorm-packages-requeue"]
    assert entry["task"] == "scorm.packages_requeue"
    assert "scorm.packages_requeue" in app.tasks
