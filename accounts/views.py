"""One log-in path: the Wagtail admin's log-in and password-reset addresses hand over to
allauth's pages (rate limits, MFA), keeping where the person was going."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt


def _handover(request, url_name: str, default_next: str):
    target = request.GET.get("next") or request.POST.get("next") or default_next
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default_next
    return redirect(f"{reverse(url_name)}?{urlencode({'next': target})}")


# csrf_exempt: the view never authenticates nor changes anything; a POST (a password sent
# to the old form) is answered with the same redirect, never with a session.
@csrf_exempt
def admin_login(request):
    """/admin/login/ (Wagtail) and /django-admin/login/: to allauth's log-in."""
    return _handover(request, "account_login", reverse("wagtailadmin_home"))


@csrf_exempt
def admin_password_reset(request, rest=""):
    """/admin/password_reset/...: to allauth's password reset."""
    return redirect("account_reset_password")
