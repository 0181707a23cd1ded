"""The signed-in person from the cache (issue 16), and pages behind the MFA policy
(accounts.mfa): admin and manager pages.

**The user row from the cache.** Django's AuthenticationMiddleware reads the user's row from
the database on every request. `CachedUserMiddleware` reads it from the cache (plain field
values under the user's id, never a model instance with what a request hung on it, never
the password's hash) and serves it only as Django would: the session still names that user
and backend, the copy is active, and the session's hash is exactly the row's
`get_session_auth_hash()` (the password's HMAC under the current SECRET_KEY), kept with the
copy when it was made. Anything else (no copy, inactive, another hash, fallback secrets) goes
Django's own way, `auth.get_user`, which reads the database and flushes a session whose
password changed. The copy is forgotten whenever the row is saved or deleted (a password
set, a deactivation, a name or e-mail changed, the last log-in), at once and again when the
transaction commits (`user_forget`, connected in AccountsConfig.ready); log-out everywhere
deletes the sessions themselves. Writes that send no signal (a queryset's update: the phone
taken from an unverified holder; an import's bulk_update of names) are bounded by the copy's
lifetime: `USER_CACHE_SECONDS` with a shared cache (Redis), `cms.cache.LOCAL_CACHE_SECONDS`
with a per-process one, whose other processes never hear of a change. With the cache down
every read is a miss: the database answers, as before.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import cache
from django.db import router
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from accounts.mfa import mfa_can_enrol, mfa_enrolled, mfa_satisfied
from cms.cache import ahead_begin, ahead_end, cache_seconds, forget, read_ahead

logger = logging.getLogger(__name__)

USER_KEY = "accounts:user:v1:{}"
USER_CACHE_SECONDS = 300
# Never kept in the cache: the password's hash. The copy carries the session hash made from
# it (an HMAC with SECRET_KEY, as the session itself stores), marked with the key it was made
# with, so that a new SECRET_KEY is never matched by a copy made with the old one.
_NOT_KEPT = ("password",)


def _user_key(user_id) -> str:
    return USER_KEY.format(user_id)


def _guarded(call, default=None):
    """A cache operation; any backend's error is a miss or a skipped write (as the session
    store's, cms.sessions): the user is read from the database."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - any backend's error is a miss
        logger.warning("user cache unavailable, using the database: %s", exc)
        return default


def user_forget(sender=None, instance=None, **_kwargs) -> None:
    """Receiver of the user model's post_save and post_delete: the cached row goes."""
    forget([_user_key(instance.pk)])


def _kept_names(model) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname not in _NOT_KEPT)


def _key_mark() -> str:
    return salted_hmac("accounts.middleware.user-copy", "", algorithm="sha256").hexdigest()[:16]


def _user_remember(user) -> None:
    names = _kept_names(type(user))
    values = [user.__dict__.get(name) for name in names]
    seconds = cache_seconds(USER_CACHE_SECONDS)
    row = (names, values, user.get_session_auth_hash(), _key_mark())
    _guarded(lambda: cache.set(_user_key(user.pk), row, seconds))


def _user_from_cache(request):
    """The session's user from the cached row, when Django's own check would pass on it;
    else None (the caller asks Django). The password is left deferred: read from the
    database only if something asks for it."""
    session = request.session
    try:
        user_id = session[auth.SESSION_KEY]
        backend_path = session[auth.BACKEND_SESSION_KEY]
        session_hash = session[auth.HASH_SESSION_KEY]
    except KeyError:
        return None
    if not session_hash or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    model = auth.get_user_model()
    user_id = model._meta.pk.to_python(user_id)
    key = _user_key(user_id)
    if request.method in ("GET", "HEAD"):
        # A page: the row with what its header and page read of the cache, in one round
        # trip (cms.cache.read_ahead: the bell, the manager flag, the pages generation).
        row = _guarded(lambda: read_ahead(user_id, key))
    else:
        row = _guarded(lambda: cache.get(key))
    if row is None:
        return None
    names, values, auth_hash, mark = row
    if names != _kept_names(model) or mark != _key_mark():  # another schema, another key
        return None
    if not constant_time_compare(session_hash, auth_hash):
        return None
    user = model.from_db(router.db_for_read(model), names, values)
    if user.pk != user_id or not user.is_active:
        return None
    return user


def cached_user(request):
    """`django.contrib.auth.get_user(request)`, the user's row from the cache when it can."""
    user = _user_from_cache(request)
    if user is None:
        user = auth.get_user(request)
        if user.is_authenticated:
            _user_remember(user)
    return user


def _request_user(request):
    if not hasattr(request, "_cached_user"):  # as Django's middleware: log-in replaces it
        request._cached_user = cached_user(request)
    return request._cached_user


class CachedUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware with the user's row from the cache (see above), and
    the request's read-ahead of the cache (cms.cache.read_ahead) begun and ended."""

    def __call__(self, request):
        token = ahead_begin()
        try:
            return super().__call__(request)
        finally:
            ahead_end(token)

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _request_user(request))
        if request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME in request.COOKIES:
            # A page of someone with a session: the person first, so that their row and
            # what the page reads of the cache come in one round trip, whatever reads first.
            _request_user(request)


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
        # The query first: the log-in page's address is reversed only for ?next=/admin/...
        return (
            request.GET.get("next", "").startswith("/admin/")
            and request.path_info == reverse("account_login")
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
