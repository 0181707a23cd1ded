"""allauth's sign-up form with the e-mail optional when a phone number is given, and its
log-in form with a label that says the field takes an e-mail or a phone number.

ACCOUNT_SIGNUP_FIELDS lists "email*" (allauth's mandatory e-mail verification requires it);
this form relaxes it: a person gives a phone, an e-mail or both. Separate from
accounts.forms because allauth's forms module imports ACCOUNT_SIGNUP_FORM_CLASS, which
builds on accounts.forms.
"""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _


class SignupForm(AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "email" in self.fields and "phone" in self.fields:
            email = self.fields["email"]
            email.required = False
            email.widget.is_required = False
            email.label = _("E-mail (optional if you give a phone number)")
            phone = self.fields["phone"]
            phone.label = _("Phone number (optional if you give an e-mail)")
            phone.help_text = _("We send a code by SMS to check it, e.g. 0912 345 678.")

    def clean(self):
        cleaned = super().clean()
        both_fields = {"email", "phone"} <= set(self.fields)
        neither = not (cleaned.get("email") or cleaned.get("phone"))
        if both_fields and neither and not (self.has_error("email") or self.has_error("phone")):
            self.add_error("phone", _("Give a phone number or an e-mail address (or both)."))
        return cleaned

    def save(self, request):
        """The account, its e-mail address, phone, profile and consent are written together
        or not at all: a database that goes away half-way leaves no account without its
        address (which could neither log in nor sign up again with that address)."""
        with transaction.atomic():
            return super().save(request)


class LoginForm(AllauthLoginForm):
    """allauth's log-in form, its field named for what it takes: an e-mail or a phone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "login" in self.fields:
            self.fields["login"].label = _("Log-in (e-mail or phone number)")
