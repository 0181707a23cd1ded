"""Reads of the campaigns part: sessions, the public counters, overdue people, attendance.
Every read for a manager goes through the scoping chokepoint
(`campaigns.agencies.selectors.agencies_visible_to`), re-exported here with the agencies'
other reads so that other apps (settings.HOCSO_MFA_REQUIRED_ROLES) keep one read API.
"""

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from assessments.models import Attempt, AttemptState
from assessments.selectors import attempts_awaiting_grading
from campaigns.agencies.selectors import (  # re-exported: the app's one read API
    agencies_visible_to as agencies_visible_to,
)
from campaigns.agencies.selectors import (
    agency_search as agency_search,
)
from campaigns.agencies.selectors import (
    is_manager as is_manager,
)
from campaigns.agencies.selectors import (
    learners_visible_to as learners_visible_to,
)
from campaigns.agencies.selectors import (
    manager_root_agencies as manager_root_agencies,
)
from campaigns.agencies.selectors import (
    visible_agency_or_404 as visible_agency_or_404,
)
from campaigns.agencies.selectors import (
    visible_ancestors as visible_ancestors,
)
from campaigns.agencies.selectors import (
    visible_learner_or_404 as visible_learner_or_404,
)
from campaigns.models import (
    Agency,
    Assignment,
    Attendance,
    Campaign,
    RollupTotal,
    Session,
)
from campaigns.reporting import aggregates
from cms import audit
from cms.text import person_sort_key

HEADLINE_CACHE_KEY = "campaigns:headline:v1"
HEADLINE_TTL = 5 * 60


# --- Essay grading (the "chấm bài" permission) -------------------------------------------

GRADE_PERMISSION = "assessments.grade_essay"


def may_grade(user) -> bool:
    """Whether `user` holds the "chấm bài" permission (a Wagtail group gives it)."""
    return bool(getattr(user, "is_active", False) and user.has_perm(GRADE_PERMISSION))


def attempts_gradable_by(user):
    """Submitted quiz attempts (waiting or graded) of the learners `user` may grade: every
    learner for a superuser, the learners of their agencies (the chokepoint) for a grader
    with a manager role, none without the permission."""
    if not may_grade(user):
        return Attempt.objects.none()
    attempts = Attempt.objects.exclude(state=AttemptState.IN_PROGRESS)
    if user.is_superuser:
        return attempts
    return attempts.filter(user__learner_profile__agency__in=agencies_visible_to(user).values("pk"))


def grading_queue_of(user):
    """The attempts waiting for a grader that `user` may grade, oldest first, each with
    its learner's agency (`agency_name`)."""
    return (
        attempts_awaiting_grading()
        .filter(pk__in=attempts_gradable_by(user).values("pk"))
        .select_related("user__learner_profile__agency")
    )


# --- Audit log (cms.audit) -------------------------------------------------------------


def audit_entries_visible_to(user):
    """The personal-data audit entries `user` may read: every one for a superuser, those of
    the agencies they see for a manager (the chokepoint), none for anyone else."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return audit.audit_entries()
    if not is_manager(user):
        return audit.audit_entries().none()
    return audit.audit_entries_of_agencies(agencies_visible_to(user).values_list("pk", flat=True))


# --- Sessions ---------------------------------------------------------------------------


def sessions_visible_to(user):
    return Session.objects.filter(agency__in=agencies_visible_to(user).values("pk"))


def visible_session_or_404(user, session_id) -> Session:
    session = (
        sessions_visible_to(user).select_related("agency", "campaign").filter(pk=session_id).first()
    )
    if session is None:
        raise Http404
    return session


# --- Manager pages ----------------------------------------------------------------------


# --- Public counters --------------------------------------------------------------------


def campaign_headline() -> dict:
    """Aggregate counters for the public home page (no personal data), from the rollups.

    learners: people registered in an agency now; completions: course completions (the
    home page's "Course completions"; they were campaign completions, one per person for
    several courses, so 134 sat beside 402 certificates); certificates: valid certificates
    issued, one per course completion at most. Both are read from the same course rows
    (docs/glossary.md, "Measures"); agencies_at_target: agencies whose own completions
    reached their target share of their own headcount in an active campaign."""
    sums = RollupTotal.objects.aggregate(
        learners=Sum("registered", filter=Q(course_id=0, campaign_id=0)),
        completions=Sum("completed", filter=Q(course_id__gt=0)),
        certificates=Sum("certified", filter=Q(course_id__gt=0)),
    )
    return {
        "learners": sums["learners"] or 0,
        "completions": sums["completions"] or 0,
        "certificates": sums["certificates"] or 0,
        "agencies_at_target": agencies_at_target_count(),
    }


def agencies_at_target_count() -> int:
    count = 0
    campaigns = Campaign.objects.filter(is_active=True).prefetch_related("courses", "audiences")
    for campaign in campaigns:
        tree = aggregates.own_counts(subject=aggregates.Subject.of(campaign), root=None)
        count += sum(1 for c in tree.own.values() if c.headcount and c.completed >= c.target - 1e-9)
    return count


def campaign_headline_cached() -> dict:
    """`campaign_headline`, cached for five minutes; use this on public pages."""
    stats = cache.get(HEADLINE_CACHE_KEY)
    if stats is None:
        stats = campaign_headline()
        cache.set(HEADLINE_CACHE_KEY, stats, HEADLINE_TTL)
    return stats


# --- Dashboard helpers (the counters themselves come from campaigns.reporting) ----------


def attendance_by_agency(*, paths: list[str]) -> dict[str, int]:
    """{path: attendances at sessions held in that subtree} (1 grouped query). Sessions
    are few and attendance rows are not learning progress."""
    if not paths:
        return {}
    q = Q()
    for path in paths:
        q |= Q(session__agency__path__startswith=path)
    counts = dict.fromkeys(paths, 0)
    rows = (
        Attendance.objects.filter(q)
        .values("session__agency__path")
        .annotate(n=Count("id"))
        .values_list("session__agency__path", "n")
    )
    for agency_path, n in rows:
        for path in paths:
            if agency_path.startswith(path):
                counts[path] += n
    return counts


def overdue_assignments(*, user, agency: Agency):
    """Assignments of active campaigns past due and not completed, for people whose
    current agency is in `agency`'s subtree and visible to `user`."""
    return Assignment.objects.filter(
        campaign__is_active=True,
        completed_at__isnull=True,
        due_at__lt=timezone.now(),
        user__learner_profile__agency__in=agencies_visible_to(user)
        .filter(path__startswith=agency.path)
        .values("pk"),
    )


def overdue_people(*, user, agency: Agency) -> list[dict]:
    """Overdue assignments as light rows sorted the Vietnamese way: given name, then middle
    names, then family name (`cms.text.person_sort_key`). One query of ids and names; the
    page's details come from `overdue_details`."""
    rows = [
        {"id": pk, "user_id": uid, "full_name": name}
        for pk, uid, name in overdue_assignments(user=user, agency=agency).values_list(
            "pk", "user_id", "user__full_name"
        )
    ]
    rows.sort(key=lambda r: (person_sort_key(r["full_name"]), r["user_id"]))
    return rows


def overdue_details(rows) -> None:
    """Fill one page of `overdue_people` rows with e-mail, agency, campaign and due date
    (1 query for the page)."""
    by_id = {r["id"]: r for r in rows}
    details = Assignment.objects.filter(pk__in=list(by_id)).values(
        "pk", "user__email", "user__learner_profile__agency__name", "campaign__name", "due_at"
    )
    for d in details:
        by_id[d["pk"]].update(
            email=d["user__email"], agency=d["user__learner_profile__agency__name"],
            campaign=d["campaign__name"], due_at=d["due_at"],
        )  # fmt: skip
