"""The client's network address: the one function every rate limit and audit record uses.

Behind a reverse proxy REMOTE_ADDR is the proxy's address, shared by every client. Each
proxy appends the address it received the request from to X-Forwarded-For, so with N
trusted proxies in front of the app (setting TRUSTED_PROXY_COUNT, environment variable of
the same name, default 0) the client is the N-th address from the right. Everything to the
left of it was written by the client and is never trusted (a client that sends
"X-Forwarded-For: 1.2.3.4" only adds a left-most entry).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

# Headers a reverse proxy adds: a request carrying one came through a proxy, whatever its
# REMOTE_ADDR (nginx on the same machine connects from 127.0.0.1).
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def _clean(address: str) -> str | None:
    address = address.strip()
    if address.startswith("[") and "]" in address:  # "[2001:db8::1]:443"
        address = address[1 : address.index("]")]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's IP address as the app's trusted proxies saw it.

    Use this wherever a request is keyed by its sender (rate limits, consent records,
    sessions list). TRUSTED_PROXY_COUNT = 0: REMOTE_ADDR. N > 0: the N-th entry from the right
    of X-Forwarded-For; when the header is missing, too short or malformed (a request that
    did not come through all N proxies), REMOTE_ADDR, which a client cannot choose.
    """
    remote = _clean(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104 - a key, not a bind
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < trusted:
        return remote
    return _clean(forwarded[-trusted]) or remote


def rate_limit_identity(address: str) -> str:
    """The key a per-address rate limit counts under: the address itself, or for IPv6 its
    /64 network (one subscriber usually holds a whole /64, as allauth also assumes)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped:  # "::ffff:203.0.113.7" is that IPv4 client
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address) + "/64"


def is_direct_loopback(request) -> bool:
    """True for a request from this machine that did not come through a proxy: REMOTE_ADDR
    is loopback and no proxy header is present. X-Forwarded-For is never believed here."""
    address = _clean(request.META.get("REMOTE_ADDR", ""))
    if address is None or not ipaddress.ip_address(address).is_loopback:
        return False
    return not any(request.META.get(header) for header in PROXY_HEADERS)


def absolute_url(path: str) -> str:
    """A link for an e-mail: the app's origin (settings.APP_ORIGIN) and `path`."""
    return settings.APP_ORIGIN.rstrip("/") + path
