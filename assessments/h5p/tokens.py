"""Short-lived signed tokens for the content origin, carried in the URL path.

A token reads `<package id>.<expiry unix time>.<signature>`; the signature is an HMAC
(Django's salted_hmac over SECRET_KEY) of the package id and expiry. It goes in the *path*
(`/c/<token>/...`) because h5p-standalone builds child URLs by appending to h5pJsonPath, so
a query string would be lost. No cookie is ever needed on the content origin.
"""

import base64
import time

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "hocso.h5p.content-token"
SCORM_SALT = "hocso.scorm.content-token"  # a SCORM package's tokens open nothing of H5P's


def _signature(package_id: int, expires: int, salt: str) -> str:
    mac = salted_hmac(salt, f"{package_id}:{expires}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def make_token(package_id: int, *, now: float | None = None, lifetime: int | None = None,
               salt: str = SALT) -> str:  # fmt: skip
    now = time.time() if now is None else now
    lifetime = settings.H5P_TOKEN_SECONDS if lifetime is None else lifetime
    expires = int(now) + int(lifetime)
    return f"{package_id}.{expires}.{_signature(package_id, expires, salt)}"


def read_token(token: str, *, now: float | None = None, salt: str = SALT) -> int | None:
    """The package id a valid, unexpired token (of this salt's kind) grants; None otherwise."""
    try:
        package_part, expires_part, signature = token.split(".")
        package_id, expires = int(package_part), int(expires_part)
    except ValueError:
        return None
    if package_id <= 0 or not constant_time_compare(
        signature, _signature(package_id, expires, salt)
    ):
        return None
    now = time.time() if now is None else now
    if expires < now:
        return None
    return package_id
