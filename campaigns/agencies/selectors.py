"""Reads of the agencies part.

THE SCOPING CHOKEPOINT: `agencies_visible_to(user)` is the only way manager views, exports
and APIs reach learner data. Every helper that returns people or numbers for a manager
(here, in `campaigns.selectors` and in `campaigns.reporting`) is built on it; views never
query LearnerProfile, Membership or Assignment without going through one of them.
"""

from django.db.models import Q
from django.http import Http404

from campaigns.models import (
    Agency,
    LearnerProfile,
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


def visible_ancestors(user, agency: Agency) -> list[Agency]:
    """The agency's ancestors the user may open (breadcrumbs never link to a 404)."""
    visible = {a.path for a in manager_root_agencies(user)} if not user.is_superuser else None
    out = []
    for ancestor in agency.get_ancestors():
        if visible is None or any(ancestor.path.startswith(p) for p in visible):
            out.append(ancestor)
    return out


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
