import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import SignupForm as AccountsSignupForm
from campaigns import services
from campaigns.models import Agency, Campaign, Session
from campaigns.selectors import agency_search
from cms.text import fold
from cms.vocabularies import Subgroup

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
    or code is resolved on the server, and a link opens the search page).

    A picked suggestion shows only its name; its code travels in a hidden `<name>_code`
    input (emptied as soon as the text is edited), and the value handed to the form is
    "Name (CODE)" as resolve_agency expects."""

    template_name = "campaigns/widgets/agency_search.html"

    def value_from_datadict(self, data, files, name):
        text = super().value_from_datadict(data, files, name)
        code = (data.get(f"{name}_code") or "").strip()[:50]
        if code and text and not CODE_SUFFIX.search(text):
            return f"{text.strip()} ({code})"
        return text

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        shown = context["widget"].get("value") or ""
        picked = CODE_SUFFIX.search(shown)
        context["widget"]["code"] = picked.group(1).strip() if picked else ""
        if picked:
            context["widget"]["value"] = shown[: picked.start()].strip()
        return context


class SignupForm(AccountsSignupForm):
    """Sign-up with the learner's commune or agency and audience (campaigns floor)."""

    audience = forms.ChoiceField(
        label=_("You are"),
        choices=Subgroup.choices,
        initial=Subgroup.CITIZEN,
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
        audience = cleaned.get("audience") or Subgroup.CITIZEN
        cleaned["audience"] = audience
        try:
            agency = resolve_agency(text=cleaned.get("agency") or "")
        except forms.ValidationError as exc:
            self.add_error("agency", exc)
            return cleaned
        if agency is None and audience != Subgroup.CITIZEN:
            self.add_error("agency", _("Choose your agency (only citizens may leave it empty)."))
        cleaned["agency_obj"] = agency
        return cleaned

    def signup(self, request, user):
        super().signup(request, user)
        services.learner_signed_up(
            user=user,
            agency=self.cleaned_data.get("agency_obj"),
            audience=self.cleaned_data.get("audience") or Subgroup.CITIZEN,
        )


class SessionForm(forms.Form):
    """An in-person session, by a manager: the agency is chosen among those the manager
    may see (`agencies`, from selectors.agencies_visible_to); any other id is refused."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Session.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies.order_by("path")
        self.fields["agency"].error_messages["invalid_choice"] = _("Choose one of your agencies.")
        self.fields["campaign"].queryset = Campaign.objects.filter(is_active=True).order_by(
            "-starts_on"
        )
        for name in ("starts_at", "ends_at"):
            self.fields[name].widget.format = "%Y-%m-%dT%H:%M"

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        return cleaned
