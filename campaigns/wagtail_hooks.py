"""Wagtail admin: agencies (create, edit, move, merge, split, headcounts), manager roles,
campaigns with their targets, and in-person sessions. Saves go through services."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from campaigns import (
    courses_bridge,
    grading,  # noqa: F401 - the essay grading queue registers its hooks
    services,
)
from campaigns.models import (
    Agency,
    AgencyTarget,
    Campaign,
    LearnerProfile,
    ManagerRole,
    Session,
)
from cms.vocabularies import Subgroup

# --- Agencies ---------------------------------------------------------------------------


class AgencyForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        label=_("Parent agency"),
        queryset=Agency.objects.active(),
        required=False,
        help_text=_("Empty: a top-level agency (the province). Changing it moves the agency."),
    )

    class Meta:
        model = Agency
        fields = ["name", "code", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counts = {}
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()
            self.fields["parent"].queryset = Agency.objects.active().exclude(
                path__startswith=self.instance.path
            )
            counts = dict(self.instance.headcounts.values_list("audience", "count"))
        for value, label in Subgroup.choices:
            self.fields[f"headcount_{value}"] = forms.IntegerField(
                label=_("Headcount: %(audience)s") % {"audience": label},
                min_value=0,
                required=False,
                initial=counts.get(value, 0),
            )

    def save_via_services(self, user) -> Agency:
        data = self.cleaned_data
        if self.instance.pk is None:
            agency = services.agency_create(
                name=data["name"], code=data["code"], kind=data["kind"], parent=data["parent"]
            )
        else:
            agency = services.agency_update(
                agency=self.instance, name=data["name"], code=data["code"], kind=data["kind"]
            )
            parent = data["parent"]
            current = agency.get_parent()
            if parent is not None and (current is None or current.pk != parent.pk):
                agency = services.agency_move(agency=agency, new_parent=parent)
        for value in Subgroup.values:
            count = data.get(f"headcount_{value}")
            if count is not None:
                services.headcount_set(agency=agency, audience=value, count=count)
        return agency


class AgencyCreateView(generic.CreateView):
    def save_instance(self):
        return self.form.save_via_services(self.request.user)


class AgencyEditView(generic.EditView):
    def save_instance(self):
        return self.form.save_via_services(self.request.user)


class AgencyViewSet(ModelViewSet):
    model = Agency
    icon = "group"
    menu_label = _("Agencies")
    form_class = AgencyForm
    add_view_class = AgencyCreateView
    edit_view_class = AgencyEditView
    list_display = ["name", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "search_key"]
    ordering = ["path"]

    def get_form_class(self, for_update=False):
        return AgencyForm


class MergeForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Agency to merge (it closes)"), queryset=Agency.objects.active()
    )
    target = forms.ModelChoiceField(
        label=_("Merge into (it continues)"), queryset=Agency.objects.active()
    )
    on = forms.DateField(label=_("From"), initial=timezone.localdate)


class SplitForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Agency to split"), queryset=Agency.objects.active())
    parts = forms.CharField(
        label=_("New agencies"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: official code; name. E.g. “XA-KS2; Xã Kỳ Sơn 2”."),
    )
    people = forms.CharField(
        label=_("Who moves"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line: e-mail or employee code; new agency code. People not listed stay."
        ),
    )
    on = forms.DateField(label=_("From"), initial=timezone.localdate)


def _require_agency_admin(request):
    if not request.user.has_perm("campaigns.change_agency"):
        raise PermissionDenied


def agency_merge_view(request):
    _require_agency_admin(request)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.agency_merge(
                source=form.cleaned_data["source"],
                target=form.cleaned_data["target"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Merged into %(name)s.") % {"name": target.name})
            return redirect("campaigns_agency:index")
    return TemplateResponse(
        request,
        "campaigns/admin/agency_form.html",
        {"form": form, "title": _("Merge agencies")},
    )


def agency_split_view(request):
    _require_agency_admin(request)
    form = SplitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        parts = []
        for line in form.cleaned_data["parts"].splitlines():
            if ";" in line:
                code, name = (x.strip() for x in line.split(";", 1))
                parts.append({"code": code, "name": name, "kind": source.kind})
        assignments = {}
        for line in form.cleaned_data["people"].splitlines():
            if ";" not in line:
                continue
            key, code = (x.strip() for x in line.split(";", 1))
            profile = (
                LearnerProfile.objects.filter(agency=source, user__email__iexact=key).first()
                or LearnerProfile.objects.filter(agency=source, employee_code=key).first()
            )
            if profile is None:
                form.add_error(
                    "people", _("No one in this agency matches “%(key)s”.") % {"key": key}
                )
                break
            assignments[profile.user_id] = code
        if not form.errors:
            try:
                created = services.agency_split(
                    source=source, parts=parts, assignments=assignments, on=form.cleaned_data["on"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(n)s new agencies created.") % {"n": len(created)})
                return redirect("campaigns_agency:index")
    return TemplateResponse(
        request,
        "campaigns/admin/agency_form.html",
        {"form": form, "title": _("Split an agency")},
    )


@hooks.register("register_admin_urls")
def register_agency_tool_urls():
    return [
        path("campaigns/agencies/merge/", agency_merge_view, name="campaigns_agency_merge"),
        path("campaigns/agencies/split/", agency_split_view, name="campaigns_agency_split"),
    ]


# --- Manager roles ----------------------------------------------------------------------


class ManagerRoleViewSet(ModelViewSet):
    model = ManagerRole
    icon = "user"
    menu_label = _("Manager roles")
    form_fields = ["user", "agency"]
    list_display = ["user", "agency", "granted_at"]
    search_fields = ["user__full_name", "user__email", "agency__name"]


# --- Campaigns --------------------------------------------------------------------------


def _course_queryset():
    return courses_bridge.live_courses()


class CampaignForm(WagtailAdminModelForm):
    target_audiences = forms.MultipleChoiceField(
        label=_("Target groups"),
        choices=Subgroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone."),
    )
    required_courses = forms.ModelMultipleChoiceField(
        label=_("Required courses"),
        queryset=_course_queryset(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A learner has completed the campaign when all of these are completed."),
    )

    class Meta:
        model = Campaign
        fields = ["name", "description", "starts_on", "ends_on", "due_on", "target_percent",
                  "agencies", "is_active"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_courses"].queryset = _course_queryset()
        if self.instance.pk:
            self.fields["target_audiences"].initial = list(
                self.instance.audiences.values_list("audience", flat=True)
            )
            self.fields["required_courses"].initial = list(
                self.instance.courses.values_list("course_id", flat=True)
            )

    def save_related(self, campaign):
        services.campaign_targets_set(
            campaign=campaign,
            audiences=self.cleaned_data.get("target_audiences") or [],
            courses=self.cleaned_data.get("required_courses") or [],
        )


class CampaignCreateView(generic.CreateView):
    def save_instance(self):
        campaign = super().save_instance()
        self.form.save_related(campaign)
        return campaign


class CampaignEditView(generic.EditView):
    def save_instance(self):
        campaign = super().save_instance()
        self.form.save_related(campaign)
        return campaign


class CampaignViewSet(ModelViewSet):
    model = Campaign
    icon = "list-ul"
    menu_label = _("Campaigns")
    add_view_class = CampaignCreateView
    edit_view_class = CampaignEditView
    list_display = ["name", "starts_on", "ends_on", "due_on", "target_percent", "is_active"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return CampaignForm


class AgencyTargetViewSet(ModelViewSet):
    model = AgencyTarget
    icon = "pick"
    menu_label = _("Agency targets")
    form_fields = ["campaign", "agency", "percent", "due_on"]
    list_display = ["campaign", "agency", "percent", "due_on"]


class SessionViewSet(ModelViewSet):
    model = Session
    icon = "date"
    menu_label = _("In-person sessions")
    form_fields = ["kind", "title", "place", "starts_at", "ends_at", "agency", "campaign"]
    list_display = ["title", "kind", "starts_at", "agency"]
    search_fields = ["title", "place"]


class CampaignsGroup(ViewSetGroup):
    menu_label = _("Campaigns")
    menu_icon = "group"
    menu_order = 300
    items = (
        CampaignViewSet("campaigns_campaign"),
        AgencyViewSet("campaigns_agency"),
        AgencyTargetViewSet("campaigns_target"),
        ManagerRoleViewSet("campaigns_manager_role"),
        SessionViewSet("campaigns_session"),
    )


@hooks.register("register_admin_viewset")
def register_campaigns_viewsets():
    return CampaignsGroup()


@hooks.register("register_admin_menu_item")
def register_agency_tools_menu():
    return MenuItem(
        _("Merge or split agencies"),
        reverse("campaigns_agency_merge"),
        icon_name="resubmit",
        order=301,
    )
