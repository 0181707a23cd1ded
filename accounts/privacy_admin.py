"""The privacy requests' queue in the Wagtail admin (issue 14), for superusers (the
province's data-protection officer): open requests first with their deadline, flagged at
`privacy.WARN_DAYS_LEFT` days; each one can be answered by downloading the person's data,
anonymising the account (a deletion request) or closing it as done or refused. Every
action goes through accounts.privacy's services, which write the audit log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import privacy
from accounts.models import PrivacyRequest
from cms import audit
from cms.admin_pages import admin_heading


def _require_officer(request):
    if not (request.user.is_active and request.user.is_superuser):
        raise PermissionDenied


def request_list(request):
    _require_officer(request)
    page = Paginator(privacy.privacy_requests_queue(), 50).get_page(request.GET.get("p"))
    now = timezone.now()
    for item in page.object_list:
        item.days_left = privacy.days_left(item, now)
        item.urgent = item.status == PrivacyRequest.Status.OPEN and (
            item.days_left < privacy.WARN_DAYS_LEFT
        )
    return TemplateResponse(
        request,
        "accounts/privacy_admin_list.html",
        {"page": page, **admin_heading(_("Privacy requests")), "open": PrivacyRequest.Status.OPEN},
    )


def _request_or_404(pk: int) -> PrivacyRequest:
    return get_object_or_404(PrivacyRequest.objects.select_related("user", "handled_by"), pk=pk)


def request_detail(request, pk: int):
    _require_officer(request)
    item = _request_or_404(pk)
    item.days_left = privacy.days_left(item)
    return TemplateResponse(
        request,
        "accounts/privacy_admin_detail.html",
        {"item": item, **admin_heading(_("Privacy request")), "open": PrivacyRequest.Status.OPEN,
         "anonymised": privacy.is_anonymised(item.user), "warn": privacy.WARN_DAYS_LEFT,
         "delete": PrivacyRequest.Kind.DELETE},
    )  # fmt: skip


def request_export(request, pk: int):
    """The person's data as JSON (what "My data" gives them), to send or to check."""
    _require_officer(request)
    item = _request_or_404(pk)
    body = privacy.personal_data_json(item.user)
    audit.audit_record(
        action="hocso.person_data_exported", instance=item, request=request,
        person=item.user_id, details={"format": "json"},
    )  # fmt: skip
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="yeu-cau-{item.pk}.json"'
    return response


@require_POST
def request_anonymise(request, pk: int):
    _require_officer(request)
    item = _request_or_404(pk)
    if item.kind != PrivacyRequest.Kind.DELETE or item.status != PrivacyRequest.Status.OPEN:
        messages.error(request, _("Only an open deletion request anonymises an account."))
    elif request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm: this cannot be undone."))
    else:
        privacy.person_anonymise(user=item.user, by=request.user, request=request,
                                 privacy_request=item)  # fmt: skip
        messages.success(request, _("The account is anonymised and the request closed."))
    return redirect("privacy_requests:detail", pk=pk)


@require_POST
def request_close(request, pk: int):
    _require_officer(request)
    item = _request_or_404(pk)
    try:
        privacy.privacy_request_close(
            privacy_request=item, by=request.user, status=request.POST.get("status", ""),
            outcome=request.POST.get("outcome", ""), request=request,
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The request is closed."))
    return redirect("privacy_requests:detail", pk=pk)


urlpatterns = [
    path("", request_list, name="index"),
    path("<int:pk>/", request_detail, name="detail"),
    path("<int:pk>/du-lieu.json", request_export, name="export"),
    path("<int:pk>/an-danh/", request_anonymise, name="anonymise"),
    path("<int:pk>/dong/", request_close, name="close"),
]
