"""Private file storage that can live past one machine.

Uploaded media use Django's default storage, and certificate PDFs `STORAGES["certificates"]`.
H5P packages and report exports are written by code that needs real files (zip extraction,
spreadsheet writers), so they keep a local folder (H5P_STORAGE_ROOT, REPORTS_DIR) as their
work space, and, when settings name an object store for them (`STORAGES["h5p"]`,
`STORAGES["reports"]`: S3_BUCKET set, see cms/settings.py), every finished file is also put
there and read back from there by any machine. Without S3_BUCKET (the default) the local
folder is the only copy and nothing here does anything.

Use `object_store(name)` to ask whether a kind of file has one, `store_tree` after a folder
is complete, and `fetch_tree` / `fetch_file` before reading on a machine that may not have
made the file itself. Names in the store are relative paths with "/" ("content/<sha>/h5p.json").
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

CHUNK = 1024 * 1024


def object_store(name: str) -> Storage | None:
    """The shared store configured for this kind of file ("h5p", "reports"), or None when
    the local folder is the only copy."""
    if name not in settings.STORAGES:
        return None
    store = storages[name]
    return None if isinstance(store, FileSystemStorage) else store


def store_file(store: Storage, local: Path, name: str) -> None:
    """Put one finished local file into the store under `name` (replacing an older one)."""
    if store.exists(name):
        store.delete(name)
    with open(local, "rb") as fh:
        saved = store.save(name, File(fh, name=os.path.basename(name)))
    if saved != name:  # a store that renamed instead of replacing: never serve a stranger
        store.delete(saved)
        raise OSError(f"object store kept {name!r} as {saved!r}")


def store_tree(store: Storage, local_dir: Path, prefix: str) -> None:
    """Put every file under a finished local folder into the store under `prefix/`."""
    for path in sorted(p for p in Path(local_dir).rglob("*") if p.is_file()):
        store_file(store, path, f"{prefix}/{path.relative_to(local_dir).as_posix()}")


def fetch_file(store: Storage, name: str, local: Path) -> bool:
    """Copy `name` from the store to `local` (atomically) unless it is there already.
    False if the store does not have it."""
    if local.exists():
        return True
    if not store.exists(name):
        return False
    local.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=local.parent, prefix=".fetch-")
    try:
        with os.fdopen(fd, "wb") as out, store.open(name, "rb") as src:
            shutil.copyfileobj(src, out, CHUNK)
        os.replace(tmp, local)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True


def fetch_tree(store: Storage, prefix: str, local_dir: Path) -> bool:
    """Copy the folder `prefix/` from the store to `local_dir` unless it is there already;
    the folder appears whole (built aside, then renamed) or not at all. Meant for
    content-addressed folders, which never change once written. False if the store has
    no such folder."""
    if local_dir.is_dir():
        return True
    names = _walk(store, prefix)
    if not names:
        return False
    local_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=local_dir.parent, prefix=".fetch-"))
    try:
        for rel in names:
            target = work / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out, store.open(f"{prefix}/{rel}", "rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
        try:
            os.rename(work, local_dir)
        except OSError:
            if not local_dir.is_dir():  # not another process that got there first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def delete_tree(store: Storage, prefix: str) -> int:
    """Delete every file under `prefix/` in the store (retention); returns how many."""
    names = _walk(store, prefix) if _listable(store, prefix) else []
    for name in names:
        store.delete(f"{prefix}/{name}")
    return len(names)


def _listable(store: Storage, prefix: str) -> bool:
    try:
        dirs, files = store.listdir(f"{prefix}/")
    except (FileNotFoundError, OSError):
        return False
    return bool(dirs or files)


def _walk(store: Storage, prefix: str) -> list[str]:
    found: list[str] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        dirs, files = store.listdir(f"{prefix}/{rel}".rstrip("/") + "/")
        found.extend(f"{rel}{name}" for name in files)
        pending.extend(f"{rel}{name}/" for name in dirs)
    return sorted(found)
