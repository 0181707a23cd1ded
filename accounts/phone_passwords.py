"""A password set from a link sent by SMS: the invitation of people imported with only a
phone, and "forgot my password" for people who log in with their phone.

The link carries Django's password-reset token (it changes once the password is set or
the person logs in, so it works once; it expires after PASSWORD_RESET_TIMEOUT). Opening
it and setting a password proves the number: the phone is then verified and logs in.
"""

from __future__ import annotations

from allauth.account.forms import ResetPasswordKeyForm
from allauth.account.utils import url_str_to_user_pk, user_pk_to_url_str
from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts import sms
from accounts.adapters import SMS_FAILED
from accounts.models import User
from accounts.phones import PhoneField
from accounts.ratelimits import sms_allowed


def password_link(user: User) -> str:
    path = reverse(
        "phone_set_password",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.APP_ORIGIN.rstrip("/") + path


def _holder(phone: str) -> User | None:
    """Who a set-password link for `phone` goes to: the verified holder, or a person with
    only that phone (imported, never logged in to prove it)."""
    return (
        User.objects.filter(phone=phone, is_active=True)
        .filter(Q(phone_verified=True) | Q(email=None))
        .first()
    )


def password_link_sms(user: User, *, invitation: bool) -> str:
    if invitation:
        text = gettext(
            "%(site)s: an account has been created for you. Set your password here to "
            "start learning: %(link)s"
        )
    else:
        text = gettext(
            "%(site)s: set a new password here: %(link)s (ignore this if you did not ask)."
        )
    return text % {"site": settings.SITE_NAME, "link": password_link(user)}


def sms_invitations_send(user_ids) -> int:
    """Invite imported people who have a phone and no e-mail address: one SMS each with a
    set-password link. People who already set a password are left out. Returns how many
    were sent; a number that cannot be reached now raises SMSNotSent (the task retries)."""
    sent = 0
    people = User.objects.filter(pk__in=list(user_ids), email=None, is_active=True).exclude(
        phone=None
    )
    for user in people:
        if user.has_usable_password():
            continue
        sms.sms_send(user.phone, password_link_sms(user, invitation=True))
        sent += 1
    return sent


class PhoneForm(forms.Form):
    phone = PhoneField(label=_("Phone number"))


@never_cache
def phone_password_reset(request):
    """/tai-khoan/quen-mat-khau/so-dien-thoai/: the number gets a set-password link. The
    answer is the same whether an account uses the number (issue 13): an unknown number
    gets an SMS saying no account uses it, as allauth does for log-in codes."""
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        limited = ratelimit.consume_or_429(request, action="reset_password", key=phone)
        if limited:
            return limited
        user = _holder(phone)
        from allauth.account.adapter import get_adapter

        if user is None:
            get_adapter(request).send_unknown_account_sms(phone, password_reset=True)
        elif sms_allowed(request, phone):
            try:
                sms.sms_send(phone, password_link_sms(user, invitation=False))
            except sms.SMSNotSent:
                messages.error(request, SMS_FAILED)
        return redirect("phone_password_reset_done")
    return TemplateResponse(
        request, "accounts/phone_password_reset.html", {"form": form},
        status=400 if form.errors else 200,
    )  # fmt: skip


def phone_password_reset_done(request):
    return TemplateResponse(request, "accounts/phone_password_reset_done.html", {})


def _user_for(uidb36: str, key: str) -> User | None:
    try:
        user = User.objects.get(pk=url_str_to_user_pk(uidb36), is_active=True)
    except (ValueError, User.DoesNotExist):
        return None
    if not user.phone or not default_token_generator.check_token(user, key):
        return None
    return user


@never_cache
def phone_set_password(request, uidb36: str, key: str):
    """The link of the SMS: choose a password; the phone is then verified."""
    limited = request.method == "POST" and ratelimit.consume_or_429(
        request, action="reset_password_from_key"
    )
    if limited:
        return limited
    user = _user_for(uidb36, key)
    if user is None:
        return TemplateResponse(
            request, "accounts/phone_set_password.html", {"token_fail": True}, status=400
        )
    form = ResetPasswordKeyForm(request.POST or None, user=user, temp_key=key)
    if request.method == "POST" and form.is_valid():
        from allauth.account.adapter import get_adapter

        form.save()  # the token no longer matches: the link is used
        get_adapter(request).set_phone_verified(user, user.phone)
        messages.success(
            request,
            gettext("Your password is set. Log in with your phone number and this password."),
        )
        return redirect(reverse("account_login"))
    return TemplateResponse(
        request, "accounts/phone_set_password.html", {"form": form, "person": user},
        status=400 if form.errors else 200,
    )  # fmt: skip
