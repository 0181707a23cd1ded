"""Writes of the agencies part: the tree (create, move, merge, split), headcounts, people
and their memberships over time, manager roles. One transaction each, validate first,
return the object. Learner imports are in `campaigns.agencies.imports`."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns import tasks
from campaigns.models import (
    Agency,
    AgencyHeadcount,
    LearnerProfile,
    ManagerRole,
    Membership,
)
from campaigns.reporting.rollups import (
    rollups_rewrite,
)
from cms.outbox import task_send
from cms.text import fold, nfc
from cms.vocabularies import Subgroup

# --- Agencies ---------------------------------------------------------------------------


@transaction.atomic
def agency_create(*, name: str, code: str, kind: str, parent: Agency | None = None) -> Agency:
    """A new agency at the root (the province) or under `parent`."""
    name = nfc(name).strip()
    agency = Agency(name=name, search_key=fold(name), code=code.strip(), kind=kind)
    agency.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return Agency.add_root(instance=agency)
    parent.refresh_from_db()
    return parent.add_child(instance=agency)


@transaction.atomic
def agency_update(*, agency: Agency, name: str, code: str, kind: str) -> Agency:
    agency.name = nfc(name).strip()
    agency.search_key = fold(agency.name)
    agency.code = code.strip()
    agency.kind = kind
    agency.full_clean(exclude=["path", "depth", "numchild"])
    agency.save(update_fields=["name", "search_key", "code", "kind", "updated_at"])
    return agency


@transaction.atomic
def agency_move(*, agency: Agency, new_parent: Agency) -> Agency:
    """Move an agency (and its subtree) under another. Memberships are untouched: people
    stay in the agency, which now rolls up to its new parent."""
    agency.refresh_from_db()
    new_parent.refresh_from_db()
    if new_parent.path.startswith(agency.path):
        raise ValidationError(_("An agency cannot be moved under itself or its own units."))
    agency.move(new_parent, pos="sorted-child")
    agency.refresh_from_db()
    return agency


@transaction.atomic
def headcount_set(*, agency: Agency, audience: str, count: int) -> AgencyHeadcount:
    if audience not in Subgroup.values:
        raise ValidationError(_("Unknown audience."))
    if count < 0:
        raise ValidationError(_("A headcount cannot be negative."))
    row, _created = AgencyHeadcount.objects.update_or_create(
        agency=agency, audience=audience, defaults={"count": count}
    )
    return row


def _move_members(*, user_ids, to_agency: Agency, on: dt.date) -> int:
    """Move `user_ids` to `to_agency` from day `on` (see `memberships_move`) and point their
    profiles there. Returns how many moved."""
    user_ids = list(user_ids)
    if not user_ids:
        return 0
    with rollups_rewrite(user_ids):
        memberships_move(moves=dict.fromkeys(user_ids, to_agency.pk), on=on)
        LearnerProfile.objects.filter(user_id__in=user_ids).update(
            agency=to_agency, updated_at=timezone.now()
        )
    return len(user_ids)


def _memberships_end(*, user_ids, on: dt.date) -> None:
    """End the people's memberships the day before `on`: whatever they had from `on` on is
    replaced (one agency at a time, also when `on` is before an earlier move). Periods that
    start on or after `on` go (no empty period), the one running on `on` ends the day
    before. Two queries."""
    rows = Membership.objects.filter(user_id__in=user_ids)
    rows.filter(valid_from__gte=on).delete()
    rows.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).update(
        valid_to=on - dt.timedelta(days=1)
    )


def memberships_move(*, moves: dict[int, int], on: dt.date) -> None:
    """{user id: agency id}: end each user's membership the day before `on` (see
    `_memberships_end`) and open one in the new agency from `on`. Three queries however many
    people move (the import calls it once per batch). The caller updates the profiles."""
    if not moves:
        return
    _memberships_end(user_ids=list(moves), on=on)
    Membership.objects.bulk_create(
        [Membership(user_id=uid, agency_id=aid, valid_from=on) for uid, aid in moves.items()]
    )


@transaction.atomic
def agency_merge(*, source: Agency, target: Agency, on: dt.date | None = None) -> Agency:
    """Merge `source` into `target` from day `on` (default today).

    The source's people get a new membership in the target from `on`; their past periods
    (and so past completions) stay with the source, which stays in the tree as an inactive
    agency. Its units move under the target; its headcounts are added to the target's."""
    on = on or timezone.localdate()
    source.refresh_from_db()
    target.refresh_from_db()
    if source.pk == target.pk:
        raise ValidationError(_("An agency cannot be merged into itself."))
    if target.path.startswith(source.path):
        raise ValidationError(_("An agency cannot be merged into one of its own units."))
    if not source.is_active or not target.is_active:
        raise ValidationError(_("Only active agencies can be merged."))
    member_ids = LearnerProfile.objects.filter(agency=source).values_list("user_id", flat=True)
    _move_members(user_ids=member_ids, to_agency=target, on=on)
    # Fetch each unit just before its move: a sorted move shifts the paths of the target's
    # other children, which may include the source and so its remaining units.
    for child_id in list(source.get_children().values_list("pk", flat=True)):
        Agency.objects.get(pk=child_id).move(target, pos="sorted-child")
    for hc in AgencyHeadcount.objects.filter(agency=source):
        existing = AgencyHeadcount.objects.filter(agency=target, audience=hc.audience).first()
        headcount_set(
            agency=target,
            audience=hc.audience,
            count=(existing.count if existing else 0) + hc.count,
        )
    ManagerRole.objects.filter(agency=source).exclude(
        user__in=ManagerRole.objects.filter(agency=target).values("user")
    ).update(agency=target)
    ManagerRole.objects.filter(agency=source).delete()
    source = Agency.objects.get(pk=source.pk)
    source.is_active = False
    source.merged_into = target
    source.save(update_fields=["is_active", "merged_into", "updated_at"])
    return target


@transaction.atomic
def agency_split(
    *,
    source: Agency,
    parts: list[dict],
    assignments: dict[int, str],
    on: dt.date | None = None,
) -> list[Agency]:
    """Split `source` into new sibling agencies from day `on`.

    `parts` lists {"name", "code", "kind"} for each new agency; `assignments` maps a user id
    to the code of the part they go to (people not listed stay in the source). Past
    periods stay with the source."""
    on = on or timezone.localdate()
    source.refresh_from_db()
    if not parts:
        raise ValidationError(_("A split needs at least one new agency."))
    parent = source.get_parent()
    created = {}
    for part in parts:
        created[part["code"]] = agency_create(
            name=part["name"], code=part["code"], kind=part.get("kind") or source.kind,
            parent=parent,
        )  # fmt: skip
    unknown = set(assignments.values()) - set(created)
    if unknown:
        raise ValidationError(
            _("Unknown new agency code: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
        )
    members = set(LearnerProfile.objects.filter(agency=source).values_list("user_id", flat=True))
    for code, agency in created.items():
        ids = [uid for uid, c in assignments.items() if c == code and uid in members]
        _move_members(user_ids=ids, to_agency=agency, on=on)
    return list(created.values())


# --- Learners ---------------------------------------------------------------------------


@transaction.atomic
def learner_profile_set(
    *,
    user: User,
    agency: Agency | None,
    audience: str,
    job_title: str = "",
    employee_code: str | None = None,
    on: dt.date | None = None,
) -> LearnerProfile:
    """Create or update a learner's profile; a change of agency opens a new membership
    period from `on` (default today) and keeps the old one as history."""
    on = on or timezone.localdate()
    with rollups_rewrite([user.pk]):  # a new agency or audience restates their history
        profile = LearnerProfile.objects.select_for_update().filter(user=user).first()
        old_agency_id = profile.agency_id if profile else None
        if profile is None:
            profile = LearnerProfile(user=user)
        profile.agency = agency
        profile.audience = audience
        profile.job_title = nfc(job_title or "").strip()
        profile.employee_code = (employee_code or "").strip() or None
        profile.full_clean(exclude=["user"])
        profile.save()
        if agency is not None and agency.pk != old_agency_id:
            _move_members(user_ids=[user.pk], to_agency=agency, on=on)
        elif agency is None and old_agency_id is not None:
            _memberships_end(user_ids=[user.pk], on=on)
    return profile


def learner_signed_up(*, user: User, agency: Agency | None, audience: str) -> LearnerProfile:
    """A person who signed up: their profile, and (with an agency) the campaigns that match
    them assigned in the background (after commit, through the outbox)."""
    profile = learner_profile_set(user=user, agency=agency, audience=audience)
    if agency is not None:
        task_send(tasks.assignments_sync_for, [[user.pk]])
    return profile


# --- Manager roles ----------------------------------------------------------------------


@transaction.atomic
def manager_role_grant(*, user: User, agency: Agency, granted_by: User | None) -> ManagerRole:
    role, _created = ManagerRole.objects.get_or_create(
        user=user, agency=agency, defaults={"granted_by": granted_by}
    )
    return role
