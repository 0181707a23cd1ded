"""Phone numbers: Vietnamese mobile numbers as people type them, stored once in E.164.

"0912 345 678", "+84912345678", "84912345678" and "912345678" (a spreadsheet that dropped
the 0) are one number, +84912345678. Parsing and validation are Google's libphonenumber
(the `phonenumbers` package); a number without a country code is read as Vietnamese.
"""

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

REGION = "VN"
SMS_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}

# What the database holds: "+" and 7 to 15 digits (E.164).
e164_validator = RegexValidator(
    r"^\+[1-9][0-9]{6,14}$",
    _("Enter a phone number in international form, e.g. +84912345678."),
)

INVALID = _("Enter a mobile phone number, e.g. 0912 345 678 or +84 912 345 678.")


def to_e164(value: str | None) -> str | None:
    """The E.164 form of a mobile number that can receive SMS, or None if `value` is not
    one (empty, malformed, a landline)."""
    text = "".join((value or "").split()).replace(".", "").replace("-", "")
    text = text.replace("(", "").replace(")", "")
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("84") and len(text) == 11:
        text = "+" + text  # 84912345678: the country code without its +
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in SMS_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_clean(value: str | None) -> str | None:
    """`to_e164` for forms: None for empty input, a ValidationError for a bad number."""
    if not (value or "").strip():
        return None
    phone = to_e164(value)
    if phone is None:
        raise ValidationError(INVALID, code="invalid_phone")
    return phone


def phone_display(value: str | None) -> str:
    """+84912345678 as a Vietnamese reads it: 0912 345 678."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        return value
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 84
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


class PhoneField(forms.CharField):
    """A phone number as typed; cleaned to E.164 (allauth's adapter hands this field to
    its sign-up, log-in-by-code and change-phone forms)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Phone number"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel",
                       "placeholder": "0912 345 678"}
            ),
        )  # fmt: skip
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return phone_clean(value)


class PhoneNumberField(models.CharField):
    """A CharField that writes and looks up numbers in E.164: whatever way a caller (an
    import's bulk_create, a filter(phone__in=...)) writes a Vietnamese mobile number, the
    database sees +84.... A value that is not a mobile number is passed on unchanged (the
    E.164 validator refuses it in full_clean)."""

    def formfield(self, **kwargs):
        """Admin forms take the number as people type it (PhoneField cleans to E.164)."""
        kwargs.setdefault("form_class", PhoneField)
        return super().formfield(**kwargs)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value:
            return to_e164(value) or value
        return value
