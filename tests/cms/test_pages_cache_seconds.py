"""How long what every visitor sees stays cached (cms.pages): a cache shared by the processes
is told of every change, a per-process one is not, so it keeps pages only briefly."""

from cms.cache import LOCAL_CACHE_SECONDS
from cms.pages import PAGES_CACHE_SECONDS, pages_cache_seconds


def test_a_per_process_cache_keeps_pages_briefly(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert pages_cache_seconds() == LOCAL_CACHE_SECONDS


def test_a_cache_the_processes_share_keeps_pages_longer(settings):
    # Redis, as production configures it (nothing is read or written: no connection).
    settings.CACHES = {"default": {"BACKEND": "cms.cache.ResilientRedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # fmt: skip
    assert pages_cache_seconds() == PAGES_CACHE_SECONDS


def test_no_cache_at_all_counts_as_per_process(settings):
    """The dummy backend remembers nothing, so nothing it "forgets" reaches anyone: the
    caches that depend on forgetting (the rollups' sums) stay off with it."""
    from campaigns.reporting.aggregates import rollup_cache_on

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert pages_cache_seconds() == LOCAL_CACHE_SECONDS
    assert rollup_cache_on() is False
