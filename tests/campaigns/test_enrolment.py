"""Assignments through the courses floor's contract: enrolment_create with the campaign as
source, and completion (all required courses completed) reported under the agency of the
day."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import Assignment, Campaign, CampaignCourse
from courses.models import Enrolment
from courses.services import course_complete, enrolment_create
from tests.campaigns.conftest import plain_course


@pytest.fixture
def courses(home_page):
    return [plain_course(t) for t in ("VNeID và dịch vụ công trực tuyến",
                                      "Nhận biết lừa đảo trực tuyến")]  # fmt: skip


def _campaign(name, courses, *, started_days_ago):
    """An active campaign due in 30 days that requires `courses`, in order."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=name, starts_on=today - dt.timedelta(days=started_days_ago),
        ends_on=today + dt.timedelta(days=40), due_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    for order, course in enumerate(courses):
        CampaignCourse.objects.create(campaign=campaign, course=course, sort_order=order)
    return campaign


def test_assignment_enrols_in_required_courses_and_completion_needs_all(tree, learner_in, courses):
    campaign = _campaign("Bình dân học vụ số 2026", courses, started_days_ago=10)
    user = learner_in(tree["snv"])
    assert services.campaign_assign(campaign=campaign) == 1
    assert services.campaign_assign(campaign=campaign) == 0
    enrolments = Enrolment.objects.filter(user=user).order_by("course__path")
    assert [(e.source, e.source_ref) for e in enrolments] == [
        ("campaign", f"campaign:{campaign.pk}")
    ] * 2
    assert all(timezone.localtime(e.due_at).date() == campaign.due_on for e in enrolments)

    course_complete(enrolment=enrolments[0])
    assert services.assignments_refresh_completion(campaign=campaign) == 0
    course_complete(enrolment=enrolments[1])
    assert services.assignments_refresh_completion(campaign=campaign) == 1
    assignment = Assignment.objects.get(user=user)
    assert assignment.completed_at is not None
    assert assignment.completed_agency == tree["snv"]


def test_a_learner_who_completed_the_courses_before_is_completed_when_assigned(
    tree, learner_in, courses
):
    """The manager's dashboard counts them at once (before, only the hourly sync did, and
    the demo, which has no beat, showed 0 completed beside the course table's completions)."""
    from campaigns.reporting.aggregates import Subject, dashboard

    user = learner_in(tree["snv"])
    before = timezone.now() - dt.timedelta(days=60)
    for course in courses:
        enrolment = enrolment_create(user=user, course=course, source="self")
        course_complete(enrolment=enrolment)
        Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=before)
    campaign = _campaign("Chuyên đề: nhận biết lừa đảo trực tuyến", courses, started_days_ago=0)
    assert services.campaign_assign(campaign=campaign) == 1
    assignment = Assignment.objects.get(user=user, campaign=campaign)
    # Completed on the day of the assignment, not before it, under the agency of that day.
    assert assignment.completed_at == assignment.created_at
    assert assignment.completed_agency == tree["snv"]
    assert services.assignments_refresh_completion(campaign=campaign) == 0
    snv = tree["snv"].__class__.objects.get(pk=tree["snv"].pk)
    page = dashboard(parent=snv, roots=[], subject=Subject.of(campaign))
    assert page["headline"].completed == 1


def _completed_learners(tree, learner_in, campaign, n):
    users = [learner_in(tree["snv"]) for _ in range(n)]
    services.campaign_assign(campaign=campaign)
    for user in users:
        for enrolment in Enrolment.objects.filter(user=user):
            course_complete(enrolment=enrolment)
    return users


def test_completion_refresh_is_set_based_and_counts_each_learner_once(tree, learner_in, courses):
    """The hourly sync marks every learner who finished with the same handful of queries,
    whether 2 or 6 finished (before: three queries and the rollup writes per learner), and
    a second run, or a run racing it, counts nobody twice."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigns.reporting.aggregates import Subject, dashboard

    campaign = _campaign("Kỹ năng số cơ bản", courses, started_days_ago=1)
    counts = []
    for n in (2, 6):
        _completed_learners(tree, learner_in, campaign, n)
        with CaptureQueriesContext(connection) as ctx:
            assert services.assignments_refresh_completion(campaign=campaign) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert services.assignments_refresh_completion(campaign=campaign) == 0
    assert (
        services.assignments_mark_completed(
            campaign_id=campaign.pk,
            completions={a.user_id: a.completed_at for a in Assignment.objects.all()},
        )
        == 0
    )
    snv = tree["snv"].__class__.objects.get(pk=tree["snv"].pk)
    page = dashboard(parent=snv, roots=[], subject=Subject.of(campaign))
    assert page["headline"].completed == 8
    marked = Assignment.objects.filter(campaign=campaign, completed_at__isnull=False)
    assert marked.count() == 8
    assert set(marked.values_list("completed_agency", flat=True)) == {tree["snv"].pk}
