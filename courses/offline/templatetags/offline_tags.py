"""{% offline_head %} in base.html's <head>: the web app manifest, and offline.js with what
it needs to know (service worker, sync and logout addresses, the signed-in person, whether
this page is a stored offline copy) and its words, in a json_script block (no inline
script: cms/headers.py)."""

from django import template
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signals import setting_changed
from django.core.signing import salted_hmac
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def offline_strings() -> dict:
    return {
        "offline": _("You are offline. Stored lessons still open."),
        "saved": _("Saved on this phone. It will be sent when the network is back."),
        "videoSaved": _("Video watched. It will count when the network is back."),
        "needsNetwork": _(
            "Quizzes and H5P activities need the network. "
            "Come back to this lesson when you are online."
        ),
        "synced": _("Your progress has been sent."),
        "refused": _("Some progress was not counted:"),
        "aboutSize": _("Lessons, images and documents: about %(size)s"),
        "videoSize": _("Videos (360p): %(size)s"),
        "noVideo": _("This course has no video to download."),
        "downloading": _("Downloading… %(done)s of %(total)s"),
        "downloaded": _("Downloaded · %(size)s"),
        "failed": _("The download did not finish. Check the connection and try again."),
        "removed": _("The download was removed from this phone."),
        "badge": _("Downloaded"),
        "spaceUsed": _("Downloaded courses use %(size)s on this phone."),
        "noneDownloaded": _("No course downloaded yet."),
        "unsupported": _("This browser cannot keep courses for offline use."),
        "updated": _("The downloaded copy was updated."),
    }


def user_key(user) -> str:
    """An opaque key of the signed-in person: a change of person on the phone wipes what
    the previous one stored."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return salted_hmac("courses.offline.user", str(user.pk)).hexdigest()[:20]


# The rendered head per language, offline copy or not, script prefix and URL configuration:
# the same for everyone but the user key, put in each time (issue 16: five reversed URLs,
# two static names and twenty translated strings per page otherwise). Cleared when a
# setting changes (tests).
_heads: dict[tuple, str] = {}
_NO_USER = ' data-user=""'


def _heads_clear(**_kwargs) -> None:
    _heads.clear()


setting_changed.connect(_heads_clear, dispatch_uid="courses.offline.heads_clear")


def _head(offline_copy: bool) -> str:
    key = (get_language(), offline_copy, get_script_prefix(), get_urlconf())
    html = _heads.get(key)
    if html is None:
        html = render_to_string(
            "offline/head.html",
            {
                "user_key": "",
                "offline_copy": offline_copy,
                "sw_url": reverse("courses:offline:service_worker"),
                "sync_url": reverse("courses:offline:sync"),
                "offline_url": reverse("courses:offline:page"),
                "logout_url": reverse("account_logout"),
                "manifest_url": reverse("courses:offline:manifest"),
                "script_url": staticfiles_storage.url("offline/offline.js"),
                "css_url": staticfiles_storage.url("offline/offline.css"),
                "strings": offline_strings(),
            },
        )
        if len(_heads) >= 64:  # a bound; a handful of keys in practice
            _heads.clear()
        _heads[key] = html
    return html


@register.simple_tag(takes_context=True)
def offline_head(context):
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    html = _head(bool(context.get("offline_copy")))
    # The "Ngoại tuyến" page is one copy for everyone: it names no one.
    key = "" if context.get("offline_shell") else user_key(user)
    if key:  # hex digits: nothing to escape
        html = html.replace(_NO_USER, f' data-user="{key}"', 1)
    return mark_safe(html)  # noqa: S308 - offline/head.html's own output (autoescaped)
