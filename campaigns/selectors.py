"""Reads of the campaigns floor."""

from django.core.cache import cache

HEADLINE_CACHE_KEY = "campaigns:headline:v1"
HEADLINE_TTL = 5 * 60


def campaign_headline() -> dict:
    """Aggregate counters for the public home page (no personal data)."""
    return {"learners": 0, "completions": 0, "certificates": 0, "agencies_at_target": 0}


def campaign_headline_cached() -> dict:
    """`campaign_headline`, cached for five minutes; use this on public pages."""
    stats = cache.get(HEADLINE_CACHE_KEY)
    if stats is None:
        stats = campaign_headline()
        cache.set(HEADLINE_CACHE_KEY, stats, HEADLINE_TTL)
    return stats
