"""Rollups against a naive recount of the raw rows: the live path (events and rewrites) and
the rebuild must both equal what the RollupCounts docstring defines, day by day."""

import datetime as dt
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from campaigns import services
from campaigns.models import (
    Agency,
    Assignment,
    Campaign,
    CampaignCourse,
    LearnerProfile,
    Membership,
    RollupDay,
    RollupMonth,
    RollupTotal,
)
from campaigns.reporting import rollups
from cms.vocabularies import Subgroup
from courses.certificates.models import Certificate
from courses.certificates.services import certificate_reissue, certificate_revoke
from courses.models import Enrolment
from courses.services import course_complete, enrolment_cancel, enrolment_create
from tests.campaigns.conftest import plain_course

D = dt.date
SELF = Enrolment.Source.SELF


def at(day: dt.date, hour: int = 3) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


@contextmanager
def clock(start: dt.datetime):
    """timezone.now() (and so localdate(), auto_now_add) returns `moment[0]`."""
    moment = [start]
    with mock.patch("django.utils.timezone.now", lambda: moment[0]):
        yield moment


# --- The naive recount --------------------------------------------------------------------


def naive_days() -> dict:
    """{(day, agency, audience, course, campaign, measure): value}, zeros dropped."""
    audience = dict(LearnerProfile.objects.values_list("user_id", "audience"))
    periods = defaultdict(list)
    for m in Membership.objects.order_by("valid_from"):
        periods[m.user_id].append(m)
    for rows in periods.values():  # one agency at a time
        assert all(
            m.valid_to is not None and m.valid_to < n.valid_from
            for m, n in zip(rows, rows[1:], strict=False)
        ), rows
    out = Counter()

    def count(user_id, when, measure, course_id=0, campaign_id=0):
        if user_id not in audience:
            return
        day = timezone.localdate(when)
        agencies = [
            m.agency_id
            for m in periods[user_id]
            if m.valid_from <= day and (m.valid_to is None or day <= m.valid_to)
        ]
        if agencies:
            out[(day, agencies[0], audience[user_id], course_id, campaign_id, measure)] += 1

    for user_id, rows in periods.items():
        for m in rows if user_id in audience else ():
            out[(m.valid_from, m.agency_id, audience[user_id], 0, 0, "registered")] += 1
            if m.valid_to is not None:
                end = m.valid_to + dt.timedelta(days=1)
                out[(end, m.agency_id, audience[user_id], 0, 0, "registered")] -= 1
    for e in Enrolment.objects.all():
        if e.unenrolled_at is None or e.completed_at is not None:
            count(e.user_id, e.enrolled_at, "enrolled", course_id=e.course_id)
        if e.completed_at is not None:
            count(e.user_id, e.completed_at, "completed", course_id=e.course_id)
    for c in Certificate.objects.all():
        if c.revoked_at is None and c.course_id is not None:
            count(c.user_id, c.issued_at, "certified", course_id=c.course_id)
    for a in Assignment.objects.all():
        count(a.user_id, a.created_at, "enrolled", campaign_id=a.campaign_id)
        if a.completed_at is not None:
            count(a.user_id, a.completed_at, "completed", campaign_id=a.campaign_id)
            required = {link.course_id for link in a.campaign.courses.all()}
            valid = {c.course_id for c in Certificate.objects.filter(
                user_id=a.user_id, revoked_at__isnull=True)}  # fmt: skip
            if required <= valid:
                count(a.user_id, a.completed_at, "certified", campaign_id=a.campaign_id)
    return {k: v for k, v in out.items() if v}


def regroup(days: dict, bucket) -> dict:
    out = Counter()
    for (day, *rest), value in days.items():
        out[(*bucket(day), *rest)] += value
    return {k: v for k, v in out.items() if v}


def table(model, key) -> dict:
    out = {}
    for r in model.objects.all():
        for measure in rollups.MEASURES:
            if value := getattr(r, measure):
                rest = (r.agency_id, r.audience, r.course_id, r.campaign_id, measure)
                out[(*key(r), *rest)] = value
    return out


def assert_rollups_match_naive():
    expected = naive_days()
    assert table(RollupDay, lambda r: (r.day,)) == expected
    assert table(RollupMonth, lambda r: (r.month,)) == regroup(
        expected, lambda day: (rollups.month_bucket(day),)
    )
    assert table(RollupTotal, lambda r: ()) == regroup(expected, lambda day: ())


def totals(**filters) -> tuple:
    """(registered, enrolled, completed, certified) summed over the matching totals."""
    rows = RollupTotal.objects.filter(**filters)
    return tuple(sum(getattr(r, m) for r in rows) for m in rollups.MEASURES)


# --- The world ----------------------------------------------------------------------------


@pytest.fixture
def courses(home_page):
    return [plain_course(t) for t in ("VNeID và dịch vụ công", "Nhận biết lừa đảo trực tuyến")]


@pytest.fixture
def campaign(courses):
    end = D(2030, 12, 31)
    campaign = Campaign.objects.create(
        name="Bình dân học vụ số", starts_on=D(2025, 1, 1), ends_on=end, due_on=end
    )
    CampaignCourse.objects.create(campaign=campaign, course=courses[0])
    return campaign


def agency(name, parent=None):
    kind = Agency.Kind.DEPARTMENT if parent else Agency.Kind.PROVINCE
    code = f"{name}-{uuid.uuid4().hex[:6]}"
    return services.agency_create(name=name, code=code, kind=kind, parent=parent)


def small_tree():
    province = agency("Tỉnh")
    snv = agency("Sở Nội vụ", province)
    others = [agency("Phòng TC", snv), agency("Sở Y tế", province), agency("Phường", province)]
    return [province, snv, *others]


# --- The property: any history, live path == naive == rebuild ------------------------------

# Each kind acts on the x-th of the people (enrolments, certificates...) it applies to.
KINDS = ["join", "move", "enrol", "complete"] * 2 + ["enrol", "audience", "cancel", "revoke"]
KINDS += ["reissue", "assign", "refresh", "merge", "split", "leave"]
AUDIENCES = (Subgroup.CIVIL_SERVANT, Subgroup.CITIZEN, Subgroup.WORKER)
step = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 24 * 10),  # hours since the previous step: days and months go by
    st.integers(0, 9),  # which one (person, enrolment, certificate, agency)
    st.integers(0, 9),  # another choice (agency, audience, course, merge target, split)
    st.integers(0, 9),  # how many days `on` goes back (maybe before an earlier move)
)


FIXTURES_AND_SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


class Rollback(Exception):
    pass


def nth(rows, x):
    rows = list(rows)
    return rows[x % len(rows)] if rows else None


class History:
    def __init__(self, people, courses, campaign):
        self.people, self.courses, self.campaign = people, courses, campaign
        small_tree()
        self.codes = 0

    def run(self, kind, x, y, on):
        profiles = LearnerProfile.objects.select_related("user", "agency").order_by("user_id")
        active = list(Agency.objects.active())
        enrolments = Enrolment.objects.active().order_by("pk")
        certificates = Certificate.objects.order_by("pk")
        if kind == "join":
            have = set(profiles.values_list("user_id", flat=True))
            if user := nth([p for p in self.people if p.pk not in have], x):
                services.learner_profile_set(
                    user=user, agency=nth(active, y), audience=AUDIENCES[y % 3], on=on
                )
        elif kind in ("move", "audience", "leave") and (profile := nth(profiles, x)):
            moved = {"move": nth(active, y), "leave": None}
            services.learner_profile_set(
                user=profile.user,
                agency=moved.get(kind, profile.agency),
                audience=AUDIENCES[y % 3] if kind == "audience" else profile.audience,
                on=on,
            )
        elif kind == "enrol":  # people without a profile too: counted once they get one
            enrolment_create(user=nth(self.people, x), course=nth(self.courses, y), source=SELF)
        elif kind == "cancel" and (enrolment := nth(enrolments, x)):
            enrolment_cancel(enrolment=enrolment)
        elif kind == "complete" and (enrolment := nth(enrolments.filter(completed_at=None), x)):
            course_complete(enrolment=enrolment)
        elif kind == "revoke" and (certificate := nth(certificates.filter(revoked_at=None), x)):
            certificate_revoke(certificate=certificate, reason="Cấp nhầm")
        elif kind == "reissue" and (certificate := nth(certificates, x)):
            certificate_reissue(certificate=certificate)
        elif kind == "assign":
            ids = None if y % 2 else [nth(self.people, x).pk]
            services.campaign_assign(campaign=self.campaign, user_ids=ids)
        elif kind == "refresh":
            services.assignments_refresh_completion(campaign=self.campaign)
        elif kind == "merge":
            source, target = nth(active, x), nth(active, y)
            if source.pk != target.pk and not target.path.startswith(source.path):
                services.agency_merge(source=source, target=target, on=on)
        elif kind == "split" and len(active) < 9:
            source = nth(active, x)
            self.codes += 1
            parts = [{"name": f"Mới {self.codes}{s}", "code": f"NEW{self.codes}{s}"} for s in "ab"]
            members = profiles.filter(agency=source).values_list("user_id", flat=True)
            moves = {
                uid: parts[(y >> i) % 2]["code"] for i, uid in enumerate(members) if (y + i) % 3
            }
            services.agency_split(source=source, parts=parts, assignments=moves, on=on)


@pytest.fixture
def people(user_factory):
    return [user_factory() for _ in range(6)]


@hsettings(max_examples=25, deadline=None, suppress_health_check=FIXTURES_AND_SLOW)
@given(steps=st.lists(step, min_size=10, max_size=30), cutoff=st.sampled_from([1, 15]))
def test_any_history_rolls_up_like_the_naive_count_and_the_rebuild(
    people, courses, campaign, steps, cutoff
):
    try:
        with override_settings(REPORT_CUTOFF_DAY=cutoff), transaction.atomic():
            with clock(at(D(2026, 1, 10), 1)) as moment:
                history = History(people, courses, campaign)
                for kind, hours, x, y, lag in steps:
                    moment[0] += dt.timedelta(hours=hours)
                    history.run(kind, x, y, timezone.localdate() - dt.timedelta(days=lag))
                assert Agency.find_problems() == ([], [], [], [], [])
                assert_rollups_match_naive()
                # Both rebuilds: batches of people in Python (any database) and, on
                # PostgreSQL, the set-based SQL that "auto" picks there.
                methods = ["python"] + (["sql"] if connection.vendor == "postgresql" else [])
                for method in methods:
                    summary = rollups.rollups_rebuild(method=method)
                    assert summary["people"] == LearnerProfile.objects.count()
                    assert_rollups_match_naive()
            raise Rollback
    except Rollback:
        pass


# --- Examples with hand-computed numbers ---------------------------------------------------


@pytest.fixture
def world(db, people, courses):
    tree = small_tree()
    return {"a": tree[1], "b": tree[3], "c": tree[4], "user": people[0], "course": courses[0]}


def join(user, agency_, on, audience=Subgroup.CIVIL_SERVANT):
    services.learner_profile_set(user=user, agency=agency_, audience=audience, on=on)


def test_a_move_keeps_the_enrolment_under_the_old_agency_and_moves_registered(world):
    a, b, user, course = world["a"], world["b"], world["user"], world["course"]
    with clock(at(D(2026, 1, 1))) as moment:
        join(user, a, D(2026, 1, 1))
        moment[0] = at(D(2026, 1, 9), 20)  # 03:00 on the 10th in Hà Nội
        enrolment_create(user=user, course=course, source=SELF)
        moment[0] = at(D(2026, 2, 1))
        join(user, b, D(2026, 2, 1))
    assert (totals(agency=a), totals(agency=b)) == ((0, 1, 0, 0), (1, 0, 0, 0))
    assert RollupDay.objects.get(agency=a, course_id=course.pk).day == D(2026, 1, 10)
    registered = RollupDay.objects.filter(course_id=0).values_list("day", "agency", "registered")
    jan1, feb1 = D(2026, 1, 1), D(2026, 2, 1)
    assert sorted(registered) == [(jan1, a.pk, 1), (feb1, a.pk, -1), (feb1, b.pk, 1)]
    assert_rollups_match_naive()


def test_a_move_backdated_before_an_earlier_move_replaces_the_later_periods(world, courses):
    a, b, c, user, course = world["a"], world["b"], world["c"], world["user"], world["course"]
    with clock(at(D(2026, 1, 10))) as moment:
        join(user, a, D(2026, 1, 10))
        moment[0] = at(D(2026, 1, 17))
        enrolment_create(user=user, course=course, source=SELF)
        moment[0] = at(D(2026, 1, 20))
        join(user, b, D(2026, 1, 20))
        moment[0] = at(D(2026, 1, 22))
        join(user, c, D(2026, 1, 15))  # a correction: C from the 15th
    periods = Membership.objects.order_by("valid_from").values_list(
        "agency", "valid_from", "valid_to"
    )
    assert list(periods) == [(a.pk, D(2026, 1, 10), D(2026, 1, 14)), (c.pk, D(2026, 1, 15), None)]
    assert RollupDay.objects.get(course_id=course.pk, enrolled=1).agency_id == c.pk
    assert (totals(agency=a), totals(agency=b), totals(agency=c)) == (
        (0, 0, 0, 0),
        (0, 0, 0, 0),
        (1, 1, 0, 0),
    )
    assert_rollups_match_naive()


def test_leaving_on_the_day_of_joining_leaves_no_period_and_counts_nothing(world):
    a, user, course = world["a"], world["user"], world["course"]
    with clock(at(D(2026, 1, 10))):
        join(user, a, D(2026, 1, 10))
        enrolment_create(user=user, course=course, source=SELF)
        services.learner_profile_set(user=user, agency=None, audience=Subgroup.CIVIL_SERVANT)
    assert not Membership.objects.exists()
    assert totals() == (0, 0, 0, 0)
    assert_rollups_match_naive()


def test_a_merge_keeps_last_months_completions_under_the_merged_away_agency(world):
    a, b, user, course = world["a"], world["b"], world["user"], world["course"]
    with clock(at(D(2026, 1, 5))) as moment:
        join(user, a, D(2026, 1, 5))
        course_complete(enrolment=enrolment_create(user=user, course=course, source=SELF))
        moment[0] = at(D(2026, 2, 3))
        services.agency_merge(source=a, target=b, on=D(2026, 2, 3))
    jan = RollupMonth.objects.get(agency=a, course_id=course.pk, month=D(2026, 1, 1))
    assert (jan.enrolled, jan.completed, jan.certified) == (1, 1, 1)
    assert not RollupMonth.objects.filter(agency=b).exclude(course_id=0).exists()
    assert RollupMonth.objects.get(agency=b, month=D(2026, 2, 1)).registered == 1
    assert RollupMonth.objects.get(agency=a, course_id=0, month=D(2026, 2, 1)).registered == -1
    assert_rollups_match_naive()


def test_merging_a_department_into_its_parent_moves_each_of_its_units(db):
    # The first unit moved sorts before the source and shifts it (and its units' paths).
    province = agency("Tỉnh")
    snv = agency("Sở Nội vụ", province)
    units = {agency(name, snv).pk for name in ("Phòng A", "Phòng B", "Phòng C")}
    services.agency_merge(source=snv, target=province, on=D(2026, 1, 1))
    assert Agency.find_problems() == ([], [], [], [], [])
    children = Agency.objects.get(pk=province.pk).get_children()
    assert {a.pk for a in children} == units | {snv.pk}


def test_a_cancelled_enrolment_disappears_but_a_completed_one_stays(world, courses):
    a, user = world["a"], world["user"]
    with clock(at(D(2026, 3, 1))) as moment:
        join(user, a, D(2026, 3, 1))
        first = enrolment_create(user=user, course=courses[0], source=SELF)
        second = enrolment_create(user=user, course=courses[1], source=SELF)
        moment[0] = at(D(2026, 3, 4))
        enrolment_cancel(enrolment=first)
        course_complete(enrolment=second)
        enrolment_cancel(enrolment=second)  # after completion: still counted
    assert totals(course_id=courses[0].pk) == (0, 0, 0, 0)
    assert totals(course_id=courses[1].pk) == (0, 1, 1, 1)
    assert_rollups_match_naive()


def test_a_revoked_certificate_disappears_and_a_reissued_one_counts_on_its_issue_day(world):
    a, user, course = world["a"], world["user"], world["course"]
    with clock(at(D(2026, 4, 1))) as moment:
        join(user, a, D(2026, 4, 1))
        course_complete(enrolment=enrolment_create(user=user, course=course, source=SELF))
        certificate = Certificate.objects.get(user=user)
        moment[0] = at(D(2026, 5, 20))
        certificate_revoke(certificate=certificate, reason="Cấp nhầm")
        assert totals(course_id=course.pk) == (0, 1, 1, 0)
        assert_rollups_match_naive()
        moment[0] = at(D(2026, 6, 2))
        certificate_reissue(certificate=certificate)
    row = RollupDay.objects.get(course_id=course.pk, certified__gt=0)
    assert (row.day, row.certified) == (D(2026, 4, 1), 1)
    assert_rollups_match_naive()


def test_the_nested_rewrite_of_a_move_counts_once(world):
    a, b, user = world["a"], world["b"], world["user"]
    with clock(at(D(2026, 1, 1))) as moment:
        join(user, a, D(2026, 1, 1))
        moment[0] = at(D(2026, 1, 15))
        # learner_profile_set's rewrite encloses _move_members' own rewrite
        with mock.patch(
            "campaigns.agencies.services.rollups_rewrite", wraps=rollups.rollups_rewrite
        ) as w:
            join(user, b, D(2026, 1, 15), audience=Subgroup.CITIZEN)
        assert w.call_count == 2
    assert (totals(agency=a), totals(agency=b)) == ((0, 0, 0, 0), (1, 0, 0, 0))
    # the audience change restates the old period too: nothing left under the old audience
    assert not RollupDay.objects.filter(audience=Subgroup.CIVIL_SERVANT).exclude(registered=0)
    registered = RollupDay.objects.exclude(registered=0).values_list("day", "agency", "registered")
    jan1, jan15 = D(2026, 1, 1), D(2026, 1, 15)
    assert sorted(registered) == [(jan1, a.pk, 1), (jan15, a.pk, -1), (jan15, b.pk, 1)]
    assert rollups._rewriting.get() == frozenset()
    assert_rollups_match_naive()


@override_settings(REPORT_CUTOFF_DAY=15)
def test_month_bucket_with_a_cutoff_day():
    assert rollups.month_bucket(D(2026, 11, 14)) == D(2026, 11, 1)
    assert rollups.month_bucket(D(2026, 11, 15)) == D(2026, 12, 1)
    assert rollups.month_bucket(D(2026, 12, 20)) == D(2027, 1, 1)
    assert rollups.month_bucket(D(2026, 12, 20), cutoff_day=1) == D(2026, 12, 1)
