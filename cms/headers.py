"""Content-Security-Policy and Permissions-Policy on every response of the app origin.

The policies live in settings (CONTENT_SECURITY_POLICY for the site, and
CONTENT_SECURITY_POLICY_ADMIN for the Wagtail admin, whose own templates still carry inline
scripts and styles). The H5P content origin is answered earlier by its own middleware with
its own, stricter policy and never reaches this one.

Learner-facing pages allow no inline script and no inline style: scripts are static files,
data for them travels in `json_script` blocks (type="application/json", not executed).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def media_origins() -> list[str]:
    """Origins that serve uploaded media when it is not this origin: CSP_MEDIA_ORIGINS, and
    MEDIA_URL's origin when it is absolute (object storage, a CDN)."""
    origins = list(getattr(settings, "CSP_MEDIA_ORIGINS", []))
    media = _origin(getattr(settings, "MEDIA_URL", ""))
    if media and media not in origins:
        origins.append(media)
    return origins


def sso_origins() -> list[str]:
    """The single sign-on providers' origins (allauth's openid_connect apps): the log-in
    form's POST is answered by a redirect there, which form-action must allow."""
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    apps = (providers.get("openid_connect") or {}).get("APPS") or []
    origins = []
    for app in apps:
        origin = _origin((app.get("settings") or {}).get("server_url"))
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def _with_runtime_sources(directives: dict) -> dict:
    """Sources read from settings at request time: media origins for images and video, the
    current CONTENT_ORIGIN for frames (the H5P player), and single sign-on providers for
    form-action."""
    directives = dict(directives)
    sso = sso_origins()
    if sso:
        directives["form-action"] = [*directives.get("form-action", ["'self'"]), *sso]
    extra = media_origins()
    for name in ("img-src", "media-src"):
        if extra:
            directives[name] = [*directives.get(name, ["'self'"]), *extra]
    content = _origin(settings.CONTENT_ORIGIN)
    if content and content not in directives.get("frame-src", []):
        directives["frame-src"] = [*directives.get("frame-src", []), content]
    return directives


def is_admin_path(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in settings.CSP_ADMIN_PATH_PREFIXES)


def permissions_policy() -> str:
    """Every powerful feature off, except fullscreen for this page and the H5P player."""
    content = _origin(settings.CONTENT_ORIGIN)
    fullscreen = f'(self "{content}")' if content else "(self)"
    features = dict.fromkeys(settings.PERMISSIONS_POLICY_DENY, "()")
    features["fullscreen"] = fullscreen
    return ", ".join(f"{name}={allow}" for name, allow in features.items())


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's middleware with the admin's policy on admin paths, media origins added,
    and a Permissions-Policy header."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts  # a view chose its own policy with django-csp's decorators
        policy = (
            settings.CONTENT_SECURITY_POLICY_ADMIN
            if is_admin_path(request.path_info)
            else settings.CONTENT_SECURITY_POLICY
        )
        parts.config = default_config(_with_runtime_sources(policy["DIRECTIVES"]))
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy()
        return response
