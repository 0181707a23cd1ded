"""Wagtail admin views for issued certificates: search by code or name, revoke, re-issue."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cms.admin_pages import admin_heading
from cms.audit import audit_person_agency, audit_record
from courses.certificates import services
from courses.certificates.models import Certificate
from courses.certificates.selectors import certificates_admin_search
from courses.certificates.views import pdf_response


def _require_permission(request):
    if not request.user.has_perm("certificates.change_certificate"):
        raise PermissionDenied


def certificate_list(request):
    _require_permission(request)
    query = request.GET.get("q", "")[:100]
    page = Paginator(certificates_admin_search(query=query), 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "certificates/admin/index.html",
        {"page": page, "query": query, **admin_heading(_("Certificates"))},
    )


def certificate_detail(request, pk: int):
    _require_permission(request)
    certificate = get_object_or_404(Certificate.objects.select_related("user"), pk=pk)
    return TemplateResponse(
        request,
        "certificates/admin/detail.html",
        {"certificate": certificate, **admin_heading(certificate.code)},
    )


@require_POST
def certificate_revoke(request, pk: int):
    _require_permission(request)
    certificate = get_object_or_404(Certificate, pk=pk)
    try:
        services.certificate_revoke(certificate=certificate, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        audit_record(
            action="hocso.certificate_revoked", instance=certificate, request=request,
            person=certificate.user_id, agency=audit_person_agency(certificate.user_id),
        )  # fmt: skip
        messages.success(request, _("Certificate %(code)s revoked.") % {"code": certificate.code})
    return redirect("certificates_admin:detail", pk=pk)


@require_POST
def certificate_reissue(request, pk: int):
    _require_permission(request)
    certificate = get_object_or_404(Certificate, pk=pk)
    services.certificate_reissue(certificate=certificate)
    audit_record(
        action="hocso.certificate_reissued", instance=certificate, request=request,
        person=certificate.user_id, agency=audit_person_agency(certificate.user_id),
    )  # fmt: skip
    messages.success(
        request,
        _("Certificate %(code)s re-issued: the PDF is being drawn again.")
        % {"code": certificate.code},
    )
    return redirect("certificates_admin:detail", pk=pk)


@require_GET
@never_cache
def certificate_pdf(request, pk: int):
    """A learner's PDF for staff with the certificates' view permission, through the one
    audited service (`certificate_pdf_for_staff`)."""
    if not request.user.has_perm(services.STAFF_VIEW_PERMISSION):
        raise PermissionDenied
    certificate = get_object_or_404(Certificate, pk=pk)
    try:
        certificate = services.certificate_pdf_for_staff(certificate=certificate, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("certificates_admin:detail", pk=pk)
    audit_record(
        action="hocso.certificate_downloaded", instance=certificate, request=request,
        person=certificate.user_id, agency=audit_person_agency(certificate.user_id),
    )  # fmt: skip
    return pdf_response(certificate)


urlpatterns = [
    path("", certificate_list, name="index"),
    path("<int:pk>/", certificate_detail, name="detail"),
    path("<int:pk>/thu-hoi/", certificate_revoke, name="revoke"),
    path("<int:pk>/cap-lai/", certificate_reissue, name="reissue"),
    path("<int:pk>/pdf/", certificate_pdf, name="pdf"),
]
