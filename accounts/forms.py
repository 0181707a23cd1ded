from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from accounts.models import User, phone_validator
from accounts.services import consent_record
from cms.text import nfc


class SignupForm(forms.Form):
    """Extra sign-up fields for allauth: full name, optional phone, and explicit consent."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("As it should appear on your certificates, e.g. Nguyễn Thị Hồng Nhung."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
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

    def clean_full_name(self):
        name = nfc(self.cleaned_data["full_name"]).strip()
        if not name:
            raise forms.ValidationError(_("Please enter your full name."))
        return name

    def clean_phone(self):
        phone = "".join((self.cleaned_data.get("phone") or "").replace(".", "").split())
        if phone:
            phone_validator(phone)  # after removing the spaces and dots people type
        if phone and User.objects.filter(phone=phone).exists():
            raise forms.ValidationError(_("This phone number is already used by another account."))
        return phone or None

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.phone = self.cleaned_data.get("phone")
        user.save(update_fields=["full_name", "phone"])
        consent_record(
            user=user,
            ip_address=request.META.get("REMOTE_ADDR"),
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
