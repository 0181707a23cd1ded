"""Account writes: consent records, the profile."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ConsentRecord, User
from cms.text import nfc


@transaction.atomic
def consent_record(
    *, user: User, ip_address: str | None = None, user_agent: str = ""
) -> ConsentRecord:
    """Record that `user` consented to the current privacy notice version."""
    record = ConsentRecord(
        user=user,
        notice_version=settings.PRIVACY_NOTICE_VERSION,
        given_at=timezone.now(),
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:300],
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def user_profile_update(*, user: User, full_name: str) -> User:
    """The person's own name (NFC, as typed) from the profile page. The phone changes on
    allauth's change-phone page, proved by an SMS code. Validates the row before writing."""
    user.full_name = nfc(full_name).strip()
    user.full_clean(exclude=["password", "email", "phone"])
    user.save(update_fields=["full_name"])
    return user
