"""Retention of package uploads (issue 14): refused or replaced H5P and SCORM uploads are
deleted after settings.RETENTION_DAYS["packages"] (campaigns.retention's daily task calls
`package_uploads_purge`; the privacy notice lists the period).

Both kinds share the content-addressed storage (assessments.h5p.storage): an upload is
uploads/<sha256>.h5p or .zip, its extracted files content/<sha256>/.

- Refused: a package FAILED more than the period ago lets go of its file (its
  `archive_sha256` is cleared; the row stays, with its title, file name and reasons, so
  the admin still shows what was refused and why).
- Replaced: a new file for a package leaves the old one referenced by no package; it goes
  once it is older than the period (counted from its upload: the replacement is not
  dated, and a file is never younger than its replacement).

So one rule deletes files: no package refers to them and they were stored before the
period. A hash still used by another package (the same file uploaded twice) is kept. A file
stored a moment ago by an upload whose package row is not committed yet is young, so it is
never taken for an orphan. Idempotent: a second run finds nothing. Deletes the local copy
and, past one machine, the object store's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from pathlib import Path

from django.db.models import Q
from django.utils import timezone

from assessments.h5p import storage
from assessments.h5p.models import H5PPackage, UploadedPackage
from assessments.scorm.models import ScormPackage
from cms.storage import delete_tree, object_store

PACKAGE_MODELS = (H5PPackage, ScormPackage)
SUFFIXES = (".h5p", ".zip")


def refused_release(*, before: dt.datetime) -> int:
    """Packages refused before `before` let go of their file; returns how many."""
    released = 0
    for model in PACKAGE_MODELS:
        refused = model.objects.filter(status=UploadedPackage.Status.FAILED).exclude(
            archive_sha256=""
        )
        old = refused.filter(
            Q(processed_at__lt=before) | Q(processed_at__isnull=True, updated_at__lt=before)
        )
        released += old.update(archive_sha256="", updated_at=timezone.now())
    return released


def _stored_uploads() -> dict[str, dt.datetime]:
    """{sha256: when stored} of every upload file, on this machine and in the store."""
    found: dict[str, dt.datetime] = {}
    folder = storage.root() / "uploads"
    if folder.is_dir():
        for path in folder.iterdir():
            if path.suffix in SUFFIXES and path.is_file():
                stored = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
                found[path.stem] = stored
    store = object_store("h5p")
    if store is not None:
        _dirs, files = store.listdir("uploads/")
        for name in files:
            sha, suffix = Path(name).stem, Path(name).suffix
            if suffix in SUFFIXES and sha not in found:
                found[sha] = store.get_modified_time(f"uploads/{name}")
    return found


def _referenced() -> set[str]:
    used: set[str] = set()
    for model in PACKAGE_MODELS:
        used.update(
            model.objects.exclude(archive_sha256="").values_list("archive_sha256", flat=True)
        )
    return used


def _delete(sha: str) -> None:
    for suffix in SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            (storage.root() / "uploads" / f"{sha}{suffix}").unlink()
    shutil.rmtree(storage.root() / "content" / sha, ignore_errors=True)
    store = object_store("h5p")
    if store is not None:
        for suffix in SUFFIXES:
            store.delete(f"uploads/{sha}{suffix}")
        delete_tree(store, f"content/{sha}")


def package_uploads_purge(*, before: dt.datetime) -> int:
    """Refused packages let go of their files, then every upload no package refers to and
    stored before `before` is deleted with its extracted content. Returns the number of
    uploads deleted."""
    refused_release(before=before)
    stored = _stored_uploads()  # listed before the references are read: see the docstring
    used = _referenced()
    purged = 0
    for sha, when in sorted(stored.items()):
        if sha in used or when >= before:
            continue
        _delete(sha)
        purged += 1
    return purged
