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
from dataclasses import dataclass, field

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
from campaigns.reporting.rollups import MEASURES, month_bucket, month_range, percent

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


class Tree:
    """Own counters of every agency in a subtree, summed up by path prefix on demand."""

    def __init__(self, own: dict[str, Counts], agencies: dict[str, Agency]):
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


def _sum_kwargs():
    return {m: Sum(m) for m in MEASURES}


def own_counts(*, subject: Subject, root: Agency | None, rows=None) -> Tree:
    """The subtree of `root` (the whole tree for None): its agencies and their own
    counters. Queries: agencies 1, rollup totals 1, headcounts 1, targets 1 (campaign)."""
    agencies_qs = Agency.objects.all()
    if root is not None:
        agencies_qs = agencies_qs.filter(path__startswith=root.path)
    agencies = {a.path: a for a in agencies_qs.only("pk", "path", "depth", "name", "kind",
                                                    "code", "is_active")}  # fmt: skip
    by_id = {a.pk: a for a in agencies.values()}
    own: dict[str, Counts] = {path: Counts() for path in agencies}
    source = rows if rows is not None else RollupTotal.objects.all()
    if root is not None:
        source = source.filter(agency__path__startswith=root.path)
    # One row per agency (not per agency, campaign and course: 6x fewer rows for the ORM
    # to read at a province's scale). Among the subject's rows (rows_filter): registrations
    # from the plain rows (no campaign, no course); enrolled, completed and certified from
    # all the others (the campaign's rows, or every course's rows without a campaign).
    plain = Q(campaign_id=0, course_id=0)
    grouped = (
        source.filter(subject.rows_filter())
        .values("agency_id")
        .annotate(
            registered=Sum("registered", filter=plain),
            **{m: Sum(m, filter=~plain) for m in MEASURES if m != "registered"},
        )
    )
    for row in grouped:
        agency = by_id.get(row["agency_id"])
        if agency is not None:
            own[agency.path].add(
                Counts(**{m: row[m] or 0 for m in MEASURES})  # None: no row of that kind
            )
    _add_headcounts_and_targets(subject=subject, agencies=agencies, own=own, root=root)
    return Tree(own, agencies)


def _add_headcounts_and_targets(*, subject, agencies, own, root) -> None:
    heads = AgencyHeadcount.objects.all()
    if root is not None:
        heads = heads.filter(agency__path__startswith=root.path)
    if subject.audiences:
        heads = heads.filter(audience__in=subject.audiences)
    heads = heads.values("agency__path").annotate(n=Sum("count"))
    overrides = {}
    default = 100
    if subject.campaign is not None:
        default = subject.campaign.target_percent
        overrides = dict(subject.campaign.targets.values_list("agency__path", "percent"))
    for row in heads:
        path = row["agency__path"]
        if path not in own:
            continue
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
    checked against the manager's scope; without one, `roots` are the manager's roots."""
    if parent is not None:
        tree = own_counts(subject=subject, root=parent)
        headline = tree.total(parent.path)
        children = [a for a in tree.agencies.values() if a.depth == parent.depth + 1]
    else:
        tree = own_counts(subject=subject, root=roots[0] if len(roots) == 1 else None)
        root_ids = {r.pk for r in roots}
        children = [a for a in tree.agencies.values() if a.pk in root_ids]
        headline = Counts()
        for root in children:
            headline.add(tree.total(root.path))
    rows = [Row(a, tree.total(a.path)) for a in children]
    return {"headline": headline, "rows": rows}


def _under(paths: list[str]) -> Q:
    """Rollup rows of the agencies in the subtrees of `paths`."""
    q = Q()
    for path in paths:
        q |= Q(agency__path__startswith=path)
    return q


def course_breakdown(*, parent_paths: list[str], subject: Subject) -> list[dict]:
    """Per course: enrolled, completed, certified in the subtrees (1 query + titles 1)."""
    rows = RollupTotal.objects.filter(_under(parent_paths), course_id__gt=0)
    if subject.campaign is not None:
        rows = rows.filter(course_id__in=subject.course_ids)
    sums = {
        r["course_id"]: r
        for r in rows.values("course_id").annotate(**_sum_kwargs()).order_by("course_id")
    }
    titles = courses_bridge.course_titles(sums)
    return sorted(
        (
            {"title": titles.get(course_id, "?"), "enrolled": r["enrolled"] or 0,
             "completed": r["completed"] or 0, "certified": r["certified"] or 0}
            for course_id, r in sums.items()
        ),
        key=lambda r: r["title"],
    )  # fmt: skip


def trend(*, parent_paths: list[str], subject: Subject, weekly: bool = False) -> list[dict]:
    """Cumulative enrolled and completed at the end of each report month (or each of the
    last 26 weeks), for the chart. One grouped query."""
    q = _under(parent_paths)
    if subject.campaign is not None:
        q &= Q(campaign_id=subject.campaign.pk)
    else:
        q &= Q(course_id__gt=0)
    if weekly:
        today = timezone.localdate()
        start = today - dt.timedelta(days=today.weekday() + 7 * 25)
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
    months = (
        RollupMonth.objects.filter(q).values("month").annotate(**_sum_kwargs()).order_by("month")
    )
    out, enrolled, completed = [], 0, 0
    for r in months:
        enrolled += r["enrolled"] or 0
        completed += r["completed"] or 0
        out.append({"label": r["month"].strftime("%m/%Y"), "enrolled": enrolled,
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
    )  # fmt: skip
    at_prev = None
    if previous_end:
        at_prev = own_counts(
            subject=subject, root=root,
            rows=model.objects.filter(**{f"{field_name}__lte": prev_end_key}),
        )  # fmt: skip
    if not during:
        return at_end, at_prev, None
    during_tree = own_counts(
        subject=subject, root=root,
        rows=model.objects.filter(**{f"{field_name}__gte": start_key,
                                     f"{field_name}__lte": end_key}),
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
