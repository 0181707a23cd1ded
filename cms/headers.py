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

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy, default_config
from django.conf import settings
from django.core.signals import setting_changed


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


# The headers are the same for every response of a kind (admin path or not) as long as the
# settings they are made from stay the same: built once per process (issue 16: django-csp
# built the policy again, with `dataclasses.asdict`, on every response). Any settings change
# (tests' override_settings) forgets them. A response that needs its own header (a nonce
# asked for, a view's django-csp decorator, a DEBUG error page) goes django-csp's own way.
_built: dict[str, str] = {}
_OWN_POLICY_ATTRS = ("_csp_config", "_csp_update", "_csp_replace",
                     "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")  # fmt: skip


def headers_forget(**_kwargs) -> None:
    _built.clear()


setting_changed.connect(headers_forget, dispatch_uid="cms.headers.settings_changed")


def _site_policy(admin: bool) -> str:
    key = "csp:admin" if admin else "csp:site"
    header = _built.get(key)
    if header is None:
        policy = (
            settings.CONTENT_SECURITY_POLICY_ADMIN if admin else settings.CONTENT_SECURITY_POLICY
        )
        header = build_policy(config=default_config(_with_runtime_sources(policy["DIRECTIVES"])))
        _built[key] = header
    return header


def _permissions_policy() -> str:
    header = _built.get("permissions")
    if header is None:
        header = _built["permissions"] = permissions_policy()
    return header


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
        if self._plain(request, response):
            # django-csp's process_response with the policy built once (_site_policy).
            header = _site_policy(is_admin_path(request.path_info))
            if header and HEADER not in response and not getattr(response, "_csp_exempt", False):
                response[HEADER] = header
            # As django-csp: asking for a nonce now is an error, not a nonce left unsent.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        else:
            response = super().process_response(request, response)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = _permissions_policy()
        return response

    @staticmethod
    def _plain(request, response) -> bool:
        """The response gets the site's (or the admin's) policy as it is: no nonce was asked
        for, no view chose its own policy, no report-only policy or excluded prefixes are
        set, and it is not a DEBUG error page (which django-csp leaves without a header)."""
        if getattr(request, "_csp_nonce", None) is not None:
            return False
        if any(hasattr(response, name) for name in _OWN_POLICY_ATTRS):
            return False
        if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None):
            return False
        if settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES"):
            return False
        return not (settings.DEBUG and response.status_code in (404, 500))
