"""Consent to the current privacy notice before anything else (issue 14).

People created by a manager's import never ticked the sign-up box, and a new version of
the notice (settings.PRIVACY_NOTICE_VERSION) needs everyone's consent again. So a signed-in
person without a record for the current version is sent, from any page, to
/tai-khoan/dong-y/ to read the notice and accept it; the record is stored
(`accounts.services.consent_record`, with the client address). The answer is remembered in
the session for that version: one query per session, none per request.
`settings.HOCSO_CONSENT_GATE` turns it off (the test settings, where people are made by
factories; the gate's own tests turn it on).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from accounts.models import ConsentRecord
from accounts.services import consent_record
from cms.net import client_ip

SESSION_KEY = "hocso_consent_version"
# Pages a person may open before consenting: the consent page, the notice, log-out, and
# what pages need (files, language, the service worker's files, health).
OPEN_PATHS = ("/tai-khoan/dong-y/", "/quyen-rieng-tu/", "/tai-khoan/logout/", "/static/",
              "/media/", "/i18n/", "/healthz", "/hoc/ngoai-tuyen/sw.js", "/favicon")  # fmt: skip


def has_current_consent(user) -> bool:
    return ConsentRecord.objects.filter(
        user=user, purpose=ConsentRecord.Purpose.PRIVACY_NOTICE,
        notice_version=settings.PRIVACY_NOTICE_VERSION, withdrawn_at__isnull=True,
    ).exists()  # fmt: skip


class ConsentRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_consent(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('privacy_consent')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _must_consent(request) -> bool:
        if not getattr(settings, "HOCSO_CONSENT_GATE", True):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OPEN_PATHS):
            return False
        version = settings.PRIVACY_NOTICE_VERSION
        if request.session.get(SESSION_KEY) == version:
            return False
        if has_current_consent(user):
            request.session[SESSION_KEY] = version
            return False
        return True


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@login_required
def privacy_consent(request):
    """Read the current notice and accept it (an unticked box, ticked by the person)."""
    error = ""
    if request.method == "POST":
        if request.POST.get("accept") == "yes":
            if not has_current_consent(request.user):
                consent_record(
                    user=request.user, ip_address=client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )  # fmt: skip
            request.session[SESSION_KEY] = settings.PRIVACY_NOTICE_VERSION
            return redirect(_next(request))
        error = _("Tick the box to accept the privacy notice, or log out.")
    return TemplateResponse(
        request,
        "accounts/privacy_consent.html",
        {"version": settings.PRIVACY_NOTICE_VERSION, "next": _next(request), "error": error},
        status=400 if error else 200,
    )
