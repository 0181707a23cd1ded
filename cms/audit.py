"""The personal-data audit log (issue 14): who saw, exported, imported or changed whose data.

Built on Wagtail's own audit log (`wagtail.log_actions`): every entry is a Wagtail
`ModelLogEntry` whose action is one of ours (`hocso.*`, registered through the
`register_log_actions` hook below), so it also shows in Wagtail's site history. One helper
writes them, `audit_record`; the entry points (manager pages, exports, imports, the
certificates' admin, MFA and role changes, privacy requests) call it.

An entry's `data` (shape version 1):
    {"version": 1, "ip": "203.0.113.7" | null,   # cms.net.client_ip of the request
     "person": 42 | null,                       # the user whose data it is
     "agency": 7 | null,                        # the agency whose data it is (scope)
     "details": {...}}                          # what the action adds (format, rows...)
`user` is who did it (null: the system, e.g. a scheduled report), `label` the object's
name at the time, `timestamp` when. Managers see the entries of their agencies
(`data.agency` within `campaigns.selectors.agencies_visible_to`); nothing edits or deletes
an entry except the retention purge (`audit_purge`).

This module sits on the cms floor: it knows people and agencies by id only.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.log_actions import LogFormatter, get_active_log_context
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from cms.net import client_ip

PREFIX = "hocso."
DATA_VERSION = 1

# action -> label. The label is the report's filter choice and the entry's message.
ACTIONS: dict[str, str] = {
    "hocso.person_viewed": _("Viewed a person's details"),
    "hocso.people_listed": _("Viewed a list of people"),
    "hocso.people_exported": _("Exported a list of people"),
    "hocso.report_exported": _("Downloaded a period report"),
    "hocso.export_downloaded": _("Downloaded a background export"),
    "hocso.report_sent": _("Scheduled report sent"),
    "hocso.import_run": _("Ran a learner import"),
    "hocso.role_granted": _("Granted a manager role"),
    "hocso.role_revoked": _("Removed a manager role"),
    "hocso.admin_roles_changed": _("Changed a person's admin roles"),
    "hocso.mfa_added": _("Added a second factor"),
    "hocso.mfa_removed": _("Removed a second factor"),
    "hocso.mfa_reset": _("Reset recovery codes"),
    "hocso.certificate_revoked": _("Revoked a certificate"),
    "hocso.certificate_reissued": _("Re-issued a certificate"),
    "hocso.certificate_downloaded": _("Downloaded a learner's certificate"),
    "hocso.my_data_downloaded": _("Downloaded their own data"),
    "hocso.profile_corrected": _("Corrected their own data"),
    "hocso.consent_withdrawn": _("Withdrew a consent"),
    "hocso.consent_given": _("Gave a consent back"),
    "hocso.privacy_request_made": _("Made a privacy request"),
    "hocso.privacy_request_handled": _("Handled a privacy request"),
    "hocso.privacy_request_withdrawn": _("Withdrew their privacy request"),
    "hocso.person_anonymised": _("Anonymised a person"),
    "hocso.person_data_exported": _("Exported a person's data for their request"),
    "hocso.essay_graded": _("Graded a learner's essay"),
}


# The words of the details' keys in the report (a key without one shows as it is).
DETAIL_LABELS = {
    key: pgettext_lazy("audit detail", word)
    for key, word in {
        "format": "format", "period": "period", "rows": "rows", "page": "page",
        "shown": "people shown", "kind": "kind", "type": "type", "purpose": "purpose",
        "given": "given", "status": "status", "request": "request", "groups": "groups",
        "is_staff": "staff", "is_superuser": "superuser", "quiz": "quiz", "score": "score, percent",
    }.items()
}  # fmt: skip


# (action, key) -> {stored code: its label}: the higher floors register their choices
# (`audit_detail_choices`), this floor knowing none of their models.
DETAIL_CHOICES: dict[tuple[str, str], dict] = {}
# Actions whose every detail is a change, [before, after].
CHANGE_ACTIONS = {"hocso.admin_roles_changed"}


def audit_detail_choices(actions, key: str, choices) -> None:
    """The report shows `key`'s values in the entries of `actions` by their choices' labels."""
    for action in actions:
        DETAIL_CHOICES[(action, key)] = dict(choices)


def _detail_value(value, choices: dict | None) -> str:
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_detail_value(item, choices) for item in value)
    return str((choices or {}).get(value, value))


class AuditFormatter(LogFormatter):
    """The entry's message: the action's label, then what its details add (codes by their
    labels, yes/no, a change as before → after)."""

    def format_message(self, log_entry):
        details = (log_entry.data or {}).get("details") or {}
        action = log_entry.action
        parts = []
        for key, value in sorted(details.items()):
            choices = DETAIL_CHOICES.get((action, key))
            if action in CHANGE_ACTIONS and isinstance(value, list) and len(value) == 2:
                shown = " → ".join(_detail_value(v, choices) for v in value)
            else:
                shown = _detail_value(value, choices)
            parts.append(f"{DETAIL_LABELS.get(key, key)}: {shown}")
        extra = ", ".join(parts)
        return f"{self.label} ({extra})" if extra else str(self.label)


@hooks.register("register_log_actions")
def register_audit_actions(actions):
    for action, label in ACTIONS.items():
        actions.register_action(action)(type("AuditFormatter", (AuditFormatter,), {"label": label}))


def _id(value) -> int | None:
    return getattr(value, "pk", value)


# person id -> their agency's id: the campaigns floor registers it (`audit_person_agency_from`),
# this floor knowing no agency model.
_person_agency = None


def audit_person_agency_from(resolver) -> None:
    """`resolver(person_id) -> agency id | None` (the person's agency now)."""
    global _person_agency
    _person_agency = resolver


def audit_person_agency(person) -> int | None:
    """The agency of `person` (an object or id), for entry points that know only the person
    (MFA changes, certificates): their entries then reach the managers of that agency's
    scope. None without a person or a registered resolver. One query."""
    if person is None or _person_agency is None:
        return None
    return _person_agency(_id(person))


def audit_record(
    *,
    action: str,
    instance,
    request=None,
    actor=None,
    person=None,
    agency=None,
    details: dict | None = None,
) -> ModelLogEntry:
    """Write one audit entry: `actor` (default: the request's user; none for the system)
    did `action` on `instance` (the person, the agency, the import, the certificate...),
    touching `person`'s data and/or `agency`'s (objects or ids); the client address comes
    from `request` through `cms.net.client_ip`. Call it in the action's transaction, once
    per action (a page view, a file, a run). `details` is small and holds no personal data
    beyond ids (the format, a row count, a reason code)."""
    if action not in ACTIONS or not log_registry.action_exists(action):
        raise ValueError(f"unregistered audit action {action!r}")
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is None:  # an admin view's Wagtail log context knows who is acting
        actor = get_active_log_context().user
    data = {
        "version": DATA_VERSION,
        "ip": client_ip(request) if request is not None else None,
        "person": _id(person),
        "agency": _id(agency),
        "details": details or {},
    }
    # Wagtail's `log()` saves through full_clean, which looks up the content type and the
    # user again (two queries on every audited page); the action is checked above, the
    # foreign keys come from loaded objects, so the entry is inserted directly: one query.
    entry = ModelLogEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        label=ModelLogEntry.objects.get_instance_title(instance),
        action=action,
        timestamp=timezone.now(),
        data=data,
        user=actor,
        uuid=get_active_log_context().uuid,
    )
    ModelLogEntry.objects.bulk_create([entry])
    return entry


def audit_entries():
    """Every HọcSố audit entry, newest first. Use this (not ModelLogEntry) for the report;
    scoping to a manager's agencies is the campaigns floor's (`audit_entries_visible_to`)."""
    return (
        ModelLogEntry.objects.filter(action__startswith=PREFIX)
        .select_related("user", "content_type")
        .order_by("-timestamp", "-pk")
    )


def audit_entries_of_agencies(agency_ids):
    """Entries about the given agencies (or their people): a manager's scope."""
    return audit_entries().filter(data__agency__in=list(agency_ids))


def audit_labels_withdraw(*, person_id: int, label: str) -> int:
    """After a person is anonymised, entries about them keep their ids but not their name."""
    return audit_entries().filter(data__person=person_id).exclude(label=label).update(label=label)


def audit_entries_older_than(cutoff: dt.datetime):
    """HọcSố audit entries older than `cutoff`: what retention deletes (the only deletion
    of entries; campaigns.retention, in batches)."""
    return ModelLogEntry.objects.filter(action__startswith=PREFIX, timestamp__lt=cutoff)


def audit_purge(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete HọcSố audit entries older than the retention period (idempotent)."""
    cutoff = (now or timezone.now()) - older_than
    deleted, _kinds = audit_entries_older_than(cutoff).delete()
    return deleted
