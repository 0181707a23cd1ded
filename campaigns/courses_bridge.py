"""The one place campaigns talks to the courses floor (its public services and models).

Contract (courses engineer): `courses.services.enrolment_create(user=, course=,
source=Enrolment.Source.CAMPAIGN, due_at=, source_ref="campaign:<id>")`, idempotent per
(user, course): an existing active enrolment is kept (the earliest deadline wins).
A learner completed a course when their active enrolment has `completed_at`.
"""

import datetime as dt

from django.db.models import Count, Max

from accounts.models import User
from courses.models import CoursePage, Enrolment
from courses.services import enrolment_create


def required_courses(campaign) -> list[CoursePage]:
    """The campaign's required courses, in order (one query)."""
    return [
        link.course
        for link in campaign.courses.select_related("course").order_by("sort_order", "id")
    ]


def enrol(*, campaign, user_ids, due_at: dt.datetime) -> int:
    """Enrol `user_ids` in every required course of `campaign` through the courses service
    (one service call per learner and course: bounded by the caller's batch size)."""
    courses = required_courses(campaign)
    if not courses:
        return 0
    count = 0
    for user in User.objects.filter(pk__in=list(user_ids)):
        for course in courses:
            enrolment_create(
                user=user,
                course=course,
                source=Enrolment.Source.CAMPAIGN,
                due_at=due_at,
                source_ref=f"campaign:{campaign.pk}",
            )
            count += 1
    return count


def completion_dates(*, campaign, user_ids) -> dict[int, dt.datetime]:
    """{user_id: when they completed the last required course} for learners who completed
    every required course of `campaign` (one grouped query)."""
    courses = required_courses(campaign)
    if not courses:
        return {}
    rows = (
        Enrolment.objects.active()
        .filter(user_id__in=user_ids, course__in=courses, completed_at__isnull=False)
        .values("user_id")
        .annotate(n=Count("course", distinct=True), last=Max("completed_at"))
        .filter(n=len(courses))
    )
    return {row["user_id"]: row["last"] for row in rows}
