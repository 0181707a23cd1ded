"""Who must use two-factor authentication (MFA), and whether a request has done so.

The policy lives on the accounts floor, but some roles are defined higher up (a campaign
manager is a `campaigns.ManagerRole`). accounts never imports a higher floor: the roles are
predicates listed by dotted path in the setting `HOCSO_MFA_REQUIRED_ROLES` (each takes a
user, returns True when that user must use MFA). The settings module, which sees every
floor, names them; accounts only resolves the paths. Use `mfa_required(user)` to ask the
question, `mfa_satisfied(request)` to ask whether this session has answered it.
"""

from functools import cache

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.internal.flows.add import validate_can_add_authenticator
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

# The authenticators that answer the policy. Recovery codes are a fallback for these, not
# an authenticator of their own.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def is_admin_user(user) -> bool:
    """Staff (editors, the Wagtail admin) and superusers."""
    return bool(user.is_staff or user.is_superuser)


@cache
def _predicates(paths: tuple) -> tuple:
    return tuple(import_string(path) for path in paths)


def mfa_required(user) -> bool:
    """Whether `user` must enrol and use a second factor (any listed role matches)."""
    if not getattr(user, "is_authenticated", False):
        return False
    predicates = _predicates(tuple(settings.HOCSO_MFA_REQUIRED_ROLES))
    return any(predicate(user) for predicate in predicates)


def mfa_enrolled(user) -> bool:
    """Whether `user` has an authenticator app (TOTP) or a security key."""
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


def mfa_can_enrol(user) -> bool:
    """Whether allauth lets `user` add an authenticator now (not while an e-mail address
    of theirs is unverified, unless MFA_ALLOW_UNVERIFIED_EMAIL)."""
    try:
        validate_can_add_authenticator(user)
    except ValidationError:
        return False
    return True


def mfa_used_in_session(request) -> bool:
    """Whether this session proved a second factor: allauth records one when the code is
    entered at log-in or re-authentication; `mfa_enrolment_record` when it is enrolled."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def mfa_satisfied(request) -> bool:
    """Whether the signed-in user may open pages that the MFA policy protects: no role
    requires it, or this session proved a second factor (which only an enrolled person
    can do; the MFA adapter keeps such a person from removing their last one). No query
    beyond the role check's."""
    return not mfa_required(request.user) or mfa_used_in_session(request)


def mfa_enrolment_record(*, request, authenticator: Authenticator) -> None:
    """Record in the session that its user just proved a new second factor (enrolment
    asks for a valid code), the same record allauth writes after a log-in code."""
    if authenticator.type in SECOND_FACTORS:
        record_authentication(
            request, authenticator.user, "mfa", id=authenticator.pk, type=authenticator.type
        )
