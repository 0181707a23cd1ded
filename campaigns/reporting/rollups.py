"""Rollups: the counters every dashboard and report reads (never raw progress).

Three tables hold the same deltas at three grains (see `RollupCounts` for what each
counter means): `RollupDay` (any period, weekly trends), `RollupMonth` (report months with
the configured cut-off day) and `RollupTotal` (all time). Each key is (campaign or course,
agency, audience); subtree totals are summed at read time by agency path prefix, so moving
an agency in the tree rewrites nothing.

Who writes:
- `rollup_events`: the live path, in the same transaction as the event. Course events
  arrive through `courses.signals.learning_event` (enrolment, completion, certificate);
  campaign events (assignment, campaign completion) are called by campaigns.services.
- `rollups_rewrite(user_ids)`: a context manager around anything that rewrites people's
  history (membership moves, merges, splits, audience changes). It takes the people's
  contributions before and after and applies the difference.
- `rollups_rebuild()`: recomputes everything from the raw rows (the nightly task, and the
  repair after a bug or a change of cut-off day).

Attribution: an event counts on its local day (settings.TIME_ZONE), under the agency of the
learner's membership valid on that day, and under the learner's current audience (an
audience change restates that person's history). Learners without a profile or without a
membership on the day are not counted anywhere.
"""

import datetime as dt
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from campaigns import courses_bridge
from campaigns.models import (
    Assignment,
    CampaignCourse,
    LearnerProfile,
    Membership,
    RollupDay,
    RollupMonth,
    RollupTotal,
)
from campaigns.reporting import periods
from cms.cache import generation_forget

MEASURES = ("registered", "enrolled", "completed", "certified")
_INDEX = {m: i for i, m in enumerate(MEASURES)}


def percent(part, whole) -> float | None:
    """THE rounding of every percentage a manager or the public sees (page, CSV, XLSX,
    PDF, open data): `part` per hundred of `whole`, one decimal, half up, computed in
    decimal so 63 of 2,000 is 3.2 everywhere (binary floats made it 3.1 in one place and
    3.2 in another). None when `whole` is 0 (no percent without a base)."""
    if not whole:
        return None
    exact = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# Users per batch when recomputing contributions: five queries per batch, memory bounded
# by the batch's raw rows (a few thousand).
BATCH_USERS = 2000
# People whose history an enclosing `rollups_rewrite` is already restating.
_rewriting: ContextVar[frozenset] = ContextVar("rollups_rewriting", default=frozenset())
# Events held by an enclosing `rollups_batched` block, counted once at its end.
_held: ContextVar[list | None] = ContextVar("rollups_held", default=None)


# --- Keys and days ----------------------------------------------------------------------


def local_day(when) -> dt.date:
    if isinstance(when, dt.datetime):
        return timezone.localdate(when)
    return when


def month_bucket(day: dt.date, cutoff_day: int | None = None) -> dt.date:
    """The report month `day` belongs to (`campaigns.reporting.periods`), as the first day of the
    calendar month it is named after: with cut-off 15, 2026-11-15 belongs to December 2026
    (2026-12-01)."""
    period = periods.period_containing(day, kind="month", cutoff_day=cutoff_day)
    return dt.date(period.year, period.index, 1)


# A change: {(day, agency_id, audience, course_id, campaign_id): [registered, enrolled,
# completed, certified]} of deltas.
def _changes():
    return defaultdict(lambda: [0, 0, 0, 0])


# --- Writing the three tables -----------------------------------------------------------

# The token in the keys of every cached sum of rollup rows (aggregates.rollup_cached, a
# snapshot at most aggregates.SNAPSHOT_SECONDS old): the rebuild forgets it
# (`rollups_forget`), now and when its transaction commits. The live writes do not: a
# dashboard's figures are a snapshot that says when it was taken, not forgotten by every
# event of the province (which left the pages cold whenever a manager looked).
GENERATION_KEY = "campaigns:rollups:generation"


def rollups_forget() -> None:
    """Forget every cached sum of rollup rows (the rebuild: every row written again)."""
    generation_forget(GENERATION_KEY)


def pg_array(values) -> str:
    """`values` (numbers, dates, text, None) as one PostgreSQL array literal, to pass as a
    single parameter cast to the column's array type: the driver quotes one string instead
    of adapting each value (most of a bulk statement's client CPU)."""
    values = list(values)
    if all(type(v) is int for v in values):
        return "{%s}" % ",".join(map(str, values))  # noqa: UP031 -- braces of the literal
    return "{%s}" % ",".join(  # noqa: UP031 -- braces of the literal
        "NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
        for v in values
    )


def _upsert(model, key_fields: list[str], rows: list[tuple]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE adding the deltas (PostgreSQL and SQLite >= 3.24):
    concurrent writers of the same key add up instead of overwriting."""
    if not rows:
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(f).column for f in key_fields]
    all_columns = columns + list(MEASURES)
    updates = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in MEASURES)
    conflict = f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET {updates}"
    # One statement for all the keys (each key once: `rows` come from a dict), not one per
    # key: an import's batch touches hundreds. Sorted, so two writers lock the keys they
    # share in the same order.
    rows = sorted(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array per column: no SQL per value
            fields = [model._meta.get_field(f) for f in key_fields + list(MEASURES)]
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(all_columns)}) "  # noqa: S608 -- our names, values as parameters
                f"SELECT * FROM unnest({arrays}) {conflict}",
                [pg_array(column) for column in zip(*rows, strict=True)],
            )
            return
        placeholders = "(" + ", ".join(["%s"] * len(all_columns)) + ")"
        size = (connection.features.max_query_params or 999) // len(all_columns)
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(all_columns)}) "  # noqa: S608 -- our names, values as parameters
                f"VALUES {', '.join([placeholders] * len(chunk))} {conflict}",
                [value for row in chunk for value in row],
            )


def rollup_apply(changes, *, tables=("day", "month", "total")) -> int:
    """Add `changes` to the rollup tables. Returns how many day keys changed."""
    day_rows, months, totals = [], _changes(), _changes()
    buckets = {}  # {day: its month}: a batch's keys share a few days
    for (day, agency_id, audience, course_id, campaign_id), deltas in changes.items():
        if not any(deltas):
            continue
        key = (campaign_id, course_id, agency_id, audience)
        day_rows.append((*key, day, *deltas))
        if day not in buckets:
            buckets[day] = month_bucket(day)
        for target in (months[(*key, buckets[day])], totals[key]):
            for i, value in enumerate(deltas):
                target[i] += value
    if "day" in tables:
        _upsert(RollupDay, ["campaign_id", "course_id", "agency", "audience", "day"], day_rows)
    if "month" in tables:
        _upsert(
            RollupMonth,
            ["campaign_id", "course_id", "agency", "audience", "month"],
            [(*k, *v) for k, v in months.items() if any(v)],
        )
    if "total" in tables:
        _upsert(
            RollupTotal,
            ["campaign_id", "course_id", "agency", "audience"],
            [(*k, *v) for k, v in totals.items() if any(v)],
        )
    return len(day_rows)


# --- The live path ----------------------------------------------------------------------


def _audiences_and_memberships(user_ids, *, lock: bool):
    profiles = LearnerProfile.objects.filter(user_id__in=user_ids)
    if lock and connection.features.has_select_for_update:
        # Serialises with `rollups_rewrite` of the same people (see its docstring).
        profiles = profiles.select_for_update()
    audiences = dict(profiles.values_list("user_id", "audience"))
    return audiences, memberships_of(audiences)


def memberships_of(user_ids) -> dict[int, list[tuple]]:
    """Each person's memberships as (agency_id, valid_from, valid_to), oldest row first
    (one query); `agency_on` picks the one of a day."""
    memberships = defaultdict(list)
    rows = Membership.objects.filter(user_id__in=list(user_ids)).order_by("pk")
    for row in rows.values_list("user_id", "agency_id", "valid_from", "valid_to"):
        memberships[row[0]].append(row[1:])
    return memberships


def agency_on(memberships, day):
    """The agency of the first of `memberships` (memberships_of's) valid on `day`."""
    for agency_id, start, end in memberships:
        if start <= day and (end is None or day <= end):
            return agency_id
    return None


def rollup_events(events) -> int:
    """Count `events`: dicts with user_id, when (datetime or date), measure, course_id=0,
    campaign_id=0, delta=1. Two reads (profiles, memberships) and three upserts, however
    many events: call it once per batch. Call inside the event's transaction."""
    events = list(events)
    held = _held.get()
    if held is not None:  # inside rollups_batched: counted once at the block's end
        held.extend(events)
        return 0
    if not events:
        return 0
    audiences, memberships = _audiences_and_memberships({e["user_id"] for e in events}, lock=True)
    changes = _changes()
    for event in events:
        audience = audiences.get(event["user_id"])
        day = local_day(event["when"])
        agency_id = agency_on(memberships[event["user_id"]], day)
        if audience is None or agency_id is None:
            continue
        key = (day, agency_id, audience, event.get("course_id") or 0, event.get("campaign_id") or 0)
        changes[key][_INDEX[event["measure"]]] += event.get("delta", 1)
    return rollup_apply(changes)


@contextmanager
def rollups_batched():
    """Hold the live events of the block (signals from the courses floor included) and
    count them together when it ends, in the same transaction: two reads and three upserts
    for the whole block instead of per event. Use around bulk paths (a campaign assigning
    500 people to three courses). Nothing is counted if the block raises."""
    if _held.get() is not None:  # an enclosing block will count them
        yield
        return
    events: list = []
    token = _held.set(events)
    try:
        yield
    finally:
        _held.reset(token)
    rollup_events(events)


def learning_event_received(sender, *, user_id, course_id, measure, when, delta=1, **kwargs):
    """Receiver of `courses.signals.learning_event` (connected in CampaignsConfig.ready).
    A certificate event also counts for the person's completed campaigns that require the
    course (`campaign_certified_events`)."""
    events = [{"user_id": user_id, "course_id": course_id, "measure": measure, "when": when,
               "delta": delta}]  # fmt: skip
    if measure == "certified" and course_id:
        events += campaign_certified_events(user_id=user_id, course_id=course_id, delta=delta)
    rollup_events(events)


def _campaign_event(user_id, campaign_id, completed_at, measure, delta=1) -> dict:
    return {"user_id": user_id, "when": completed_at, "measure": measure,
            "campaign_id": campaign_id, "delta": delta}  # fmt: skip


def _required_courses(campaign_ids) -> dict[int, set[int]]:
    required = defaultdict(set)
    rows = CampaignCourse.objects.filter(campaign_id__in=list(campaign_ids))
    for campaign_id, course_id in rows.values_list("campaign_id", "course_id"):
        required[campaign_id].add(course_id)
    return required


def campaign_completed_events(*, campaign_id: int, completions: dict) -> list[dict]:
    """The events of people completing a campaign (`completions`: user id -> when):
    completed, and certified for each who holds a valid certificate for every required
    course (two queries, however many people)."""
    required = _required_courses([campaign_id])[campaign_id]
    held = courses_bridge.certified_course_ids(user_ids=completions, course_ids=required)
    events = []
    for user_id, completed_at in completions.items():
        events.append(_campaign_event(user_id, campaign_id, completed_at, "completed"))
        if required <= held.get(user_id, set()):
            events.append(_campaign_event(user_id, campaign_id, completed_at, "certified"))
    return events


def campaign_certified_events(*, user_id: int, course_id: int, delta: int) -> list[dict]:
    """The campaign "certified" events that follow a certificate of `course_id` becoming
    valid (delta +1: issued or re-issued) or not (-1: revoked): a completed campaign of the
    person that requires the course changes state when the person holds a valid
    certificate for each of its other required courses. The course's own certificate is
    taken from the event, not from its row (which the sender may save before or after).
    One query, three when the person completed such a campaign."""
    done = dict(
        Assignment.objects.filter(
            user_id=user_id, completed_at__isnull=False, campaign__courses__course_id=course_id
        ).values_list("campaign_id", "completed_at")
    )
    if not done:
        return []
    required = _required_courses(done)
    others = set().union(*required.values()) - {course_id}
    valid = courses_bridge.certified_course_ids(user_ids=[user_id], course_ids=others)
    valid = valid.get(user_id, set())
    return [
        _campaign_event(user_id, campaign_id, completed_at, "certified", delta)
        for campaign_id, completed_at in done.items()
        if required[campaign_id] - {course_id} <= valid
    ]


# --- History rewrites -------------------------------------------------------------------


def contributions(user_ids, *, lock: bool = False) -> dict:
    """What `user_ids` contribute to the rollups according to the raw rows now: the
    definition of every counter, in one place (rewrites and the rebuild use it).
    Five queries for the batch.

    certified: course rows count valid certificates on their issue day; campaign rows count
    the completed campaigns whose required courses all have a valid certificate, on the
    completion day (docs/glossary.md: with a campaign chosen, both completed and certified
    count people who finished the campaign)."""
    user_ids = list(user_ids)
    audiences, memberships = _audiences_and_memberships(user_ids, lock=lock)
    changes = _changes()

    def add(user_id, when, measure, course_id=0, campaign_id=0, delta=1):
        audience = audiences.get(user_id)
        day = local_day(when)
        agency_id = agency_on(memberships[user_id], day)
        if audience is not None and agency_id is not None:
            changes[(day, agency_id, audience, course_id, campaign_id)][_INDEX[measure]] += delta

    for user_id, user_periods in memberships.items():
        if user_id not in audiences:
            continue
        for agency_id, start, end in user_periods:
            joined = (start, agency_id, audiences[user_id], 0, 0)
            changes[joined][_INDEX["registered"]] += 1
            if end is not None:
                left = (end + dt.timedelta(days=1), agency_id, audiences[user_id], 0, 0)
                changes[left][_INDEX["registered"]] -= 1
    for row in courses_bridge.enrolment_rows(user_ids=list(audiences)):
        if row.unenrolled_at is None or row.completed_at is not None:
            add(row.user_id, row.enrolled_at, "enrolled", course_id=row.course_id)
        if row.completed_at is not None:
            add(row.user_id, row.completed_at, "completed", course_id=row.course_id)
    certified = defaultdict(set)  # {user_id: courses with a valid certificate}
    for user_id, course_id, issued_at in courses_bridge.valid_certificate_rows(
        user_ids=list(audiences)
    ):
        add(user_id, issued_at, "certified", course_id=course_id)
        certified[user_id].add(course_id)
    # One row per assignment and required course (None: a campaign without courses).
    assignments = Assignment.objects.filter(user_id__in=list(audiences)).values_list(
        "pk", "user_id", "campaign_id", "created_at", "completed_at", "campaign__courses__course_id"
    )
    completed, required = {}, defaultdict(set)
    for pk, user_id, campaign_id, created_at, completed_at, course_id in assignments:
        if pk not in required:
            add(user_id, created_at, "enrolled", campaign_id=campaign_id)
            if completed_at is not None:
                add(user_id, completed_at, "completed", campaign_id=campaign_id)
                completed[pk] = (user_id, campaign_id, completed_at)
        required[pk].update(() if course_id is None else (course_id,))
    # A completed campaign is certified while the person holds a valid certificate for
    # every required course; counted on the campaign's completion day, under the same key
    # as the completion, so never more than the completions.
    for pk, (user_id, campaign_id, completed_at) in completed.items():
        if required[pk] <= certified[user_id]:
            add(user_id, completed_at, "certified", campaign_id=campaign_id)
    return changes


@contextmanager
def rollups_rewrite(user_ids, *, created=()):
    """Wrap a change of people's memberships or audience: their contributions are taken
    before and after, and the difference applied. Use inside the change's transaction.

    The people's profile rows are locked first (PostgreSQL), and the live path locks the
    same rows, so an event of one of them waits for the rewrite (or the rewrite for it) and
    is counted exactly once. Nested rewrites of the same people are absorbed by the outer
    one (applying both would count the inner change twice).

    `created`: those of `user_ids` inserted in the caller's transaction (an import's new
    people): they contributed nothing before, so their "before" is not read (no other
    transaction can see, let alone count, them)."""
    covered = _rewriting.get()
    user_ids = sorted(set(user_ids) - covered)
    if not user_ids:  # nothing new, or an outer rewrite already covers these people
        yield
        return
    token = _rewriting.set(covered | set(user_ids))
    try:
        yield from _rewrite(user_ids, created=set(created))
    finally:
        _rewriting.reset(token)


def _rewrite(user_ids, *, created=frozenset()):
    existing = [pk for pk in user_ids if pk not in created]
    before = [  # read with the profile rows locked (see rollups_rewrite)
        contributions(existing[s : s + BATCH_USERS], lock=True)
        for s in range(0, len(existing), BATCH_USERS)
    ]
    yield
    diff = _changes()
    for part in before:
        for key, deltas in part.items():
            for i, value in enumerate(deltas):
                diff[key][i] -= value
    for start in range(0, len(user_ids), BATCH_USERS):
        for key, deltas in contributions(user_ids[start : start + BATCH_USERS]).items():
            for i, value in enumerate(deltas):
                diff[key][i] += value
    rollup_apply(diff)


# --- Rebuild ----------------------------------------------------------------------------


def rollups_rebuild(*, batch_users: int = BATCH_USERS, method: str = "auto") -> dict:
    """Recompute the three tables from the raw rows, in one transaction (readers see the
    old numbers until it commits). On PostgreSQL the tables are locked against writers
    first, so an event committed during the rebuild is neither lost nor counted twice.

    method "python": day rows from `contributions` in batches of people (any database);
    "sql": one set-based statement per table (PostgreSQL; 6.6 times faster at a million
    people, bench/dashboard.py); "auto": sql on PostgreSQL, python elsewhere. Both give the
    same rows (tests/campaigns/test_rollups.py checks each against a naive recount)."""
    if method == "auto":
        method = "sql" if connection.vendor == "postgresql" else "python"
    tables = [m._meta.db_table for m in (RollupDay, RollupMonth, RollupTotal)]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
        for model in (RollupDay, RollupMonth, RollupTotal):
            model.objects.all().delete()
        if method == "sql":
            _rebuild_days_sql()
            people = LearnerProfile.objects.count()
        else:
            user_ids = LearnerProfile.objects.order_by("user_id").values_list("user_id", flat=True)
            last, people = 0, 0
            while True:
                batch = list(user_ids.filter(user_id__gt=last)[:batch_users])
                if not batch:
                    break
                last = batch[-1]
                people += len(batch)
                rollup_apply(contributions(batch), tables=("day",))
        _derive_months_and_totals()
        rollups_forget()  # the rows were deleted and written again, whatever the method
    return {"people": people, "day_rows": RollupDay.objects.count(), "method": method}


# The definition of every counter (see `contributions`, its Python twin) as one PostgreSQL
# query: events under the membership valid on their local day, registrations +1 on a
# membership's first day and -1 the day after it ends, the learner's current audience.
# Table names come from the models' _meta (`_deltas_sql`), columns are the fields' names.
_DELTAS_SQL = """
    SELECT m.agency_id, p.audience, ev.course_id, ev.campaign_id, ev.day,
           ev.registered, ev.enrolled, ev.completed, ev.certified
    FROM (
        SELECT user_id, (enrolled_at AT TIME ZONE %(tz)s)::date AS day, course_id,
               0 AS campaign_id, 0 AS registered, 1 AS enrolled, 0 AS completed,
               0 AS certified
        FROM {enrolment} WHERE unenrolled_at IS NULL OR completed_at IS NOT NULL
        UNION ALL
        SELECT user_id, (completed_at AT TIME ZONE %(tz)s)::date, course_id, 0, 0, 0, 1, 0
        FROM {enrolment} WHERE completed_at IS NOT NULL
        UNION ALL
        SELECT user_id, (issued_at AT TIME ZONE %(tz)s)::date, course_id, 0, 0, 0, 0, 1
        FROM {certificate} WHERE revoked_at IS NULL AND course_id IS NOT NULL
        UNION ALL
        SELECT user_id, (created_at AT TIME ZONE %(tz)s)::date, 0, campaign_id, 0, 1, 0, 0
        FROM {assignment}
        UNION ALL
        SELECT user_id, (completed_at AT TIME ZONE %(tz)s)::date, 0, campaign_id, 0, 0, 1, 0
        FROM {assignment} WHERE completed_at IS NOT NULL
        UNION ALL
        SELECT a.user_id, (a.completed_at AT TIME ZONE %(tz)s)::date, 0, a.campaign_id,
               0, 0, 0, 1
        FROM {assignment} a WHERE a.completed_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM {campaign_course} cc WHERE cc.campaign_id = a.campaign_id
            AND NOT EXISTS (
                SELECT 1 FROM {certificate} c WHERE c.user_id = a.user_id
                AND c.course_id = cc.course_id AND c.revoked_at IS NULL))
    ) ev
    JOIN {profile} p ON p.user_id = ev.user_id
    JOIN {membership} m ON m.user_id = ev.user_id AND m.valid_from <= ev.day
         AND (m.valid_to IS NULL OR m.valid_to >= ev.day)
    {events_where}
    UNION ALL
    SELECT m.agency_id, p.audience, 0, 0, m.valid_from, 1, 0, 0, 0
    FROM {membership} m JOIN {profile} p ON p.user_id = m.user_id
    UNION ALL
    SELECT m.agency_id, p.audience, 0, 0, m.valid_to + 1, -1, 0, 0, 0
    FROM {membership} m JOIN {profile} p ON p.user_id = m.user_id
    WHERE m.valid_to IS NOT NULL"""


def _deltas_sql(people: str | None = None) -> str:
    """The deltas of everyone, or with `people` (SQL selecting user ids) of those people
    only: every branch joins the learner's profile, so restricting it restricts all."""
    profile = LearnerProfile._meta.db_table
    events_where = ""
    if people is not None:
        profile = f"(SELECT * FROM {profile} WHERE user_id IN ({people}))"  # noqa: S608 -- our SQL
        # Also on the events themselves, so each table is read by its user index rather
        # than whole (the planner does not carry the profile's filter into the union).
        events_where = f"WHERE ev.user_id = ANY(ARRAY({people}))"
    tables = {
        "events_where": events_where,
        "assignment": Assignment._meta.db_table,
        "campaign_course": CampaignCourse._meta.db_table,
        "profile": profile,
        "membership": Membership._meta.db_table,
        **courses_bridge.rollup_tables(),  # enrolment, certificate
    }
    return _DELTAS_SQL.format(**tables)


def contributions_sql(people: str, params: dict) -> dict:
    """`contributions` of the people whose ids the SQL `people` selects (named `params`),
    from the rebuild's set-based definition (PostgreSQL): one query, summed per key in the
    database, the same changes as `contributions` (tests/campaigns/test_import_speed.py).
    For bulk writers (an import's new people): `rollup_apply(contributions_sql(...))`."""
    keys = "day, agency_id, audience, course_id, campaign_id"
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    nonzero = " OR ".join(f"SUM({m}) <> 0" for m in MEASURES)
    changes = _changes()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {keys}, {sums} FROM ({_deltas_sql(people)}) d GROUP BY {keys} "  # noqa: S608 -- our SQL
            f"HAVING {nonzero}",
            {"tz": settings.TIME_ZONE, **params},
        )
        for day, agency_id, audience, course_id, campaign_id, *deltas in cursor.fetchall():
            changes[(day, agency_id, audience, course_id, campaign_id)] = list(deltas)
    return changes


def _rebuild_days_sql() -> None:
    keys = "campaign_id, course_id, agency_id, audience"
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    nonzero = " OR ".join(f"SUM({m}) <> 0" for m in MEASURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RollupDay._meta.db_table} ({keys}, day, {', '.join(MEASURES)}) "  # noqa: S608 -- our names
            f"SELECT {keys}, day, {sums} FROM ({_deltas_sql()}) d GROUP BY {keys}, day "
            f"HAVING {nonzero}",
            {"tz": settings.TIME_ZONE},
        )


def _derive_months_and_totals() -> None:
    day_table = RollupDay._meta.db_table
    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    keys = "campaign_id, course_id, agency_id, audience"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RollupTotal._meta.db_table} ({keys}, {', '.join(MEASURES)}) "  # noqa: S608 -- our names
            f"SELECT {keys}, {sums} FROM {day_table} GROUP BY {keys}"
        )
        bounds = RollupDay.objects.aggregate(first=Min("day"), last=Max("day"))
        if bounds["first"] is None:
            return
        month = month_bucket(bounds["first"])
        while month <= month_bucket(bounds["last"]):
            start, end = month_range(month)
            cursor.execute(
                f"INSERT INTO {RollupMonth._meta.db_table} ({keys}, month, {', '.join(MEASURES)}) "  # noqa: S608 -- our names
                f"SELECT {keys}, %s, {sums} FROM {day_table} WHERE day >= %s AND day <= %s "
                f"GROUP BY {keys}",
                [month, start, end],
            )
            month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_range(month: dt.date, cutoff_day: int | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of the report month named by `month` (its first calendar day,
    which always falls inside it: the cut-off day is 2 or later)."""
    period = periods.period_containing(month, kind="month", cutoff_day=cutoff_day)
    return period.start, period.end
