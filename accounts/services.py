"""Account writes: consent records."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ConsentRecord, User


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
