"""Manager pages for background exports ("My files") and scheduled e-mailed reports.

Thin: the agency is checked with `selectors.visible_agency_or_404` (the scoping chokepoint),
writes go through campaigns.reporting.exports. Exports and subscriptions are their owner's only: an
id of someone else's answers 404, never 403.
"""

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import selectors
from campaigns.models import ReportExport, ReportSubscription
from campaigns.reporting import aggregates, exports
from campaigns.views import manager_required
from cms.audit import audit_record

RECENT_EXPORTS = 50  # the list shows the latest ones; older files stay on disk until purged


def _campaign_id(choice: str) -> int | None:
    """The campaign field of a form: "all" or empty means every course."""
    if choice in ("", "all"):
        return None
    if not choice.isdigit():
        raise ValidationError(_("This campaign does not exist."))
    return int(choice)


def _exports_page(request, *, error: str = "", status: int = 200):
    items = list(
        ReportExport.objects.filter(user=request.user).select_related("agency")[:RECENT_EXPORTS]
    )
    for item in items:
        item.period = exports.export_period(item)
    busy = any(
        item.status in (ReportExport.Status.PENDING, ReportExport.Status.RUNNING) for item in items
    )
    return render(
        request,
        "campaigns/exports.html",
        {"exports": items, "busy": busy, "error": error, "done": ReportExport.Status.DONE,
         "failed": ReportExport.Status.FAILED},
        status=status,
    )  # fmt: skip


@manager_required
def export_list(request):
    """The user's recent exports with their status; refreshes itself while one is being
    prepared."""
    return _exports_page(request)


@manager_required
@require_POST
def export_create(request, agency_id):
    """Ask for a file in the background (from the report page: the period, campaign and
    depth shown, plus kind and format)."""
    agency = selectors.visible_agency_or_404(request.user, agency_id)
    data = request.POST
    try:
        params = {
            "version": exports.PARAMS_VERSION,
            "period": data.get("period", ""),
            "campaign": _campaign_id(data.get("campaign", "")),
            "depth": 2 if data.get("depth") == "2" else 1,
        }
        exports.export_request(
            user=request.user, agency=agency, kind=data.get("kind", ""),
            fmt=data.get("format", ""), params=params,
        )  # fmt: skip
    except ValidationError as exc:
        return _exports_page(request, error=" ".join(exc.messages), status=400)
    return redirect("campaigns:exports")


@manager_required
def export_download(request, export_id):
    """The finished file, to its owner only, while they still see the agency."""
    export = get_object_or_404(
        ReportExport.objects.select_related("agency"),
        pk=export_id, user=request.user, status=ReportExport.Status.DONE,
    )  # fmt: skip
    if not selectors.agencies_visible_to(request.user).filter(pk=export.agency_id).exists():
        raise Http404
    fileobj = exports.export_open(export)
    if fileobj is None:
        raise Http404
    audit_record(
        action="hocso.export_downloaded", instance=export, request=request,
        agency=export.agency_id, details={"kind": export.kind, "format": export.fmt},
    )  # fmt: skip
    return FileResponse(
        fileobj,  # closed by FileResponse when the response is done
        as_attachment=True,
        filename=exports.export_download_name(export),
        content_type=exports.CONTENT_TYPES[export.fmt],
    )


@manager_required
def subscriptions(request, agency_id=None):
    """The user's scheduled reports; with an agency (visible to them), a form to subscribe
    to its month or quarter report."""
    agency = selectors.visible_agency_or_404(request.user, agency_id) if agency_id else None
    campaigns = list(aggregates.campaigns_for_dashboard()) if agency else []
    error = ""
    if request.method == "POST":
        if agency is None:
            raise Http404
        try:
            campaign_id = _campaign_id(request.POST.get("campaign", ""))
            campaign = next((c for c in campaigns if c.pk == campaign_id), None)
            if campaign_id is not None and campaign is None:
                raise ValidationError(_("This campaign does not exist."))
            exports.subscription_set(
                user=request.user, agency=agency, campaign=campaign,
                kind=request.POST.get("kind", ""), fmt=request.POST.get("format", ""),
            )  # fmt: skip
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("campaigns:agency_subscriptions", agency_id=agency.pk)
    mine = ReportSubscription.objects.filter(user=request.user, active=True).select_related(
        "agency", "campaign"
    )
    return render(
        request,
        "campaigns/subscriptions.html",
        {"agency": agency, "campaigns": campaigns, "subscriptions": mine, "error": error,
         "kinds": ReportSubscription.Kind.choices, "formats": ReportSubscription.Format.choices},
        status=400 if error else 200,
    )  # fmt: skip


@manager_required
@require_POST
def subscription_cancel(request, subscription_id):
    if not exports.subscription_cancel(user=request.user, subscription_id=subscription_id):
        raise Http404
    return redirect("campaigns:subscriptions")
