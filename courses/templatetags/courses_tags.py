"""Template tags of the courses floor: for lower floors' templates (the home page) and the
courses' own (deadlines)."""

import datetime as dt
from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from cms.pages import public_q
from courses.models import CoursePage

register = template.Library()


@register.simple_tag
def featured_courses(count=4):
    """`{% featured_courses 4 as courses %}`: live courses flagged "featured" first, then
    the newest; one query (cover images are fetched with the courses)."""
    return list(
        CoursePage.objects.live()
        .filter(public_q())  # .public() without its query (cms.pages: cached)
        .select_related("cover_image")
        .order_by("-featured", "-first_published_at", "-pk")[: int(count)]
    )


@dataclass(frozen=True)
class Deadline:
    days: int  # whole local days from today to the due day; negative when overdue
    state: str  # "ahead", "soon" (3 days or less), "today" or "overdue"
    text: str


def deadline_of(due_at, *, today=None) -> Deadline | None:
    """Days left before a deadline, counted in local calendar days (a due date of
    31/12 23:59 is "today" all of 31/12): "Còn 5 ngày", "Hôm nay là hạn cuối",
    "Quá hạn 3 ngày"."""
    if due_at is None:
        return None
    today = today or timezone.localdate()
    due_day = timezone.localdate(due_at) if isinstance(due_at, dt.datetime) else due_at
    days = (due_day - today).days
    if days < 0:
        text = ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}
        return Deadline(days, "overdue", text)
    if days == 0:
        return Deadline(0, "today", gettext("Today is the deadline"))
    text = ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    return Deadline(days, "soon" if days <= 3 else "ahead", text)


@register.filter
def deadline(due_at):
    """`{% with d=enrolment.due_at|deadline %}{{ d.text }}{% endwith %}` (None: no due date)."""
    return deadline_of(due_at)
