"""Validation of an uploaded .h5p, reading the zip's central directory before extracting.

Use `inspect_package(path, pool=...)` in the processing task; it never writes anything. It
mirrors the official H5PValidator (h5p-php-library) with stricter zip hygiene:

* limits: entry count, per-file and total declared uncompressed size, compression ratio,
  name length;
* names: no absolute path, backslash, NUL, colon, empty/./.. component, symlink (by the
  Unix mode in external_attr), exact or case-folded duplicate; components starting with
  "." or "_" (__MACOSX, .DS_Store) are skipped as the PHP core does;
* extension allow-lists, one for content/ and one for library folders (PHP defaults);
* h5p.json and every library.json: required fields and their patterns, folder names,
  preloaded files present, language files, semantics.json, core API version;
* dependency closure: every preloaded/dynamic dependency, and every "library" named in
  content.json, is in the package or already approved in the pool.

Every problem found is reported (the admin sees all reasons at once), in Vietnamese through
gettext. Extraction (`storage.extract_members`) streams with byte counters afterwards.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

MiB = 1024 * 1024

# Limits: real hub packages are 0.2-10 MB and up to ~1,700 files, peaking near 11:1.
DEFAULT_LIMITS = {
    "max_entries": 5000,
    "max_file_bytes": 100 * MiB,  # one video
    "max_total_bytes": 500 * MiB,
    "max_ratio": 100,  # per file above ratio_min_bytes, and for the whole archive
    "ratio_min_bytes": 1 * MiB,
    "max_name_length": 255,
    "max_json_bytes": 16 * MiB,
}

# H5PCore::$defaultContentWhitelist without swf; HTML, JS, CSS and SVG never in content/.
CONTENT_EXTENSIONS = frozenset(
    [
        "json",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "tif",
        "tiff",
        "eot",
        "ttf",
        "woff",
        "woff2",
        "otf",
        "webm",
        "mp4",
        "ogg",
        "mp3",
        "m4a",
        "wav",
        "txt",
        "pdf",
        "rtf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "csv",
        "diff",
        "patch",
        "md",
        "textile",
        "vtt",
        "webvtt",
        "gltf",
        "glb",
    ]
)
# Library folders additionally allow code and markup (H5PCore: + js css svg xml). swf is in
# the PHP default list and old libraries still ship it (downloadify): accepted in a library
# folder but never served (serving.py has no type for it).
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | frozenset({"js", "css", "svg", "xml", "swf"})

# The H5P core API that the vendored h5p-standalone 3.8.2 frame bundle implements.
SUPPORTED_CORE_API = (1, 24)

MACHINE_NAME_RE = re.compile(r"^[\w0-9\-.]{1,255}$")
FOLDER_RE = re.compile(r"^[\w0-9\-.]{1,255}$")
LANGUAGE_RE = re.compile(r"^[-a-zA-Z]{1,10}$")
LANGUAGE_FILE_RE = re.compile(r"^(-?[a-z]+){1,7}\.json$")
PRELOADED_PATH_RE = re.compile(r"^((\/)?[a-z_\-\s0-9.]+)+\.(js|css)$", re.IGNORECASE)
LIBRARY_STRING_RE = re.compile(r"^([\w0-9\-.]{1,255}) (\d+)\.(\d+)$")

DependencyKey = tuple[str, int, int]


def limits() -> dict:
    return {**DEFAULT_LIMITS, **getattr(settings, "H5P_LIMITS", {})}


@dataclass
class LibraryInfo:
    folder: str
    data: dict  # library.json

    @property
    def key(self) -> DependencyKey:
        return (
            self.data["machineName"],
            int(self.data["majorVersion"]),
            int(self.data["minorVersion"]),
        )

    @property
    def patch(self) -> int:
        return int(self.data["patchVersion"])


@dataclass
class Inspection:
    """What `inspect_package` found. `ok` is True only when `errors` is empty."""

    errors: list[str] = field(default_factory=list)
    h5p_json: dict = field(default_factory=dict)
    libraries: dict[str, LibraryInfo] = field(default_factory=dict)  # by folder name
    content_members: list[zipfile.ZipInfo] = field(default_factory=list)  # h5p.json + content/
    library_members: dict[str, list[zipfile.ZipInfo]] = field(default_factory=dict)
    dependencies: list[DependencyKey] = field(default_factory=list)  # closure, main included

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def main_library(self) -> str:
        main = self.h5p_json.get("mainLibrary", "")
        for dep in self.h5p_json.get("preloadedDependencies", []):
            if dep.get("machineName") == main:
                return f"{main} {dep.get('majorVersion')}.{dep.get('minorVersion')}"
        return main


class PoolView:
    """The approved library pool as validation needs it: {(machine, major, minor): library.json}.

    Built by the service from H5PLibrary rows (approved only); tests may pass a dict.
    """

    def __init__(self, approved: dict[DependencyKey, dict] | None = None):
        self.approved = approved or {}

    def get(self, key: DependencyKey) -> dict | None:
        return self.approved.get(key)


def _is_int(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and value.isdigit()


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_IFMT(mode) == stat.S_IFLNK


def _read_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int):
    """Parse one member as UTF-8 JSON, reading at most `cap` bytes. Raises ValueError."""
    if info.file_size > cap:
        raise ValueError("too-large")
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ValueError("too-large")
    return json.loads(data.decode("utf-8-sig"))


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
    if _is_symlink(info):
        return _("“%(name)s”: symbolic links are not allowed.") % {"name": name}
    return None


def _skipped(name: str) -> bool:
    """Hidden or system entries the PHP core ignores (.DS_Store, __MACOSX/...)."""
    return any(part.startswith((".", "_")) for part in name.split("/"))


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix[1:].lower() if suffix else ""


def _dep_key(dep, where: str, errors: list[str]) -> DependencyKey | None:
    if (
        not isinstance(dep, dict)
        or not isinstance(dep.get("machineName"), str)
        or not MACHINE_NAME_RE.match(dep["machineName"])
        or not _is_int(dep.get("majorVersion"))
        or not _is_int(dep.get("minorVersion"))
    ):
        errors.append(
            _("%(where)s: a dependency is malformed: %(dep)s.")
            % {"where": where, "dep": json.dumps(dep, ensure_ascii=False)[:200]}
        )
        return None
    return (dep["machineName"], int(dep["majorVersion"]), int(dep["minorVersion"]))


def _content_library_refs(node, found: set[DependencyKey]) -> None:
    """Libraries named inside content.json ({"library": "H5P.X 1.2", ...})."""
    if isinstance(node, dict):
        lib = node.get("library")
        if isinstance(lib, str):
            match = LIBRARY_STRING_RE.match(lib)
            if match:
                found.add((match[1], int(match[2]), int(match[3])))
        for value in node.values():
            _content_library_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _content_library_refs(value, found)


def inspect_package(path, *, pool: PoolView | None = None) -> Inspection:
    """Check an .h5p file without extracting it. Never raises for bad input."""
    pool = pool or PoolView()
    result = Inspection()
    errors = result.errors
    lim = limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        errors.append(_("The file is not a valid .h5p (zip) archive or it is damaged."))
        return result
    with zf:
        try:
            infos = zf.infolist()
        except Exception:  # noqa: BLE001 - a broken central directory in any form
            errors.append(_("The file is not a valid .h5p (zip) archive or it is damaged."))
            return result
        if len(infos) > lim["max_entries"]:
            errors.append(
                _("The archive has %(count)d entries; at most %(max)d are allowed.")
                % {"count": len(infos), "max": lim["max_entries"]}
            )
            return result
        _check_entries(zf, infos, lim, result)
        if errors:
            # Unsafe names or sizes: do not read any member at all.
            return result
        _check_contents(zf, lim, result, pool)
    return result


def _check_entries(zf, infos, lim, result: Inspection) -> None:
    errors = result.errors
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
        if info.is_dir() or _skipped(name):
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
        parts = name.split("/")
        if len(parts) == 1:
            if name == "h5p.json":
                result.content_members.append(info)
            continue  # other root files are ignored, as the PHP core does
        top = parts[0]
        ext = _extension(name)
        if top == "content":
            if ext not in CONTENT_EXTENSIONS:
                errors.append(
                    _("“%(name)s”: files of type “%(ext)s” are not allowed in content/.")
                    % {"name": name, "ext": ext or _("(no extension)")}
                )
                continue
            result.content_members.append(info)
        else:
            if ext not in LIBRARY_EXTENSIONS:
                errors.append(
                    _("“%(name)s”: files of type “%(ext)s” are not allowed in a library.")
                    % {"name": name, "ext": ext or _("(no extension)")}
                )
                continue
            result.library_members.setdefault(top, []).append(info)
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


def _check_h5p_json(data, errors: list[str]) -> None:
    if not isinstance(data, dict):
        errors.append(_("h5p.json must be a JSON object."))
        return
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 255:
        errors.append(_("h5p.json: “title” is missing or invalid."))
    main = data.get("mainLibrary")
    if not isinstance(main, str) or not MACHINE_NAME_RE.match(main):
        errors.append(_("h5p.json: “mainLibrary” is missing or invalid."))
    language = data.get("language")
    if not isinstance(language, str) or not LANGUAGE_RE.match(language):
        errors.append(_("h5p.json: “language” is missing or invalid."))
    embed = data.get("embedTypes")
    if not isinstance(embed, list) or not embed or any(e not in ("div", "iframe") for e in embed):
        errors.append(_("h5p.json: “embedTypes” is missing or invalid (div or iframe)."))
    deps = data.get("preloadedDependencies")
    if not isinstance(deps, list) or not deps:
        errors.append(_("h5p.json: “preloadedDependencies” is missing or empty."))
        return
    keys = [_dep_key(d, "h5p.json", errors) for d in deps]
    if isinstance(main, str) and not any(k and k[0] == main for k in keys):
        errors.append(
            _("h5p.json: the main library “%(main)s” is not among the preloaded dependencies.")
            % {"main": main}
        )


def _check_library(
    zf, folder: str, members: list[zipfile.ZipInfo], lim, errors
) -> LibraryInfo | None:
    if not FOLDER_RE.match(folder):
        errors.append(_("Library folder “%(folder)s” has an invalid name.") % {"folder": folder})
        return None
    by_name = {m.filename: m for m in members}
    lib_info = by_name.get(f"{folder}/library.json")
    if lib_info is None:
        errors.append(_("Library folder “%(folder)s” has no library.json.") % {"folder": folder})
        return None
    try:
        data = _read_json(zf, lib_info, lim["max_json_bytes"])
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile):
        errors.append(_("“%(folder)s/library.json” is not valid JSON.") % {"folder": folder})
        return None
    where = f"{folder}/library.json"
    if not isinstance(data, dict):
        errors.append(_("“%(where)s” must be a JSON object.") % {"where": where})
        return None
    problems = []
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        problems.append("title")
    if not isinstance(data.get("machineName"), str) or not MACHINE_NAME_RE.match(
        data["machineName"]
    ):
        problems.append("machineName")
    for key in ("majorVersion", "minorVersion", "patchVersion"):
        if not _is_int(data.get(key)):
            problems.append(key)
    if data.get("runnable") not in (0, 1, True, False):
        problems.append("runnable")
    if problems:
        errors.append(
            _("“%(where)s”: required fields missing or invalid: %(fields)s.")
            % {"where": where, "fields": ", ".join(problems)}
        )
        return None
    machine = data["machineName"]
    expected = {machine, f"{machine}-{int(data['majorVersion'])}.{int(data['minorVersion'])}"}
    if folder not in expected:
        errors.append(
            _(
                "Library folder “%(folder)s” does not match its library.json "
                "(%(machine)s %(major)s.%(minor)s)."
            )
            % {
                "folder": folder,
                "machine": machine,
                "major": data["majorVersion"],
                "minor": data["minorVersion"],
            }
        )
        return None
    for kind in ("preloadedJs", "preloadedCss"):
        files = data.get(kind, [])
        if not isinstance(files, list):
            errors.append(
                _("“%(where)s”: “%(kind)s” must be a list.") % {"where": where, "kind": kind}
            )
            continue
        for entry in files:
            rel = entry.get("path") if isinstance(entry, dict) else None
            if not isinstance(rel, str) or not PRELOADED_PATH_RE.match(rel) or ".." in rel:
                errors.append(
                    _("“%(where)s”: invalid file path in “%(kind)s”.")
                    % {"where": where, "kind": kind}
                )
            elif f"{folder}/{rel.lstrip('/')}" not in by_name:
                errors.append(
                    _("Library “%(folder)s” lists “%(path)s”, which is not in the package.")
                    % {"folder": folder, "path": rel}
                )
    core = data.get("coreApi")
    if core is not None:
        if (
            not isinstance(core, dict)
            or not _is_int(core.get("majorVersion"))
            or not _is_int(core.get("minorVersion"))
        ):
            errors.append(_("“%(where)s”: “coreApi” is invalid.") % {"where": where})
        elif (int(core["majorVersion"]), int(core["minorVersion"])) > SUPPORTED_CORE_API:
            errors.append(
                _(
                    "Library “%(folder)s” needs H5P core %(need)s; "
                    "this player supports up to %(have)s."
                )
                % {
                    "folder": folder,
                    "need": f"{core['majorVersion']}.{core['minorVersion']}",
                    "have": "{}.{}".format(*SUPPORTED_CORE_API),
                }
            )
    for kind in ("preloadedDependencies", "dynamicDependencies", "editorDependencies"):
        deps = data.get(kind, [])
        if not isinstance(deps, list):
            errors.append(
                _("“%(where)s”: “%(kind)s” must be a list.") % {"where": where, "kind": kind}
            )
            continue
        for dep in deps:
            _dep_key(dep, where, errors)
    for name, info in by_name.items():
        rest = name[len(folder) + 1 :]
        if rest == "semantics.json" or (rest.startswith("language/") and rest.endswith(".json")):
            if rest.startswith("language/") and not LANGUAGE_FILE_RE.match(
                rest[len("language/") :]
            ):
                errors.append(_("“%(name)s”: invalid language file name.") % {"name": name})
                continue
            try:
                _read_json(zf, info, lim["max_json_bytes"])
            except (ValueError, UnicodeDecodeError, zipfile.BadZipFile):
                errors.append(_("“%(name)s” is not valid JSON.") % {"name": name})
    return LibraryInfo(folder=folder, data=data)


def _check_contents(zf: zipfile.ZipFile, lim, result: Inspection, pool: PoolView) -> None:
    errors = result.errors
    names = {i.filename: i for i in result.content_members}
    h5p_info = names.get("h5p.json")
    if h5p_info is None:
        errors.append(_("The package has no h5p.json."))
    else:
        try:
            result.h5p_json = _read_json(zf, h5p_info, lim["max_json_bytes"])
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile):
            errors.append(_("h5p.json is not valid JSON."))
        else:
            _check_h5p_json(result.h5p_json, errors)
    content_json = None
    content_info = names.get("content/content.json")
    if content_info is None:
        errors.append(_("The package has no content/content.json."))
    else:
        try:
            content_json = _read_json(zf, content_info, lim["max_json_bytes"])
            if not isinstance(content_json, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile):
            errors.append(_("content/content.json is not valid JSON."))
            content_json = None
    for folder, members in sorted(result.library_members.items()):
        lib = _check_library(zf, folder, members, lim, errors)
        if lib is not None:
            result.libraries[folder] = lib
    if errors or not isinstance(result.h5p_json, dict):
        return
    _check_closure(result, content_json, pool)


def _check_closure(result: Inspection, content_json, pool: PoolView) -> None:
    """Every dependency reachable from h5p.json (and named in content.json) is available."""
    errors = result.errors
    in_package: dict[DependencyKey, dict] = {}
    for lib in result.libraries.values():
        in_package.setdefault(lib.key, lib.data)

    def find(key: DependencyKey) -> dict | None:
        found = pool.get(key)
        return found if found is not None else in_package.get(key)

    roots = [_dep_key(d, "h5p.json", errors) for d in result.h5p_json["preloadedDependencies"]]
    wanted: set[DependencyKey] = set()
    if content_json is not None:
        _content_library_refs(content_json, wanted)
    todo = [k for k in roots if k] + sorted(wanted)
    closure: list[DependencyKey] = []
    seen: set[DependencyKey] = set()
    missing: set[DependencyKey] = set()
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        data = find(key)
        if data is None:
            missing.add(key)
            continue
        closure.append(key)
        for kind in ("preloadedDependencies", "dynamicDependencies"):
            for dep in data.get(kind, []) or []:
                dep_key = _dep_key(dep, key[0], errors)
                if dep_key:
                    todo.append(dep_key)
    for machine, major, minor in sorted(missing):
        errors.append(
            _("Missing required library %(lib)s: it is neither in the package nor approved.")
            % {"lib": f"{machine} {major}.{minor}"}
        )
    result.dependencies = sorted(closure)
