"""Reads of the campaigns floor.

THE SCOPING CHOKEPOINT: `agencies_visible_to(user)` is the only way manager views, exports
and APIs reach learner data. Every helper below that returns people or numbers for a
manager is built on it; views never query LearnerProfile, Membership or Assignment without
going through one of these.
"""

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from campaigns import reporting
from campaigns.models import (
    Agency,
    Assignment,
    Attendance,
    Campaign,
    LearnerProfile,
    RollupTotal,
    Session,
)
from cms.text import fold, person_sort_key

HEADLINE_CACHE_KEY = "campaigns:headline:v1"
HEADLINE_TTL = 5 * 60


# --- Scoping ----------------------------------------------------------------------------


def agencies_visible_to(user):
    """Agencies whose people and numbers `user` may see as a manager: the subtrees of their
    manager roles; every agency for a superuser; none for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Agency.objects.none()
    if user.is_superuser:
        return Agency.objects.all()
    return Agency.objects.subtree_of(_role_roots(user))


def _role_roots(user) -> list[Agency]:
    """The agencies of the user's manager roles, minus those inside another (fewer OR
    terms, same set). Memoised on the user object: one query per request."""
    cached = getattr(user, "_campaign_role_roots", None)
    if cached is not None:
        return cached
    kept = []
    for root in Agency.objects.filter(manager_roles__user=user).order_by("path"):
        if not any(root.path.startswith(k.path) for k in kept):
            kept.append(root)
    user._campaign_role_roots = kept
    return kept


def is_manager(user) -> bool:
    """Whether `user` may open the manager pages."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or bool(_role_roots(user))


def manager_root_agencies(user):
    """The tops of the user's visible subtrees (for the dashboard's first level)."""
    if user.is_superuser:
        return Agency.objects.filter(depth=1)
    return list(_role_roots(user))


def visible_agency_or_404(user, agency_id) -> Agency:
    """One agency the user may see, or 404 (not 403: ids of others are not confirmed)."""
    agency = agencies_visible_to(user).filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    return agency


def learners_visible_to(user):
    """Learner profiles (with user and agency) of the agencies visible to `user`."""
    return LearnerProfile.objects.filter(
        agency__in=agencies_visible_to(user).values("pk")
    ).select_related("user", "agency")


def visible_learner_or_404(user, user_id) -> LearnerProfile:
    profile = learners_visible_to(user).filter(user_id=user_id).first()
    if profile is None:
        raise Http404
    return profile


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


# --- Agency search (sign-up) ------------------------------------------------------------


def agency_search(query: str, *, limit: int = 20):
    """Active agencies whose name or code matches `query`, ignoring diacritics and case
    ("phuong hoa binh" finds "Phường Hòa Bình")."""
    key = fold(query)
    if len(key) < 2:
        return Agency.objects.none()
    qs = Agency.objects.active()
    for word in key.split():
        qs = qs.filter(Q(search_key__contains=word) | Q(code__iexact=word))
    return qs.order_by("depth", "search_key")[:limit]


# --- Public counters --------------------------------------------------------------------


def campaign_headline() -> dict:
    """Aggregate counters for the public home page (no personal data), from the rollups.

    learners: people registered in an agency now; completions: campaign completions;
    certificates: valid certificates issued; agencies_at_target: agencies whose own
    completions reached their target share of their own headcount in an active campaign."""
    sums = RollupTotal.objects.aggregate(
        learners=Sum("registered", filter=Q(course_id=0, campaign_id=0)),
        completions=Sum("completed", filter=Q(campaign_id__gt=0)),
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
        tree = reporting.own_counts(subject=reporting.Subject.of(campaign), root=None)
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


def visible_ancestors(user, agency: Agency) -> list[Agency]:
    """The agency's ancestors the user may open (breadcrumbs never link to a 404)."""
    visible = {a.path for a in manager_root_agencies(user)} if not user.is_superuser else None
    out = []
    for ancestor in agency.get_ancestors():
        if visible is None or any(ancestor.path.startswith(p) for p in visible):
            out.append(ancestor)
    return out


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
