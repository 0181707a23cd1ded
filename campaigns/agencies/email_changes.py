"""E-mail changes an import asks for, of people who have signed in: the owner of the old
address confirms by a signed link (campaigns.agencies.imports stages them; the task
`campaigns.email_change_confirmations_send` sends the messages)."""

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns import notify
from campaigns.models import PendingEmailChange

EMAIL_CHANGE_SALT = "campaigns.import_email_change"
EMAIL_CHANGE_DAYS = 7  # how long the confirmation link of an e-mail change works


def email_change_token(change: PendingEmailChange) -> str:
    return signing.dumps(change.pk, salt=EMAIL_CHANGE_SALT)


def email_change_pending(*, token: str, lock: bool = False) -> PendingEmailChange | None:
    """The change a confirmation link names, if it can still be made: signed by us, less
    than EMAIL_CHANGE_DAYS old, not used, and the account still has the old address."""
    try:
        pk = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_DAYS * 86400)
    except signing.BadSignature:
        return None
    changes = PendingEmailChange.objects.select_related("user")
    if lock:
        changes = changes.select_for_update()
    change = changes.filter(pk=pk, confirmed_at__isnull=True).first()
    if change is None or change.user.email != change.old_email:
        return None
    return change


def email_change_confirm(*, token: str) -> PendingEmailChange | None:
    """Apply the change the link names (the owner of the old address confirmed it): the
    account's e-mail and its allauth addresses. None if the link no longer works or the
    new address now belongs to another account."""
    with transaction.atomic():
        change = email_change_pending(token=token, lock=True)
        if change is None:
            return None
        user = change.user
        if User.objects.filter(email=change.new_email).exclude(pk=user.pk).exists():
            return None
        user.email = change.new_email
        user.save(update_fields=["email"])
        EmailAddress.objects.filter(user=user, email__iexact=change.old_email).delete()
        EmailAddress.objects.filter(user=user).update(primary=False)
        EmailAddress.objects.update_or_create(
            user=user, email=change.new_email, defaults={"primary": True, "verified": False}
        )
        change.confirmed_at = timezone.now()
        change.save(update_fields=["confirmed_at"])
    return change


def email_change_messages(*, change_ids) -> list:
    """One message per pending change, to the OLD address, with the confirmation link."""
    messages = []
    changes = PendingEmailChange.objects.filter(pk__in=list(change_ids), confirmed_at__isnull=True)
    for change in changes.select_related("user"):
        if change.user.email != change.old_email:
            continue
        link = notify.absolute_url(
            reverse("campaigns:email_change_confirm", args=[email_change_token(change)])
        )
        body = _(
            "Hello %(name)s,\n\nYour agency's learner list gives %(new)s as your e-mail "
            "address on HọcSố. Your account keeps %(old)s until you confirm the change.\n\n"
            "To use the new address, open this link within %(days)s days and confirm:\n"
            "%(link)s\n\nIf the new address is not yours, ignore this message: nothing "
            "changes, and you may tell your agency."
        ) % {"name": change.user.full_name, "new": change.new_email, "old": change.old_email,
             "days": EMAIL_CHANGE_DAYS, "link": link}  # fmt: skip
        messages.append(
            EmailMessage(_("HọcSố: confirm your new e-mail address"), body, to=[change.old_email])
        )
    return messages
