"""Private, content-addressed H5P storage (settings.H5P_STORAGE_ROOT, never under MEDIA_ROOT).

Layout:
    uploads/<sha256>.h5p                  raw uploads, as received
    content/<archive sha256>/h5p.json     extracted content of one package
    content/<archive sha256>/content/...
    libraries/<files sha256>/...          one library folder's files (pool candidates)
    tmp/                                  work space; published by an atomic rename

Extraction streams each member with a byte counter (never extractall) and publishes a folder
only when every file of it was written, so a broken package leaves nothing half-extracted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings

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


def upload_path(sha256: str) -> Path:
    return root() / "uploads" / f"{sha256}.h5p"


def content_path(sha256: str) -> Path:
    return root() / "content" / sha256


def library_path(files_sha256: str) -> Path:
    return root() / "libraries" / files_sha256


def store_upload(fileobj, *, max_bytes: int) -> tuple[str, int]:
    """Copy an uploaded file into uploads/<sha256>.h5p; returns (sha256, size).

    Raises ValueError("too-large") past max_bytes (nothing is kept then).
    """
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir(), suffix=".h5p")
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
        dest = upload_path(sha)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_name, dest)
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
    import zlib

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
        # Everything was written: publish folder by folder (each rename is atomic; an
        # existing folder of the same hash already holds identical files).
        _publish(content_dir, content_path(content_sha256))
        for folder, (files_sha, _hashes) in libraries.items():
            _publish(work / "libraries" / folder, library_path(files_sha))
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
