"""Private, content-addressed package storage (settings.H5P_STORAGE_ROOT, never under
MEDIA_ROOT), for H5P and SCORM packages alike.

Layout:
    uploads/<sha256>.h5p (or .zip)        raw uploads, as received (.zip: SCORM)
    content/<archive sha256>/h5p.json     extracted content of one package
    content/<archive sha256>/content/...
    content/<archive sha256>/...          a SCORM package's files, imsmanifest.xml at the top
    libraries/<files sha256>/...          one library folder's files (pool candidates)
    tmp/                                  work space; published by an atomic rename

Extraction streams each member with a byte counter (never extractall) and publishes a folder
only when every file of it was written, so a broken package leaves nothing half-extracted.

Past one machine (S3_BUCKET set: `STORAGES["h5p"]` is an object store, cms.storage), every
upload and every published folder is also put in the store, and these paths fetch it from
there on a machine that lacks it: the local folder is then a cache of content-addressed,
never-changing files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path

from django.conf import settings

from cms.storage import fetch_file, fetch_tree, object_store, store_file, store_tree

CHUNK = 64 * 1024


class ExtractionError(Exception):
    """A member did not match the central directory (size or CRC): nothing is published."""


def root() -> Path:
    path = Path(settings.H5P_STORAGE_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path


def tmp_dir() -> Path:
    path = root() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(sha256: str, suffix: str = ".h5p") -> Path:
    path = _local_upload_path(sha256, suffix)
    store = object_store("h5p")
    if store is not None and not path.exists():
        fetch_file(store, f"uploads/{sha256}{suffix}", path)
    return path


def content_path(sha256: str) -> Path:
    return _folder("content", sha256)


def library_path(files_sha256: str) -> Path:
    return _folder("libraries", files_sha256)


def _folder(kind: str, sha256: str) -> Path:
    """A content-addressed folder on this machine, fetched whole from the object store
    first if this machine lacks it."""
    path = root() / kind / sha256
    store = object_store("h5p")
    if store is not None and not path.is_dir():
        fetch_tree(store, f"{kind}/{sha256}", path)
    return path


def _local_upload_path(sha256: str, suffix: str) -> Path:
    return root() / "uploads" / f"{sha256}{suffix}"


def store_upload(fileobj, *, max_bytes: int, suffix: str = ".h5p") -> tuple[str, int]:
    """Copy an uploaded file into uploads/<sha256><suffix> (.h5p, or .zip for SCORM);
    returns (sha256, size).

    Raises ValueError("too-large") past max_bytes (nothing is kept then).
    """
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir(), suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            if hasattr(fileobj, "chunks"):
                chunks = fileobj.chunks(CHUNK)
            else:
                chunks = iter(lambda: fileobj.read(CHUNK), b"")
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise ValueError("too-large")
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        dest = _local_upload_path(sha, suffix)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_name, dest)
        store = object_store("h5p")
        if store is not None:  # the worker that validates it may be another machine
            store_file(store, dest, f"uploads/{sha}{suffix}")
        return sha, size
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _safe_target(base: Path, relative: str) -> Path:
    target = (base / relative).resolve()
    if os.path.commonpath([str(target), str(base.resolve())]) != str(base.resolve()):
        raise ExtractionError(f"unsafe path {relative!r}")
    return target


def _stream_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: list[int]):
    """Write one member, counting bytes against its declared size and the total budget."""
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    digest = hashlib.sha256()
    try:
        with zf.open(info) as src, open(target, "xb") as out:
            while True:
                chunk = src.read(CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                budget[0] -= len(chunk)
                if written > info.file_size or budget[0] < 0:
                    raise ExtractionError(f"{info.filename}: larger than declared")
                digest.update(chunk)
                out.write(chunk)
    except (zipfile.BadZipFile, zlib_error(), EOFError) as exc:
        raise ExtractionError(f"{info.filename}: {exc}") from exc
    if written != info.file_size:
        raise ExtractionError(f"{info.filename}: size differs from the central directory")
    return digest.hexdigest()


def zlib_error():
    return zlib.error


def extract_package(
    archive: Path,
    *,
    content_members: list[zipfile.ZipInfo],
    library_members: dict[str, list[zipfile.ZipInfo]],
    content_sha256: str,
    total_budget: int,
) -> dict[str, tuple[str, dict[str, str]]]:
    """Extract content and library folders, then publish each folder atomically.

    Returns {library folder: (files sha256, {relative path: sha256})} for the libraries.
    On any error the work folder is removed and nothing new is published.
    """
    work = Path(tempfile.mkdtemp(dir=tmp_dir(), prefix="extract-"))
    budget = [total_budget]
    try:
        with zipfile.ZipFile(archive) as zf:
            content_dir = work / "content"
            content_dir.mkdir()
            for info in content_members:
                _stream_member(zf, info, _safe_target(content_dir, info.filename), budget)
            libraries: dict[str, tuple[str, dict[str, str]]] = {}
            for folder, members in library_members.items():
                lib_dir = work / "libraries" / folder
                lib_dir.mkdir(parents=True)
                hashes = {}
                for info in members:
                    rel = info.filename[len(folder) + 1 :]
                    hashes[rel] = _stream_member(zf, info, _safe_target(lib_dir, rel), budget)
                manifest = "".join(f"{p}\0{h}\n" for p, h in sorted(hashes.items()))
                libraries[folder] = (hashlib.sha256(manifest.encode()).hexdigest(), hashes)
        # Everything was written: into the object store first when there is one (a folder
        # is readable elsewhere only once it is whole there), then publish locally folder
        # by folder (each rename is atomic; an existing folder of the same hash already
        # holds identical files).
        store = object_store("h5p")
        if store is not None:
            store_tree(store, content_dir, f"content/{content_sha256}")
            for folder, (files_sha, _hashes) in libraries.items():
                store_tree(store, work / "libraries" / folder, f"libraries/{files_sha}")
        _publish(content_dir, root() / "content" / content_sha256)
        for folder, (files_sha, _hashes) in libraries.items():
            _publish(work / "libraries" / folder, root() / "libraries" / files_sha)
        return libraries
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _publish(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        return
    try:
        os.rename(source, dest)
    except OSError:
        if not dest.exists():
            raise
