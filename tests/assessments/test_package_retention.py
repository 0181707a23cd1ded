"""Issue 14, retention of package uploads: refused or replaced H5P and SCORM uploads go
after settings.RETENTION_DAYS["packages"] (the daily task, campaigns.retention_purge); what
a package still uses, or what is younger, stays; a second run purges nothing."""

import datetime as dt
import io
import os

import pytest
from django.utils import timezone

from assessments.h5p import storage
from assessments.h5p.models import H5PPackage
from assessments.scorm import services as scorm_services
from assessments.scorm.models import ScormPackage
from campaigns import tasks
from tests.assessments.h5p import conftest as h5p_conftest
from tests.assessments.h5p.conftest import build_zip, minimal_package
from tests.assessments.scorm.conftest import scorm_zip

make_package = h5p_conftest.make_package  # the H5P tests' fixture: upload through the service

PERIOD = 90


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.H5P_STORAGE_ROOT = tmp_path / "private"
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "packages": PERIOD}
    return settings.H5P_STORAGE_ROOT


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def age(sha: str, days: int) -> None:
    """Backdate a stored upload (its file's time is when it was stored)."""
    stamp = days_ago(days).timestamp()
    for suffix in (".h5p", ".zip"):
        path = storage.root() / "uploads" / f"{sha}{suffix}"
        if path.exists():
            os.utime(path, (stamp, stamp))


def files_of(sha: str) -> set[str]:
    """Which of the upload and its extracted content are on disk."""
    found = set()
    if any((storage.root() / "uploads" / f"{sha}{s}").exists() for s in (".h5p", ".zip")):
        found.add("upload")
    if (storage.root() / "content" / sha).is_dir():
        found.add("content")
    return found


def purged() -> int:
    return tasks.retention_purge()["packages"]


def h5p(make_package, title: str, **extra) -> H5PPackage:
    return make_package(build_zip(minimal_package(extra)), title=title)


def test_a_refused_h5p_upload_goes_after_the_period_and_its_reasons_stay(make_package):
    old = make_package(b"not a zip at all", title="Gói hỏng cũ")
    recent = make_package(b"not a zip either", title="Gói hỏng mới")
    for package in (old, recent):
        assert package.status == "failed" and files_of(package.archive_sha256) == {"upload"}
    H5PPackage.objects.filter(pk=old.pk).update(processed_at=days_ago(PERIOD + 1))
    age(old.archive_sha256, PERIOD + 1)
    old_sha = old.archive_sha256
    assert purged() == 1
    assert files_of(old_sha) == set()
    assert files_of(recent.archive_sha256) == {"upload"}
    old.refresh_from_db()
    assert old.archive_sha256 == "" and old.status == "failed"
    assert old.title == "Gói hỏng cũ" and old.error_messages  # the reasons stay
    assert purged() == 0


def test_a_replaced_h5p_upload_goes_with_its_content_and_the_new_one_stays(
    make_package, django_capture_on_commit_callbacks
):
    from assessments.h5p.services import package_replace_archive

    package = h5p(make_package, "Câu hỏi thử")
    assert package.status == "ready"
    first = package.archive_sha256
    assert files_of(first) == {"upload", "content"}
    with django_capture_on_commit_callbacks(execute=True):
        package_replace_archive(
            package=package, fileobj=io.BytesIO(build_zip(minimal_package({"extra.txt": "2"})))
        )
    package.refresh_from_db()
    second = package.archive_sha256
    assert second != first and package.status == "ready"
    assert purged() == 0  # the old file is younger than the period
    age(first, PERIOD + 1)
    age(second, PERIOD + 1)  # old too, but in use
    assert purged() == 1
    assert files_of(first) == set()
    assert files_of(second) == {"upload", "content"}
    assert purged() == 0


def test_a_file_another_package_uses_stays(make_package):
    """The same bytes uploaded twice: one refused long ago, one ready (content-addressed)."""
    data = build_zip(minimal_package())
    kept = make_package(data, title="Dùng")
    refused = make_package(data, title="Từ chối")
    H5PPackage.objects.filter(pk=refused.pk).update(
        status="failed", processed_at=days_ago(PERIOD + 1)
    )
    age(kept.archive_sha256, PERIOD + 1)
    assert purged() == 0
    refused.refresh_from_db()
    assert refused.archive_sha256 == ""  # it let go of the file...
    assert files_of(kept.archive_sha256) == {"upload", "content"}  # ...still used here


def test_refused_and_replaced_scorm_uploads_go_too(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refused = scorm_services.package_create(title="Hỏng", fileobj=io.BytesIO(b"PK nope"))
        package = scorm_services.package_create(title="Khoá", fileobj=io.BytesIO(scorm_zip()))
    refused.refresh_from_db()
    package.refresh_from_db()
    assert refused.status == "failed" and package.status == "ready"
    first = package.archive_sha256
    with django_capture_on_commit_callbacks(execute=True):
        scorm_services.package_replace_archive(
            package=package,
            fileobj=io.BytesIO(scorm_zip(extra={"sco1/more.html": "<p>Thêm</p>"})),
        )
    package.refresh_from_db()
    assert package.status == "ready" and package.archive_sha256 != first
    ScormPackage.objects.filter(pk=refused.pk).update(processed_at=days_ago(PERIOD + 1))
    refused_sha = refused.archive_sha256
    for sha in (first, refused_sha, package.archive_sha256):
        age(sha, PERIOD + 1)
    assert purged() == 2
    assert files_of(first) == set() and files_of(refused_sha) == set()
    assert files_of(package.archive_sha256) == {"upload", "content"}
    assert purged() == 0
