"""Certificate pages: public verification, "My certificates", the owner's PDF download."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cms.ratelimit import client_limit_exceeded
from courses.certificates.models import Certificate
from courses.certificates.selectors import (
    certificate_code_clean,
    certificate_for_verification,
    certificates_of_user,
)
from courses.certificates.services import certificate_render


def _verify_rate_limited(request) -> bool:
    """A one-minute window per client address (cms.net.client_ip: behind a proxy, the
    client's, not the proxy's). Fails open when the cache is down (cms.ratelimit)."""
    return client_limit_exceeded(
        request, scope="certificates:verify", limit=settings.CERTIFICATE_VERIFY_RATE_LIMIT
    )


@require_GET
def verify(request, code: str):
    """Public, no login: is this certificate genuine? Name, course, date, issuer, status."""
    if _verify_rate_limited(request):
        response = render(request, "certificates/rate_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    certificate = certificate_for_verification(code=code)
    if certificate is None:
        return render(request, "certificates/not_found.html", {"code": code[:32]}, status=404)
    response = render(request, "certificates/verify.html", {"certificate": certificate})
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@never_cache
def mine(request):
    """The learner's certificates: download, share (the public verification link)."""
    certificates = list(certificates_of_user(user=request.user))
    return render(request, "certificates/mine.html", {"certificates": certificates})


def pdf_response(certificate: Certificate) -> FileResponse:
    """The stored PDF as a private, never-cached attachment (owner and admin downloads)."""
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"chung-chi-{certificate.code}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@never_cache
def download(request, code: str):
    """The PDF, for its owner only (staff use the admin's view, which is audited); 410 once
    revoked. A certificate not rendered yet (a busy worker) is rendered now."""
    clean = certificate_code_clean(code)
    certificate = Certificate.objects.filter(code=clean).first() if clean else None
    # Someone else's certificate, staff included, looks exactly like a missing one.
    if certificate is None or certificate.user_id != request.user.pk:
        raise Http404
    if certificate.is_revoked:
        return render(request, "certificates/gone.html", {"certificate": certificate}, status=410)
    return pdf_response(certificate_render(certificate=certificate))
