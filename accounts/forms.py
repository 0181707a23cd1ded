from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from accounts.models import User
from accounts.services import consent_record
from cms.net import client_ip
from cms.text import nfc


class PersonForm(forms.Form):
    """A person's full name, as typed: the one definition of this field and its cleaning
    (sign-up and the profile page). The phone is allauth's field (adapter.phone_form_field,
    accounts.phones.PhoneField): set at sign-up, changed on allauth's change-phone page,
    both proved by an SMS code."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("As it should appear on your certificates, e.g. Nguyễn Thị Hồng Nhung."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_full_name(self):
        name = nfc(self.cleaned_data["full_name"]).strip()
        if not name:
            raise forms.ValidationError(_("Please enter your full name."))
        return name


class SignupForm(PersonForm):
    """Extra sign-up fields for allauth: full name and explicit consent; allauth adds the
    e-mail and phone fields (ACCOUNT_SIGNUP_FIELDS; accounts.signup: at least one). A taken
    e-mail or phone gets no "already used" error: it would tell anyone who is registered
    (issue 13); allauth then sends that address or number an "account exists" notice and
    the page reads as for a new account."""

    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to the processing of my personal data."),
        required=True,
        initial=False,
        error_messages={
            "required": _("You must agree to the privacy notice to create an account.")
        },
    )

    field_order = ["full_name", "email", "phone", "password1", "password2", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("privacy_notice"),
            _("Read the privacy notice (version {version})").format(
                version=settings.PRIVACY_NOTICE_VERSION
            ),
        )

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])
        consent_record(
            user=user,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )


class _HocSoUserFormMixin:
    """Wagtail's user forms assume first/last name; ours has one full name and a phone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields.pop(name, None)


class UserCreationForm(_HocSoUserFormMixin, WagtailUserCreationForm):
    class Meta(WagtailUserCreationForm.Meta):
        model = User
        fields = ["email", "full_name", "phone", "is_superuser", "groups"]


class UserEditForm(_HocSoUserFormMixin, WagtailUserEditForm):
    class Meta(WagtailUserEditForm.Meta):
        model = User
        fields = ["email", "full_name", "phone", "is_active", "is_superuser", "groups"]
