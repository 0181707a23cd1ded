"""The Redis cache as an accelerator, not a single point of failure.

`ResilientRedisCache` is Django's RedisCache whose every operation turns "Redis is
unreachable" (refused, timed out, reset, read-only...) into what a cold cache does: a
read is a miss, a write or delete does nothing, `add` stores nothing (False), `incr`
finds no key (ValueError, as Django does for a missing key). Pages keep serving with
Redis down, only slower. One warning is logged per `LOG_EVERY_SECONDS`, not one per call.

The rate-limit rule (cms/ratelimit.py) still holds on top of it: account forms probe the
cache with a write read back, which a degraded cache fails (a miss), so log-in fails
closed; our own limits count nothing and fail open. `cache_down()` says whether the
last operation failed, for code that wants to know without probing.

Settings: CACHES OPTIONS socket_connect_timeout / socket_timeout keep a dead or hung
Redis from holding a request (cms/settings.py sets 0.5 s / 1 s).
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

logger = logging.getLogger(__name__)

LOG_EVERY_SECONDS = 60


def _errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, ConnectionError, TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    _last_log = 0.0
    _down = False

    def _failed(self, operation: str, exc: BaseException) -> None:
        ResilientRedisCache._down = True
        now = time.monotonic()
        if now - ResilientRedisCache._last_log >= LOG_EVERY_SECONDS:
            ResilientRedisCache._last_log = now
            logger.warning(
                "cache unavailable (%s: %s): serving without it (misses, writes dropped)",
                operation,
                exc,
            )

    def _ok(self) -> None:
        if ResilientRedisCache._down:
            ResilientRedisCache._down = False
            logger.warning("cache available again")

    def _call(self, operation: str, fallback, *args, **kwargs):
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except _errors() as exc:
            self._failed(operation, exc)
            if isinstance(fallback, type) and issubclass(fallback, BaseException):
                raise fallback(f"cache unavailable: {exc}") from exc
            return fallback(*args, **kwargs) if callable(fallback) else fallback
        self._ok()
        return result

    def get(self, key, default=None, version=None):
        return self._call("get", lambda *a, **k: default, key, default, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def add(self, key, value, *args, **kwargs):
        return self._call("add", False, key, value, *args, **kwargs)

    def set(self, key, value, *args, **kwargs):
        return self._call("set", None, key, value, *args, **kwargs)

    def set_many(self, data, *args, **kwargs):
        # Django returns the keys it failed to store.
        return self._call("set_many", lambda *a, **k: list(data), data, *args, **kwargs)

    def touch(self, key, *args, **kwargs):
        return self._call("touch", False, key, *args, **kwargs)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", ValueError, key, delta, version=version)

    def clear(self):
        return self._call("clear", False)


def cache_down() -> bool:
    """True when the last operation of a ResilientRedisCache failed."""
    return ResilientRedisCache._down


def generation(key: str) -> str | None:
    """The current token stored at `key`, made if missing (None with the cache down): what
    a cache for everyone puts in its keys, so that forgetting the token forgets them all."""
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex[:16], None)
        token = cache.get(key)
    return token


def generation_forget(key: str) -> None:
    """A new token at `key`, now and again when the current transaction commits (a reader
    between the two would otherwise keep what it read before the commit)."""
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def cache_is_local() -> bool:
    """Whether the default cache is each process's own (LocMemCache: the demo's single
    process, the tests; or none at all): a key forgotten in one process is still remembered
    by the others, so callers keep such entries briefly or not at all."""
    # `cache` is a proxy: the backend's own class is the default connection's.
    return isinstance(caches["default"], (LocMemCache, DummyCache))


def cache_seconds(shared: int) -> int:
    """How long to keep an entry that writes forget: `shared` with a cache every process
    shares (Redis); with a per-process one, whose other processes never hear of a forget,
    cms.pages.PAGES_LOCAL_SECONDS."""
    from cms.pages import PAGES_LOCAL_SECONDS

    return PAGES_LOCAL_SECONDS if cache_is_local() else shared
