"""Writes of the campaigns part: campaigns and their assignments, sessions and attendance,
notices. One transaction each, validate first, return the object. Reminders are in
`campaigns.notify`.

The agencies part's writes (`campaigns.agencies.services`) are re-exported here, so that
other apps and their tests have one write API: `from campaigns import services`.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.template.defaultfilters import floatformat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns import courses_bridge
from campaigns.agencies.services import (  # re-exported: the app's one write API
    agency_create as agency_create,
)
from campaigns.agencies.services import (
    agency_merge as agency_merge,
)
from campaigns.agencies.services import (
    agency_move as agency_move,
)
from campaigns.agencies.services import (
    agency_split as agency_split,
)
from campaigns.agencies.services import (
    agency_update as agency_update,
)
from campaigns.agencies.services import (
    headcount_set as headcount_set,
)
from campaigns.agencies.services import (
    learner_profile_set as learner_profile_set,
)
from campaigns.agencies.services import (
    learner_signed_up as learner_signed_up,
)
from campaigns.agencies.services import (
    manager_role_grant as manager_role_grant,
)
from campaigns.agencies.services import (
    memberships_move as memberships_move,
)
from campaigns.models import (
    Assignment,
    Attendance,
    Campaign,
    CampaignAudience,
    CampaignCourse,
    LearnerProfile,
    Notice,
    Session,
)
from campaigns.notice_counts import notices_forget
from campaigns.reporting.rollups import (
    agency_on,
    campaign_completed_events,
    memberships_of,
    rollup_events,
    rollups_batched,
)
from campaigns.selectors import attempts_gradable_by
from cms import audit
from cms.errors import Refused
from cms.text import nfc

# --- Campaigns and assignments ----------------------------------------------------------


def campaign_matching_profiles(*, campaign: Campaign, user_ids=None):
    """Profiles the campaign applies to: its audiences, its agencies' subtrees (or all)."""
    audiences = list(campaign.audiences.values_list("audience", flat=True))
    profiles = LearnerProfile.objects.filter(agency__isnull=False, agency__is_active=True)
    if audiences:
        profiles = profiles.filter(audience__in=audiences)
    roots = list(campaign.agencies.all())
    if roots:
        q = Q()
        for root in roots:
            q |= Q(agency__path__startswith=root.path)
        profiles = profiles.filter(q)
    if user_ids is not None:
        profiles = profiles.filter(user_id__in=list(user_ids))
    return profiles


def campaign_due_at(campaign: Campaign) -> dt.datetime:
    """The end of the due day, in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(campaign.due_on, dt.time(23, 59, 59)))


def campaign_targets_set(*, campaign: Campaign, audiences=None, courses=None) -> None:
    """Set a campaign's target groups (Subgroup values; none: everyone) and its required
    courses (course pages, in order); None leaves that part as it is. The admin's campaign
    form and the demo set them here."""
    if audiences is not None:
        audiences = set(audiences)
        campaign.audiences.exclude(audience__in=audiences).delete()
        for value in audiences:
            CampaignAudience.objects.get_or_create(campaign=campaign, audience=value)
    if courses is not None:
        courses = list(courses)
        campaign.courses.exclude(course__in=courses).delete()
        for order, course in enumerate(courses):
            CampaignCourse.objects.update_or_create(
                campaign=campaign, course_id=course.pk, defaults={"sort_order": order}
            )


def campaign_assign(*, campaign: Campaign, user_ids=None, batch_size: int = 500) -> int:
    """Assign `campaign` to every matching learner (or only `user_ids`) who has no
    assignment yet, and enrol them in the required courses (those who already completed
    them complete the campaign at once). Idempotent: running it twice
    creates nothing new. Batches of `batch_size` learners, one transaction each.
    Returns how many assignments were created."""
    if not campaign.is_active or campaign.ends_on < timezone.localdate():
        return 0
    due_at = campaign_due_at(campaign)
    candidates = (
        campaign_matching_profiles(campaign=campaign, user_ids=user_ids)
        .exclude(user__campaign_assignments__campaign=campaign)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    created = 0
    last_id = 0
    while True:
        ids = list(candidates.filter(user_id__gt=last_id)[:batch_size])
        if not ids:
            return created
        last_id = ids[-1]
        with transaction.atomic():
            # One assigner per campaign at a time: the rows inserted here are exactly the
            # ones missing, so each assignment is counted once in the rollups.
            Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
            ids = list(
                set(ids)
                - set(
                    Assignment.objects.filter(campaign=campaign, user_id__in=ids).values_list(
                        "user_id", flat=True
                    )
                )
            )
            rows = Assignment.objects.bulk_create(
                [Assignment(campaign=campaign, user_id=uid, due_at=due_at) for uid in ids]
            )
            with rollups_batched():  # the batch's assignments and enrolments, counted at once
                rollup_events(
                    {"user_id": row.user_id, "when": row.created_at, "measure": "enrolled",
                     "campaign_id": campaign.pk}
                    for row in rows
                )  # fmt: skip
                courses_bridge.enrol(campaign=campaign, user_ids=ids, due_at=due_at)
            # Learners who had already completed every required course have met the
            # campaign when they are assigned it, not before: the trend counts the
            # assignment first (one query when none have).
            done = courses_bridge.completion_dates(campaign=campaign, user_ids=ids)
            created_at = {row.user_id: row.created_at for row in rows}
            assignments_mark_completed(
                campaign_id=campaign.pk,
                completions={uid: max(when, created_at[uid]) for uid, when in done.items()},
            )
            _assignment_notices(campaign=campaign, user_ids=[row.user_id for row in rows])
        created += len(rows)


def _assignment_notices(*, campaign: Campaign, user_ids) -> None:
    """The bell's "new assignment" notice for each newly assigned learner (one INSERT)."""
    if not user_ids:
        return
    try:
        url = reverse("courses:my_learning")
    except NoReverseMatch:
        url = ""
    text = _("New assignment: the courses of “%(campaign)s”, due %(due)s.") % {
        "campaign": campaign.name,
        "due": campaign.due_on.strftime("%d/%m/%Y"),
    }
    Notice.objects.bulk_create(
        [
            Notice(user_id=uid, kind=Notice.Kind.ASSIGNMENT, message=text[:500], url=url)
            for uid in user_ids
        ]
    )
    notices_forget(user_ids)  # the bells' counts (campaigns.notice_counts)


def assignments_sync(*, user_ids=None) -> int:
    """Assign every active campaign to the learners who match it and lack it (the periodic
    task, and the sign-up and import paths with their user ids)."""
    total = 0
    for campaign in Campaign.objects.filter(is_active=True, ends_on__gte=timezone.localdate()):
        total += campaign_assign(campaign=campaign, user_ids=user_ids)
    return total


def assignment_mark_completed(*, assignment: Assignment, completed_at: dt.datetime) -> Assignment:
    """Record that the learner completed the campaign (see assignments_mark_completed)."""
    assignments_mark_completed(
        campaign_id=assignment.campaign_id, completions={assignment.user_id: completed_at}
    )
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def assignments_mark_completed(*, campaign_id: int, completions: dict) -> int:
    """Record that these learners (user id -> when) completed the campaign, each reported
    under the agency they belonged to on that day. Those already marked keep their date, and
    each completion is counted once in the rollups: the pending rows are locked first (on
    SQLite the IMMEDIATE transaction holds the write lock). Set-based: three queries plus
    the rollups' writes, however many learners. Returns how many were marked."""
    if not completions:
        return 0
    pending = Assignment.objects.filter(
        campaign_id=campaign_id, user_id__in=list(completions), completed_at__isnull=True
    )
    if connection.features.has_select_for_update:
        pending = pending.select_for_update()
    won = list(pending.only("pk", "user_id"))
    if not won:
        return 0
    memberships = memberships_of(a.user_id for a in won)
    now = timezone.now()
    for assignment in won:
        assignment.completed_at = completions[assignment.user_id]
        assignment.completed_agency_id = agency_on(
            memberships[assignment.user_id], timezone.localdate(assignment.completed_at)
        )
        assignment.updated_at = now
    Assignment.objects.bulk_update(won, ["completed_at", "completed_agency", "updated_at"])
    rollup_events(
        campaign_completed_events(
            campaign_id=campaign_id, completions={a.user_id: a.completed_at for a in won}
        )
    )
    return len(won)


def assignments_refresh_completion(*, campaign: Campaign) -> int:
    """Mark assignments completed whose learners completed every required course (reads
    the courses floor through campaigns.courses_bridge). Returns how many changed."""
    pending = Assignment.objects.filter(campaign=campaign, completed_at__isnull=True)
    done = courses_bridge.completion_dates(
        campaign=campaign, user_ids=pending.values_list("user_id", flat=True)
    )
    return assignments_mark_completed(campaign_id=campaign.pk, completions=done)


# --- Sessions and attendance ------------------------------------------------------------


SESSION_FIELDS = ("kind", "title", "place", "starts_at", "ends_at", "agency", "campaign")


@transaction.atomic
def session_save(*, session: Session | None = None, **fields) -> Session:
    """Create an in-person session, or change `session`, from `fields` (SESSION_FIELDS).
    The caller has checked that the manager may use the agency (the form offers only the
    agencies of `selectors.agencies_visible_to`); this checks the values themselves."""
    session = session or Session()
    for name in SESSION_FIELDS:
        if name in fields:
            setattr(session, name, fields[name])
    if session.title:
        session.title = nfc(session.title.strip())
    if session.place:
        session.place = nfc(session.place.strip())
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": _("The session must end after it starts.")})
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def attendance_record(*, session: Session, user: User, method: str) -> Attendance:
    """Idempotent: attending twice keeps the first record."""
    attendance, _created = Attendance.objects.get_or_create(
        session=session, user=user, defaults={"method": method}
    )
    return attendance


# --- Notices ----------------------------------------------------------------------------


def notice_create(*, user_id: int, message: str, url: str = "", kind: str = "other") -> Notice:
    notice = Notice(user_id=user_id, message=message[:500], url=url, kind=kind)
    notice.full_clean(exclude=["user"])
    notice.save()
    notices_forget([user_id])
    return notice


def notices_mark_read(*, user, notice_id: int | None = None) -> int:
    """Mark the user's unread notices read (one of them, or all). Returns how many."""
    unread = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_id is not None:
        unread = unread.filter(pk=notice_id)
    marked = unread.update(read_at=timezone.now())
    notices_forget([user.pk])
    return marked


# --- Essay grading ------------------------------------------------------------------------


def quiz_essays_grade_scoped(*, grader, attempt_id: int, grades: dict, request=None):
    """A grader marks the essays of an attempt from the grading queue: refused unless the
    grader holds "chấm bài" and sees the learner (selectors.attempts_gradable_by, the
    chokepoint); graded once (the courses and assessments services: a second grader at the
    same moment is refused "already_graded"), the outcome recorded on the lesson, the
    learner told by a notice, the grading written to the audit log. One transaction."""
    with transaction.atomic():
        attempt = attempts_gradable_by(grader).filter(pk=attempt_id).first()
        if attempt is None:
            raise Refused(_("This attempt is not one you may grade."), code="not_found", status=404)
        attempt, _progress = courses_bridge.quiz_essays_grade(
            attempt_id=attempt.pk, grader=grader, grades=grades
        )
        notice_create(
            user_id=attempt.user_id,
            kind=Notice.Kind.OTHER,
            message=_("Your answers to “%(quiz)s” have been graded: %(score)s%%.")
            % {"quiz": attempt.quiz.title, "score": floatformat(attempt.score_percent, "-2")},
            url=_attempt_result_url(attempt),
        )
        profile = getattr(attempt.user, "learner_profile", None)
        audit.audit_record(
            action="hocso.essay_graded", instance=attempt, request=request, actor=grader,
            person=attempt.user_id, agency=getattr(profile, "agency_id", None),
            details={"quiz": attempt.quiz_id, "score": str(attempt.score_percent)},
        )  # fmt: skip
    return attempt


def _attempt_result_url(attempt) -> str:
    """The learner's result page of an attempt taken in a lesson, or nothing."""
    place, lesson_id, block_id = (attempt.context_key.split(":", 2) + ["", ""])[:3]
    if place != "lesson":
        return ""
    try:
        return reverse("courses:quiz_result", args=[lesson_id, block_id, attempt.pk])
    except NoReverseMatch:
        return ""
