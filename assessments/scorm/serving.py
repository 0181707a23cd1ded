"""The content origin for SCORM: a READY package's files, by token only.

Called by assessments.h5p.middleware.ContentOriginMiddleware for paths under /s/ on the
CONTENT_ORIGIN host, before any session or CSRF middleware (no cookie is read or set):

    /s/<token>/player.html       the player page: scorm-again's API for the package's
                                 version, frames the SCO (its script is external)
    /s/<token>/player/<file>     scorm-again's build for 1.2 or 2004, hocso-scorm-player.js
    /s/<token>/content/<path>    a file of the token's package (imsmanifest.xml at the top)

A SCO finds its API (window.API, window.API_1484_11) by walking up its parent windows,
which cannot cross origins: so the API lives in the player page on this origin, and the SCO
is framed beside it on the same origin. The player relays each commit by postMessage to the
lesson page on APP_ORIGIN (assessments/scorm/static/scorm/hocso-scorm-player.js).

The token is H5P's kind of signed, short-lived path token with its own salt, so an H5P
token opens nothing here and the reverse. Everything else is 404. Responses carry an
explicit type from H5P's map plus web pages (a SCO is HTML), nosniff, no cookies, and a CSP
confined to this origin whose frame-ancestors is the app: SCOs made by authoring tools use
inline scripts and eval, which stay inside the sandboxed frame on this cookieless origin.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string

from assessments.h5p import storage
from assessments.h5p.serving import ATTACHMENT_TYPE, TYPES, harden, under
from assessments.h5p.tokens import SCORM_SALT, make_token, read_token
from assessments.scorm.models import ScormPackage
from assessments.scorm.validation import SCORM12, SCORM2004

SCORM_PREFIX = "/s/"
PATH_RE = re.compile(r"^/s/(?P<token>[0-9]+\.[0-9]+\.[A-Za-z0-9_-]+)/(?P<rest>.+)$")
PAGE_TYPES = {
    "html": ("text/html; charset=utf-8", True),
    "htm": ("text/html; charset=utf-8", True),
    "xhtml": ("application/xhtml+xml; charset=utf-8", True),
    "xml": ("application/xml; charset=utf-8", True),  # courses read their data files
    "webp": ("image/webp", True),
    "ico": ("image/x-icon", True),
}
NEVER_SERVED = frozenset({"swf", "php", "xsd", "dtd"})
# Authoring tools keep the author's file names (Vietnamese letters, spaces, brackets): any
# printable name the zip check accepted, but no control character, backslash or colon.
NAMES_RE = re.compile(r"^[^\x00-\x1f\x7f\\:]+$")


# SCOs made by authoring tools use inline scripts and eval (kept inside this origin's frame).
SCO_SCRIPTS = "'self' 'unsafe-inline' 'unsafe-eval'"


# The player page runs only its own files (scorm-again and ours), not a SCO's.
PLAYER_SCRIPTS = "'self'"
PLAYER_STATIC = Path(__file__).resolve().parent / "static" / "scorm"
RUNTIMES = {SCORM12: "scorm12.min.js", SCORM2004: "scorm2004.min.js"}


def runtime_dir() -> Path:
    """scorm-again's dist/ files: build/static (make assets) or node_modules."""
    built = Path(settings.BASE_DIR) / "build" / "static" / "vendor" / "scorm-again"
    if (built / RUNTIMES[SCORM12]).exists():
        return built
    return Path(settings.BASE_DIR) / "node_modules" / "scorm-again" / "dist"


def serve_scorm_request(request) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        raise Http404
    match = PATH_RE.match(request.path)
    package_id = read_token(match["token"], salt=SCORM_SALT) if match else None
    package = (
        ScormPackage.objects.filter(pk=package_id, status=ScormPackage.Status.READY).first()
        if package_id
        else None
    )
    if package is None:
        raise Http404
    rest, base = match["rest"], f"/s/{match['token']}"
    if rest == "player.html":
        return _player_page(package, base)
    section, _sep, rel = rest.partition("/")
    if section == "player":
        if rel == "hocso-scorm-player.js":
            path = PLAYER_STATIC / rel
        elif rel == RUNTIMES.get(package.version):
            path = runtime_dir() / rel
        else:
            raise Http404
        response = FileResponse(open(path, "rb"))  # noqa: SIM115 - FileResponse closes it
        return harden(response, content_type=TYPES["js"][0], inline=True, scripts=PLAYER_SCRIPTS)
    if section != "content":
        raise Http404
    path = under(storage.content_path(package.archive_sha256), rel, names=NAMES_RE)
    ext = path.suffix[1:].lower()
    if ext in NEVER_SERVED or not path.is_file():
        raise Http404
    content_type, inline = PAGE_TYPES.get(ext) or TYPES.get(ext, (ATTACHMENT_TYPE, False))
    response = FileResponse(open(path, "rb"))  # noqa: SIM115 - FileResponse closes it
    return harden(response, content_type=content_type, inline=inline, scripts=SCO_SCRIPTS)


def _player_page(package: ScormPackage, base: str) -> HttpResponse:
    html = render_to_string(
        "scorm/player.html",
        {
            "base": base,
            "package": package,
            "app_origin": settings.APP_ORIGIN,
            "runtime": RUNTIMES[package.version],
        },
    )
    return harden(HttpResponse(html), content_type=PAGE_TYPES["html"][0], inline=True,
                  scripts=PLAYER_SCRIPTS)  # fmt: skip


def player_url(package: ScormPackage) -> str:
    """The player page of a package on the content origin, with a fresh token."""
    token = make_token(package.pk, salt=SCORM_SALT)
    return f"{settings.CONTENT_ORIGIN.rstrip('/')}/s/{token}/player.html"


def content_url(package: ScormPackage, href: str) -> str:
    """Where a SCO's launch href (from the manifest) is served, with a fresh token."""
    token = make_token(package.pk, salt=SCORM_SALT)
    return f"{settings.CONTENT_ORIGIN.rstrip('/')}/s/{token}/content/{href}"
