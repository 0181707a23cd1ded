"""Zip safety for every uploaded package (H5P, SCORM): the central directory is read and
checked before any member is, and nothing is ever written here.

`open_package(path, kind, limits, errors)` gives the open archive and its safe files when
it is that kind of package (its `marker` file at the root), else adds "this is not a ...
package" (and the kind's hints) to `errors` first. Under it, `open_checked(path, limits,
errors, not_a_zip=...)` opens the archive and checks every entry:

* limits: entry count, per-file and total declared uncompressed size, compression ratio
  (per file above `ratio_min_bytes`, and for the whole archive), name length;
* names: no absolute path, backslash, NUL, colon, empty/./.. component, symbolic link (by
  the Unix mode in external_attr), exact or case-folded duplicate.

It returns the open archive and its safe file entries (directories and the entries the
caller's `skip` names left out), or None once any reason was added to `errors` (the archive
is then closed and no member was read). `read_member` reads one member under a byte cap.
Extraction is the caller's (assessments.h5p.storage streams members with byte counters).
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext as _

MiB = 1024 * 1024


def is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_IFMT(mode) == stat.S_IFLNK


def check_name(name: str, info: zipfile.ZipInfo, max_len: int) -> str | None:
    """The reason an entry name is unsafe, or None."""
    # zipfile cuts a name at its first NUL; orig_filename keeps what the archive says.
    if "\x00" in name or "\x00" in getattr(info, "orig_filename", ""):
        name = getattr(info, "orig_filename", name)
        return _("“%(name)s”: the name contains a NUL character.") % {
            "name": name.replace("\x00", "\\0")
        }
    if "\\" in name:
        return _("“%(name)s”: backslashes are not allowed in names.") % {"name": name}
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return _("“%(name)s”: absolute paths are not allowed.") % {"name": name}
    if ":" in name:
        return _("“%(name)s”: colons are not allowed in names.") % {"name": name}
    if len(name) > max_len:
        return _("“%(name)s…”: the name is longer than %(max)d characters.") % {
            "name": name[:60],
            "max": max_len,
        }
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return _("“%(name)s”: empty, “.” or “..” path components are not allowed.") % {"name": name}
    if is_symlink(info):
        return _("“%(name)s”: symbolic links are not allowed.") % {"name": name}
    return None


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """One member's bytes, at most `cap` of them. Raises ValueError("too-large") past it."""
    if info.file_size > cap:
        raise ValueError("too-large")
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ValueError("too-large")
    return data


def open_checked(
    path,
    lim: dict,
    errors: list[str],
    *,
    not_a_zip: str,
    skip: Callable[[str], bool] | None = None,
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]] | None:
    """Open a zip and check its directory (module docstring). Never raises for bad input."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        errors.append(not_a_zip)
        return None
    try:
        infos = zf.infolist()
    except Exception:  # noqa: BLE001 - a broken central directory in any form
        infos = None
    if infos is None:
        zf.close()
        errors.append(not_a_zip)
        return None
    if len(infos) > lim["max_entries"]:
        zf.close()
        errors.append(
            _("The archive has %(count)d entries; at most %(max)d are allowed.")
            % {"count": len(infos), "max": lim["max_entries"]}
        )
        return None
    files = _checked_entries(infos, lim, errors, skip or (lambda name: False))
    if errors:
        zf.close()  # unsafe names or sizes: no member is read at all
        return None
    return zf, files


def _checked_entries(infos, lim: dict, errors: list[str], skip) -> list[zipfile.ZipInfo]:
    files: list[zipfile.ZipInfo] = []
    seen: set[str] = set()
    seen_folded: dict[str, str] = {}
    total = 0
    total_compressed = 0
    for info in infos:
        name = info.filename
        reason = check_name(name, info, lim["max_name_length"])
        if reason:
            errors.append(reason)
            continue
        if name in seen:
            errors.append(_("“%(name)s” appears twice in the archive.") % {"name": name})
            continue
        folded = name.rstrip("/").casefold()
        if folded in seen_folded and seen_folded[folded] != name:
            errors.append(
                _("“%(name)s” and “%(other)s” differ only by letter case.")
                % {"name": name, "other": seen_folded[folded]}
            )
            continue
        seen.add(name)
        seen_folded[folded] = name
        if info.is_dir() or skip(name):
            continue
        if info.file_size > lim["max_file_bytes"]:
            errors.append(
                _("“%(name)s” is %(size)s MiB uncompressed; at most %(max)s MiB per file.")
                % {"name": name, "size": info.file_size // MiB, "max": lim["max_file_bytes"] // MiB}
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= lim["ratio_min_bytes"] and ratio > lim["max_ratio"]:
            errors.append(
                _("“%(name)s” is compressed %(ratio)d:1 (at most %(max)d:1): a zip bomb?")
                % {"name": name, "ratio": ratio, "max": lim["max_ratio"]}
            )
        total += info.file_size
        total_compressed += info.compress_size
        files.append(info)
    if total > lim["max_total_bytes"]:
        errors.append(
            _("The archive unpacks to %(size)s MiB; at most %(max)s MiB are allowed.")
            % {"size": total // MiB, "max": lim["max_total_bytes"] // MiB}
        )
    if total >= lim["ratio_min_bytes"] and total / max(total_compressed, 1) > lim["max_ratio"]:
        errors.append(
            _("The archive is compressed more than %(max)d:1 overall: a zip bomb?")
            % {"max": lim["max_ratio"]}
        )
    return files


def root_names(files: list[zipfile.ZipInfo]) -> set[str]:
    """The names of the files at the archive's root."""
    return {info.filename for info in files if "/" not in info.filename}


@dataclass(frozen=True)
class PackageKind:
    """What makes a zip a package of one kind, and what to say when it is not (lazy text)."""

    marker: str  # the file at the archive's root, e.g. h5p.json or imsmanifest.xml
    not_a_zip: str
    not_package: str
    skip: Callable[[str], bool]
    hints: Callable[[list[zipfile.ZipInfo]], list[str]]  # what the file may be instead


@dataclass
class OpenPackage:
    zf: zipfile.ZipFile
    files: list[zipfile.ZipInfo]


@contextmanager
def open_package(
    path, kind: PackageKind, lim: dict, errors: list[str]
) -> Iterator[OpenPackage | None]:
    """Yield the checked archive, or None when `errors` says why it is not one (closed)."""
    opened = open_checked(path, lim, errors, not_a_zip=str(kind.not_a_zip), skip=kind.skip)
    if opened is None:
        yield None
        return
    zf, files = opened
    with zf:
        if kind.marker not in root_names(files):
            # Say what the file is before any detail about its folders.
            errors.append(str(kind.not_package))
            errors.extend(str(hint) for hint in kind.hints(files))
            yield None
        else:
            yield OpenPackage(zf, files)
