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

import contextlib
import contextvars
import logging
import pickle
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
    token = ahead_get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex[:16], None)
        token = cache.get(key)
    return token


def generation_forget(key: str) -> None:
    """A new token at `key` (see `forget`)."""
    forget([key])


def forget(keys) -> None:
    """Delete `keys` from the cache now and again when the current transaction commits (a
    reader between the two would otherwise store again what it read before the commit), and
    from this request's read-ahead. A backend's error is logged and skipped, as a Redis
    outage is by ResilientRedisCache: the entries then end with their time."""
    keys = list(keys)
    if not keys:
        return
    ahead_forget(keys)
    _delete_many(keys)
    transaction.on_commit(lambda: _delete_many(keys))


def _delete_many(keys) -> None:
    try:
        cache.delete_many(keys)
    except Exception as exc:  # noqa: BLE001 - any backend's error: the entries expire
        logger.warning("cache unavailable, %d keys not deleted: %s", len(keys), exc)


def cache_is_local() -> bool:
    """Whether the default cache is each process's own (LocMemCache: the demo's single
    process, the tests; or none at all): a key forgotten in one process is still remembered
    by the others, so callers keep such entries briefly or not at all."""
    # `cache` is a proxy: the backend's own class is the default connection's.
    return isinstance(caches["default"], (LocMemCache, DummyCache))


# How long a per-process cache keeps an entry that writes forget: its other processes never
# hear of a forget, so they may show what changed for this long (the demo's single process).
LOCAL_CACHE_SECONDS = 10


def cache_seconds(shared: int) -> int:
    """How long to keep an entry that writes forget: `shared` with a cache every process
    shares (Redis); with a per-process one, LOCAL_CACHE_SECONDS."""
    return LOCAL_CACHE_SECONDS if cache_is_local() else shared


class ProcessMemo:
    """This process's own copies of what it read from the shared cache under a generation
    token (issue 16): what is stored under a token never changes (any change makes a new
    token), so a copy is exactly the shared entry, and a request asks the shared cache for
    the token alone: no round trip per entry, nothing unpickled. A copy is kept `seconds`
    at most (`longest` caps it: it outlives the shared entry by that much at most). The
    whole memo is emptied when it holds `size` entries (a new token leaves the old ones
    unread until then) or by `clear()`. Nothing personal is ever kept here.

    `pickled`: keep the pickled bytes, and give each caller its own objects (values a
    request annotates: pages); otherwise the value itself, shared by every request (values
    that are never changed: frozen dataclasses, tuples). A value that cannot be pickled is
    not kept."""

    def __init__(self, *, size: int, longest: float | None = None, pickled: bool = False):
        self.size, self.longest, self.pickled = size, longest, pickled
        self._kept: dict = {}

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key):
        """The copy kept under `key`, or None (none, or past its time)."""
        kept = self._kept.get(key)
        if kept is None:
            return None
        until, value = kept
        if until < time.monotonic():
            self._kept.pop(key, None)
            return None
        return pickle.loads(value) if self.pickled else value  # noqa: S301 - our own bytes

    def put_many(self, entries: dict, seconds: float) -> None:
        """Keep each of `entries` ({key: value}) for `seconds` (at most `longest`)."""
        if self.longest is not None:
            seconds = min(seconds, self.longest)
        until = time.monotonic() + seconds
        kept = {}
        for key, value in entries.items():
            if self.pickled:
                with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
                    kept[key] = (until, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
            else:
                kept[key] = (until, value)
        if len(self._kept) + len(kept) > self.size:
            self._kept.clear()
        self._kept.update(kept)

    def put(self, key, value, seconds: float) -> None:
        self.put_many({key: value}, seconds)


# --- One round trip for what a signed-in person's page reads of the cache (issue 16) --------
# A learner's page read the session, then one key at a time: their user row, the pages
# generation, the navigation's manager flag, the bell's count: a Redis round trip each,
# about as much CPU as the rest of the middleware. The cached user's middleware reads the
# row and the keys the floors registered here (`read_ahead_register(key_of)`, key_of(user_id)
# -> key) in one get_many, for that request only (a context variable that the middleware
# sets and resets around the request). Each value read ahead is served once, to the first
# `ahead_get` of its key in the same request, and `ahead_forget` (called by every function
# that forgets such a key) drops it, so a write earlier in the request is never hidden by
# what was read before it. Only the person's own keys and the everyone keys are read (the
# key functions take the request's user id); nothing is kept past the request.

_MISSING = object()
_ahead_keys: list = []
_ahead: contextvars.ContextVar[dict | None] = contextvars.ContextVar("hocso_ahead", default=None)


def read_ahead_register(key_of) -> None:
    """Read key_of(user_id) with the signed-in person's row on their pages (call once, from
    an AppConfig.ready or a module's import)."""
    if key_of not in _ahead_keys:
        _ahead_keys.append(key_of)


def ahead_begin():
    """Start a request's read-ahead (the cached user's middleware); returns the reset token."""
    return _ahead.set({})


def ahead_end(token) -> None:
    _ahead.reset(token)


def read_ahead(user_id, key: str):
    """The value at `key` (None: a miss), read in one get_many with the registered keys of
    `user_id`, which later `ahead_get`s of this request are served from."""
    store = _ahead.get()
    if store is None or not _ahead_keys:
        return cache.get(key)
    keys = [key, *(key_of(user_id) for key_of in _ahead_keys)]
    found = cache.get_many(keys)
    for other in keys[1:]:
        store[other] = found.get(other, _MISSING)
    return found.get(key)


def ahead_get(key: str):
    """cache.get(key), answered by this request's read-ahead when it holds the key (once)."""
    store = _ahead.get()
    if store:
        value = store.pop(key, None)
        if value is not None:
            return None if value is _MISSING else value
    return cache.get(key)


def ahead_forget(keys) -> None:
    """Drop `keys` from this request's read-ahead (their entries were just forgotten)."""
    store = _ahead.get()
    if store:
        for key in keys:
            store.pop(key, None)
