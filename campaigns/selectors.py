"""Reads of the campaigns floor.

THE SCOPING CHOKEPOINT: `agencies_visible_to(user)` is the only way manager views, exports
and APIs reach learner data. Every helper below that returns people or numbers for a
manager is built on it; views never query LearnerProfile, Membership or Assignment without
going through one of these.
"""

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.http import Http404

from campaigns.models import (
    Agency,
    AgencyHeadcount,
    Assignment,
    Attendance,
    LearnerProfile,
    Session,
)
from cms.text import fold

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


def agency_rows(*, user, parent: Agency | None):
    """Rows for the dashboard: the children of `parent` (or the manager's roots), each with
    its subtree's headcount, learners, assigned and completed, all scoped to `user`.

    Queries: 1 for the agencies, then 4 grouped queries over the whole subtree (headcount,
    learners, assignments and session attendances by agency path), summed per row by path
    prefix in Python."""
    visible = agencies_visible_to(user)
    if parent is None:
        agencies = list(manager_root_agencies(user))
    else:
        agencies = list(visible.filter(path__startswith=parent.path, depth=parent.depth + 1))
    agencies.sort(key=lambda a: fold(a.name))
    if not agencies:
        return []
    subtree = visible.subtree_of(agencies)
    heads = dict(
        AgencyHeadcount.objects.filter(agency__in=subtree.values("pk"))
        .values("agency__path")
        .annotate(total=Sum("count"))
        .values_list("agency__path", "total")
    )
    learners = dict(
        LearnerProfile.objects.filter(agency__in=subtree.values("pk"))
        .values("agency__path")
        .annotate(n=Count("id"))
        .values_list("agency__path", "n")
    )
    assigned = {
        row["user__learner_profile__agency__path"]: row
        for row in Assignment.objects.filter(
            user__learner_profile__agency__in=subtree.values("pk"), campaign__is_active=True
        )
        .values("user__learner_profile__agency__path")
        .annotate(n=Count("id"), done=Count("id", filter=Q(completed_at__isnull=False)))
    }
    # In-person sessions count as participation: attendances at the subtree's sessions.
    attended = dict(
        Attendance.objects.filter(session__agency__in=subtree.values("pk"))
        .values("session__agency__path")
        .annotate(n=Count("id"))
        .values_list("session__agency__path", "n")
    )
    rows = []
    for agency in agencies:

        def total(mapping, key=None, path=agency.path):
            return sum(
                (v[key] if key else v) or 0 for p, v in mapping.items() if p.startswith(path)
            )

        row = {
            "agency": agency,
            "headcount": total(heads),
            "learners": total(learners),
            "assigned": total(assigned, "n"),
            "completed": total(assigned, "done"),
            "attended": total(attended),
        }
        row["percent"] = round(100 * row["completed"] / row["assigned"]) if row["assigned"] else 0
        rows.append(row)
    return rows


def completions_by_agency(*, campaign, start, end) -> dict[int, int]:
    """{agency id: completions between `start` and `end`} reported under the agency each
    learner belonged to on the day they completed (history-proof: merges change nothing)."""
    rows = (
        Assignment.objects.filter(campaign=campaign, completed_at__gte=start, completed_at__lt=end)
        .values("completed_agency")
        .annotate(n=Count("id"))
    )
    return {row["completed_agency"]: row["n"] for row in rows}


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
    """Aggregate counters for the public home page (no personal data).

    learners: people with a learner profile; completions: campaign completions;
    certificates: certificates issued (0 until the certificates app has them);
    agencies_at_target: agencies whose completions reached their target share of the
    headcount in an active campaign."""
    from django.apps import apps

    learners = LearnerProfile.objects.count()
    completions = Assignment.objects.filter(completed_at__isnull=False).count()
    certificates = 0
    try:
        Certificate = apps.get_model("certificates", "Certificate")
    except LookupError:
        Certificate = None
    if Certificate is not None:
        certificates = Certificate.objects.count()
    return {
        "learners": learners,
        "completions": completions,
        "certificates": certificates,
        "agencies_at_target": agencies_at_target_count(),
    }


def agencies_at_target_count() -> int:
    from campaigns.models import Campaign

    count = 0
    for campaign in Campaign.objects.filter(is_active=True).prefetch_related("targets"):
        targets = {t.agency_id: t.percent for t in campaign.targets.all()}
        done = completions_by_agency(
            campaign=campaign,
            start=campaign_start(campaign),
            end=campaign_end(campaign),
        )
        heads = dict(
            AgencyHeadcount.objects.filter(agency_id__in=list(done))
            .values("agency")
            .annotate(total=Sum("count"))
            .values_list("agency", "total")
        )
        for agency_id, n in done.items():
            head = heads.get(agency_id) or 0
            percent = targets.get(agency_id, campaign.target_percent)
            if head and 100 * n >= percent * head:
                count += 1
    return count


def campaign_start(campaign):
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time.min))


def campaign_end(campaign):
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(
        dt.datetime.combine(campaign.ends_on + dt.timedelta(days=1), dt.time.min)
    )


def campaign_headline_cached() -> dict:
    """`campaign_headline`, cached for five minutes; use this on public pages."""
    stats = cache.get(HEADLINE_CACHE_KEY)
    if stats is None:
        stats = campaign_headline()
        cache.set(HEADLINE_CACHE_KEY, stats, HEADLINE_TTL)
    return stats
