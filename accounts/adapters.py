from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import phones, sms
from accounts.mfa import SECOND_FACTORS, mfa_required
from accounts.models import User
from accounts.ratelimits import sms_allowed
from cms.net import client_ip
from cms.text import nfc

SMS_FAILED = _("We could not send the code. Please try again in a minute.")


SSO_REQUIRED = _(
    "Managers log in with their civil-service account (single sign-on): use its button "
    "on this page."
)


def sso_required(user) -> bool:
    """Whether `user` may log in only through single sign-on: a role listed in
    HOCSO_SSO_REQUIRED_ROLES (dotted predicates, as accounts.mfa's), and a provider set."""
    from django.utils.module_loading import import_string

    roles = getattr(settings, "HOCSO_SSO_REQUIRED_ROLES", [])
    providers = (getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}).get("openid_connect")
    if not roles or not (providers or {}).get("APPS"):
        return False
    return any(import_string(path)(user) for path in roles)


SENT_MESSAGES = {
    "account/messages/phone_verification_sent.txt",
    "account/messages/login_code_sent.txt",
}


class NamedSite:
    """What allauth's mail templates read as `current_site`: our name, the request's host."""

    def __init__(self, request):
        self.name = settings.SITE_NAME
        self.domain = request.get_host() if request is not None else ""

    def __str__(self):
        return self.name


class AccountAdapter(DefaultAccountAdapter):
    """Stores the full name NFC-normalised, as entered (no title-casing); mails name the
    site "HọcSố" (without django.contrib.sites allauth would use the request's host)."""

    def send_mail(self, template_prefix, email, context):
        context = {"current_site": NamedSite(getattr(self, "request", None)), **context}
        return super().send_mail(template_prefix, email, context)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = nfc(form.cleaned_data.get("full_name", "")).strip()
        user.email = user.email or None  # a phone-only sign-up: NULL, never ""
        if commit:
            user.save()
        return user

    # -- Phone numbers (allauth's phone support; stored on the user, E.164) ------------

    def phone_form_field(self, **kwargs):
        kwargs.pop("label", None)  # ours reads "Phone number"
        return phones.PhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return phones.phone_clean(phone) or ""

    def set_phone(self, user, phone: str, verified: bool) -> None:
        """A number typed at sign-up (unverified). An account that holds it without having
        proved it lets it go: an unproved claim never blocks the number's owner."""
        user.phone = phones.to_e164(phone) or phone
        user.phone_verified = verified
        User.objects.filter(phone=user.phone, phone_verified=False).exclude(pk=user.pk).update(
            phone=None
        )
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user):
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user, phone: str) -> None:
        """The code sent to `phone` came back: the number is the person's. Another account
        that holds it unverified loses it (whoever proves a number owns it); a verified
        holder keeps it and nothing changes here."""
        phone = phones.to_e164(phone) or phone
        with transaction.atomic():
            holder = User.objects.select_for_update().filter(phone=phone).first()
            if holder is not None and holder.pk != user.pk:
                if holder.phone_verified:
                    return
                User.objects.filter(pk=holder.pk).update(phone=None, phone_verified=False)
            try:
                with transaction.atomic():
                    User.objects.filter(pk=user.pk).update(phone=phone, phone_verified=True)
            except IntegrityError:
                return
        user.phone, user.phone_verified = phone, True

    def get_user_by_phone(self, phone: str):
        """Log-in, codes and password resets find only a verified number."""
        phone = phones.to_e164(phone)
        if not phone:
            return None
        return User.objects.filter(phone=phone, phone_verified=True, is_active=True).first()

    def _sms(self, phone: str, text: str) -> None:
        request = getattr(self, "request", None)
        if not sms_allowed(request, phone):
            return  # over the per-number or per-client budget: nothing more is sent
        try:
            sms.sms_send(phone, text)
        except sms.SMSNotSent:
            if request is not None:
                request.hocso_sms_failed = True
                messages.error(request, SMS_FAILED)

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        """allauth says "a code has been sent" after sending; not when the SMS failed."""
        if message_template in SENT_MESSAGES and getattr(request, "hocso_sms_failed", False):
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        self._sms(
            phone,
            gettext("%(site)s: your code is %(code)s. Do not give it to anyone.")
            % {"site": settings.SITE_NAME, "code": code},
        )

    def send_unknown_account_sms(
        self, phone: str, *, password_reset: bool = False, **kwargs
    ) -> None:
        """A code (or, with `password_reset`, a new password: accounts.phone_passwords) was
        asked for a number no account has: say so to that number only (the page reads the
        same as for a registered number), naming what was asked for."""
        if password_reset:
            text = gettext(
                "%(site)s: someone asked to reset the password of an account with "
                "this number, but no account uses it. If it was you, sign up first."
            )
        else:
            text = gettext(
                "%(site)s: someone asked for a log-in code for this number, but no "
                "account uses it. If it was you, sign up first."
            )
        self._sms(phone, text % {"site": settings.SITE_NAME})

    def send_account_already_exists_sms(self, phone: str) -> None:
        self._sms(
            phone,
            gettext("%(site)s: someone tried to sign up with this number, which already has "
                    "an account. If it was you, log in or reset your password.")
            % {"site": settings.SITE_NAME},
        )  # fmt: skip

    def pre_login(self, request, user, **kwargs):
        """A role that must use single sign-on (HOCSO_SSO_REQUIRED_ROLES, e.g. managers
        with SSO_REQUIRED_FOR_MANAGERS) is refused a log-in by password or code."""
        response = super().pre_login(request, user, **kwargs)
        if response is not None or not sso_required(user):
            return response
        from allauth.account.internal.flows.login import get_authentication_records
        from allauth.account.internal.stagekit import clear_login

        records = get_authentication_records(request, user)
        if records and records[-1].get("method") == "socialaccount":
            return None
        clear_login(request)
        messages.error(request, SSO_REQUIRED)
        return redirect("account_login")

    def get_login_stages(self) -> list[str]:
        """allauth's stages, with ours for e-mail and phone verification (accounts.stages)."""
        ours = {"EmailVerificationStage", "PhoneVerificationStage"}
        return [
            f"accounts.stages.{path.rsplit('.', 1)[1]}"
            if path.startswith("allauth.account.stages.") and path.rsplit(".", 1)[1] in ours
            else path
            for path in super().get_login_stages()
        ]

    def get_client_ip(self, request) -> str:
        """allauth's rate limits (and its sessions list) key on our one client-address
        function, which trusts X-Forwarded-For only up to TRUSTED_PROXY_COUNT proxies."""
        return client_ip(request)


class MFAAdapter(DefaultMFAAdapter):
    """Someone whose role requires MFA (accounts.mfa) cannot remove their last second
    factor: allauth then shows its "You cannot deactivate two-factor authentication."."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type not in SECOND_FACTORS or not mfa_required(authenticator.user):
            return True
        others = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=SECOND_FACTORS
        ).exclude(pk=authenticator.pk)
        return others.exists()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on (OpenID Connect). An existing account is linked only by an e-mail
    (allauth: SOCIALACCOUNT_EMAIL_AUTHENTICATION, verified addresses only) or a phone
    number the provider marks verified (here). A first log-in shows the sign-up form
    (agency, consent: SOCIALACCOUNT_AUTO_SIGNUP off). The second factor still applies:
    allauth's MFA stage runs for social log-ins, and accounts.middleware sends an
    unenrolled manager to enrol."""

    @staticmethod
    def _claims(sociallogin) -> dict:
        data = sociallogin.account.extra_data or {}
        return data.get("userinfo") or data.get("id_token") or data

    def _verified_phone(self, sociallogin) -> str | None:
        claims = self._claims(sociallogin)
        verified = str(claims.get("phone_number_verified", "")).lower() in ("true", "1")
        return phones.to_e164(claims.get("phone_number")) if verified else None

    def pre_social_login(self, request, sociallogin):
        if sociallogin.is_existing:
            return
        phone = self._verified_phone(sociallogin)
        if phone:
            user = AccountAdapter(request).get_user_by_phone(phone)
            if user is not None:
                sociallogin.connect(request, user)

    def get_signup_form_initial_data(self, sociallogin) -> dict:
        initial = super().get_signup_form_initial_data(sociallogin)
        initial["full_name"] = getattr(sociallogin.user, "full_name", "")
        phone = self._verified_phone(sociallogin)
        if phone:
            initial["phone"] = phone
        return initial

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        claims = self._claims(sociallogin)
        name = claims.get("name") or " ".join(
            part for part in (claims.get("family_name"), claims.get("given_name")) if part
        )
        user.full_name = nfc(name or "").strip()
        user.email = user.email or None
        return user

    def save_user(self, request, sociallogin, form=None):
        """The account, its addresses, its link to the provider and its phone in one
        transaction (as the sign-up form's): all of them or none."""
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form=form)
            phone = self._verified_phone(sociallogin)
            if phone and not user.phone:
                AccountAdapter(request).set_phone_verified(user, phone)
        return user
