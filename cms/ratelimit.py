"""Rate limits, and what they do when the cache (Redis) is down.

The rule (also in docs/architecture.md, "Client address and rate limits"):
- Log-in and everything that guards an account (sign-up, password reset, log-in codes,
  re-authentication, the MFA code, password and e-mail changes) FAILS CLOSED: without a
  working cache allauth cannot count attempts, so these forms answer a clean 503 page
  "The system is busy, please try again later." and never check a password uncounted.
- Our own limits (public certificate verification, xAPI statements and saved H5P state)
  FAIL OPEN: they protect capacity, not secrets, so the request is served and a warning
  logged.

Every limit keys on `cms.net.client_ip`. This module catches cache errors itself, so the
rule holds whether the cache raises when Redis is down or degrades to misses: a probe that
writes and reads back a value fails either way.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from cms.net import client_ip, rate_limit_identity

logger = logging.getLogger(__name__)

# allauth views (URL names) whose POST allauth rate-limits: they fail closed.
FAIL_CLOSED_URL_NAMES = frozenset(
    {
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_from_key",
        "account_request_login_code",
        "account_confirm_login_code",
        "account_reauthenticate",
        "account_change_password",
        "account_set_password",
        "account_email",
        "mfa_authenticate",
        "mfa_reauthenticate",
        # Phone log-in (issue 20): codes and set-password links sent by SMS.
        "account_verify_phone",
        "account_change_phone",
        "phone_password_reset",
        "phone_set_password",
    }
)
BUSY_RETRY_AFTER_SECONDS = 30


def cache_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the cache is unreachable" (Redis refused, timed out, reset)."""
    errors: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, OSError)
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency
        return errors
    return (*errors, RedisError)


def cache_available() -> bool:
    """Write a value and read it back: False when the cache raises or silently misses."""
    key, token = f"ratelimit:probe:{uuid.uuid4().hex}", "1"
    try:
        cache.set(key, token, timeout=5)
        ok = cache.get(key) == token
        cache.delete(key)
    except cache_errors() as exc:
        logger.warning("cache unavailable: %s", exc)
        return False
    return ok


def limit_exceeded(*, scope: str, identity: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one request of `identity` in a fixed window; True once more than `limit` came.

    Fails open (returns False and logs) when the cache is unreachable. Use it for limits
    that protect capacity; account forms rely on allauth and fail closed (the middleware).
    """
    if limit <= 0:
        return False
    key = f"rl:{scope}:{identity}:{int(time.time() // window_seconds)}"
    try:
        if cache.add(key, 1, timeout=window_seconds + 30):
            return False
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr, or a cache that degrades to misses
        return False
    except cache_errors() as exc:
        logger.warning("rate limit %s not applied (fails open): cache unavailable: %s", scope, exc)
        return False


def client_limit_exceeded(request, *, scope: str, limit: int, window_seconds: int = 60) -> bool:
    """`limit_exceeded` keyed on the request's client address (`cms.net.client_ip`)."""
    identity = rate_limit_identity(client_ip(request))
    return limit_exceeded(
        scope=scope, identity=identity, limit=limit, window_seconds=window_seconds
    )


def busy_response(request):
    # "Thử lại" asks for the same address again (a form comes back to be sent again): a
    # link, no script. A path that would leave the site ("//host/…") retries the home page.
    retry_url = request.get_full_path()
    if not url_has_allowed_host_and_scheme(retry_url, allowed_hosts=None):
        retry_url = "/"
    response = render(request, "cms/busy.html", {"retry_url": retry_url}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


def _fail_closed_view(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name in FAIL_CLOSED_URL_NAMES)


class AccountRateLimitFailClosedMiddleware:
    """Log-in and the other account forms fail closed when the cache is down (the rule
    above): a POST is answered by the busy page before allauth runs, and a cache error
    raised inside one of these views becomes the same page instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or not _fail_closed_view(request):
            return None
        if getattr(settings, "ACCOUNT_RATE_LIMITS", None) is False:
            return None  # limits switched off: nothing to count
        if cache_available():
            return None
        logger.warning("%s refused: cache down, account rate limits fail closed", request.path)
        return busy_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, cache_errors()) and _fail_closed_view(request):
            logger.warning("%s refused: cache error %s (fails closed)", request.path, exception)
            return busy_response(request)
        return None
