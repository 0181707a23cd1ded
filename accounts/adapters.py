from allauth.account.adapter import DefaultAccountAdapter

from cms.text import nfc


class AccountAdapter(DefaultAccountAdapter):
    """Stores the full name NFC-normalised, as entered (no title-casing)."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = nfc(form.cleaned_data.get("full_name", "")).strip()
        if commit:
            user.save()
        return user
