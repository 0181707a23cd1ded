"""The one place campaigns talks to the courses floor (its public services and models).

Contract (courses engineer): `courses.services.enrolment_create(user=, course=,
source=Enrolment.Source.CAMPAIGN, due_at=, source_ref="campaign:<id>")`, idempotent per
(user, course): an existing active enrolment is kept (the earliest deadline wins).
A learner completed a course when their active enrolment has `completed_at`.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import pgettext_lazy

from accounts.models import User
from courses.certificates.models import Certificate
from courses.models import CoursePage, Enrolment
from courses.services import enrolment_create
from courses.services import quiz_essays_grade as quiz_essays_grade  # the grading queue


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


def course_titles(course_ids=None) -> dict[int, str]:
    """{course id: title} of `course_ids` (every course for None; one query)."""
    pages = CoursePage.objects.all()
    if course_ids is not None:
        pages = pages.filter(pk__in=list(course_ids))
    return dict(pages.values_list("pk", "title"))


def live_courses():
    """The published courses, by title (the campaign form's choices)."""
    return CoursePage.objects.live().order_by("title")


# --- What the detail export reads (campaigns.reporting.exports) ----------------------------


def detail_enrolments(*, agencies, enrolled_before=None, campaign=None, course_ids=()):
    """Enrolments still open or completed of the current learners of `agencies` (a
    queryset of agencies), made before `enrolled_before`; with a `campaign`, only its
    assigned people in `course_ids`. Rows ordered by agency path, name, person, course:
    (user_id, course_id, full_name, email, agency name, agency code, audience, enrolled_at,
    completed_at, lessons_done, percent). Lazy: the caller streams it."""
    rows = Enrolment.objects.filter(
        Q(unenrolled_at__isnull=True) | Q(completed_at__isnull=False),
        user__learner_profile__agency__in=agencies.values("pk"),
    )
    if enrolled_before is not None:
        rows = rows.filter(enrolled_at__lt=enrolled_before)
    if campaign is not None:
        rows = rows.filter(
            course_id__in=list(course_ids), user__campaign_assignments__campaign=campaign
        )
    return rows.order_by(
        "user__learner_profile__agency__path", "user__full_name", "user_id", "course_id", "pk"
    ).values_list(
        "user_id", "course_id", "user__full_name", "user__email",
        "user__learner_profile__agency__name", "user__learner_profile__agency__code",
        "user__learner_profile__audience", "enrolled_at", "completed_at", "lessons_done",
        "percent",
    )  # fmt: skip


def certificates_issued(*, user_ids, course_ids) -> dict[tuple[int, int], dt.datetime]:
    """{(user_id, course_id): issued_at} of the valid certificates among them (one query)."""
    return {
        (user_id, course_id): issued_at
        for user_id, course_id, issued_at in Certificate.objects.valid()
        .filter(user_id__in=set(user_ids), course_id__in=set(course_ids))
        .order_by()
        .values_list("user_id", "course_id", "issued_at")
    }


# --- What the rollups read (campaigns.reporting.rollups) ------------------------------


def rollup_tables() -> dict[str, str]:
    """Table names of the rows the set-based rollup rebuild reads (from the models' _meta)."""
    return {"enrolment": Enrolment._meta.db_table, "certificate": Certificate._meta.db_table}


def enrolment_rows(*, user_ids):
    """Enrolments of `user_ids` as named rows: user_id, course_id, enrolled_at,
    unenrolled_at, completed_at (one query; cancelled ones included)."""
    return Enrolment.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "course_id", "enrolled_at", "unenrolled_at", "completed_at", named=True
    )


def valid_certificate_rows(*, user_ids):
    """(user_id, course_id, issued_at) of the valid certificates of `user_ids` (one query)."""
    return Certificate.objects.filter(
        user_id__in=list(user_ids), revoked_at__isnull=True, course_id__isnull=False
    ).values_list("user_id", "course_id", "issued_at")


def certified_course_ids(*, user_ids, course_ids) -> dict[int, set[int]]:
    """Which of `course_ids` each of `user_ids` holds a valid (not revoked) certificate for
    (1 query, however many people; those with none are absent)."""
    held = defaultdict(set)
    rows = Certificate.objects.filter(
        user_id__in=list(user_ids), course_id__in=list(course_ids), revoked_at__isnull=True
    ).values_list("user_id", "course_id")
    for user_id, course_id in rows:
        held[user_id].add(course_id)
    return held


# --- Each person's status per required course (people list, learner page) ---------------

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED)
# The state words of a person in a course, on every page and export (docs/glossary.md).
# With a context: Wagtail's catalogue (in LOCALE_PATHS, which wins over ours) translates
# the bare "In progress" as "Đang diễn ra".
STATUS_LABELS = {
    NOT_STARTED: pgettext_lazy("learning status", "Not started"),
    IN_PROGRESS: pgettext_lazy("learning status", "In progress"),
    COMPLETED: pgettext_lazy("learning status", "Completed"),
}
CERTIFIED_LABEL = pgettext_lazy("learning status", "Certified")
# Started: any activity recorded on the enrolment (a lesson opened or done, or completed).
_STARTED = Q(last_activity_at__isnull=False) | Q(lessons_done__gt=0) | Q(completed_at__isnull=False)


@dataclass
class CourseStatus:
    """One person's state in one required course, with its dates (None: not enrolled)."""

    status: str
    enrolled_at: dt.datetime | None = None
    last_activity_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    percent: int = 0


def course_statuses(*, user_ids, course_ids) -> dict[tuple[int, int], CourseStatus]:
    """{(user_id, course_id): CourseStatus} for the active enrolments of `user_ids` in
    `course_ids` (one query; a missing key means not enrolled, i.e. not started)."""
    out = {}
    rows = (
        Enrolment.objects.active()
        .filter(user_id__in=list(user_ids), course_id__in=list(course_ids))
        .values_list("user_id", "course_id", "enrolled_at", "last_activity_at", "completed_at",
                     "lessons_done", "percent")
    )  # fmt: skip
    for user_id, course_id, enrolled_at, active_at, completed_at, done, percent in rows:
        if completed_at is not None:
            status = COMPLETED
        elif active_at is not None or done:
            status = IN_PROGRESS
        else:
            status = NOT_STARTED
        out[user_id, course_id] = CourseStatus(
            status, enrolled_at, active_at, completed_at, percent
        )
    return out


def filter_by_status(people, *, course_ids, status: str, user_field: str = "user_id"):
    """`people` (any queryset with a user id in `user_field`) narrowed to those whose state
    across `course_ids` is `status`: completed = every course completed; not started = no
    activity in any of them; in progress = the rest. One SQL query, however many people."""
    course_ids = list(course_ids)
    if status not in STATUSES or not course_ids:
        return people
    mine = Enrolment.objects.active().filter(user_id=OuterRef(user_field), course_id__in=course_ids)
    done = Subquery(
        mine.filter(completed_at__isnull=False)
        .order_by()
        .values("user_id")
        .annotate(n=Count("course_id", distinct=True))
        .values("n"),
        output_field=IntegerField(),
    )
    people = people.annotate(_done=Coalesce(done, 0), _started=Exists(mine.filter(_STARTED)))
    if status == COMPLETED:
        return people.filter(_done=len(course_ids))
    if status == NOT_STARTED:
        return people.filter(_started=False)
    return people.filter(_started=True, _done__lt=len(course_ids))
