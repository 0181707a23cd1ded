"""Validation of an uploaded SCORM package (1.2; 2004 2nd, 3rd and 4th editions) from its zip
directory and its imsmanifest.xml, before anything is extracted.

`inspect_package(path)` never writes and never raises for bad input. It checks:

* the zip safety every package shares (cms.archives: limits, names, links, duplicates),
  with the H5P limits (`SCORM_LIMITS` overrides them); `__MACOSX/` and `.DS_Store`-like
  entries are skipped; each file's extension is on a list of web content types, and its
  first bytes are of that type (cms.uploads);
* a file without imsmanifest.xml at its root is "not a SCORM package", before any other
  reason (naming the folder the manifest is in, or H5P when the file has h5p.json);
* the manifest: well-formed XML without a DTD or entities (defusedxml), root <manifest>, its
  schemaversion (or, lacking it, the ADL namespace) giving the version; <organizations>
  with its default organisation present (the first one when none is named); every item's
  identifierref naming a resource; every launched resource with a local href in the
  package; every <file> listed and every <dependency> present;
* the SCOs to play: the default organisation's leaf items with a resource, in the
  manifest's order (multi-SCO packages roll up in that order).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.h5p.validation import DEFAULT_LIMITS, LIBRARY_EXTENSIONS
from cms.archives import MiB, PackageKind, open_package, read_member, root_names
from cms.uploads import zip_members_problems

MANIFEST = "imsmanifest.xml"
SCORM12 = "scorm12"
SCORM2004 = "scorm2004"

# What courseware made by iSpring, Articulate, Captivate and eXeLearning ships: what an H5P
# library may hold (media, fonts, documents, scripts, styles, XML; swf accepted, never
# served) and web pages, schema files, source maps and a few more media types. Nothing that
# runs on a server or a desktop.
EXTENSIONS = LIBRARY_EXTENSIONS | frozenset(
    {"html", "htm", "xhtml", "xsd", "dtd", "mjs", "map", "srt", "webp", "ico", "cur", "m4v"}
    | {"ogv", "oga", "aac", "flac"}
)

# schemaversion text -> (version, edition). "CAM 1.3" is 2004 2nd edition.
SCHEMA_VERSIONS = {
    "1.2": (SCORM12, "1.2"),
    "cam 1.3": (SCORM2004, "2004 2nd Edition"),
    "2004 3rd edition": (SCORM2004, "2004 3rd Edition"),
    "2004 4th edition": (SCORM2004, "2004 4th Edition"),
}
NS_SCORM12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS_SCORM2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
DOCTYPE_RE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def limits() -> dict:
    return {
        **DEFAULT_LIMITS,
        "max_manifest_bytes": 4 * MiB,
        **getattr(settings, "SCORM_LIMITS", {}),
    }


@dataclass
class Sco:
    """One launchable item: a SCO (talks to the runtime) or an asset (a plain page)."""

    identifier: str
    title: str
    href: str  # the path in the package, with the item's parameters
    scorm_type: str  # "sco" or "asset"
    mastery_score: float | None = None  # 1.2: adlcp:masteryscore (0-100) decides pass/fail


@dataclass
class ScormInspection:
    """What `inspect_package` found. `ok` is True only when `errors` is empty."""

    errors: list[str] = field(default_factory=list)
    version: str = ""  # SCORM12 or SCORM2004
    edition: str = ""
    title: str = ""
    scos: list[Sco] = field(default_factory=list)
    members: list[zipfile.ZipInfo] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _skipped(name: str) -> bool:
    parts = name.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts)


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix[1:].lower() if suffix else ""


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(node, name: str) -> list:
    return [child for child in node if _local(child.tag) == name]


def _child(node, name: str):
    found = _children(node, name)
    return found[0] if found else None


def _attr(node, name: str) -> str:
    """An attribute by local name, any namespace, any letter case (scormtype/scormType)."""
    for key, value in node.attrib.items():
        if _local(key).lower() == name.lower():
            return value.strip()
    return ""


def _text(node) -> str:
    if node is None:
        return ""
    return " ".join("".join(node.itertext()).split())


def _title(node) -> str:
    return _text(_child(node, "title"))[:255] if node is not None else ""


def _hints(files: list[zipfile.ZipInfo]) -> list[str]:
    hints = []
    nested = sorted(i.filename for i in files if i.filename.endswith("/" + MANIFEST))
    if nested:
        hints.append(
            _(
                "imsmanifest.xml is in “%(folder)s”: zip the contents of that folder, "
                "not the folder itself."
            )
            % {"folder": nested[0][: -len(MANIFEST)]}
        )
    if "h5p.json" in root_names(files):
        hints.append(_("It is an H5P package: add it as an H5P package instead."))
    return hints


SCORM = PackageKind(
    marker=MANIFEST,
    not_a_zip=gettext_lazy(
        "This is not a SCORM package: the file is not a zip archive or it is damaged."
    ),
    not_package=gettext_lazy("This is not a SCORM package: it has no imsmanifest.xml at its root."),
    skip=_skipped,
    hints=_hints,
)


def inspect_package(path) -> ScormInspection:
    """Check a SCORM zip without extracting it (module docstring)."""
    result = ScormInspection()
    lim = limits()
    with open_package(path, SCORM, lim, result.errors) as package:
        data = _manifest_bytes(package, lim, result) if package is not None else None
    if data is not None:
        _check_manifest(data, {i.filename for i in result.members}, result)
    return result


def _manifest_bytes(package, lim: dict, result: ScormInspection) -> bytes | None:
    """The manifest's bytes once every file's type is allowed, else None (errors say why)."""
    errors = result.errors
    for info in package.files:
        ext = _extension(info.filename)
        if ext not in EXTENSIONS:
            errors.append(
                _("“%(name)s”: files of type “%(ext)s” are not allowed in a SCORM package.")
                % {"name": info.filename, "ext": ext or _("(no extension)")}
            )
    if not errors:  # what each file really is, from its first bytes
        errors.extend(zip_members_problems(package.zf, package.files))
    if errors:
        return None
    result.members = package.files
    manifest = next(i for i in package.files if i.filename == MANIFEST)
    try:
        return read_member(package.zf, manifest, lim["max_manifest_bytes"])
    except ValueError:
        errors.append(
            _("imsmanifest.xml is larger than %(max)d MiB.")
            % {"max": lim["max_manifest_bytes"] // MiB}
        )
    except (zipfile.BadZipFile, EOFError, OSError):
        errors.append(_("The archive is damaged: imsmanifest.xml cannot be read."))
    return None


def _parse(data: bytes, errors: list[str]):
    if DOCTYPE_RE.search(data):
        errors.append(_("imsmanifest.xml must not declare a DTD or entities."))
        return None
    try:
        return fromstring(data)
    except DefusedXmlException:
        errors.append(_("imsmanifest.xml must not declare a DTD or entities."))
    except ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        errors.append(_("imsmanifest.xml is not valid XML (line %(line)d).") % {"line": line})
    return None


def _version(root, errors: list[str]) -> tuple[str, str]:
    schema = (
        _text(_child(_child(root, "metadata"), "schemaversion"))
        if _child(root, "metadata") is not None
        else ""
    )
    if schema:
        found = SCHEMA_VERSIONS.get(schema.lower())
        if found is None:
            errors.append(
                _(
                    "imsmanifest.xml: schemaversion “%(value)s” is not SCORM 1.2 or 2004 "
                    "(1.2, CAM 1.3, 2004 3rd Edition, 2004 4th Edition)."
                )
                % {"value": schema[:60]}
            )
            return "", ""
        return found
    # No schemaversion: the ADL namespace used by the attributes says which version it is.
    namespaces = {
        key.split("}", 1)[0][1:]
        for node in root.iter()
        for key in [node.tag, *node.attrib]
        if isinstance(key, str) and key.startswith("{")
    }
    if NS_SCORM2004 in namespaces:
        return SCORM2004, "2004"
    if NS_SCORM12 in namespaces:
        return SCORM12, "1.2"
    errors.append(
        _(
            "imsmanifest.xml has no schemaversion and no ADL namespace: "
            "the SCORM version is unknown."
        )
    )
    return "", ""


def _local_path(base: str, href: str) -> str | None:
    """The package path an href names (base applied, query and fragment cut), or None when
    it leaves the package (a scheme, a host, an absolute path or "..")."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("/", "\\")):
        return None
    joined = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    if joined.startswith(("../", "/")) or joined in ("..", "."):
        return None
    return joined


def _check_manifest(data: bytes, names: set[str], result: ScormInspection) -> None:
    errors = result.errors
    root = _parse(data, errors)
    if root is None:
        return
    if _local(root.tag) != "manifest":
        errors.append(
            _("This is not a SCORM package: the root element of imsmanifest.xml is not <manifest>.")
        )
        return
    result.version, result.edition = _version(root, errors)
    resources = _resources(root, names, errors)
    organizations = _child(root, "organizations")
    orgs = _children(organizations, "organization") if organizations is not None else []
    if not orgs:
        errors.append(_("imsmanifest.xml has no organization: there is nothing to launch."))
        return
    default = _attr(organizations, "default")
    org = next((o for o in orgs if _attr(o, "identifier") == default), None) if default else orgs[0]
    if org is None:
        errors.append(
            _("imsmanifest.xml: the default organization “%(id)s” does not exist.")
            % {"id": default[:100]}
        )
        return
    result.title = _title(org) or _attr(root, "identifier")[:255]
    for item in org.iter():
        if _local(item.tag) != "item":
            continue
        ref = _attr(item, "identifierref")
        if not ref:
            continue
        resource = resources.get(ref)
        if resource is None:
            errors.append(
                _("Item “%(item)s” refers to resource “%(ref)s”, which does not exist.")
                % {"item": _attr(item, "identifier")[:100], "ref": ref[:100]}
            )
            continue
        href, scorm_type = resource
        if href is None:
            continue
        if not href:
            errors.append(
                _("Resource “%(ref)s” is launched by an item but has no href.") % {"ref": ref[:100]}
            )
            continue
        result.scos.append(
            Sco(
                identifier=_attr(item, "identifier")[:255],
                title=_title(item) or result.title,
                href=_with_parameters(href, _attr(item, "parameters")),
                scorm_type=scorm_type,
                mastery_score=_mastery(item),
            )
        )
    if not result.scos and not errors:
        errors.append(_("The default organization has no item to launch."))
    result.title = result.title or (result.scos[0].title if result.scos else "")


def _mastery(item) -> float | None:
    text = _text(_child(item, "masteryscore"))
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def _with_parameters(href: str, parameters: str) -> str:
    if not parameters:
        return href
    if parameters[0] in "?#":
        joiner = "&" if parameters[0] == "?" and "?" in href else ""
        return href + (joiner + parameters[1:] if joiner else parameters)
    return href + ("&" if "?" in href else "?") + parameters


def _resources(root, names: set[str], errors: list[str]) -> dict[str, tuple[str | None, str]]:
    """{identifier: (launch path with query, sco|asset)} for every resource, after checking
    each one's href, files and dependencies."""
    container = _child(root, "resources")
    if container is None:
        errors.append(_("imsmanifest.xml has no <resources>."))
        return {}
    base = posixpath.join(root.get(XML_BASE, ""), container.get(XML_BASE, ""))
    found: dict[str, tuple[str | None, str]] = {}
    dependencies: list[tuple[str, str]] = []
    for node in _children(container, "resource"):
        ident = _attr(node, "identifier")
        res_base = posixpath.join(base, node.get(XML_BASE, ""))
        href = _attr(node, "href")
        launch: str | None = ""  # None: an href already refused
        if href:
            launch = None
            path = _local_path(res_base, href)
            if path is None:
                errors.append(
                    _("Resource “%(id)s”: “%(href)s” is outside the package.")
                    % {"id": ident[:100], "href": href[:200]}
                )
            elif path not in names:
                errors.append(
                    _("Resource “%(id)s” launches “%(path)s”, which is not in the package.")
                    % {"id": ident[:100], "path": path[:200]}
                )
            else:
                query = urlsplit(href)
                launch = path + (f"?{query.query}" if query.query else "")
                launch += f"#{query.fragment}" if query.fragment else ""
        for file_node in _children(node, "file"):
            path = _local_path(res_base, _attr(file_node, "href"))
            if path is None or path not in names:
                errors.append(
                    _("Resource “%(id)s” lists “%(path)s”, which is not in the package.")
                    % {"id": ident[:100], "path": _attr(file_node, "href")[:200]}
                )
        for dep in _children(node, "dependency"):
            dependencies.append((ident, _attr(dep, "identifierref")))
        scorm_type = "sco" if _attr(node, "scormtype").lower() == "sco" else "asset"
        found[ident] = (launch, scorm_type)
    for ident, ref in dependencies:
        if ref not in found:
            errors.append(
                _("Resource “%(id)s” depends on “%(ref)s”, which does not exist.")
                % {"id": ident[:100], "ref": ref[:100]}
            )
    return found
