""" "My data" at /tai-khoan/du-lieu/ (issue 14): what HọcSố holds about the signed-in person,
downloads (JSON, a readable HTML page), corrections (links to the pages that change each
thing) and optional consents. The person's own data only: nothing here takes an id."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import privacy
from accounts.models import PrivacyRequest
from cms import audit


def _consents(user) -> list[dict]:
    return [
        {"purpose": purpose, "label": purpose.label,
         "withdrawn": privacy.consent_withdrawn(user, purpose)}
        for purpose in privacy.OPTIONAL_PURPOSES
    ]  # fmt: skip


@never_cache
@login_required
def my_data(request):
    return TemplateResponse(
        request,
        "accounts/privacy_my_data.html",
        {"sections": privacy.personal_data(request.user), "consents": _consents(request.user),
         "requests": request.user.privacy_requests.order_by("-created_at")[:10],
         "kinds": PrivacyRequest.Kind, "open": PrivacyRequest.Status.OPEN},
    )  # fmt: skip


@require_POST
@login_required
def my_data_consent(request):
    """Withdraw (give=0) or give back (give=1) an optional consent."""
    try:
        changed = privacy.consent_change(
            user=request.user, purpose=request.POST.get("purpose", ""),
            give=request.POST.get("give") == "1", request=request,
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if changed is not None:
            messages.success(request, _("Your choice is saved."))
    return redirect("my_data")


@never_cache
@login_required
def my_data_delete(request):
    """The deletion request's confirmation: what deleting removes, and the button that asks."""
    return TemplateResponse(
        request, "accounts/privacy_delete_confirm.html", {"kind": PrivacyRequest.Kind.DELETE}
    )


@require_POST
@login_required
def my_data_request(request):
    """Ask for deletion (anonymisation) or for a correction; an administrator handles it
    within settings.PRIVACY_REQUEST_DAYS. A deletion is asked from its confirmation page
    only (a slip of the thumb on "My data" makes none)."""
    if request.POST.get("kind") == PrivacyRequest.Kind.DELETE and not request.POST.get("confirmed"):
        return redirect("my_data_delete")
    try:
        made = privacy.privacy_request_create(
            user=request.user, kind=request.POST.get("kind", ""),
            details=request.POST.get("details", ""), request=request,
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Your request is received. It will be handled by %(date)s.")
            % {"date": timezone.localtime(made.due_at).strftime("%d/%m/%Y")},
        )
    return redirect("my_data")


@require_POST
@login_required
def my_data_request_withdraw(request):
    """The person takes back their open request of a kind (their own: nothing takes an id)."""
    if privacy.privacy_request_withdraw(
        user=request.user, kind=request.POST.get("kind", ""), request=request
    ):
        messages.success(request, _("Your request is withdrawn."))
    return redirect("my_data")


DOWNLOADS = {"json": "application/json; charset=utf-8", "html": "text/html; charset=utf-8"}


@never_cache
@login_required
def my_data_download(request, fmt: str):
    """Everything as JSON (machine-readable, shape version 1) or as one HTML page to read,
    keep or print. Audited (the person's own download)."""
    if fmt not in DOWNLOADS:
        raise Http404
    user = request.user
    if fmt == "json":
        body = privacy.personal_data_json(user)
    else:
        body = render_to_string(
            "accounts/privacy_download.html",
            {"sections": privacy.personal_data(user), "person": user, "now": timezone.now()},
            request=request,
        )
    audit.audit_record(
        action="hocso.my_data_downloaded", instance=user, request=request, person=user,
        details={"format": fmt},
    )  # fmt: skip
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="du-lieu-cua-toi-{stamp}.{fmt}"'
    return response
