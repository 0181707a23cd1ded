import re

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.forms import SignupForm as AccountsSignupForm
from campaigns.models import Agency, Audience
from campaigns.selectors import agency_search
from cms.text import fold

CODE_SUFFIX = re.compile(r"\(([^()]+)\)\s*$")


def resolve_agency(*, text: str) -> Agency | None:
    """The agency picked in the search box ("Name (CODE)"), or typed without JavaScript (a
    code, or a name matching exactly one active agency, diacritics ignored)."""
    text = (text or "").strip()
    if not text:
        return None
    picked = CODE_SUFFIX.search(text)
    if picked:
        agency = Agency.objects.active().filter(code__iexact=picked.group(1).strip()).first()
        if agency:
            return agency
    by_code = Agency.objects.active().filter(code__iexact=text).first()
    if by_code:
        return by_code
    exact = list(Agency.objects.active().filter(search_key=fold(text))[:2])
    if len(exact) == 1:
        return exact[0]
    matches = list(agency_search(text, limit=6))
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(a.name for a in matches[:5])
    if matches:
        raise forms.ValidationError(
            _("Several agencies match; type more of the name or pick one: %(names)s.")
            % {"names": names}
        )
    raise forms.ValidationError(
        _("No commune, ward or agency matches “%(text)s”.") % {"text": text}
    )


class AgencySearchInput(forms.TextInput):
    """A text box with search-as-you-type suggestions (vanilla JS; without JS the typed name
    or code is resolved on the server, and a link opens the search page)."""

    template_name = "campaigns/widgets/agency_search.html"


class SignupForm(AccountsSignupForm):
    """Sign-up with the learner's commune or agency and audience (campaigns floor)."""

    audience = forms.ChoiceField(
        label=_("You are"),
        choices=Audience.choices,
        initial=Audience.CITIZEN,
        required=False,
    )
    agency = forms.CharField(
        label=_("Your commune, ward or agency"),
        required=False,
        max_length=200,
        help_text=_("Type a few letters, with or without diacritics, e.g. “phuong hoa binh”."),
        widget=AgencySearchInput(
            attrs={
                "autocomplete": "off",
                "data-agency-search": "",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
            }
        ),
    )

    field_order = [
        "full_name", "email", "phone", "audience", "agency",
        "password1", "password2", "consent",
    ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience") or Audience.CITIZEN
        cleaned["audience"] = audience
        try:
            agency = resolve_agency(text=cleaned.get("agency") or "")
        except forms.ValidationError as exc:
            self.add_error("agency", exc)
            return cleaned
        if agency is None and audience != Audience.CITIZEN:
            self.add_error("agency", _("Choose your agency (only citizens may leave it empty)."))
        cleaned["agency_obj"] = agency
        return cleaned

    def signup(self, request, user):
        super().signup(request, user)
        from campaigns import services, tasks

        agency = self.cleaned_data.get("agency_obj")
        audience = self.cleaned_data.get("audience") or Audience.CITIZEN
        services.learner_profile_set(user=user, agency=agency, audience=audience)
        if agency is not None:
            transaction.on_commit(lambda: tasks.assignments_sync_for.delay([user.pk]))
