"""Pages behind the MFA policy (accounts.mfa): admin and manager pages."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.mfa import mfa_can_enrol, mfa_enrolled, mfa_satisfied


class MfaRequiredMiddleware:
    """Someone whose role requires MFA opens a protected page (`HOCSO_MFA_PROTECTED_PATHS`)
    only in a session that proved a second factor. Not enrolled yet: sent to enrol an
    authenticator app. Enrolled, but this session never gave a code (a session older than
    the enrolment or than this policy): sent to allauth's page that asks for one. Learners
    never match a role, so nothing changes for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._admin_refused(request):
            # Wagtail sends a signed-in person without admin access to the log-in page with
            # next=/admin/..., which would send them straight back: say no instead of looping.
            return render(request, "accounts/admin_forbidden.html", status=403)
        if self._guarded(request) and not mfa_satisfied(request):
            if not mfa_enrolled(request.user):
                if not mfa_can_enrol(request.user):
                    # allauth sets MFA up only on a verified address (against account
                    # squatting): the e-mail page offers to send the confirmation again.
                    messages.warning(
                        request,
                        _("Your role requires two-factor authentication, which can be set "
                          "up once your e-mail address is confirmed. Confirm it first."),
                    )  # fmt: skip
                    return redirect("account_email")
                messages.warning(
                    request,
                    _("Your role requires two-factor authentication. Set up an "
                      "authenticator app on your phone to continue."),
                )  # fmt: skip
                return redirect("mfa_activate_totp")
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _admin_refused(request) -> bool:
        return (
            request.path_info == reverse("account_login")
            and request.GET.get("next", "").startswith("/admin/")
            and request.user.is_authenticated
            and not request.user.has_perm("wagtailadmin.access_admin")
        )

    @staticmethod
    def _guarded(request) -> bool:
        path = request.path_info
        if not path.startswith(tuple(settings.HOCSO_MFA_PROTECTED_PATHS)):
            return False
        # Leaving is always allowed.
        if path == reverse("wagtailadmin_logout"):
            return False
        return request.user.is_authenticated
