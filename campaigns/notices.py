"""The learner's in-app notices (the header's bell): reads for the bell and the list, and
the "certificate ready" notice.

Notices are written by the services that cause them: `campaign_assign` (new assignment),
`notify.reminders_send` and the managers' manual reminders (deadline near or passed), and
here for certificates, which the courses floor issues: it cannot call up into campaigns, so
`certificate_notice_received` listens to `courses.signals.learning_event` (measure
"certified"), a side effect in the issuing transaction like the rollups' receiver.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from campaigns import courses_bridge
from campaigns.models import Notice
from campaigns.notice_counts import unread_count
from campaigns.services import notice_create

LIST_SIZE = 50


def notices_unread_count(*, user) -> int:
    """The bell's number: from the cache, else one COUNT on the (user, read_at) index
    (campaigns.notice_counts)."""
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user.pk)


def notices_of(*, user, limit: int = LIST_SIZE) -> list[Notice]:
    """The user's newest notices (one query)."""
    return list(Notice.objects.filter(user=user).order_by("-created_at", "-pk")[:limit])


def certificate_notice_received(sender, *, user_id, course_id, measure, delta=1, **kwargs):
    """Receiver of `courses.signals.learning_event`: a new certificate -> a notice."""
    if measure != "certified" or delta <= 0:
        return

    title = courses_bridge.course_titles([course_id]).get(course_id)
    try:
        url = reverse("certificates:mine")
    except NoReverseMatch:
        url = ""
    notice_create(
        user_id=user_id,
        kind=Notice.Kind.CERTIFICATE,
        message=_("Your certificate for “%(course)s” is ready.") % {"course": title or ""},
        url=url,
    )
