"""The content origin: H5P player, package content and approved libraries, by token only.

Only `ContentOriginMiddleware` calls this, for requests whose Host is CONTENT_ORIGIN, before
any session or CSRF middleware: no cookie is read or set here. Paths:

    /c/<token>/player.html             the player page (rendered; its script is external)
    /c/<token>/player/<file>           h5p-standalone dist/ files and hocso-player.js
    /c/<token>/content/<file>          h5p.json and content/... of the token's package
    /c/<token>/libraries/<Folder>/...  approved libraries in the package's dependency closure

Everything else on this host is 404. Every response carries an explicit Content-Type from
our own map, nosniff, a strict CSP whose frame-ancestors is the app, and no cookies;
types outside the "inline" set are sent as attachments.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string

from assessments.h5p import l10n, storage
from assessments.h5p.models import H5PLibrary, H5PPackage
from assessments.h5p.services import activity_iri
from assessments.h5p.tokens import read_token
from assessments.h5p.validation import CONTENT_EXTENSIONS, LIBRARY_EXTENSIONS

# extension -> (Content-Type, inline?)
TYPES: dict[str, tuple[str, bool]] = {
    "json": ("application/json", True),
    "js": ("text/javascript; charset=utf-8", True),
    "css": ("text/css; charset=utf-8", True),
    "png": ("image/png", True),
    "jpg": ("image/jpeg", True),
    "jpeg": ("image/jpeg", True),
    "gif": ("image/gif", True),
    "bmp": ("image/bmp", True),
    "svg": ("image/svg+xml", True),  # library folders only (icons, fonts); never content/
    "woff": ("font/woff", True),
    "woff2": ("font/woff2", True),
    "ttf": ("font/ttf", True),
    "otf": ("font/otf", True),
    "eot": ("application/vnd.ms-fontobject", True),
    "mp4": ("video/mp4", True),
    "webm": ("video/webm", True),
    "ogg": ("audio/ogg", True),
    "mp3": ("audio/mpeg", True),
    "m4a": ("audio/mp4", True),
    "wav": ("audio/wav", True),
    "vtt": ("text/vtt; charset=utf-8", True),
    "webvtt": ("text/vtt; charset=utf-8", True),
    "gltf": ("model/gltf+json", True),
    "glb": ("model/gltf-binary", True),
    "tif": ("image/tiff", False),
    "tiff": ("image/tiff", False),
    "txt": ("text/plain; charset=utf-8", False),
    "pdf": ("application/pdf", False),
    "csv": ("text/csv; charset=utf-8", False),
    "xml": ("application/octet-stream", False),
}
ATTACHMENT_TYPE = "application/octet-stream"
NEVER_SERVED = frozenset({"swf", "html", "htm", "php", "xhtml"})

# h5p.js writes this inline bootstrap into its iframe: allowed by hash, not 'unsafe-inline'.
H5P_BOOTSTRAP_HASH = "'sha256-8CniZYrnO46q7MvZ3m08Wom1HH/ZhyXmm29kBKTV1rk='"

PATH_RE = re.compile(r"^/c/(?P<token>[0-9]+\.[0-9]+\.[A-Za-z0-9_-]+)/(?P<rest>.+)$")
SAFE_REL_RE = re.compile(r"^[A-Za-z0-9_\-. /]+$")

PLAYER_STATIC = Path(__file__).resolve().parent / "static" / "h5p"


def vendor_dir() -> Path:
    """The h5p-standalone dist/ tree: build/static (make assets) or node_modules."""
    built = Path(settings.BASE_DIR) / "build" / "static" / "vendor" / "h5p-standalone"
    if (built / "main.bundle.js").exists():
        return built
    return Path(settings.BASE_DIR) / "node_modules" / "h5p-standalone" / "dist"


# 'unsafe-eval': MultiChoice and others compile EJS templates; confined to this origin.
H5P_SCRIPTS = f"'self' 'unsafe-eval' {H5P_BOOTSTRAP_HASH}"


def content_security_policy(scripts: str = H5P_SCRIPTS) -> str:
    """The content origin's policy (H5P's scripts unless a kind gives its own)."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self'",
            f"frame-ancestors 'self' {settings.APP_ORIGIN}",
            "object-src 'none'",
            # H5P core writes its iframe document with a <base> to the player page.
            "base-uri 'self'",
            "form-action 'none'",
        ]
    )


def harden(response: HttpResponse, *, content_type: str, inline: bool,
           scripts: str = H5P_SCRIPTS) -> HttpResponse:  # fmt: skip
    """Every content-origin answer: its type, nosniff, the policy, no referrer, same-origin
    resources, private caching; inline or an attachment."""
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = content_security_policy(scripts)
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=600"
    if inline:
        if "Content-Disposition" in response:
            del response["Content-Disposition"]
    else:
        response["Content-Disposition"] = "attachment"
    return response


def _file(path: Path, allowed: frozenset[str]) -> HttpResponse:
    ext = path.suffix[1:].lower()
    if ext in NEVER_SERVED or ext not in allowed or not path.is_file():
        raise Http404
    content_type, inline = TYPES.get(ext, (ATTACHMENT_TYPE, False))
    response = FileResponse(open(path, "rb"))  # noqa: SIM115 - FileResponse closes it
    return harden(response, content_type=content_type, inline=inline)


def under(base: Path, rel: str, *, names: re.Pattern = SAFE_REL_RE) -> Path:
    """`rel` inside `base`, or 404 (no .., no absolute, only characters `names` allows)."""
    if not rel or not names.match(rel) or rel.startswith("/"):
        raise Http404
    parts = rel.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise Http404
    target = (base / rel).resolve()
    if not str(target).startswith(str(base.resolve()) + "/"):
        raise Http404
    return target


def serve_content_request(request) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        raise Http404
    match = PATH_RE.match(request.path)
    if not match:
        raise Http404
    package_id = read_token(match["token"])
    if package_id is None:
        raise Http404
    package = H5PPackage.objects.filter(pk=package_id, status=H5PPackage.Status.READY).first()
    if package is None:
        raise Http404
    rest = match["rest"]
    base = f"/c/{match['token']}"
    if rest == "player.html":
        html = render_to_string(
            "h5p/player.html",
            {
                "base": base,
                "package": package,
                "app_origin": settings.APP_ORIGIN,
                "iri": _iri(package),
            },
        )
        return harden(HttpResponse(html), content_type="text/html; charset=utf-8", inline=True)
    section, _sep, rel = rest.partition("/")
    if section == "player":
        if rel in ("hocso-player.js", "hocso-storage.js"):
            return _file(PLAYER_STATIC / rel, frozenset({"js"}))
        return _file(under(vendor_dir(), rel), frozenset(TYPES) - {"json"})
    if section == "content":
        if rel != "h5p.json" and not rel.startswith("content/"):
            raise Http404
        if rel == "content/content.json":
            return _content_json(package)
        return _file(under(storage.content_path(package.archive_sha256), rel), CONTENT_EXTENSIONS)
    if section == "libraries":
        folder, _sep, file_rel = rel.partition("/")
        wanted = {f"{m}-{a}.{b}": (m, a, b) for (m, a, b) in package.dependency_keys}
        if folder not in wanted:
            raise Http404
        machine, major, minor = wanted[folder]
        library = H5PLibrary.objects.filter(
            machine_name=machine,
            major_version=major,
            minor_version=minor,
            status=H5PLibrary.Status.APPROVED,
        ).first()
        if library is None:
            raise Http404
        return _file(
            under(storage.library_path(library.files_sha256), file_rel), LIBRARY_EXTENSIONS
        )
    raise Http404


def _content_json(package) -> HttpResponse:
    """content.json with H5P's interface words in the site's language (assessments.h5p.l10n)."""
    path = under(storage.content_path(package.archive_sha256), "content/content.json")
    if not path.is_file():
        raise Http404
    body = l10n.content_json(package, path.read_bytes())
    content_type, inline = TYPES["json"]
    return harden(HttpResponse(body), content_type=content_type, inline=inline)


def _iri(package) -> str:
    return activity_iri(package)


def player_url(package, token: str) -> str:
    return f"{settings.CONTENT_ORIGIN.rstrip('/')}/c/{token}/player.html"
