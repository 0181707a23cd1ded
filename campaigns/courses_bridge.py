"""The one place campaigns talks to the courses floor (its public services and models).

Contract (courses engineer): `courses.services.enrolment_create(user=, course=,
source=Enrolment.Source.CAMPAIGN, due_at=, source_ref="campaign:<id>")`, idempotent per
(user, course). While the courses app has no models yet, enrolment is a no-op and nothing
counts as completed; assignments still exist and carry the due date.
"""

import datetime as dt

from django.apps import apps


def _courses_ready() -> bool:
    try:
        apps.get_model("courses", "Enrolment")
        apps.get_model("courses", "CoursePage")
    except LookupError:
        return False
    return True


def required_courses(campaign):
    """The campaign's required CoursePage objects (specific), in order."""
    if not _courses_ready():
        return []
    CoursePage = apps.get_model("courses", "CoursePage")
    ids = list(campaign.courses.values_list("course_page_id", flat=True))
    by_id = CoursePage.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def enrol(*, campaign, user_ids, due_at: dt.datetime) -> int:
    """Enrol `user_ids` in every required course of `campaign` through the courses service."""
    courses = required_courses(campaign)
    if not courses:
        return 0
    from courses.services import enrolment_create

    Enrolment = apps.get_model("courses", "Enrolment")
    User = apps.get_model("accounts", "User")
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
    every required course of `campaign`."""
    courses = required_courses(campaign)
    if not courses:
        return {}
    from django.db.models import Count, Max

    Enrolment = apps.get_model("courses", "Enrolment")
    rows = (
        Enrolment.objects.filter(
            user_id__in=user_ids, course__in=courses, completed_at__isnull=False
        )
        .values("user_id")
        .annotate(n=Count("course", distinct=True), last=Max("completed_at"))
        .filter(n=len(courses))
    )
    return {row["user_id"]: row["last"] for row in rows}
