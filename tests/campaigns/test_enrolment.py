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


def test_assignment_enrols_in_required_courses_and_completion_needs_all(tree, learner_in, courses):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Bình dân học vụ số 2026", starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=40), due_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    for order, course in enumerate(courses):
        CampaignCourse.objects.create(campaign=campaign, course=course, sort_order=order)
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

    today = timezone.localdate()
    user = learner_in(tree["snv"])
    before = timezone.now() - dt.timedelta(days=60)
    for course in courses:
        enrolment = enrolment_create(user=user, course=course, source="self")
        course_complete(enrolment=enrolment)
        Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=before)
    campaign = Campaign.objects.create(
        name="Chuyên đề: nhận biết lừa đảo trực tuyến", starts_on=today,
        ends_on=today + dt.timedelta(days=40), due_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    for order, course in enumerate(courses):
        CampaignCourse.objects.create(campaign=campaign, course=course, sort_order=order)
    assert services.campaign_assign(campaign=campaign) == 1
    assignment = Assignment.objects.get(user=user, campaign=campaign)
    # Completed on the day of the assignment, not before it, under the agency of that day.
    assert assignment.completed_at == assignment.created_at
    assert assignment.completed_agency == tree["snv"]
    assert services.assignments_refresh_completion(campaign=campaign) == 0
    snv = tree["snv"].__class__.objects.get(pk=tree["snv"].pk)
    page = dashboard(parent=snv, roots=[], subject=Subject.of(campaign))
    assert page["headline"].completed == 1
