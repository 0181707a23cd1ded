"""The SMS budget: every text message the site sends counts against allauth's "sms" rate
limit (ACCOUNT_RATE_LIMITS), per number and per client address (cms.net.client_ip via
the account adapter). allauth's own limits (verify_phone, request_login_code,
reset_password) come first; this one caps the total whatever flow sends."""

from allauth.core import ratelimit


def sms_allowed(request, phone: str) -> bool:
    """Count one SMS to `phone` from `request`'s client; False once over the budget.
    Without a request (a background task: imports' invitations) nothing is counted: the
    import itself is limited by its own rules."""
    if request is None:
        return True
    return ratelimit.consume(request, action="sms", key=phone)
