"""Background work of the accounts floor: sending text messages, warning the handlers of
privacy requests near their deadline."""

from accounts import phone_passwords
from accounts.sms import SMSNotSent, deliver
from cms.tasking import task


@task(
    "accounts.sms_deliver", queue="mail", retry_on=(SMSNotSent,), backoff=10,
    retry_backoff_max=300, ignore_result=True,
)  # fmt: skip
def sms_deliver(to: str, text: str) -> None:
    """One SMS; a gateway error is retried (10 s, 20 s, 40 s ... up to 5 times)."""
    deliver(to, text)


@task(
    "accounts.sms_invitations_send", queue="mail", retry_on=(SMSNotSent,), backoff=30,
    site_language=True,
)  # fmt: skip
def sms_invitations_send(user_ids: list[int]) -> dict:
    """Imported people with only a phone: an SMS with a link to set their password
    (accounts.phone_passwords). A retry resends only to those still without a password."""
    return {"sent": phone_passwords.sms_invitations_send(user_ids)}


@task("accounts.privacy_deadlines_warn", queue="mail")
def privacy_deadlines_warn() -> dict:
    """Daily: the handlers are e-mailed once about each privacy request near its deadline
    (accounts.privacy.privacy_deadlines_warn)."""
    from accounts.privacy import privacy_deadlines_warn as warn

    return {"warned": warn()}


@task("accounts.privacy_deadline_mail", queue="mail", site_language=True)
def privacy_deadline_mail(request_ids: list[int]) -> int:
    """The e-mail listing the requests near their deadline, to every handler."""
    from accounts.privacy import privacy_deadline_mail_send

    return privacy_deadline_mail_send(request_ids=request_ids)
