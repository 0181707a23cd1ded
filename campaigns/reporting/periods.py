"""Report periods: months, quarters, halves and years, by the calendar or by a cut-off day.

Use this module whenever a report, export or dashboard has to say which period a number
belongs to, name that period to a person (`label`) or to a URL (`slug`), or compare it with
the period before (`previous`). Pure Python: no models, no queries.

Two conventions, chosen by the cut-off day (`settings.REPORT_CUTOFF_DAY` unless given):

- 1, the calendar: month M is day 1 to its last day, Q1 is 1 January to 31 March, and so on.
- N in 2..28, Vietnam's reporting regime (Nghị định 09/2019/NĐ-CP art. 12, N = 15): the
  report for month M covers day N of month M-1 to day N-1 of month M, so January 2027 is
  2026-12-15..2027-01-14. A quarter, half or year runs from the start of its first month's
  report to the end of its last month's, so Q1 2026 is 2025-12-15..2026-03-14.

A period is named by the year and index of the report it feeds, i.e. the year of its end.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

KINDS = ("month", "quarter", "half", "year")
CUSTOM = "custom"
MIN_YEAR, MAX_YEAR = 2000, 2100
# Day 28 exists in every month, so day N and day N-1 exist in every month for any N up to 28.
MAX_CUTOFF_DAY = 28

# Months per period: the period of index i spans reporting months (i-1)*k+1 .. i*k.
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_SLUG_LETTERS = {"month": "m", "quarter": "q", "half": "h", "year": "y"}
_KIND_BY_LETTER = {letter: kind for kind, letter in _SLUG_LETTERS.items()}
_INDEX_ERRORS = {
    "month": gettext_noop("The month must be between 1 and 12."),
    "quarter": gettext_noop("The quarter must be between 1 and 4."),
    "half": gettext_noop("The half must be 1 (first half) or 2 (second half)."),
    "year": gettext_noop("A yearly period has index 1 only."),
}
# ASCII only: \d would otherwise accept other scripts' digits from a URL.
_SLUG_RE = re.compile(r"(\d{4})-(?:([mqh])([1-9]\d?)|y)|(\d{8})-(\d{8})", re.ASCII)


class PeriodError(ValueError):
    """A period that cannot exist; `str(error)` is translated and fit to show to the user."""


@dataclass(frozen=True)
class Period:
    """One report period, both ends inclusive. Build it with the functions below.

    For a custom period kind is "custom", index 0, year the year of its end, and
    cutoff_day 1 (custom periods are plain calendar days).
    """

    kind: str
    year: int
    index: int
    start: dt.date
    end: dt.date
    cutoff_day: int

    @property
    def label(self) -> str:
        """The translated name to show: "Tháng 11/2026", "Quý 1/2026", "Năm 2026"."""
        values = {"index": self.index, "year": self.year}
        if self.kind == "month":
            return gettext("Month %(index)s/%(year)s") % values
        if self.kind == "quarter":
            return gettext("Quarter %(index)s/%(year)s") % values
        if self.kind == "half" and self.index == 1:
            return gettext("First half of %(year)s") % values
        if self.kind == "half":
            return gettext("Second half of %(year)s") % values
        if self.kind == "year":
            return gettext("Year %(year)s") % values
        # Day/month/year is how Vietnamese documents write dates.
        dates = {"start": f"{self.start:%d/%m/%Y}", "end": f"{self.end:%d/%m/%Y}"}
        return gettext("From %(start)s to %(end)s") % dates

    @property
    def slug(self) -> str:
        """The name for URLs and file names ("2026-m11", "2026-y"); see `period_from_slug`."""
        if self.kind == CUSTOM:
            return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"
        if self.kind == "year":
            return f"{self.year}-y"
        return f"{self.year}-{_SLUG_LETTERS[self.kind]}{self.index}"

    def previous(self) -> "Period":
        """The period of the same kind just before, for "change since last period"."""
        if self.kind == CUSTOM:
            length = dt.timedelta(days=self.days())
            return custom_period(start=self.start - length, end=self.end - length)
        return _containing(self.start - dt.timedelta(days=1), self.kind, self.cutoff_day)

    def contains(self, day: dt.date) -> bool:
        """Whether a date (or an aware datetime, taken in local time) falls in the period."""
        return self.start <= _as_date(day) <= self.end

    def days(self) -> int:
        """The number of days in the period, both ends counted."""
        return (self.end - self.start).days + 1


def period_for(*, kind: str, year: int, index: int = 1, cutoff_day: int | None = None) -> Period:
    """The period a person asked for by kind, year and index; validates everything."""
    _check_kind(kind)
    cutoff = _cutoff(cutoff_day)
    if not _is_int(year) or not MIN_YEAR <= year <= MAX_YEAR:
        message = gettext("The year must be between %(min)s and %(max)s.")
        raise PeriodError(message % {"min": MIN_YEAR, "max": MAX_YEAR})
    if not _is_int(index) or not 1 <= index <= 12 // _MONTHS[kind]:
        raise PeriodError(gettext(_INDEX_ERRORS[kind]))
    return _build(kind, year, index, cutoff)


def period_containing(day: dt.date, *, kind: str, cutoff_day: int | None = None) -> Period:
    """The period a day falls in, e.g. to file today's numbers or open the current report.

    Any date is accepted (no year range: the day comes from data, not from a person).
    """
    _check_kind(kind)
    return _containing(_as_date(day), kind, _cutoff(cutoff_day))


def period_from_slug(slug: str, *, cutoff_day: int | None = None) -> Period:
    """The period a URL or file name names: the inverse of `Period.slug`."""
    match = _SLUG_RE.fullmatch(slug) if isinstance(slug, str) else None
    if match is None:
        raise PeriodError(gettext("“%(slug)s” is not a report period.") % {"slug": slug})
    year, letter, index, start, end = match.groups()
    if start:
        try:
            start_day, end_day = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        except ValueError:
            raise PeriodError(
                gettext("“%(slug)s” is not a report period.") % {"slug": slug}
            ) from None
        return custom_period(start=start_day, end=end_day)
    kind = _KIND_BY_LETTER[letter or "y"]
    return period_for(kind=kind, year=int(year), index=int(index or 1), cutoff_day=cutoff_day)


def custom_period(*, start: dt.date, end: dt.date) -> Period:
    """A period of any dates a person picked, up to five years long."""
    start, end = _as_date(start), _as_date(end)
    if end < start:
        raise PeriodError(gettext("The period ends before it starts."))
    try:
        limit = start.replace(year=start.year + 5)
    except ValueError:  # 29 February five years on does not exist: the limit is 1 March.
        limit = dt.date(start.year + 5, 3, 1)
    if end >= limit:
        raise PeriodError(gettext("A period cannot be longer than five years."))
    return Period(kind=CUSTOM, year=end.year, index=0, start=start, end=end, cutoff_day=1)


def _check_kind(kind):
    if kind not in KINDS:
        message = gettext("Unknown period kind “%(kind)s”: use one of %(kinds)s.")
        raise PeriodError(message % {"kind": kind, "kinds": ", ".join(KINDS)})


def _cutoff(cutoff_day):
    cutoff = getattr(settings, "REPORT_CUTOFF_DAY", 1) if cutoff_day is None else cutoff_day
    if not _is_int(cutoff) or not 1 <= cutoff <= MAX_CUTOFF_DAY:
        message = gettext(
            "The cut-off day must be between 1 and %(max)s (1 means calendar periods)."
        )
        raise PeriodError(message % {"max": MAX_CUTOFF_DAY})
    return cutoff


def _is_int(value):
    # bool is an int subclass, but True is no year, index or day.
    return isinstance(value, int) and not isinstance(value, bool)


def _as_date(day):
    # A datetime is a date subclass whose .day is the UTC day when it is stored in UTC:
    # take the local day instead (localdate refuses naive datetimes, as it should).
    return timezone.localdate(day) if isinstance(day, dt.datetime) else day


def _first_day(year, month, cutoff):
    # Reporting month `month` (may overflow to 0 or 13) starts on day 1 of that month by the
    # calendar, or on the cut-off day of the month before.
    if cutoff > 1:
        month -= 1
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, cutoff)


def _build(kind, year, index, cutoff):
    first_month = (index - 1) * _MONTHS[kind] + 1
    start = _first_day(year, first_month, cutoff)
    end = _first_day(year, first_month + _MONTHS[kind], cutoff) - dt.timedelta(days=1)
    return Period(kind=kind, year=year, index=index, start=start, end=end, cutoff_day=cutoff)


def _containing(day, kind, cutoff):
    year, month = day.year, day.month
    if cutoff > 1 and day.day >= cutoff:  # from the cut-off on, the day feeds next month's report
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _build(kind, year, (month - 1) // _MONTHS[kind] + 1, cutoff)
