"""The content origin for SCORM: a READY package's files, by token only.

Called by assessments.h5p.middleware.ContentOriginMiddleware for paths under /s/ on the
CONTENT_ORIGIN host, before any session or CSRF middleware (no cookie is read or set):

    /s/<token>/content/<path>    a file of the token's package (imsmanifest.xml at the top)

The token is H5P's kind of signed, short-lived path token with its own salt, so an H5P
token opens nothing here and the reverse. Everything else is 404. Responses carry an
explicit type from H5P's map plus web pages (a SCO is HTML), nosniff, no cookies, and a CSP
confined to this origin whose frame-ancestors is the app: SCOs made by authoring tools use
inline scripts and eval, which stay inside the sandboxed frame on this cookieless origin.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse

from assessments.h5p import storage
from assessments.h5p.serving import ATTACHMENT_TYPE, TYPES, harden, under
from assessments.h5p.tokens import SCORM_SALT, make_token, read_token
from assessments.scorm.models import ScormPackage

SCORM_PREFIX = "/s/"
PATH_RE = re.compile(r"^/s/(?P<token>[0-9]+\.[0-9]+\.[A-Za-z0-9_-]+)/content/(?P<rel>.+)$")
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
    path = under(storage.content_path(package.archive_sha256), match["rel"], names=NAMES_RE)
    ext = path.suffix[1:].lower()
    if ext in NEVER_SERVED or not path.is_file():
        raise Http404
    content_type, inline = PAGE_TYPES.get(ext) or TYPES.get(ext, (ATTACHMENT_TYPE, False))
    response = FileResponse(open(path, "rb"))  # noqa: SIM115 - FileResponse closes it
    return harden(response, content_type=content_type, inline=inline, scripts=SCO_SCRIPTS)


def content_url(package: ScormPackage, href: str) -> str:
    """Where a SCO's launch href (from the manifest) is served, with a fresh token."""
    token = make_token(package.pk, salt=SCORM_SALT)
    return f"{settings.CONTENT_ORIGIN.rstrip('/')}/s/{token}/content/{href}"
