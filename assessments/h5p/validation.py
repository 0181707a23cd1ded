"""Validation of an uploaded .h5p, reading the zip's central directory before extracting.

Use `inspect_package(path, pool=...)` in the processing task; it never writes anything. It
mirrors the official H5PValidator (h5p-php-library) with stricter zip hygiene:

* the zip safety every package shares (cms.archives: limits, names, links, duplicates);
  components starting with "." or "_" (__MACOSX, .DS_Store) are skipped as the PHP core does;
* what each file really is, from its first bytes (cms.uploads): an "image" that is not an
  image is refused;
* a file without h5p.json at its root is "not an H5P package" (named a SCORM package when it
  has imsmanifest.xml), before any other reason;
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
import zipfile
from dataclasses import dataclass, field
from itertools import chain
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.archives import MiB, PackageKind, open_package, read_member, root_names
from cms.uploads import zip_members_problems

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


def _read_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int):
    """Parse one member as UTF-8 JSON, reading at most `cap` bytes. Raises ValueError."""
    return json.loads(read_member(zf, info, cap).decode("utf-8-sig"))


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


def _hints(files: list[zipfile.ZipInfo]) -> list[str]:
    if "imsmanifest.xml" in root_names(files):
        return [_("It is a SCORM package: add it as a SCORM package instead.")]
    return []


H5P = PackageKind(
    marker="h5p.json",
    not_a_zip=gettext_lazy("The file is not a valid .h5p (zip) archive or it is damaged."),
    not_package=gettext_lazy("This is not an H5P package: it has no h5p.json at its root."),
    skip=_skipped,
    hints=_hints,
)


def inspect_package(path, *, pool: PoolView | None = None) -> Inspection:
    """Check an .h5p file without extracting it. Never raises for bad input."""
    result = Inspection()
    with open_package(path, H5P, limits(), result.errors) as package:
        if package is not None:
            _classify(package.files, result)
        if package is not None and result.ok:
            # What each file really is (its first bytes), before any is parsed or extracted.
            members = chain(result.content_members, *result.library_members.values())
            result.errors.extend(zip_members_problems(package.zf, list(members)))
        if package is not None and result.ok:
            _check_contents(package.zf, limits(), result, pool or PoolView())
    return result


def _classify(files: list[zipfile.ZipInfo], result: Inspection) -> None:
    """Sort the safe file entries into content and library folders by extension."""
    errors = result.errors
    for info in files:
        name = info.filename
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


def _check_h5p_json(data: dict, errors: list[str]) -> None:
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


def _listed(data: dict, kind: str, where: str, errors: list[str]) -> list:
    """library.json's list under `kind` ([] when absent), or [] after refusing a non-list."""
    value = data.get(kind, [])
    if isinstance(value, list):
        return value
    errors.append(_("“%(where)s”: “%(kind)s” must be a list.") % {"where": where, "kind": kind})
    return []


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
    data = _json_member(
        zf,
        lib_info,
        lim,
        errors,
        _("“%(folder)s/library.json” is not valid JSON.") % {"folder": folder},
    )
    if data is None:
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
        for entry in _listed(data, kind, where, errors):
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
        for dep in _listed(data, kind, where, errors):
            _dep_key(dep, where, errors)
    for name, info in by_name.items():
        rest = name[len(folder) + 1 :]
        if rest == "semantics.json" or (rest.startswith("language/") and rest.endswith(".json")):
            if rest.startswith("language/") and not LANGUAGE_FILE_RE.match(
                rest[len("language/") :]
            ):
                errors.append(_("“%(name)s”: invalid language file name.") % {"name": name})
                continue
            _json_member(zf, info, lim, errors, _("“%(name)s” is not valid JSON.") % {"name": name})
    return LibraryInfo(folder=folder, data=data)


_INVALID = object()


def _json_member(zf, info, lim, errors: list[str], invalid: str, kind=object):
    """A member parsed as JSON (of type `kind`), or None after adding `invalid` to errors."""
    try:
        data = _read_json(zf, info, lim["max_json_bytes"])
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile):
        data = _INVALID
    if data is _INVALID or not isinstance(data, kind):
        errors.append(invalid)
        return None
    return data


def _check_contents(zf: zipfile.ZipFile, lim, result: Inspection, pool: PoolView) -> None:
    errors = result.errors
    names = {i.filename: i for i in result.content_members}
    result.h5p_json = _json_member(
        zf, names["h5p.json"], lim, errors, _("h5p.json is not valid JSON."), dict
    )
    if result.h5p_json is not None:
        _check_h5p_json(result.h5p_json, errors)
    content_json = None
    content_info = names.get("content/content.json")
    if content_info is None:
        errors.append(_("The package has no content/content.json."))
    else:
        content_json = _json_member(
            zf, content_info, lim, errors, _("content/content.json is not valid JSON."), dict
        )
    for folder, members in sorted(result.library_members.items()):
        lib = _check_library(zf, folder, members, lim, errors)
        if lib is not None:
            result.libraries[folder] = lib
    if errors or result.h5p_json is None:
        result.h5p_json = result.h5p_json or {}
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
