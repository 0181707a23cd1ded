"""Reads for dashboards, rankings, reports and open data: rollup rows only, never raw
progress (campaigns.reporting.rollups keeps them). Manager entry points pass agencies that came
through `selectors.agencies_visible_to` (the scoping chokepoint); public ones pass none and
get aggregate numbers only.

Shape: `own_counts` reads, for one subject (a campaign, or all courses) and one subtree, the
counters of each agency's *own* rows (a handful of grouped queries); `Tree.total(path)` then
sums any subtree by path prefix in Python. A province has about a thousand agencies, so the
whole tree's own counters fit in memory and every page costs the same few queries whatever
the number of learners.
"""

import datetime as dt
import hashlib
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import courses_bridge
from campaigns.models import (
    Agency,
    AgencyHeadcount,
    Campaign,
    RollupDay,
    RollupMonth,
    RollupTotal,
)
from campaigns.reporting import report_files
from campaigns.reporting.rollups import (
    GENERATION_KEY,
    MEASURES,
    month_bucket,
    month_range,
    percent,
)
from cms.cache import cache_is_local, generation

COUNTERS = (*MEASURES, "headcount", "target")


@dataclass
class Counts:
    registered: int = 0
    enrolled: int = 0
    completed: int = 0
    certified: int = 0
    headcount: int = 0
    target: float = 0.0

    def add(self, other: "Counts") -> None:
        # Through the instances' dicts: the root dashboard adds a few thousand Counts, and
        # getattr/setattr by name were a third of its Python time (the same sums).
        mine, theirs = self.__dict__, other.__dict__
        for name in COUNTERS:
            mine[name] += theirs[name]

    @property
    def percent(self) -> float | None:
        """Completed, as a percent of the headcount (None without a headcount)."""
        return percent(self.completed, self.headcount)

    @property
    def target_count(self) -> int:
        return round(self.target)

    @property
    def percent_of_target(self) -> float | None:
        return percent(self.completed, self.target)


@dataclass
class Subject:
    """What is counted: a campaign (its audiences' members, its assignments, the people who
    completed it and those of them certified in every required course) or, without one,
    every course (enrolments, completions and certificates per course). Either way
    completed and certified count the same unit, so certified <= completed."""

    campaign: Campaign | None = None
    course_ids: list[int] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, campaign: Campaign | None) -> "Subject":
        if campaign is None:
            return cls()
        return cls(
            campaign=campaign,
            course_ids=[link.course_id for link in campaign.courses.all()],
            audiences=[a.audience for a in campaign.audiences.all()],
        )

    def key(self) -> tuple:
        """What the subject's sums depend on, for a cache key."""
        campaign = self.campaign.pk if self.campaign is not None else None
        return (campaign, sorted(self.course_ids), sorted(self.audiences))

    def rows_filter(self) -> Q:
        """Rollup rows that feed this subject's counters."""
        registered = Q(course_id=0, campaign_id=0)
        if self.audiences:
            registered &= Q(audience__in=self.audiences)
        if self.campaign is None:
            return registered | Q(course_id__gt=0)
        return registered | Q(campaign_id=self.campaign.pk)


def campaigns_for_dashboard():
    """Active campaigns, newest first (the dashboard's subject picker)."""
    return Campaign.objects.filter(is_active=True).order_by("-starts_on", "-pk")


class UnknownCampaign(LookupError):
    """A campaign choice that names none of the campaigns offered."""


def campaign_chosen(choice, campaigns: list[Campaign], *, fallback: bool = True):
    """THE reading of a "campaign" choice (a query parameter, a form field, an export's
    params) among `campaigns` (newest first): "all" is None (every course); the id of one
    of them is that campaign; "" or None is the newest (None without any); any other id is
    the newest with `fallback`, else UnknownCampaign. No query."""
    text = "" if choice is None else str(choice)
    if text == "all":
        return None
    campaign = next((c for c in campaigns if str(c.pk) == text), None)
    if campaign is None and text and not fallback:
        raise UnknownCampaign(text)
    return campaign or (campaigns[0] if campaigns else None)


def subject_chosen(choice, campaigns: list[Campaign], *, fallback: bool = True) -> "Subject":
    """The Subject of `campaign_chosen` (its courses and audiences: two queries unless
    `campaigns` were read with them prefetched)."""
    return Subject.of(campaign_chosen(choice, campaigns, fallback=fallback))


class AgencyRow:
    """An agency as the dashboards, rankings and reports read it: its fields, not a model
    instance (a province's thousand agencies cost ~7 ms of Python as instances)."""

    __slots__ = ("pk", "path", "depth", "name", "kind", "code", "is_active")
    steplen = Agency.steplen

    def __init__(self, pk, path, depth, name, kind, code, is_active):  # noqa: PLR0913 - the fields
        self.pk, self.path, self.depth, self.name = pk, path, depth, name
        self.kind, self.code, self.is_active = kind, code, is_active

    @property
    def id(self) -> int:
        return self.pk

    def __eq__(self, other) -> bool:
        return isinstance(other, (AgencyRow, Agency)) and other.pk == self.pk

    def __hash__(self) -> int:
        return hash(self.pk)

    def __repr__(self) -> str:
        return f"<AgencyRow {self.pk} {self.code}>"


class Tree:
    """Own counters of every agency in a subtree, summed up by path prefix on demand."""

    def __init__(self, own: dict[str, Counts], agencies: dict[str, "AgencyRow"]):
        self.own = own
        self.agencies = agencies
        # One pass: each agency's own counters are added to itself and every ancestor
        # (a thousand agencies, four levels: a few thousand additions).
        self._totals: dict[str, Counts] = {}
        step = Agency.steplen
        for path, counts in own.items():
            for end in range(step, len(path) + 1, step):
                self._totals.setdefault(path[:end], Counts()).add(counts)

    def total(self, path: str) -> Counts:
        return self._totals.get(path) or Counts()


# --- Sums of rollup rows: snapshots ------------------------------------------------------

# The oldest figures a manager's page shows (the page says when they were read, "Số liệu
# lúc HH:MM"). Writes do not forget them: at a province's scale an event arrives every few
# seconds, and a cache forgotten by each of them is cold whenever a manager looks (the
# cold root read ~100,000 month rows). The beat task `campaigns.dashboard_snapshot`
# (`snapshot_refresh`, every SNAPSHOT_REFRESH_SECONDS) reads the dashboards' sums afresh
# before they expire, so pages find them; without it a page past the age reads them.
SNAPSHOT_SECONDS = 300
SNAPSHOT_REFRESH_SECONDS = 240
# Kept for the rollup cache's older name (the bench and tests read it).
ROLLUP_CACHE_SECONDS = SNAPSHOT_SECONDS

# While set (`snapshot_refresh`), every cached sum is read afresh and stored again.
_refreshing: ContextVar[bool] = ContextVar("rollups_snapshot_refreshing", default=False)
# The times the sums read by the current block were taken (`figures_times`).
_times: ContextVar[list | None] = ContextVar("rollups_snapshot_times", default=None)


def rollup_cache_on() -> bool:
    """settings.ROLLUP_CACHE: True, False, or absent (None): on when the default cache is
    shared by every process (Redis). A process-local cache would not hear another
    process's rebuild (gunicorn's other workers, a Celery worker), so it is off there."""
    choice = getattr(settings, "ROLLUP_CACHE", None)
    if choice is not None:
        return bool(choice)
    return not cache_is_local()


@contextmanager
def fresh_figures():
    """Inside the block every cached sum is read from the rollup rows now, and kept as the
    newest snapshot: for the beat's refresh, and for the files built in the background or
    mailed (an export, a subscription), which may take their time and leave the site."""
    token = _refreshing.set(True)
    try:
        yield
    finally:
        _refreshing.reset(token)


@contextmanager
def figures_times():
    """Collects the times at which the sums read inside the block were taken from the
    rollup tables (now, for sums not cached): a page shows the oldest."""
    times: list[float] = []
    token = _times.set(times)
    try:
        yield times
    finally:
        _times.reset(token)


def figures_at(times: list[float]) -> dt.datetime | None:
    """The oldest of `times` (from `figures_times`) as an aware datetime, None without any."""
    return dt.datetime.fromtimestamp(min(times), tz=dt.UTC) if times else None


def _taken(at: float) -> None:
    times = _times.get()
    if times is not None:
        times.append(at)


def _snapshot_key(kind: str, parts: tuple) -> str | None:
    """The cache key of a sum, None when sums are not cached (off, or Redis down)."""
    if not rollup_cache_on():
        return None
    token = generation(GENERATION_KEY)
    if token is None:  # the cache is down
        return None
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"campaigns:rollups:{token}:{kind}:{digest}"


def rollup_cached(kind: str, parts: tuple, compute, *, taken: float | None = None):
    """`compute()`, a sum of rollup rows (plain data), from a snapshot at most
    SNAPSHOT_SECONDS old, kept under `parts` (all that the sum depends on besides the rows:
    the subject's key, the agency ids it covers, ids, not paths, since an agency moved in
    the tree keeps its rows, the period) and the rollups' generation (forgotten by a
    rebuild, not by the live writes). Without the cache (off, or Redis down) it is
    `compute()`: a miss, never an error. `taken`: store `compute()` as read at that time
    (a second part of one read), without looking for it first."""
    key = _snapshot_key(kind, parts)
    if key is None:
        _taken(time.time())
        return compute()
    entry = None if (_refreshing.get() or taken is not None) else cache.get(key)
    if entry is None:
        entry = (taken or time.time(), compute())
        cache.set(key, entry, SNAPSHOT_SECONDS)
    _taken(entry[0])
    return entry[1]


def snapshot_refresh() -> dict:
    """Read afresh the sums every dashboard starts from (each active campaign's and every
    course's: the whole province's own counters, per-course totals and monthly trend by
    agency, which every scope's page sums from) and keep them another SNAPSHOT_SECONDS.
    The beat task's body; nothing to do without the cache."""
    if not rollup_cache_on() or generation(GENERATION_KEY) is None:
        return {"subjects": 0}
    campaigns = campaigns_for_dashboard().prefetch_related("courses", "audiences")
    subjects = [Subject(), *(Subject.of(c) for c in campaigns)]
    with fresh_figures():
        for subject in subjects:
            own_counts(subject=subject, root=None)
            _province("courses", subject, lambda s=subject: _courses_by_agency(s))
            _province("months", subject, lambda s=subject: _months_by_agency(s))
    return {"subjects": len(subjects)}


def _province(kind: str, subject: "Subject", read) -> tuple[frozenset, dict, dict | None]:
    """The whole province's sums of one kind, by agency (`read()`: {agency_id: {bucket:
    tuple}}), cached as two entries of one snapshot: the agencies with their sum over all
    (what the root reads) and the sums by agency (what a smaller scope adds up). Returns
    (the agencies, the sum over all, the sums by agency when they were just read)."""
    parts = (subject.key(),)
    fresh, at = None, None

    def everything():
        nonlocal fresh, at
        at, fresh = time.time(), read()
        return (frozenset(fresh), _bucket_sums(fresh.values()))

    agencies, totals = rollup_cached(f"{kind}-all", parts, everything)
    if fresh is not None:  # the same read's sums by agency, stored with the same time
        rollup_cached(f"{kind}-agencies", parts, lambda: fresh, taken=at)
    return agencies, totals, fresh


def _scope_sums(kind: str, subject: "Subject", agency_ids, read) -> dict:
    """{bucket: sums} over the agencies `agency_ids`, from the province's snapshot: so the
    root, a department and a commune read the same snapshot and agree."""
    agencies, totals, fresh = _province(kind, subject, read)
    scope = set(agency_ids)
    if agencies <= scope:  # every agency with rows is in the scope (the root)
        return totals
    by_agency = fresh
    if by_agency is None:
        by_agency = rollup_cached(f"{kind}-agencies", (subject.key(),), read)
    return _bucket_sums(by_agency[a] for a in scope if a in by_agency)


def _bucket_sums(dicts) -> dict:
    out: dict = {}
    for buckets in dicts:
        for bucket, values in buckets.items():
            mine = out.get(bucket)
            out[bucket] = (
                values if mine is None else tuple(map(sum, zip(mine, values, strict=True)))
            )
    return out


def _sum_kwargs():
    return {m: Sum(m) for m in MEASURES}


def own_counts(*, subject: Subject, root: Agency | None, rows=None, rows_key=None) -> Tree:
    """The subtree of `root` (the whole tree for None): its agencies and their own
    counters. Queries: agencies 1, rollup totals 1 (none when cached), headcounts 1,
    targets 1 (campaign). `rows`: other rollup rows than RollupTotal's (a period's), with
    `rows_key` naming them for the cache (without one they are not cached)."""
    agencies_qs = Agency.objects.all()
    if root is not None:
        agencies_qs = agencies_qs.filter(path__startswith=root.path)
    agencies = {
        row[1]: AgencyRow(*row) for row in agencies_qs.order_by().values_list(*AgencyRow.__slots__)
    }
    by_id = {a.pk: a for a in agencies.values()}
    own: dict[str, Counts] = {path: Counts() for path in agencies}
    province = False
    if rows is None:
        rows, rows_key = RollupTotal.objects.all(), ("total",)
        # Cached: the whole province's totals, one snapshot every scope's page picks its
        # agencies from (the root, a department and a commune agree; the beat reads it).
        province = rollup_cache_on()
    # The subtree's rows by their agency ids (the agency_id index), not a join on the path.
    scope = None if root is None or province else sorted(by_id)

    def read() -> list[tuple]:
        source = rows if scope is None else rows.filter(agency_id__in=scope)
        # One row per agency (not per agency, campaign and course: 6x fewer rows for the
        # ORM to read at a province's scale). Among the subject's rows (rows_filter):
        # registrations from the plain rows (no campaign, no course); enrolled, completed
        # and certified from all the others (the campaign's rows, or every course's rows
        # without a campaign).
        plain = Q(campaign_id=0, course_id=0)
        grouped = (
            source.filter(subject.rows_filter())
            .values("agency_id")
            .annotate(
                registered=Sum("registered", filter=plain),
                **{m: Sum(m, filter=~plain) for m in MEASURES if m != "registered"},
            )
        )
        # None: no row of that kind.
        return [(r["agency_id"], *(r[m] or 0 for m in MEASURES)) for r in grouped]

    if rows_key is None:
        grouped_rows = read()
    else:
        grouped_rows = rollup_cached("own", (rows_key, subject.key(), scope), read)
    for agency_id, *sums in grouped_rows:
        agency = by_id.get(agency_id)
        if agency is not None:
            own[agency.path].add(Counts(*sums))
    _add_headcounts_and_targets(subject=subject, by_id=by_id, own=own, root=root)
    return Tree(own, agencies)


def _add_headcounts_and_targets(*, subject, by_id, own, root) -> None:
    heads = AgencyHeadcount.objects.all()
    if root is not None:
        # By the path (a small table): a thousand ids as parameters cost 5 ms to send.
        heads = heads.filter(agency__path__startswith=root.path)
    if subject.audiences:
        heads = heads.filter(audience__in=subject.audiences)
    heads = heads.values("agency_id").annotate(n=Sum("count"))
    overrides = {}
    default = 100
    if subject.campaign is not None:
        default = subject.campaign.target_percent
        overrides = dict(subject.campaign.targets.values_list("agency__path", "percent"))
    for row in heads:
        agency = by_id.get(row["agency_id"])
        if agency is None:
            continue
        path = agency.path
        own[path].headcount += row["n"] or 0
        # The nearest override on the way up applies (a department's target covers its units).
        percent = default
        for depth in range(len(path) // Agency.steplen, 0, -1):
            ancestor = path[: depth * Agency.steplen]
            if ancestor in overrides:
                percent = overrides[ancestor]
                break
        own[path].target += (row["n"] or 0) * percent / 100


# --- Dashboard ----------------------------------------------------------------------------


@dataclass
class Row:
    agency: Agency
    counts: Counts


def dashboard(*, parent: Agency | None, roots: list[Agency], subject: Subject) -> dict:
    """Headline and child rows for a manager's dashboard. `parent` is an agency already
    checked against the manager's scope; without one, `roots` are the manager's roots.
    Also "agency_ids": the ids of every agency in the page's scope, for `course_breakdown`
    and `trend` (read with the tree: no query)."""
    if parent is not None:
        tree = own_counts(subject=subject, root=parent)
        headline = tree.total(parent.path)
        children = [a for a in tree.agencies.values() if a.depth == parent.depth + 1]
        agency_ids = [a.pk for a in tree.agencies.values()]
    else:
        tree = own_counts(subject=subject, root=roots[0] if len(roots) == 1 else None)
        root_ids = {r.pk for r in roots}
        children = [a for a in tree.agencies.values() if a.pk in root_ids]
        headline = Counts()
        for root in children:
            headline.add(tree.total(root.path))
        paths = tuple(r.path for r in roots)
        agency_ids = [a.pk for a in tree.agencies.values() if a.path.startswith(paths)]
    rows = [Row(a, tree.total(a.path)) for a in children]
    return {"headline": headline, "rows": rows, "agency_ids": sorted(agency_ids)}


def _under(paths: list[str]) -> Q:
    """Rollup rows of the agencies in the subtrees of `paths`."""
    q = Q()
    for path in paths:
        q |= Q(agency__path__startswith=path)
    return q


def _scope(parent_paths, agency_ids) -> Q:
    """Rollup rows of the agencies `agency_ids` (a scope's every agency: through the
    agency_id index) or else in the subtrees of `parent_paths` (a join on the agency's path,
    which PostgreSQL answers by reading every row)."""
    if agency_ids is not None:
        return Q(agency_id__in=agency_ids)
    return _under(parent_paths)


def _cached_if_ids(kind, agency_ids, parts, compute):
    """Sums over the rows of `agency_ids` are cached (`rollup_cached`); over paths they are
    not (an agency moved in the tree changes what a path covers, with no rollup write)."""
    if agency_ids is None:
        return compute()
    return rollup_cached(kind, (*parts, list(agency_ids)), compute)


def _course_rows(subject: Subject, q: Q):
    rows = RollupTotal.objects.filter(q, course_id__gt=0)
    if subject.campaign is not None:
        rows = rows.filter(course_id__in=subject.course_ids)
    return rows


def _courses_by_agency(subject: Subject) -> dict:
    """{agency_id: {course_id: (enrolled, completed, certified)}} for the whole province."""
    out: dict = {}
    grouped = (
        _course_rows(subject, Q())
        .values("agency_id", "course_id")
        .annotate(**{m: Sum(m) for m in ("enrolled", "completed", "certified")})
    )
    for r in grouped.order_by():
        out.setdefault(r["agency_id"], {})[r["course_id"]] = (
            r["enrolled"] or 0, r["completed"] or 0, r["certified"] or 0)  # fmt: skip
    return out


def course_breakdown(
    *, subject: Subject, parent_paths: list[str] | None = None, agency_ids=None
) -> list[dict]:
    """Per course: enrolled, completed, certified in the subtrees of `parent_paths`, or of
    the agencies `agency_ids` (1 query; with the cache, from the province's snapshot by
    agency, none when cached; + titles 1)."""

    def read() -> dict:
        rows = _course_rows(subject, _scope(parent_paths, agency_ids))
        return {
            r["course_id"]: (r["enrolled"] or 0, r["completed"] or 0, r["certified"] or 0)
            for r in rows.values("course_id").annotate(**_sum_kwargs()).order_by("course_id")
        }

    if agency_ids is not None and rollup_cache_on():
        sums = _scope_sums("courses", subject, agency_ids, lambda: _courses_by_agency(subject))
        sums = dict(sorted(sums.items()))
    else:
        sums = read()
    titles = courses_bridge.course_titles(sums)
    return sorted(
        (
            {"title": titles.get(course_id, "?"), "enrolled": enrolled, "completed": completed,
             "certified": certified}
            for course_id, (enrolled, completed, certified) in sums.items()
        ),
        key=lambda r: r["title"],
    )  # fmt: skip


def trend(
    *,
    subject: Subject,
    parent_paths: list[str] | None = None,
    agency_ids=None,
    weekly: bool = False,
) -> list[dict]:
    """Cumulative enrolled and completed at the end of each report month (or each of the
    last 26 weeks), for the chart, in the subtrees of `parent_paths` or of the agencies
    `agency_ids`. One grouped query (two weekly; none when cached)."""
    q = _scope(parent_paths, agency_ids) & _trend_rows(subject)
    if weekly:
        today = timezone.localdate()
        start = today - dt.timedelta(days=today.weekday() + 7 * 25)
        return _cached_if_ids(
            "weeks", agency_ids, (subject.key(), start), lambda: _weekly_trend(q, start)
        )
    if agency_ids is not None and rollup_cache_on():
        sums = _scope_sums("months", subject, agency_ids, lambda: _months_by_agency(subject))
        return _cumulated(
            (dt.date.fromordinal(month), enrolled, completed)
            for month, (enrolled, completed) in sorted(sums.items())
        )
    return _monthly_trend(q)


def _trend_rows(subject: Subject) -> Q:
    if subject.campaign is not None:
        return Q(campaign_id=subject.campaign.pk)
    return Q(course_id__gt=0)


def _months_by_agency(subject: Subject) -> dict:
    """{agency_id: {month's ordinal: (enrolled, completed)}} for the whole province."""
    out: dict = {}
    grouped = (
        RollupMonth.objects.filter(_trend_rows(subject))
        .values("agency_id", "month")
        .annotate(enrolled=Sum("enrolled"), completed=Sum("completed"))
        .order_by()
    )
    for r in grouped:
        out.setdefault(r["agency_id"], {})[r["month"].toordinal()] = (
            r["enrolled"] or 0, r["completed"] or 0)  # fmt: skip
    return out


def _weekly_trend(q: Q, start: dt.date) -> list[dict]:
    base = RollupTotal.objects.filter(q).aggregate(**_sum_kwargs())
    recent = (
        RollupDay.objects.filter(q, day__gte=start)
        .values("day")
        .annotate(**_sum_kwargs())
        .order_by("day")
    )
    points = {start + dt.timedelta(weeks=i): Counts() for i in range(26)}
    after = Counts()
    for r in recent:
        week = r["day"] - dt.timedelta(days=r["day"].weekday())
        flow = Counts(enrolled=r["enrolled"] or 0, completed=r["completed"] or 0)
        points[week].add(flow)
        after.add(flow)
    enrolled = (base["enrolled"] or 0) - after.enrolled
    completed = (base["completed"] or 0) - after.completed
    out = []
    for week, flow in sorted(points.items()):
        enrolled, completed = enrolled + flow.enrolled, completed + flow.completed
        out.append({"label": week.strftime("%d/%m"), "enrolled": enrolled,
                    "completed": completed})  # fmt: skip
    return out


def _monthly_trend(q: Q) -> list[dict]:
    months = (
        RollupMonth.objects.filter(q).values("month").annotate(**_sum_kwargs()).order_by("month")
    )
    return _cumulated((r["month"], r["enrolled"] or 0, r["completed"] or 0) for r in months)


def _cumulated(months) -> list[dict]:
    """(month, enrolled, completed) flows in month order -> the chart's cumulated points."""
    out, enrolled, completed = [], 0, 0
    for month, flow_enrolled, flow_completed in months:
        enrolled += flow_enrolled
        completed += flow_completed
        out.append({"label": month.strftime("%m/%Y"), "enrolled": enrolled,
                    "completed": completed})  # fmt: skip
    return out


# --- Emulation ranking (thi đua) ------------------------------------------------------------


def ranking(*, kind: str, subject: Subject, within: list[Agency] | None = None) -> list[dict]:
    """Agencies of one kind ranked by completion rate (completed / headcount), best first,
    in the subtrees of `within` (a manager's roots; None: the whole province). Ties share a
    rank ("1, 2, 2, 4"); agencies without a headcount are listed last, unranked. Inactive
    (merged) agencies are left out. One tree (four queries) however many roots."""
    paths = [root.path for root in within] if within is not None else None
    tree = own_counts(subject=subject, root=within[0] if paths and len(paths) == 1 else None)
    entries = []
    for agency in tree.agencies.values():
        if agency.kind != kind or not agency.is_active:
            continue
        if paths is not None and not any(agency.path.startswith(p) for p in paths):
            continue
        counts = tree.total(agency.path)
        entries.append({"agency": agency, "counts": counts, "rate": counts.percent})
    entries.sort(key=lambda e: e["agency"].name)
    return rerank(entries)


# --- Period reports -------------------------------------------------------------------------


def period_counts(
    *,
    subject: Subject,
    root: Agency | None,
    period,
    during: bool = True,
    previous_end: bool = True,
) -> tuple[Tree, Tree | None, Tree | None]:
    """Three trees for a period report: counters cumulated to the period's end, to the
    previous period's end, and the period's own flows. Months of the configured cut-off
    are read from RollupMonth (at most 12 rows a key for a year); other periods from
    RollupDay. Returns (at_end, at_previous_end, during); `previous_end=False` and
    `during=False` skip those trees (None): each tree costs four queries."""
    from django.conf import settings

    previous = period.previous()
    # Whole report months of the configured cut-off: read the month rows.
    aligned = (
        period.cutoff_day == settings.REPORT_CUTOFF_DAY
        and month_range(month_bucket(period.start))[0] == period.start
        and month_range(month_bucket(period.end))[1] == period.end
        and month_range(month_bucket(previous.end))[1] == previous.end
    )
    if aligned:
        end_key = month_bucket(period.end)
        start_key = month_bucket(period.start)
        prev_end_key = month_bucket(previous.end)
        model, field_name = RollupMonth, "month"
    else:
        end_key, start_key, prev_end_key = period.end, period.start, previous.end
        model, field_name = RollupDay, "day"
    at_end = own_counts(
        subject=subject, root=root,
        rows=model.objects.filter(**{f"{field_name}__lte": end_key}),
        rows_key=(field_name, None, end_key),
    )  # fmt: skip
    at_prev = None
    if previous_end:
        at_prev = own_counts(
            subject=subject, root=root,
            rows=model.objects.filter(**{f"{field_name}__lte": prev_end_key}),
            rows_key=(field_name, None, prev_end_key),
        )  # fmt: skip
    if not during:
        return at_end, at_prev, None
    during_tree = own_counts(
        subject=subject, root=root,
        rows=model.objects.filter(**{f"{field_name}__gte": start_key,
                                     f"{field_name}__lte": end_key}),
        rows_key=(field_name, start_key, end_key),
    )  # fmt: skip
    return at_end, at_prev, during_tree


def report_lines(*, subject: Subject, root: Agency, period, depth: int = 1):
    """Lines of the period report: the chosen agency, then its descendants down to `depth`
    levels, each with headcount, registered (members at the end), enrolled, completed and
    certified (cumulated at the end) and the change of completed since the previous
    period's end."""
    at_end, at_prev, _none = period_counts(subject=subject, root=root, period=period, during=False)
    agencies = sorted(
        (a for a in at_end.agencies.values() if a.depth <= root.depth + depth),
        key=lambda a: a.path,
    )
    lines = []
    shown = {a.path for a in agencies}
    for agency in agencies:
        end = at_end.total(agency.path)
        before = at_prev.total(agency.path)
        level = agency.depth - root.depth
        lines.append(
            report_files.ReportLine(
                name=agency.name, code=agency.code, level=level,
                headcount=end.headcount, registered=end.registered, enrolled=end.enrolled,
                completed=end.completed, certified=end.certified,
                change=end.completed - before.completed,
            )
        )  # fmt: skip
        has_children = any(
            p.startswith(agency.path) and len(p) == len(agency.path) + agency.steplen for p in shown
        )
        if has_children:
            # The people placed directly in the agency, not in one of its children: so a
            # parent's line is its children's lines plus this one.
            own, own_before = at_end.own.get(agency.path), at_prev.own.get(agency.path)
            own, own_before = own or Counts(), own_before or Counts()
            lines.append(
                report_files.ReportLine(
                    name=_("%(name)s (placed directly)") % {"name": agency.name},
                    code=agency.code, level=level + 1, headcount=own.headcount,
                    registered=own.registered, enrolled=own.enrolled, completed=own.completed,
                    certified=own.certified, change=own.completed - own_before.completed,
                )
            )  # fmt: skip
    return lines


def rerank(entries: list[dict]) -> list[dict]:
    """Ranks again after joining several rankings (a manager of several subtrees).
    Only agencies with at least one completion are ranked: a 0% agency (or one without a
    headcount) is listed after them without a rank, never "first" among equals."""

    def ranked_entry(e):
        return e["rate"] is not None and e["counts"].completed > 0

    ranked = sorted(
        (e for e in entries if ranked_entry(e)),
        key=lambda e: (-e["rate"], -e["counts"].completed, e["agency"].name),
    )
    previous, rank = None, 0
    for position, entry in enumerate(ranked, start=1):
        if entry["rate"] != previous:
            rank, previous = position, entry["rate"]
        entry["rank"] = rank
    unranked = [e for e in entries if not ranked_entry(e)]
    for entry in unranked:
        entry["rank"] = None
    return ranked + unranked
