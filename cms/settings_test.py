"""Test settings: the one module, plus what makes tests fast and hermetic."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")

from cms.settings import *  # noqa: E402,F403 - the test override extends the one settings module
from cms.settings import REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process in tests; those marked celery_worker send to Redis explicitly.
CELERY_TASK_ALWAYS_EAGER = True
ACCOUNT_RATE_LIMITS = False

# xdist workers each get their own Redis database (the URL's database + 1, + 2) so a real
# worker started by one test process never takes another's tasks. Two checkouts testing at
# once on one Redis use base databases three apart (redis://.../0, /3, /6 ...).
if REDIS_URL:
    import os as _os
    from urllib.parse import urlparse as _urlparse

    _worker = _os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    _parsed = _urlparse(REDIS_URL)
    _base = int(_parsed.path.strip("/") or 0)
    _index = _base + 1 + (int(_worker[2:] or 0) if _worker.startswith("gw") else 0)
    _test_redis = _parsed._replace(path=f"/{_index}").geturl()
    CELERY_BROKER_URL = _test_redis
    CELERY_RESULT_BACKEND = _test_redis
    # The cache gets a database apart from the broker's (+8): a test's cache.clear() is a
    # FLUSHDB, which must never drop the queued tasks of the worker under test.
    _cache_redis = _parsed._replace(path=f"/{_index + 8}").geturl()
    CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": _cache_redis,
            "KEY_PREFIX": f"test-{_worker}",
        }
    }

# Factories make people without a consent record; the gate's own tests turn it on
# (tests/accounts/privacy/test_consent_gate.py).
HOCSO_CONSENT_GATE = False

# The dashboards' rollup sums are a snapshot up to a few minutes old in production
# (campaigns.reporting.aggregates.SNAPSHOT_SECONDS, not forgotten by writes): tests see
# their own writes at once; the snapshot's tests turn it on
# (tests/campaigns/test_dashboard_cache.py).
ROLLUP_CACHE = False
