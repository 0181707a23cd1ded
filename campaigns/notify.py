"""Messages to people: import invitations, deadline reminders, managers' weekly digests.

Idempotency: a reminder row per (assignment, kind) and a digest row per (manager, week) is
written first, under a unique constraint; the message goes out only when this run created
the row. So a retried or doubled beat run never sends twice (at most once, by design).
"""

import contextlib
import datetime as dt

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import ConsentRecord, User
from accounts.privacy import users_refusing
from campaigns.agencies.selectors import agencies_visible_to
from campaigns.models import Assignment, ManagerDigest, ManagerRole, Notice, Reminder
from campaigns.services import notice_create
from cms.net import absolute_url  # also read as notify.absolute_url (e-mail changes)

BATCH = 500  # assignments per reminder query; bounded memory per run
# A manager's reminder before the deadline (a text kind only: manual reminders are not
# Reminder rows, the beat's kinds stay once each).
MANUAL_BEFORE_DEADLINE = "manual"


def _my_learning_path() -> str:
    try:
        return reverse("courses:my_learning")
    except NoReverseMatch:
        return "/"


def invitation_messages(*, user_ids) -> list[EmailMessage]:
    """One e-mail per imported person with a link to set their password (allauth's
    password-reset-from-key view and token generator)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    messages = []
    people = User.objects.filter(pk__in=list(user_ids)).exclude(email__isnull=True)
    for user in people.exclude(email=""):
        link = absolute_url(
            reverse(
                "account_reset_password_from_key",
                kwargs={
                    "uidb36": user_pk_to_url_str(user),
                    "key": default_token_generator.make_token(user),
                },
            )
        )
        body = _(
            "Hello %(name)s,\n\nAn account on HọcSố, the province's digital-skills learning "
            "platform, has been created for you with this e-mail address.\n\nSet your "
            "password here to start learning:\n%(link)s\n\nIf you did not expect this "
            "message, you can ignore it."
        ) % {"name": user.full_name, "link": link}
        messages.append(
            EmailMessage(_("Your HọcSố account: set your password"), body, to=[user.email])
        )
    return messages


def _claim_reminder(assignment: Assignment, kind: str) -> bool:
    """Write the (assignment, kind) row; False if it already exists (sent before)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(assignment=assignment, kind=kind)
    except IntegrityError:
        return False
    return True


def _reminder_text(assignment: Assignment, kind: str) -> tuple[str, str]:
    due = date_format(timezone.localtime(assignment.due_at), "d/m/Y")
    campaign = assignment.campaign.name
    if kind == Reminder.Kind.OVERDUE:
        subject = _("Overdue: %(campaign)s") % {"campaign": campaign}
        text = _("The deadline of %(due)s for the courses of “%(campaign)s” has passed.") % {
            "due": due,
            "campaign": campaign,
        }
    elif kind == MANUAL_BEFORE_DEADLINE:
        days = max((timezone.localdate(assignment.due_at) - timezone.localdate()).days, 0)
        subject = _("Reminder: %(campaign)s") % {"campaign": campaign}
        text = ngettext(
            "Complete the courses of “%(campaign)s” by %(due)s (%(days)s day left).",
            "Complete the courses of “%(campaign)s” by %(due)s (%(days)s days left).",
            days,
        ) % {"due": due, "campaign": campaign, "days": days}
    elif kind == Reminder.Kind.DUE_IN_1_DAY:
        subject = _("Due tomorrow: %(campaign)s") % {"campaign": campaign}
        text = _("Complete the courses of “%(campaign)s” by tomorrow, %(due)s.") % {
            "due": due,
            "campaign": campaign,
        }
    else:
        subject = _("Due in 7 days: %(campaign)s") % {"campaign": campaign}
        text = _("Complete the courses of “%(campaign)s” by %(due)s (in 7 days).") % {
            "due": due,
            "campaign": campaign,
        }
    return subject, text


def _refusing_emails(user_ids) -> set[int]:
    """People who withdrew their consent to reminder e-mails ("My data"): one query."""
    return users_refusing(purpose=ConsentRecord.Purpose.REMINDER_EMAILS, user_ids=user_ids)


def _remind(
    assignment: Assignment, kind: str, path: str, refusing: set[int] = frozenset()
) -> list[EmailMessage]:
    """The in-app notice of one reminder (written now) and its e-mail (to send), if the
    learner can receive one and has not withdrawn their consent to reminder e-mails."""
    subject, text = _reminder_text(assignment, kind)
    notice_create(user_id=assignment.user_id, message=text, url=path, kind=Notice.Kind.REMINDER)
    if not assignment.user.is_active or "@" not in (assignment.user.email or ""):
        return []  # inactive, or a phone-only person (no e-mail): the notice only
    if assignment.user_id in refusing:
        return []  # consent withdrawn: the notice only
    return [EmailMessage(subject, text + "\n\n" + absolute_url(path), to=[assignment.user.email])]


def reminders_send(*, now: dt.datetime | None = None) -> dict:
    """Remind learners 7 days and 1 day before their due date and once when overdue."""
    now = now or timezone.now()
    day, week = now + dt.timedelta(days=1), now + dt.timedelta(days=7)
    windows = [
        # (kind, due_at range): the most urgent reminder that applies is the one sent.
        (Reminder.Kind.OVERDUE, {"due_at__lt": now}),
        (Reminder.Kind.DUE_IN_1_DAY, {"due_at__gte": now, "due_at__lt": day}),
        (Reminder.Kind.DUE_IN_7_DAYS, {"due_at__gte": day, "due_at__lt": week}),
    ]  # fmt: skip
    path = _my_learning_path()
    sent = {}
    connection = get_connection()
    for kind, window in windows:
        count = 0
        last_id = 0
        while True:
            batch = list(
                Assignment.objects.filter(
                    completed_at__isnull=True, campaign__is_active=True, id__gt=last_id, **window
                )
                .exclude(reminders__kind=kind)
                .select_related("campaign", "user")
                .order_by("id")[:BATCH]
            )
            if not batch:
                break
            last_id = batch[-1].id
            messages = []
            refusing = _refusing_emails([a.user_id for a in batch])
            for assignment in batch:
                if not _claim_reminder(assignment, kind):
                    continue
                messages += _remind(assignment, kind, path, refusing)
                count += 1
            if messages:
                connection.send_messages(messages)
        sent[kind] = count
    return sent


def manager_digests_send(*, today: dt.date | None = None) -> dict:
    """Weekly: each manager gets the list of overdue people in their subtree (once a week)."""
    today = today or timezone.localdate()
    week_start = today - dt.timedelta(days=today.weekday())
    now = timezone.now()
    sent = 0
    manager_ids = ManagerRole.objects.values_list("user_id", flat=True).distinct()
    managers = User.objects.filter(pk__in=manager_ids, is_active=True)
    for manager in managers.exclude(email__isnull=True):  # phone-only: no digest by mail
        overdue = Assignment.objects.filter(
            completed_at__isnull=True,
            due_at__lt=now,
            campaign__is_active=True,
            user__learner_profile__agency__in=agencies_visible_to(manager).values("pk"),
        ).select_related("user", "user__learner_profile__agency", "campaign")
        count = overdue.count()
        if not count:
            continue
        try:
            with transaction.atomic():
                ManagerDigest.objects.create(
                    user=manager, week_start=week_start, overdue_count=count
                )
        except IntegrityError:
            continue
        lines = [
            f"- {a.user.full_name} ({a.user.learner_profile.agency.name}): {a.campaign.name}"
            for a in overdue.order_by("user__learner_profile__agency__path", "user__full_name")[
                :100
            ]
        ]
        body = _("%(count)s people in your agencies are past their deadline:") % {"count": count}
        body += "\n\n" + "\n".join(lines)
        if count > len(lines):
            body += "\n…"
        with contextlib.suppress(NoReverseMatch):
            body += "\n\n" + absolute_url(reverse("campaigns:dashboard"))
        EmailMessage(_("Weekly digest: people past their deadline"), body,
                     to=[manager.email]).send()  # fmt: skip
        sent += 1
    return {"digests": sent}


def manual_reminders_send(*, assignments) -> int:
    """A manager's "send reminder" (the overdue list, the people list): an in-app notice
    and an e-mail per learner, at most once a day per person whatever the number of their
    assignments, pages or managers. The claim is in the database, not the cache (a reminder
    must still go out with Redis down): the person's row is locked, and a reminder notice of
    today means they were reminded, so a double click or two managers at once send one.
    Before the deadline the text says when it is; after, that it has passed. Returns how
    many people were reminded."""
    now = timezone.now()
    day_start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    path = _my_learning_path()
    messages, sent, seen = [], 0, set()
    assignments = list(assignments)
    refusing = _refusing_emails({a.user_id for a in assignments})
    for assignment in assignments:
        if assignment.user_id in seen:
            continue
        seen.add(assignment.user_id)
        with transaction.atomic():
            list(User.objects.select_for_update().filter(pk=assignment.user_id).values("pk"))
            reminded_today = Notice.objects.filter(
                user_id=assignment.user_id, kind=Notice.Kind.REMINDER, created_at__gte=day_start
            ).exists()
            if reminded_today:
                continue
            kind = Reminder.Kind.OVERDUE if assignment.due_at < now else MANUAL_BEFORE_DEADLINE
            messages += _remind(assignment, kind, path, refusing)
        sent += 1
    if messages:
        get_connection().send_messages(messages)
    return sent
