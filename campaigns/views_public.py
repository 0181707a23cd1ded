"""Open data (dữ liệu mở) over HTTP, without logging in: the page `/so-lieu/`, its files
`du-lieu.json` and `du-lieu.csv`, and the public emulation ranking `/so-lieu/thi-dua/`.

The numbers and their suppression ("<5", "x") are `campaigns.reporting.open_data`'s; these
views read the query, and mark the files publicly cacheable for as long as the numbers are cached
(open_data.CACHE_SECONDS). The JSON's period label is in the site's language
(settings.LANGUAGE_CODE) whatever the visitor's, so a shared cache may keep one copy.
"""

import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from campaigns.models import Agency
from campaigns.reporting import open_data, periods
from campaigns.reporting.open_data import (
    CACHE_SECONDS,
    COLUMNS,
    DEFAULT_DEPTH,
    HIDDEN_MARKER,
    JSON_VERSION,
    LICENCE,
    MAX_DEPTH,
    MIN_DEPTH,
    RANKING_KINDS,
    BadQuery,
    Query,
)
from cms import spreadsheets

# Recent periods offered in the picker, per kind (older ones work by URL).
PICKER_LENGTHS = {"month": 12, "quarter": 8, "half": 4, "year": 3}
_CAMPAIGN_RE = re.compile(r"[0-9]{1,9}", re.ASCII)


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
    """The table as JSON, version 2:
    {"version": 2, "licence": {id, name, url, attribution}, "generated_at": ISO 8601 local,
     "min_count": 5, "hidden_marker": "x", "period": {slug, label, start, end},
     "campaign": {id, name} | null,
     "rows": [{agency_code, agency_name, parent_code (null for the top), kind, level (0 for
     the top), headcount, registered, enrolled, completed, certified (each an integer, the
     string "<5" for a count from 1 to 4, or "x" for any count (even 0) hidden so that
     no "<5" can be worked out), completion_percent (a number, or null without a headcount or when
     completed or headcount is hidden)}]}.
    Errors: 400 {"version": 2, "error": "..."}."""
    try:
        query = _query(request)
        data = open_data.table(query)
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
        "hidden_marker": HIDDEN_MARKER,
        "rows": open_data.public_rows(data, query.depth),
    }
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    return _open_file_headers(response)


@require_safe
def data_csv(request):
    """The table as CSV: UTF-8 with a BOM (Excel then reads Vietnamese), one header row of
    the JSON row's keys, hidden counts as "<5" or "x", a hidden percent as an empty cell. The
    licence is in the Link and X-License headers."""
    try:
        query = _query(request)
        data = open_data.table(query)
    except BadQuery as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    public = open_data.public_rows(data, query.depth)
    rows = [COLUMNS] + [[row[name] for name in COLUMNS] for row in public]
    response = HttpResponse(spreadsheets.csv_bytes(rows), content_type="text/csv; charset=utf-8")
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
        data = open_data.table(query)
        rows = open_data.public_rows(data, query.depth)
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
        "hidden_marker": HIDDEN_MARKER,
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
        data = open_data.ranking(choice=_campaign_param(request), kind=kind)
    except BadQuery as exc:
        return render(request, "campaigns/open_data.html", {"error": str(exc)}, status=400)
    labels = dict(Agency.Kind.choices)
    campaign = data["campaign"]
    min_count = settings.OPEN_DATA_MIN_COUNT
    entries = open_data.public_entries(data["entries"], min_count)
    return render(
        request,
        "campaigns/ranking.html",
        {"entries": entries, "kind": kind,
         "kinds": [(k.value, labels[k.value]) for k in RANKING_KINDS],
         "subject": {"campaign": campaign}, "campaigns": data["campaigns"],
         "campaign_param": campaign["id"] if campaign else "all",
         "public": True, "min_count": min_count, "figures_at": data["figures_at"]},
    )  # fmt: skip
