"""Wagtail admin views of the library pool: administrators approve library code here."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.h5p import selectors, services
from assessments.h5p.models import H5PLibrary, H5PPackage
from cms.admin_pages import admin_heading


def _admin_only(request):
    if not request.user.is_superuser:
        raise PermissionDenied


def library_list(request):
    _admin_only(request)
    return TemplateResponse(
        request,
        "h5p/admin/libraries.html",
        {"libraries": selectors.libraries_for_admin(), **admin_heading(_("H5P libraries"))},
    )


@require_POST
def library_decide(request, pk: int, decision: str):
    _admin_only(request)
    library = get_object_or_404(H5PLibrary, pk=pk)
    try:
        if decision == "approve":
            services.library_approve(library=library, approved_by=request.user)
            messages.success(request, _("%(lib)s approved.") % {"lib": library})
        else:
            services.library_reject(library=library, rejected_by=request.user)
            messages.success(request, _("%(lib)s rejected.") % {"lib": library})
    except services.H5PRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("h5p_admin:libraries")


def package_libraries(request, pk: int):
    _admin_only(request)
    package = get_object_or_404(H5PPackage, pk=pk)
    if request.method == "POST":
        try:
            approved = services.package_approve_libraries(package=package, approved_by=request.user)
            messages.success(request, _("%(count)d libraries approved.") % {"count": len(approved)})
        except services.H5PRefused as refusal:
            messages.error(request, refusal.message)
        return redirect(reverse("wagtailsnippets_h5p_h5ppackage:edit", args=[package.pk]))
    return TemplateResponse(
        request,
        "h5p/admin/package_libraries.html",
        {
            "package": package,
            "status": selectors.package_admin_status(package),
            **admin_heading(_("Approve H5P libraries")),
        },
    )


urlpatterns = [
    path("libraries/", library_list, name="libraries"),
    path("libraries/<int:pk>/<str:decision>/", library_decide, name="library_decide"),
    path("packages/<int:pk>/libraries/", package_libraries, name="package_libraries"),
]
