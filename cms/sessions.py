"""Sessions: in the database, read through the cache, and never broken by the cache.

Django's `cached_db` store saves every session to the database and keeps a copy in the
cache, so a request usually reads its session without a query (issue 16). But it lets a
cache error through on a read after a miss, on `exists` and on delete: with Redis down
(or any cache backend that raises) every page would be a 500 and log-in could not answer
its clean "busy" page. Here each cache operation of the session store that fails is what
a cold cache does: a read is a miss (the database answers), a write or delete is skipped.
The database stays the truth, so nobody is logged out and nothing is lost.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)


class _CacheOrMiss:
    """The session cache, with each failure turned into a miss or a skipped write."""

    def __init__(self, cache):
        self._cache = cache

    def _guard(self, operation: str, call, default=None):
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - any backend's error is a miss
            logger.warning("session cache %s failed, using the database: %s", operation, exc)
            return default

    async def _aguard(self, operation: str, call, default=None):
        try:
            return await call()
        except Exception as exc:  # noqa: BLE001
            logger.warning("session cache %s failed, using the database: %s", operation, exc)
            return default

    def get(self, key, default=None):
        return self._guard("get", lambda: self._cache.get(key, default), default)

    def set(self, key, value, timeout=None):
        self._guard("set", lambda: self._cache.set(key, value, timeout))

    def delete(self, key):
        return self._guard("delete", lambda: self._cache.delete(key), False)

    def __contains__(self, key):
        return self._guard("has_key", lambda: key in self._cache, False)

    async def aget(self, key, default=None):
        return await self._aguard("get", lambda: self._cache.aget(key, default), default)

    async def aset(self, key, value, timeout=None):
        await self._aguard("set", lambda: self._cache.aset(key, value, timeout))

    async def adelete(self, key):
        return await self._aguard("delete", lambda: self._cache.adelete(key), False)

    def __repr__(self):
        return f"<session cache {self._cache!r}>"


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _CacheOrMiss(self._cache)
