"""Open data's numbers: the campaign's aggregate counts by agency for anyone, and the
"<5" masking of small counts (campaigns.views_public serves them as the page, JSON and CSV).

They read rollups through `campaigns.reporting` only (never raw progress or enrolment rows)
and hold agency names and counts, never a person.

Small counts: every count from 1 to settings.OPEN_DATA_MIN_COUNT - 1 is shown as "<5"
(0 stays 0: nobody is described by it). The completion percent is not shown when the
completed count or the headcount is masked, since it would give the masked count back
(HTML "–", JSON null, CSV an empty cell). In the public ranking an agency with a masked
count is listed without a rank or rate, for the same reason: a tie with a visible
neighbour would give its rate, and with the headcount its count. Not done (yet): hiding a
second cell so that a parent's total minus its shown children, or one period minus the
previous, cannot give a masked count back.

Caching: the numbers of one query (campaign, period, depth; ranking: campaign, kind) are
computed once and kept 15 minutes in Django's cache, shared by the page and both files.
The table's counts are masked when a response is made (the cache holds plain counts); the
ranking's cache entry depends on the threshold, which is part of its key.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Agency
from campaigns.reporting import aggregates, periods

CACHE_SECONDS = 15 * 60
CACHE_PREFIX = "open-data:v1"
# The JSON shape below; raise it when a field changes meaning or goes away.
JSON_VERSION = 1
DEFAULT_DEPTH, MIN_DEPTH, MAX_DEPTH = 2, 1, 4
SITE = "HọcSố"
LICENCE = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
COUNT_COLUMNS = ("headcount", "registered", "enrolled", "completed", "certified")
# The columns of a JSON row and of the CSV file, in this order.
COLUMNS = ("agency_code", "agency_name", "parent_code", "kind", "level", *COUNT_COLUMNS,
           "completion_percent")  # fmt: skip
RANKING_KINDS = (
    Agency.Kind.DEPARTMENT,
    Agency.Kind.COMMUNE_OR_WARD,
    Agency.Kind.UNIT,
    Agency.Kind.ENTERPRISE,
)


class BadQuery(ValueError):
    """A query the open data cannot answer; `str(error)` is translated, fit to show."""


@dataclass(frozen=True)
class Query:
    """What a visitor asked for, checked. `campaign` is "" (the newest active campaign),
    "all" (every course) or a campaign id as typed."""

    campaign: str
    period: periods.Period
    depth: int

    def cache_key(self) -> str:
        return (f"{CACHE_PREFIX}:table:{self.campaign}:{self.period.slug}:"
                f"{self.period.cutoff_day}:{self.depth}")  # fmt: skip

    def params(self) -> dict:
        params = {"period": self.period.slug, "depth": self.depth}
        if self.campaign:
            params["campaign"] = self.campaign
        return params


def _subject(choice: str):
    """(Subject, active campaigns as {pk, name}) for a checked campaign choice
    (`aggregates.subject_chosen`); an id that is no active campaign raises BadQuery.
    Queries: campaigns 1, then for a campaign its courses 1 and audiences 1."""
    campaigns = list(aggregates.campaigns_for_dashboard())
    try:
        subject = aggregates.subject_chosen(choice, campaigns, fallback=False)
    except aggregates.UnknownCampaign:
        raise BadQuery(_("Unknown campaign “%(campaign)s”.") % {"campaign": choice}) from None
    return subject, [{"pk": c.pk, "name": c.name} for c in campaigns]


# --- The numbers (cached) ---------------------------------------------------------------


def _source(agencies) -> str:
    """The attribution the licence asks for: "Tỉnh Phú Thọ / HọcSố"."""
    province = next(
        (a for a in agencies if a.depth == 1 and a.kind == Agency.Kind.PROVINCE and a.is_active),
        None,
    )
    return f"{province.name} / {SITE}" if province else SITE


def table(query: Query) -> dict:
    """Plain counts of the active agencies down to `query.depth` levels below the top, at
    the end of the period. Cached; on a miss see the query count test for the cost."""
    key = query.cache_key()
    data = cache.get(key)
    if data is not None:
        return data
    subject, picker = _subject(query.campaign)
    # The whole tree (root None): a province has about a thousand agencies, read once.
    # Only the tree at the period's end is shown (the previous end and the flows skipped).
    at_end, _previous, _during = aggregates.period_counts(
        subject=subject, root=None, period=query.period, during=False, previous_end=False
    )
    agencies = at_end.agencies
    rows = []
    for path in sorted(agencies):
        agency = agencies[path]
        if not agency.is_active or agency.depth > 1 + query.depth:
            continue
        parent = agencies.get(path[: -Agency.steplen]) if agency.depth > 1 else None
        counts = at_end.total(path)
        row = {"agency_code": agency.code, "agency_name": agency.name,
               "parent_code": parent.code if parent else None, "kind": agency.kind,
               "level": agency.depth - 1}  # fmt: skip
        row.update({name: getattr(counts, name) for name in COUNT_COLUMNS})
        rows.append(row)
    campaign = subject.campaign
    data = {
        "generated_at": timezone.now(),
        "source": _source(agencies.values()),
        "campaign": {"id": campaign.pk, "name": campaign.name} if campaign else None,
        "campaigns": picker,
        "rows": rows,
    }
    cache.set(key, data, CACHE_SECONDS)
    return data


def ranking(*, choice: str, kind: str) -> dict:
    """The public ranking of one kind of agency, as plain values (cached)."""
    min_count = settings.OPEN_DATA_MIN_COUNT
    key = f"{CACHE_PREFIX}:ranking:{choice}:{kind}:{min_count}"
    data = cache.get(key)
    if data is not None:
        return data
    subject, picker = _subject(choice)
    entries = aggregates.ranking(kind=kind, subject=subject, within=None)
    for entry in entries:
        counts = entry["counts"]
        if is_masked(counts.completed, min_count) or is_masked(counts.headcount, min_count):
            entry["rate"] = None  # listed, unranked: see the module docstring
    entries.sort(key=lambda e: e["agency"].name)
    entries = aggregates.rerank(entries)
    campaign = subject.campaign
    data = {
        "entries": [
            {
                "agency": {"name": e["agency"].name, "code": e["agency"].code},
                "counts": {"headcount": e["counts"].headcount, "completed": e["counts"].completed},
                "rate": e["rate"],
                "rank": e["rank"],
            }
            for e in entries
        ],
        "campaign": {"id": campaign.pk, "name": campaign.name} if campaign else None,
        "campaigns": picker,
    }
    cache.set(key, data, CACHE_SECONDS)
    return data


# --- Masking (what the public sees) -----------------------------------------------------


def is_masked(value: int, min_count: int) -> bool:
    return 0 < value < min_count


def mask(value: int, min_count: int) -> int | str:
    return f"<{min_count}" if is_masked(value, min_count) else value


def public_row(row: dict, min_count: int) -> dict:
    """A row as the public sees it: small counts as "<5"; the percent None when there is
    no headcount or when it would give a masked count back."""
    hidden = is_masked(row["completed"], min_count) or is_masked(row["headcount"], min_count)
    percent = aggregates.Counts(completed=row["completed"], headcount=row["headcount"]).percent
    out = {**row, "completion_percent": None if hidden else percent}
    out.update({name: mask(row[name], min_count) for name in COUNT_COLUMNS})
    return {name: out[name] for name in COLUMNS}


def public_rows(data: dict) -> list[dict]:
    min_count = settings.OPEN_DATA_MIN_COUNT
    return [public_row(row, min_count) for row in data["rows"]]


def public_entries(entries: list[dict], min_count: int) -> list[dict]:
    """Ranking entries as the public sees them: the headcount masked here, the completed
    count by the template itself (public=True)."""
    return [
        {**e, "counts": {**e["counts"], "headcount": mask(e["counts"]["headcount"], min_count)}}
        for e in entries
    ]
