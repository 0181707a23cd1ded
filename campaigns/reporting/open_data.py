"""Open data's numbers: the campaign's aggregate counts by agency for anyone, and the
suppression of small counts (campaigns.views_public serves them as the page, JSON and CSV).

They read rollups through `campaigns.reporting` only (never raw progress or enrolment rows)
and hold agency names and counts, never a person.

Small counts: every count from 1 to settings.OPEN_DATA_MIN_COUNT - 1 is shown as "<5"
(0 stays 0: nobody is described by it). Secondary suppression
(`campaigns.reporting.suppression`): more counts are shown as "x" so that no hidden count
can be worked out as a parent's total minus its children shown (or any other combination of
the published numbers). The pattern is made once per table on the whole tree, whatever
depth is asked, so the page, the JSON and the CSV at every depth show parts of one safe
table; the public ranking is read from the same table (the current period) and hides the
same cells. The completion percent is not shown when the completed count or the headcount
is hidden (HTML "–", JSON null, CSV an empty cell); in the ranking such an agency is listed
without a rank or rate, for the same reason (a tie with a visible neighbour would give its
rate, and with the headcount its count). Not done: the same cells hidden in every period
(what subtracting periods can reveal is written on the page).

Caching: the numbers of one query (campaign, period, threshold) are computed once, with
their suppression pattern, and kept 15 minutes in Django's cache, shared by the page, both
files, every depth and (for the current period) the ranking.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Agency
from campaigns.reporting import aggregates, periods, suppression

CACHE_SECONDS = 15 * 60
CACHE_PREFIX = "open-data:v2"
# The JSON shape below; raise it when a field changes meaning or goes away (2: a count may
# also be "x", hidden by the secondary suppression).
JSON_VERSION = 2
# A count hidden so that a small one cannot be worked out (the marker statistical offices
# use for suppressed cells).
HIDDEN_MARKER = "x"
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

    def cache_key(self, min_count: int) -> str:
        """One entry for every depth: the suppression pattern is the whole tree's."""
        return (f"{CACHE_PREFIX}:table:{self.campaign}:{self.period.slug}:"
                f"{self.period.cutoff_day}:{min_count}")  # fmt: skip

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
    """Plain counts of every active agency at the end of the period, with the cells to
    hide (row["hidden"]: {column: suppression.SMALL or HIDDEN}); `public_rows` cuts the
    depth asked. Cached; on a miss see the query count test for the cost."""
    min_count = settings.OPEN_DATA_MIN_COUNT
    key = query.cache_key(min_count)
    data = cache.get(key)
    if data is not None:
        return data
    subject, picker = _subject(query.campaign)
    # The whole tree (root None): a province has about a thousand agencies, read once.
    # Only the tree at the period's end is shown (the previous end and the flows skipped).
    with aggregates.figures_times() as times:  # (the rollups' snapshot: when it was read)
        at_end, _previous, _during = aggregates.period_counts(
            subject=subject, root=None, period=query.period, during=False, previous_end=False
        )
    agencies = at_end.agencies
    rows, parents = [], {}
    for path in sorted(agencies):
        agency = agencies[path]
        if not agency.is_active:
            continue
        parent = agencies.get(path[: -Agency.steplen]) if agency.depth > 1 else None
        # The nearest published ancestor (a merged, inactive parent is not published).
        ancestor = next(
            (path[:end] for end in range(len(path) - Agency.steplen, 0, -Agency.steplen)
             if agencies.get(path[:end]) is not None and agencies[path[:end]].is_active),
            None,
        )  # fmt: skip
        parents[path] = ancestor
        counts = at_end.total(path)
        row = {"agency_code": agency.code, "agency_name": agency.name,
               "parent_code": parent.code if parent else None, "kind": agency.kind,
               "level": agency.depth - 1, "path": path}  # fmt: skip
        row.update({name: getattr(counts, name) for name in COUNT_COLUMNS})
        rows.append(row)
    for row in rows:
        row["hidden"] = {}
    by_path = {row["path"]: row for row in rows}
    # Every column in one go, as disjoint trees, with certified <= completed row by row (a
    # rule anyone knows, so the suppression takes it into account too).
    values = {(name, row["path"]): row[name] for row in rows for name in COUNT_COLUMNS}
    tree = {(name, path): (name, parent) if parent else None
            for path, parent in parents.items() for name in COUNT_COLUMNS}  # fmt: skip
    leq = [(("certified", row["path"]), ("completed", row["path"])) for row in rows
           if row["certified"] <= row["completed"]]  # fmt: skip
    hidden = suppression.suppress(values, tree, min_count=min_count, leq=leq)
    for (name, path), kind in hidden.items():
        by_path[path]["hidden"][name] = kind
    campaign = subject.campaign
    data = {
        # The figures' time: the rollups' snapshot may be a few minutes older than now.
        "generated_at": aggregates.figures_at(times) or timezone.now(),
        "source": _source(agencies.values()),
        "campaign": {"id": campaign.pk, "name": campaign.name} if campaign else None,
        "campaigns": picker,
        "rows": rows,
    }
    cache.set(key, data, CACHE_SECONDS)
    return data


@dataclass(frozen=True)
class _Named:
    name: str
    code: str


def ranking(*, choice: str, kind: str) -> dict:
    """The public ranking of one kind of agency: the rows of that kind of the current
    month's table (whole tree, so the same numbers as aggregates.ranking), with the same
    hidden cells; an agency with a hidden headcount or completed count is unranked."""
    today = timezone.localdate()
    data = table(Query(campaign=choice, period=periods.period_containing(today, kind="month"),
                       depth=MAX_DEPTH))  # fmt: skip
    entries = []
    for row in data["rows"]:
        if row["kind"] != kind:
            continue
        counts = aggregates.Counts(headcount=row["headcount"], completed=row["completed"])
        hidden = {name: row["hidden"][name] for name in ("headcount", "completed")
                  if name in row["hidden"]}  # fmt: skip
        entries.append({"agency": _Named(row["agency_name"], row["agency_code"]),
                        "counts": counts, "hidden": hidden,
                        "rate": None if hidden else counts.percent})  # fmt: skip
    entries.sort(key=lambda e: e["agency"].name)
    entries = aggregates.rerank(entries)
    return {
        "entries": [
            {
                "agency": {"name": e["agency"].name, "code": e["agency"].code},
                "counts": {"headcount": e["counts"].headcount, "completed": e["counts"].completed},
                "hidden": e["hidden"],
                "rate": e["rate"],
                "rank": e["rank"],
            }
            for e in entries
        ],
        "campaign": data["campaign"],
        "campaigns": data["campaigns"],
        "figures_at": data["generated_at"],
    }


# --- Masking (what the public sees) -----------------------------------------------------


def is_masked(value: int, min_count: int) -> bool:
    return suppression.is_small(value, min_count)


def marker(kind: str | None, value: int, min_count: int) -> int | str:
    """A count as shown: "<5" if small, "x" if hidden by the secondary suppression."""
    if kind == suppression.SMALL:
        return f"<{min_count}"
    if kind == suppression.HIDDEN:
        return HIDDEN_MARKER
    return value


def public_row(row: dict, min_count: int) -> dict:
    """A row as the public sees it: hidden counts as "<5" or "x"; the percent None when
    there is no headcount or when the completed count or the headcount is hidden."""
    hidden = row["hidden"]
    percent = aggregates.Counts(completed=row["completed"], headcount=row["headcount"]).percent
    shown = "completed" not in hidden and "headcount" not in hidden
    out = {**row, "completion_percent": percent if shown else None}
    out.update({name: marker(hidden.get(name), row[name], min_count) for name in COUNT_COLUMNS})
    return {name: out[name] for name in COLUMNS}


def public_rows(data: dict, depth: int) -> list[dict]:
    """The rows down to `depth` levels below the top, as the public sees them."""
    min_count = settings.OPEN_DATA_MIN_COUNT
    return [public_row(row, min_count) for row in data["rows"] if row["level"] <= depth]


def public_entries(entries: list[dict], min_count: int) -> list[dict]:
    """Ranking entries as the public sees them: hidden counts as "<5" or "x"."""
    return [
        {
            **e,
            "counts": {
                name: marker(e["hidden"].get(name), value, min_count)
                for name, value in e["counts"].items()
            },
        }  # fmt: skip
        for e in entries
    ]
