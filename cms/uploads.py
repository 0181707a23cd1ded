"""What an uploaded file really is: its first bytes against what its name says (puremagic,
a pure-Python detector of file signatures, so no system library is needed).

`content_problem(name, head)` is the one rule, used for every file inside an H5P or SCORM
package (`zip_members_problems`) and for single uploads (`upload_problem`, e.g. documents
and images through their admin forms; spreadsheets and question bank files, checked as the
format they are read as, whatever their name: `ext=`):

* a name whose extension is a binary format (images, audio, video, fonts, PDF, office
  documents, Flash) must start with a signature of that format (any raster image for an
  image name): an "image" that is not an image, such as the EICAR test string named
  cat.jpg, is refused;
* a text format (JSON, CSS, JavaScript, HTML, XML, SVG, subtitles, CSV...) must not hold
  binary data (a NUL byte in its first bytes);
* an extension this module does not know is left to the caller's own allow-list.

`upload_refusal(upload)` is what a single upload the person waits for goes through: this
check, then ClamAV (cms.antivirus.scan_refusal: refused while the scanner is down).
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import PurePosixPath

import puremagic
from django.utils.translation import gettext as _

from cms import antivirus

HEAD_BYTES = 8192

# A format's extension -> the extensions puremagic may report for the same kind of bytes.
_IMAGES = {"png", "jpg", "jpeg", "jpe", "jfif", "gif", "webp", "bmp", "dib", "tif", "tiff", "ico"}
_BINARY_ALIASES = {
    # Any raster image passes for any image name (authoring tools save PNGs as .jpg).
    "image": _IMAGES | {"cur"},  # an .ico may hold a PNG
    "mp3": {"mp3", "mpga", "mp2"},
    "mp4": {"mp4", "m4a", "m4v", "f4a", "f4v", "mov", "3gp"},
    "webm": {"webm", "mkv"},
    "ogg": {"ogg", "oga", "ogv", "ogx", "opus", "spx"},
    "wav": {"wav"},
    "aac": {"aac"},
    "flac": {"flac"},
    "woff": {"woff"},
    "woff2": {"woff2"},
    "ttf": {"ttf", "otf"},
    "pdf": {"pdf"},
    "ole": {"doc", "xls", "ppt", "msi", "ole"},
    "zip": {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "jar", "epub"},
    "rtf": {"rtf"},
    "swf": {"swf"},
}
_FAMILY = {
    **dict.fromkeys(_IMAGES | {"cur"}, "image"),
    "m4a": "mp4",
    "m4v": "mp4",
    "oga": "ogg",
    "ogv": "ogg",
    "otf": "ttf",
    "doc": "ole",
    "xls": "ole",
    "ppt": "ole",
    "docx": "zip",
    "xlsx": "zip",
    "pptx": "zip",
    "odt": "zip",
    "ods": "zip",
    "odp": "zip",
}
# RIFF containers (webp, wav, avi) are told apart by bytes 8-12, which puremagic may not.
_RIFF = {"wav": b"WAVE"}
TEXT_EXTENSIONS = frozenset(
    {"json", "txt", "csv", "md", "textile", "diff", "patch", "vtt", "webvtt", "srt", "css"}
    | {"js", "mjs", "map", "html", "htm", "xhtml", "xml", "xsd", "dtd", "svg", "gltf"}
)


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix[1:].lower() if suffix else ""


def _detected(head: bytes) -> list[tuple[str, str]]:
    """[(extension, mime type)] puremagic finds for these bytes, best first ([] for none)."""
    try:
        found = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return []
    return [(m.extension.lstrip(".").lower(), m.mime_type) for m in found]


def content_problem(name: str, head: bytes, *, ext: str | None = None) -> str | None:
    """Why the file's first bytes are not what its name (or `ext`, the format it will be
    read as) says, or None (module docstring)."""
    ext = ext or _extension(name)
    if ext in TEXT_EXTENSIONS:
        if b"\x00" in head:
            return _("“%(name)s” should be text but holds binary data.") % {"name": name}
        return None
    family = _FAMILY.get(ext, ext)
    aliases = _BINARY_ALIASES.get(family)
    if aliases is None:
        return None
    if ext == "webp" and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return None
    if family in _RIFF:
        if head[:4] == b"RIFF" and head[8:12] == _RIFF[family]:
            return None
        found = []
    else:
        found = _detected(head)
        if any(candidate in aliases for candidate, _mime in found):
            return None
    what = next((mime for _ext, mime in found if mime), "") or _("unrecognised data")
    return _("“%(name)s” is not a real .%(ext)s file: its content is %(found)s.") % {
        "name": name,
        "ext": ext,
        "found": what,
    }


def zip_members_problems(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> list[str]:
    """`content_problem` for each member (its first bytes only). The caller has checked the
    archive's directory (cms.archives) first."""
    problems = []
    for info in members:
        try:
            with zf.open(info) as fh:
                head = fh.read(HEAD_BYTES)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
            problems.append(
                _("“%(name)s” cannot be read: the archive is damaged.") % {"name": info.filename}
            )
            continue
        problem = content_problem(info.filename, head)
        if problem:
            problems.append(problem)
    return problems


def upload_problem(upload, *, ext: str | None = None, name: str | None = None) -> str | None:
    """`content_problem` for one uploaded file (a Django UploadedFile, or any file object;
    `name` when it has none); rewinds it."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return content_problem(name or getattr(upload, "name", "") or "", head, ext=ext)


def upload_refusal(upload, *, ext: str | None = None) -> str | None:
    """Why a single upload is refused: not what it says it is (`upload_problem`), or ClamAV
    finds something in it or cannot scan it now (cms.antivirus.scan_refusal); else None."""
    return upload_problem(upload, ext=ext) or antivirus.scan_refusal(upload)
