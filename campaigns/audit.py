"""The personal-data audit log in the Wagtail admin, under Reports (issue 14).

Admins (superusers) see every `hocso.*` entry, a manager only the entries of their agencies
(`selectors.audit_entries_visible_to`, built on the scoping chokepoint). Filters: action,
who did it, date, agency, the person or object's name. Read only: Wagtail has no edit or
delete view for log entries, and this report adds none. Registered by `CampaignsConfig.ready`.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, MultipleUserFilter, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports import ReportView
from wagtail.models import ModelLogEntry

from campaigns import selectors
from campaigns.models import Agency, LearnerProfile, ReportExport
from cms import audit

# The report shows a background export's kind by its label.
audit.audit_detail_choices(("hocso.export_downloaded",), "kind", ReportExport.Kind.choices)


def entries_described(entries) -> list:
    """A page of entries with `agency_name` and `ip` set (one query for the agencies'
    names), for the admin report and the manager's page."""
    entries = list(entries)
    agency_ids = {(e.data or {}).get("agency") for e in entries} - {None}
    names = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
    for entry in entries:
        data = entry.data or {}
        entry.agency_name = names.get(data.get("agency"), "")
        entry.ip = data.get("ip") or ""
    return entries


class AuditFilterSet(WagtailFilterSet):
    action = django_filters.MultipleChoiceFilter(
        label=_("Action"), choices=list(audit.ACTIONS.items())
    )
    user = MultipleUserFilter(label=_("Done by"), queryset=None)
    timestamp = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"), queryset=Agency.objects.none(), method="filter_agency"
    )
    label = django_filters.CharFilter(label=_("Person or object"), lookup_expr="icontains")

    class Meta:
        model = ModelLogEntry
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        self.filters["agency"].queryset = selectors.agencies_visible_to(user).order_by("path")
        self.filters["user"].queryset = self.queryset.get_users()

    def filter_agency(self, queryset, name, value):
        """The agency and its subtree (entries keep the agency's id, not its path)."""
        subtree = Agency.objects.filter(path__startswith=value.path).values_list("pk", flat=True)
        return queryset.filter(data__agency__in=list(subtree))


class AuditReportView(ReportView):
    page_title = _("Personal data log")
    header_icon = "history"
    results_template_name = "campaigns/audit_results.html"
    filterset_class = AuditFilterSet
    index_url_name = "campaigns_audit"
    index_results_url_name = "campaigns_audit_results"
    paginate_by = 50
    list_export = ["timestamp", "user_display_name", "action", "label", "agency_name", "ip"]
    export_headings = {
        "timestamp": _("Date/Time"), "user_display_name": _("Done by"), "action": _("Action"),
        "label": _("Person or object"), "agency_name": _("Agency"), "ip": _("IP address"),
    }  # fmt: skip

    def dispatch(self, request, *args, **kwargs):
        if not selectors.is_manager(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.audit_entries_visible_to(self.request.user)

    def decorate_paginated_queryset(self, object_list):
        return entries_described(object_list)


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.is_manager(request.user)


@hooks.register("register_reports_menu_item")
def register_audit_menu_item():
    return AuditMenuItem(
        _("Personal data log"), reverse("campaigns_audit"), name="personal-data-log",
        icon_name="history", order=1100,
    )  # fmt: skip


@hooks.register("register_admin_urls")
def register_audit_urls():
    view = AuditReportView.as_view()
    results = AuditReportView.as_view(results_only=True)
    return [
        path("reports/nhat-ky-du-lieu/", view, name="campaigns_audit"),
        path("reports/nhat-ky-du-lieu/ket-qua/", results, name="campaigns_audit_results"),
    ]


# --- Role changes -------------------------------------------------------------------------
# Manager roles change in the Wagtail admin (ModelViewSet) or through
# `services.manager_role_grant`; a receiver sees both. Who did it: the role's granter, or
# the request's user (else the admin user of Wagtail's log context). The client address:
# the request being served, which allauth's AccountMiddleware (on every request) keeps in
# a context variable (`allauth.core.context.request`); None outside a request (a command,
# a task).


def _current_request():
    from allauth.core import context

    return context.request


def role_saved(sender, instance, created, **kwargs):
    if created:
        audit.audit_record(
            action="hocso.role_granted", instance=instance, actor=instance.granted_by,
            request=_current_request(), person=instance.user_id, agency=instance.agency_id,
        )  # fmt: skip


def role_deleted(sender, instance, **kwargs):
    audit.audit_record(
        action="hocso.role_revoked", instance=instance, request=_current_request(),
        person=instance.user_id, agency=instance.agency_id,
    )  # fmt: skip


def person_agency(person_id: int) -> int | None:
    """The person's agency now (their learner profile's), for `cms.audit`."""
    return (
        LearnerProfile.objects.filter(user_id=person_id).values_list("agency_id", flat=True).first()
    )
