"""How long what every visitor sees stays cached (cms.pages): a cache shared by the processes
is told of every change, a per-process one is not, so it keeps pages only briefly."""

from cms.pages import PAGES_CACHE_SECONDS, PAGES_LOCAL_SECONDS, pages_cache_seconds


def test_a_per_process_cache_keeps_pages_briefly(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert pages_cache_seconds() == PAGES_LOCAL_SECONDS


def test_a_cache_the_processes_share_keeps_pages_longer(settings):
    # Any backend but the per-process one (Redis in production; the dummy one here).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert pages_cache_seconds() == PAGES_CACHE_SECONDS
