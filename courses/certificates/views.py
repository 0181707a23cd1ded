"""Certificate pages: public verification, "My certificates", the owner's PDF download."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from courses.certificates.models import Certificate
from courses.certificates.selectors import (
    certificate_code_clean,
    certificate_for_verification,
    certificates_of_user,
)
from courses.certificates.services import certificate_render


def _verify_rate_limited(request) -> bool:
    """A fixed one-minute window per client IP in the shared cache (Redis in production).
    REMOTE_ADDR must be the client's address: behind a proxy, the proxy sets it."""
    limit = settings.CERTIFICATE_VERIFY_RATE_LIMIT
    if limit <= 0:
        return False
    ip = request.META.get("REMOTE_ADDR", "unknown")
    key = f"certificates:verify:{ip}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=90):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=90)
        return False


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


@login_required
@never_cache
def download(request, code: str):
    """The PDF, for its owner or staff only; 410 once revoked. A certificate not rendered
    yet (a busy worker) is rendered now."""
    clean = certificate_code_clean(code)
    certificate = Certificate.objects.filter(code=clean).first() if clean else None
    if certificate is None or (
        certificate.user_id != request.user.pk and not request.user.is_staff
    ):
        raise Http404
    if certificate.is_revoked:
        return render(request, "certificates/gone.html", {"certificate": certificate}, status=410)
    certificate = certificate_render(certificate=certificate)
    response = FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"chung-chi-{certificate.code}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
