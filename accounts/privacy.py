"""Privacy on the accounts floor (issue 14): what the audit log records of a person's own
account (second factors); "my data" (every floor's sections of what HọcSố holds about a
person, through a registry in settings); consents for optional processing.

The audit entries are written through `cms.audit.audit_record`."""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Case, OuterRef, Subquery, When
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import ConsentRecord, PrivacyRequest, User
from cms import audit
from cms.net import absolute_url, client_ip
from cms.outbox import task_send
from cms.text import nfc

MFA_ACTIONS = {
    "added": "hocso.mfa_added",
    "removed": "hocso.mfa_removed",
    "reset": "hocso.mfa_reset",
}


# The audit report shows these details by their labels (cms.audit knows no model).
_REQUEST_ACTIONS = ("hocso.privacy_request_made", "hocso.privacy_request_handled",
                    "hocso.privacy_request_withdrawn")  # fmt: skip
audit.audit_detail_choices(_REQUEST_ACTIONS, "kind", PrivacyRequest.Kind.choices)
audit.audit_detail_choices(_REQUEST_ACTIONS, "status", PrivacyRequest.Status.choices)
audit.audit_detail_choices(("hocso.consent_given", "hocso.consent_withdrawn"), "purpose",
                           ConsentRecord.Purpose.choices)  # fmt: skip
audit.audit_detail_choices(MFA_ACTIONS.values(), "type", Authenticator.Type.choices)


def admin_roles(user) -> dict:
    """What the Wagtail user admin can grant: superuser, staff, groups (names)."""
    return {"is_superuser": user.is_superuser, "is_staff": user.is_staff,
            "groups": sorted(user.groups.values_list("name", flat=True))}  # fmt: skip


def admin_roles_audited(*, request, user, before: dict) -> None:
    """One audit entry when an admin edit changed `user`'s roles: each changed role with
    its value before and after (nothing when only the name or e-mail changed)."""
    after = admin_roles(user)
    changed = {key: [before.get(key), value] for key, value in after.items()
               if before.get(key) != value}  # fmt: skip
    if changed:
        audit.audit_record(
            action="hocso.admin_roles_changed", instance=user, request=request, person=user,
            details=changed,
        )  # fmt: skip


def mfa_change_audited(change: str):
    """A receiver of allauth's authenticator signal for `change` ("added", "removed",
    "reset"): one audit entry on the person, with the authenticator's type and the person's
    agency (the managers of that scope see it). The entry is on the user (a removed
    authenticator has no row left to point at)."""

    def received(sender, request, user, authenticator, **kwargs):
        audit.audit_record(
            action=MFA_ACTIONS[change], instance=user, request=request, actor=user,
            person=user, agency=audit.audit_person_agency(user),
            details={"type": authenticator.type},
        )  # fmt: skip

    return received


# --- "My data": what HọcSố holds about a person ----------------------------------------


def label(text: str):
    """A section's title or column label: the "my data" context keeps these short,
    common words (Type, Sent, Read...) from taking another page's translation."""
    return pgettext_lazy("my data", text)


@dataclass(frozen=True)
class Section:
    """One part of a person's data: `columns` are (field, label) pairs, `rows` dicts keyed
    by field (values: text, numbers, booleans, dates). The JSON download keys a section by
    `key` and its rows by field; the page and the HTML download show the labels."""

    key: str
    title: str
    columns: tuple[tuple[str, str], ...]
    rows: list[dict]
    # field -> {stored code: its label}: the page shows the label, the JSON keeps the code.
    choices: dict = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, title, queryset, columns: dict) -> "Section":
        """A section read in one query: `columns` maps each `values()` field to its label;
        a field with choices (following `__` relations) shows its choices' labels."""
        choices = {f: dict(found) for f in columns if (found := _choices(queryset.model, f))}
        return cls(key, str(title), tuple((f, str(label)) for f, label in columns.items()),
                   list(queryset.values(*columns)), choices)  # fmt: skip

    def table(self) -> list[list[str]]:
        """The rows as text for a person to read (choices' labels, local dates and numbers,
        yes/no, a dash for none)."""
        return [[_readable(row.get(f), self.choices.get(f)) for f, _label in self.columns]
                for row in self.rows]  # fmt: skip

    def records(self) -> list[list[tuple[str, str]]]:
        """Each row as (label, text) pairs: the downloaded page lists a row's fields one
        under another, which fits a phone without a stylesheet."""
        labels = [label for _field, label in self.columns]
        return [list(zip(labels, row, strict=True)) for row in self.table()]


def _choices(model, path: str):
    """The flat choices of the model field at `path` ("kind", "quiz__state"), or None."""
    *relations, name = path.split("__")
    try:
        for step in relations:
            model = model._meta.get_field(step).related_model
        return model._meta.get_field(name).flatchoices or None
    except (AttributeError, FieldDoesNotExist):
        return None


def _readable(value, choices: dict | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if choices and value in choices:
        return str(choices[value])
    if isinstance(value, Decimal | float):
        return floatformat(value, "-2")  # as the quiz pages write a score: 18,33
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(value, dt.date):
        return date_format(value, "d/m/Y")
    return str(value)


def _account_sections(user) -> list[Section]:
    return [
        Section.of("account", label("Account"), User.objects.filter(pk=user.pk), {
            "full_name": label("Full name"), "email": label("E-mail"),
            "phone": label("Phone number"), "phone_verified": label("Phone verified"),
            "date_joined": label("Joined"), "last_login": label("Last log-in"),
        }),
        Section.of("consents", label("Consents"), user.consents.order_by("given_at", "pk"), {
            "purpose": label("Purpose"), "notice_version": label("Privacy notice version"),
            "given_at": label("Given"), "withdrawn_at": label("Withdrawn"),
        }),
        Section.of("second_factors", label("Second factors"),
                   Authenticator.objects.filter(user=user).order_by("pk"),
                   {"type": label("Type"), "created_at": label("Added"),
                    "last_used_at": label("Last used")}),
    ]  # fmt: skip


def _floors() -> list:
    """The higher floors' privacy modules, named in settings.HOCSO_PRIVACY_MODULES (as
    HOCSO_MFA_REQUIRED_ROLES names roles: a lower floor never imports a higher one). Each
    offers `personal_data(user) -> list[Section]` and `anonymise(user)`."""
    return [import_module(path) for path in settings.HOCSO_PRIVACY_MODULES]


def personal_data(user) -> list[Section]:
    """Everything HọcSố holds about `user`, section by section (a few queries each)."""
    sections = _account_sections(user)
    for floor in _floors():
        sections += floor.personal_data(user)
    return sections


def personal_data_json(user) -> str:
    """The JSON download (shape version 1): {"version", "generated_at", "sections":
    {key: {"title", "rows": [{field: value}]}}}."""
    document = {
        "version": 1,
        "generated_at": timezone.now(),
        "sections": {s.key: {"title": s.title, "rows": s.rows} for s in personal_data(user)},
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


# --- Consents for optional processing ----------------------------------------------------
# Optional purposes are given with the privacy notice at sign-up and may be withdrawn (and
# given back) at any time from "My data". The latest record of a purpose decides.

OPTIONAL_PURPOSES = (ConsentRecord.Purpose.REMINDER_EMAILS,)


def _latest(user, purpose):
    return user.consents.filter(purpose=purpose).order_by("-given_at", "-pk").first()


def consent_withdrawn(user, purpose) -> bool:
    latest = _latest(user, purpose)
    return latest is not None and latest.withdrawn_at is not None


def users_refusing(*, purpose, user_ids) -> set[int]:
    """Of `user_ids` (ids or a subquery), those whose latest record of `purpose` is
    withdrawn: one query, for senders that work in batches."""
    latest = ConsentRecord.objects.filter(user=OuterRef("pk"), purpose=purpose).order_by(
        "-given_at", "-pk"
    )
    return set(
        User.objects.filter(pk__in=user_ids)
        .annotate(withdrawn=Subquery(latest.values("withdrawn_at")[:1]))
        .filter(withdrawn__isnull=False)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def consent_change(*, user, purpose: str, give: bool, request=None) -> ConsentRecord | None:
    """Withdraw (give=False) or give back an optional consent. Withdrawing closes the
    latest record (or, when the person never changed it, records the consent given with
    the notice at sign-up as withdrawn now); giving back opens a new record. Nothing
    changes when it is already so (returns None). Audited."""
    if purpose not in OPTIONAL_PURPOSES:
        raise ValidationError(_("This consent cannot be changed here."))
    list(User.objects.select_for_update().filter(pk=user.pk).values("pk"))  # one at a time
    latest = _latest(user, purpose)
    now = timezone.now()
    if give:
        if latest is None or latest.withdrawn_at is None:
            return None
        record = ConsentRecord.objects.create(
            user=user, purpose=purpose, notice_version=settings.PRIVACY_NOTICE_VERSION,
            given_at=now, ip_address=client_ip(request) if request else None,
        )  # fmt: skip
    else:
        if latest is not None and latest.withdrawn_at is not None:
            return None
        record = latest or ConsentRecord(
            user=user, purpose=purpose, notice_version=settings.PRIVACY_NOTICE_VERSION,
            given_at=user.date_joined,
        )  # fmt: skip
        record.withdrawn_at = now
        record.save()
    audit.audit_record(
        action="hocso.consent_given" if give else "hocso.consent_withdrawn",
        instance=user, request=request, actor=user, person=user,
        details={"purpose": purpose, "given": give},
    )  # fmt: skip
    return record


# --- Privacy requests and anonymisation ---------------------------------------------------

WARN_DAYS_LEFT = 3  # the queue flags a request this close to its deadline


def privacy_request_create(*, user, kind: str, details: str = "", request=None) -> PrivacyRequest:
    """The person asks to delete or to correct their data. Due after
    settings.PRIVACY_REQUEST_DAYS (the privacy notice's promise). An open request of the
    same kind is returned as it is (a second click makes none). Audited."""
    details = " ".join(nfc(details or "").split())[:2000]
    if kind not in PrivacyRequest.Kind.values:
        raise ValidationError(_("Choose what you are asking for."))
    if kind == PrivacyRequest.Kind.CORRECT and not details:
        raise ValidationError(_("Say what is wrong and what it should be."))
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk).values("pk"))
        existing = user.privacy_requests.filter(kind=kind, status=PrivacyRequest.Status.OPEN)
        if found := existing.first():
            return found
        now = timezone.now()
        made = PrivacyRequest.objects.create(
            user=user, kind=kind, details=details, created_at=now,
            due_at=now + dt.timedelta(days=settings.PRIVACY_REQUEST_DAYS),
        )  # fmt: skip
        audit.audit_record(
            action="hocso.privacy_request_made", instance=made, request=request, actor=user,
            person=user, details={"kind": kind},
        )  # fmt: skip
    return made


@transaction.atomic
def privacy_request_withdraw(*, user, kind: str, request=None) -> PrivacyRequest | None:
    """The person takes back their open request of `kind` (closed as withdrawn, by them);
    None when there is none open (already handled, or a second click). Audited."""
    locked = (
        user.privacy_requests.select_for_update()
        .filter(kind=kind, status=PrivacyRequest.Status.OPEN)
        .first()
    )
    if locked is None:
        return None
    locked.status, locked.handled_at, locked.handled_by = (
        PrivacyRequest.Status.WITHDRAWN, timezone.now(), user,
    )  # fmt: skip
    locked.save(update_fields=["status", "handled_at", "handled_by"])
    audit.audit_record(
        action="hocso.privacy_request_withdrawn", instance=locked, request=request, actor=user,
        person=user, details={"kind": kind},
    )  # fmt: skip
    return locked


def privacy_requests_queue():
    """The admin's queue: open requests first, the nearest deadline first."""
    return PrivacyRequest.objects.select_related("user", "handled_by").order_by(
        Case(When(status=PrivacyRequest.Status.OPEN, then=0), default=1), "due_at", "pk"
    )


def days_left(privacy_request: PrivacyRequest, now: dt.datetime | None = None) -> int:
    return (privacy_request.due_at - (now or timezone.now())).days


def privacy_deadlines_warn(*, now: dt.datetime | None = None) -> int:
    """Open requests with less than WARN_DAYS_LEFT days left (or overdue) not warned about
    yet: marked as warned and, on commit, one e-mail to the handlers lists them (through
    the outbox: never lost, never twice). The daily task calls it; a second run the same
    day, or any later one, finds them warned. Returns how many requests were warned."""
    from accounts import tasks

    now = now or timezone.now()
    with transaction.atomic():
        near = list(
            PrivacyRequest.objects.select_for_update()
            .filter(
                status=PrivacyRequest.Status.OPEN,
                deadline_warned_at__isnull=True,
                due_at__lt=now + dt.timedelta(days=WARN_DAYS_LEFT),
            )
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)
        )
        if near:
            PrivacyRequest.objects.filter(pk__in=near).update(deadline_warned_at=now)
            task_send(tasks.privacy_deadline_mail, [near], queue="mail")
    return len(near)


def privacy_request_handlers():
    """Who handles privacy requests (the admin queue is for superusers): the active ones
    with an e-mail address."""
    return User.objects.filter(is_active=True, is_superuser=True).exclude(email="")


def privacy_deadline_mail_send(*, request_ids: list[int]) -> int:
    """E-mail the handlers the requests of `request_ids` still open: kind, deadline, days
    left and a link to each (no name: the queue shows who). Returns messages sent."""
    from django.core.mail import EmailMessage
    from django.urls import reverse

    now = timezone.now()
    items = PrivacyRequest.objects.filter(
        pk__in=request_ids, status=PrivacyRequest.Status.OPEN
    ).order_by("due_at", "pk")
    lines = [
        gettext("- %(kind)s, due %(due)s (%(days)s days left): %(link)s") % {
            "kind": item.get_kind_display(),
            "due": date_format(timezone.localtime(item.due_at), "d/m/Y"),
            "days": max(days_left(item, now), 0),
            "link": absolute_url(reverse("privacy_requests:detail", args=[item.pk])),
        }
        for item in items
    ]  # fmt: skip
    recipients = list(privacy_request_handlers().values_list("email", flat=True))
    if not lines or not recipients:
        return 0
    body = gettext(
        "Hello,\n\nThese privacy requests must be handled before their deadline (the privacy "
        "notice promises an answer within %(days)s days):\n\n%(lines)s\n\nThe queue: %(queue)s"
    ) % {"days": settings.PRIVACY_REQUEST_DAYS, "lines": "\n".join(lines),
         "queue": absolute_url(reverse("privacy_requests:index"))}  # fmt: skip
    subject = gettext("HọcSố: privacy requests close to their deadline")
    return EmailMessage(subject, body, to=recipients).send()


@transaction.atomic
def privacy_request_close(
    *, privacy_request: PrivacyRequest, by, status: str, outcome: str = "", request=None
) -> PrivacyRequest:
    """Close an open request as done or refused (a refusal says why). Audited."""
    outcome = nfc(outcome or "").strip()[:2000]
    if status not in (PrivacyRequest.Status.DONE, PrivacyRequest.Status.REFUSED):
        raise ValidationError(_("Choose how the request ends."))
    if status == PrivacyRequest.Status.REFUSED and not outcome:
        raise ValidationError(_("Say why the request is refused."))
    locked = PrivacyRequest.objects.select_for_update().get(pk=privacy_request.pk)
    if locked.status != PrivacyRequest.Status.OPEN:
        raise ValidationError(_("This request is already closed."))
    locked.status, locked.outcome = status, outcome
    locked.handled_at, locked.handled_by = timezone.now(), by
    locked.save(update_fields=["status", "outcome", "handled_at", "handled_by"])
    audit.audit_record(
        action="hocso.privacy_request_handled", instance=locked, request=request, actor=by,
        person=locked.user_id, details={"kind": locked.kind, "status": status},
    )  # fmt: skip
    return locked


def anonymised_name() -> str:
    """What managers and the certificates' holders list show instead of the name."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(_("Anonymised"))


def is_anonymised(user) -> bool:
    return (
        not user.is_active
        and user.email is None
        and user.phone is None
        and (user.full_name == anonymised_name())
    )


@transaction.atomic
def person_anonymise(*, user, by, request=None, privacy_request=None) -> bool:
    """Delete a person's identity and keep what the reports count. The name becomes
    "Anonymised" (Vietnamese: "Đã ẩn danh"), e-mail and phone are removed, the account can
    no longer log in (sessions ended, second factors and linked log-ins removed), consent
    records lose their address; each higher floor removes its identifiers
    (`anonymise(user)` of HOCSO_PRIVACY_MODULES: employee code, notices, the certificates'
    printed name). Memberships, enrolments, completions and certificates stay, so every
    rollup is unchanged and a certificate still verifies ("holder's details withdrawn").
    Audit entries about the person keep their ids but lose the name. Idempotent (False
    when already done). Closes `privacy_request` as done."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if is_anonymised(locked):
        return False
    name = anonymised_name()
    for floor in _floors():
        floor.anonymise(locked)
    EmailAddress.objects.filter(user=locked).delete()
    SocialAccount.objects.filter(user=locked).delete()
    Authenticator.objects.filter(user=locked).delete()
    locked.consents.update(ip_address=None, user_agent="")
    for session in UserSession.objects.filter(user=locked):
        session.end()
    locked.full_name, locked.email, locked.phone = name, None, None
    locked.phone_verified = locked.is_active = False
    locked.set_unusable_password()
    locked.save(update_fields=["full_name", "email", "phone", "phone_verified", "is_active",
                               "password"])  # fmt: skip
    audit.audit_labels_withdraw(person_id=locked.pk, label=name)
    audit.audit_record(
        action="hocso.person_anonymised", instance=locked, request=request, actor=by,
        person=locked, details={"request": privacy_request.pk if privacy_request else None},
    )  # fmt: skip
    if privacy_request is not None:
        privacy_request_close(
            privacy_request=privacy_request, by=by, status=PrivacyRequest.Status.DONE,
            outcome=str(_("Anonymised.")), request=request,
        )  # fmt: skip
    return True
