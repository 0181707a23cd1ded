"""Open data (dữ liệu mở): the campaign's aggregate numbers for anyone, without logging in.

Use these views for everything the public may see of the campaign's progress: the page
`/so-lieu/`, its files `du-lieu.json` and `du-lieu.csv`, and the public emulation ranking
`/so-lieu/thi-dua/`. They read rollups through `campaigns.reporting` only (never raw
progress or enrolment rows) and show agency names and counts, never a person.

Small counts: every count from 1 to settings.OPEN_DATA_MIN_COUNT - 1 is shown as "<5"
(0 stays 0: nobody is described by it). The completion percent is not shown when the
completed count or the headcount is masked, since it would give the masked count back
(HTML "–", JSON null, CSV an empty cell). In the public ranking an agency with a masked
count is listed without a rank or rate, for the same reason: a tie with a visible
neighbour would give its rate, and with the headcount its count. Not done (yet): hiding a
second cell so that a parent's total minus its shown children, or one period minus the
previous, cannot give a masked count back.

Caching: the numbers of one query (campaign, period, depth; ranking: campaign, kind) are
computed once and kept 15 minutes in Django's cache, shared by the page and both files;
the files are also marked publicly cacheable for as long. The table's counts are masked
when a response is made (the cache holds plain counts); the ranking's cache entry depends on
the threshold, which is part of its key. The JSON's period label is in the site's language
(settings.LANGUAGE_CODE) whatever the visitor's, so a shared cache may keep one copy.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from campaigns import periods, reporting
from campaigns.models import Agency

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
# Recent periods offered in the picker, per kind (older ones work by URL).
PICKER_LENGTHS = {"month": 12, "quarter": 8, "half": 4, "year": 3}
_CAMPAIGN_RE = re.compile(r"[0-9]{1,9}", re.ASCII)


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


# --- Reading the query ------------------------------------------------------------------


def _campaign_param(request) -> str:
    choice = request.GET.get("campaign", "").strip()
    if choice in ("", "all"):
        return choice
    if _CAMPAIGN_RE.fullmatch(choice):
        return str(int(choice))  # one cache key for "7" and "007"
    raise BadQuery(_("Unknown campaign “%(campaign)s”.") % {"campaign": choice[:40]})


def _query(request) -> Query:
    """The checked query (no database access); raises BadQuery."""
    campaign = _campaign_param(request)
    today = timezone.localdate()
    slug = request.GET.get("period", "").strip()
    if not slug:
        period = periods.period_containing(today, kind="month").previous()
    else:
        try:
            period = periods.period_from_slug(slug)
        except periods.PeriodError as exc:
            raise BadQuery(str(exc)) from None
        if period.kind not in periods.KINDS:
            raise BadQuery(_("Choose a month, a quarter, a half or a year."))
        if period.start > today:
            raise BadQuery(_("This period has not started yet."))
    try:
        depth = int(request.GET.get("depth", DEFAULT_DEPTH))
    except ValueError:
        depth = DEFAULT_DEPTH
    return Query(campaign=campaign, period=period, depth=min(max(depth, MIN_DEPTH), MAX_DEPTH))


def _subject(choice: str):
    """(Subject, active campaigns as {pk, name}) for a checked campaign choice; an id that
    is no active campaign raises BadQuery. Queries: campaigns 1, then for a campaign its
    courses 1 and audiences 1."""
    campaigns = list(reporting.campaigns_for_dashboard())
    if choice == "all":
        campaign = None
    elif choice == "":
        campaign = campaigns[0] if campaigns else None
    else:
        campaign = next((c for c in campaigns if str(c.pk) == choice), None)
        if campaign is None:
            raise BadQuery(_("Unknown campaign “%(campaign)s”.") % {"campaign": choice})
    picker = [{"pk": c.pk, "name": c.name} for c in campaigns]
    return reporting.Subject.of(campaign), picker


# --- The numbers (cached) ---------------------------------------------------------------


def _source(agencies) -> str:
    """The attribution the licence asks for: "Tỉnh Phú Thọ / HọcSố"."""
    province = next(
        (a for a in agencies if a.depth == 1 and a.kind == Agency.Kind.PROVINCE and a.is_active),
        None,
    )
    return f"{province.name} / {SITE}" if province else SITE


def _table(query: Query) -> dict:
    """Plain counts of the active agencies down to `query.depth` levels below the top, at
    the end of the period. Cached; on a miss see the query count test for the cost."""
    key = query.cache_key()
    data = cache.get(key)
    if data is not None:
        return data
    subject, picker = _subject(query.campaign)
    # The whole tree (root None): a province has about a thousand agencies, read once.
    # Only the tree at the period's end is shown (the previous end and the flows skipped).
    at_end, _previous, _during = reporting.period_counts(
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


def _ranking(*, choice: str, kind: str) -> dict:
    """The public ranking of one kind of agency, as plain values (cached)."""
    min_count = settings.OPEN_DATA_MIN_COUNT
    key = f"{CACHE_PREFIX}:ranking:{choice}:{kind}:{min_count}"
    data = cache.get(key)
    if data is not None:
        return data
    subject, picker = _subject(choice)
    entries = reporting.ranking(kind=kind, subject=subject, within=None)
    for entry in entries:
        counts = entry["counts"]
        if _is_masked(counts.completed, min_count) or _is_masked(counts.headcount, min_count):
            entry["rate"] = None  # listed, unranked: see the module docstring
    entries.sort(key=lambda e: e["agency"].name)
    entries = reporting.rerank(entries)
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


# --- Masking ----------------------------------------------------------------------------


def _is_masked(value: int, min_count: int) -> bool:
    return 0 < value < min_count


def _mask(value: int, min_count: int) -> int | str:
    return f"<{min_count}" if _is_masked(value, min_count) else value


def _public_row(row: dict, min_count: int) -> dict:
    """A row as the public sees it: small counts as "<5"; the percent None when there is
    no headcount or when it would give a masked count back."""
    hidden = _is_masked(row["completed"], min_count) or _is_masked(row["headcount"], min_count)
    percent = reporting.Counts(completed=row["completed"], headcount=row["headcount"]).percent
    out = {**row, "completion_percent": None if hidden else percent}
    out.update({name: _mask(row[name], min_count) for name in COUNT_COLUMNS})
    return {name: out[name] for name in COLUMNS}


def _public_rows(data: dict) -> list[dict]:
    min_count = settings.OPEN_DATA_MIN_COUNT
    return [_public_row(row, min_count) for row in data["rows"]]


# --- Responses --------------------------------------------------------------------------


def _licence(data: dict) -> dict:
    return {**LICENCE, "attribution": data["source"]}


def _open_file_headers(response):
    """Headers of a file anyone may reuse: the licence, any origin, a public cache."""
    response["Link"] = f'<{LICENCE["url"]}>; rel="license"'
    response["X-License"] = LICENCE["id"]
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _period_json(period) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        label = period.label
    return {"slug": period.slug, "label": label, "start": period.start.isoformat(),
            "end": period.end.isoformat()}  # fmt: skip


@require_safe
def data_json(request):
    """The table as JSON, version 1:
    {"version": 1, "licence": {id, name, url, attribution}, "generated_at": ISO 8601 local,
     "min_count": 5, "period": {slug, label, start, end}, "campaign": {id, name} | null,
     "rows": [{agency_code, agency_name, parent_code (null for the top), kind, level (0 for
     the top), headcount, registered, enrolled, completed, certified (each an integer or
     the string "<5"), completion_percent (a number, or null without a headcount or when
     completed or headcount is masked)}]}.
    Errors: 400 {"version": 1, "error": "..."}."""
    try:
        query = _query(request)
        data = _table(query)
    except BadQuery as exc:
        return JsonResponse({"version": JSON_VERSION, "error": str(exc)}, status=400,
                            json_dumps_params={"ensure_ascii": False})  # fmt: skip
    payload = {
        "version": JSON_VERSION,
        "licence": _licence(data),
        "generated_at": timezone.localtime(data["generated_at"]).isoformat(timespec="seconds"),
        "min_count": settings.OPEN_DATA_MIN_COUNT,
        "period": _period_json(query.period),
        "campaign": data["campaign"],
        "rows": _public_rows(data),
    }
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    return _open_file_headers(response)


@require_safe
def data_csv(request):
    """The table as CSV: UTF-8 with a BOM (Excel then reads Vietnamese), one header row of
    the JSON row's keys, masked counts as "<5", a hidden percent as an empty cell. The
    licence is in the Link and X-License headers."""
    try:
        query = _query(request)
        data = _table(query)
    except BadQuery as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in _public_rows(data):
        writer.writerow(["" if row[name] is None else row[name] for name in COLUMNS])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="so-lieu-{query.period.slug}.csv"'
    return _open_file_headers(response)


def _period_choices(today, selected) -> list[tuple[str, list[dict]]]:
    """Recent periods by kind for the picker (no query); the selected one is always there."""
    names = {"month": _("Months"), "quarter": _("Quarters"), "half": _("Halves"),
             "year": _("Years")}  # fmt: skip
    groups = []
    for kind in periods.KINDS:
        current = periods.period_containing(today, kind=kind)
        options = [
            {"slug": current.slug, "label": _("%(label)s (so far)") % {"label": current.label}}
        ]
        period = current
        for _step in range(PICKER_LENGTHS[kind]):
            period = period.previous()
            options.append({"slug": period.slug, "label": period.label})
        if (
            selected is not None
            and selected.kind == kind
            and all(o["slug"] != selected.slug for o in options)
        ):
            options.append({"slug": selected.slug, "label": selected.label})
        groups.append((names[kind], options))
    return groups


@require_safe
def index(request):
    """The open data page: the table, the licence, links to the files."""
    error, query, data, rows = "", None, None, []
    try:
        query = _query(request)
        data = _table(query)
        rows = _public_rows(data)
    except BadQuery as exc:
        error = str(exc)
    today = timezone.localdate()
    context = {
        "error": error,
        "query": query,
        "period": query.period if query else None,
        "data": data,
        "rows": rows,
        "licence": _licence(data) if data else LICENCE,
        "selected_campaign": data["campaign"]["id"] if data and data["campaign"] else "all",
        "mask_marker": f"<{settings.OPEN_DATA_MIN_COUNT}",
        "mask_max": settings.OPEN_DATA_MIN_COUNT - 1,
        "period_groups": _period_choices(today, query.period if query else None),
        "depths": range(MIN_DEPTH, MAX_DEPTH + 1),
    }
    if query is not None:
        params = urlencode(query.params())
        context["json_url"] = f"{reverse('open_data:json')}?{params}"
        context["csv_url"] = f"{reverse('open_data:csv')}?{params}"
    return render(request, "campaigns/open_data.html", context, status=400 if error else 200)


@require_safe
def ranking(request):
    """The public emulation ranking (thi đua): the manager template with public=True, fed
    plain values of active agencies of one kind over the whole province."""
    kind = request.GET.get("kind", Agency.Kind.COMMUNE_OR_WARD)
    if kind not in RANKING_KINDS:
        kind = Agency.Kind.COMMUNE_OR_WARD
    try:
        data = _ranking(choice=_campaign_param(request), kind=kind)
    except BadQuery as exc:
        return render(request, "campaigns/open_data.html", {"error": str(exc)}, status=400)
    labels = dict(Agency.Kind.choices)
    campaign = data["campaign"]
    min_count = settings.OPEN_DATA_MIN_COUNT
    # The template masks the completed count itself (public=True); the headcount here.
    entries = [
        {**e, "counts": {**e["counts"], "headcount": _mask(e["counts"]["headcount"], min_count)}}
        for e in data["entries"]
    ]
    return render(
        request,
        "campaigns/ranking.html",
        {"entries": entries, "kind": kind,
         "kinds": [(k.value, labels[k.value]) for k in RANKING_KINDS],
         "subject": {"campaign": campaign}, "campaigns": data["campaigns"],
         "campaign_param": campaign["id"] if campaign else "all",
         "public": True, "min_count": min_count},
    )  # fmt: skip
