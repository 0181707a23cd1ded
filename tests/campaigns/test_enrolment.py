"""Assignments through the courses floor's contract: enrolment_create with the campaign as
source, and completion (all required courses completed) reported under the agency of the
day."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import Assignment, Campaign, CampaignCourse
from courses.models import Enrolment
from courses.services import course_complete
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
