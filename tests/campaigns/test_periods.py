"""Report periods: calendar and cut-off-day months, quarters, halves, years, custom ranges."""

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from campaigns.reporting.periods import (
    KINDS,
    PeriodError,
    custom_period,
    period_containing,
    period_for,
    period_from_slug,
)

D = dt.date
ONE_DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    # Messages and labels are checked against their msgids, whatever the .po translates.
    with translation.override("en"):
        yield


def span(period):
    return period.start, period.end


# --- Calendar months, then spans and days in periods of cut-off days 1 and 15 -------------


@pytest.mark.parametrize(
    ("year", "month", "last_day"),
    [(2024, 2, 29), (2028, 2, 29), (2026, 2, 28), (2100, 2, 28), (2026, 1, 31), (2026, 4, 30)],
)
def test_calendar_month_runs_from_first_to_last_day(year, month, last_day):
    period = period_for(kind="month", year=year, index=month, cutoff_day=1)
    assert span(period) == (D(year, month, 1), D(year, month, last_day))
    assert period.days() == last_day


# Cut-off day 1 is the calendar; 15 is Nghị định 09/2019/NĐ-CP's (a month ends on the 14th).
@pytest.mark.parametrize(
    ("cutoff_day", "kind", "year", "index", "start", "end"),
    [
        (1, "quarter", 2026, 1, D(2026, 1, 1), D(2026, 3, 31)),
        (1, "quarter", 2026, 2, D(2026, 4, 1), D(2026, 6, 30)),
        (1, "quarter", 2026, 3, D(2026, 7, 1), D(2026, 9, 30)),
        (1, "quarter", 2026, 4, D(2026, 10, 1), D(2026, 12, 31)),
        (1, "half", 2026, 1, D(2026, 1, 1), D(2026, 6, 30)),
        (1, "half", 2026, 2, D(2026, 7, 1), D(2026, 12, 31)),
        (1, "year", 2026, 1, D(2026, 1, 1), D(2026, 12, 31)),
        (15, "month", 2026, 11, D(2026, 10, 15), D(2026, 11, 14)),
        (15, "month", 2027, 1, D(2026, 12, 15), D(2027, 1, 14)),
        (15, "month", 2024, 3, D(2024, 2, 15), D(2024, 3, 14)),
        (15, "quarter", 2026, 1, D(2025, 12, 15), D(2026, 3, 14)),
        (15, "quarter", 2026, 4, D(2026, 9, 15), D(2026, 12, 14)),
        (15, "half", 2026, 1, D(2025, 12, 15), D(2026, 6, 14)),
        (15, "half", 2026, 2, D(2026, 6, 15), D(2026, 12, 14)),
        (15, "year", 2026, 1, D(2025, 12, 15), D(2026, 12, 14)),
    ],
)
def test_period_spans(cutoff_day, kind, year, index, start, end):
    period = period_for(kind=kind, year=year, index=index, cutoff_day=cutoff_day)
    assert span(period) == (start, end)


@pytest.mark.parametrize(
    ("cutoff_day", "day", "kind", "year", "index"),
    [
        # Calendar: the edges of quarters, halves and years, and a leap day.
        (1, D(2026, 3, 31), "quarter", 2026, 1),
        (1, D(2026, 4, 1), "quarter", 2026, 2),
        (1, D(2026, 6, 30), "half", 2026, 1),
        (1, D(2026, 7, 1), "half", 2026, 2),
        (1, D(2026, 12, 31), "quarter", 2026, 4),
        (1, D(2027, 1, 1), "quarter", 2027, 1),
        (1, D(2024, 2, 29), "month", 2024, 2),
        (1, D(2024, 2, 29), "quarter", 2024, 1),
        # Cut-off 15: both sides of the 14th/15th, a period counted in the next year.
        (15, D(2026, 11, 14), "month", 2026, 11),
        (15, D(2026, 11, 15), "month", 2026, 12),
        (15, D(2026, 11, 20), "month", 2026, 12),
        (15, D(2026, 12, 14), "month", 2026, 12),
        (15, D(2026, 12, 15), "month", 2027, 1),
        (15, D(2026, 12, 15), "quarter", 2027, 1),
        (15, D(2026, 12, 15), "half", 2027, 1),
        (15, D(2026, 12, 15), "year", 2027, 1),
        (15, D(2026, 12, 14), "year", 2026, 1),
        (15, D(2026, 6, 14), "half", 2026, 1),
        (15, D(2026, 6, 15), "half", 2026, 2),
        (15, D(2024, 2, 29), "month", 2024, 3),
        (15, D(2024, 2, 14), "month", 2024, 2),
    ],
)
def test_period_containing(cutoff_day, day, kind, year, index):
    period = period_containing(day, kind=kind, cutoff_day=cutoff_day)
    assert (period.year, period.index) == (year, index)
    assert period.contains(day)


# --- Other cut-off days, local time, the setting -----------------------------------------


def test_cutoff_28_on_the_last_day_of_february():
    assert period_containing(D(2026, 2, 28), kind="month", cutoff_day=28).index == 3
    assert period_containing(D(2024, 2, 28), kind="month", cutoff_day=28).index == 3
    assert period_containing(D(2024, 2, 27), kind="month", cutoff_day=28).index == 2


def test_an_aware_datetime_counts_in_local_time():
    # 20:00 UTC on the 14th is 03:00 on the 15th in Hà Nội: past the cut-off.
    moment = dt.datetime(2026, 11, 14, 20, tzinfo=dt.UTC)
    assert period_containing(moment, kind="month", cutoff_day=15).index == 12
    assert period_for(kind="month", year=2026, index=12, cutoff_day=15).contains(moment)


def test_cutoff_defaults_to_the_setting(settings):
    settings.REPORT_CUTOFF_DAY = 15
    assert period_for(kind="month", year=2026, index=11).start == D(2026, 10, 15)
    settings.REPORT_CUTOFF_DAY = 1
    assert period_for(kind="month", year=2026, index=11).start == D(2026, 11, 1)


# --- previous() and tiling ----------------------------------------------------------------


@pytest.mark.parametrize("cutoff", [1, 15])
@pytest.mark.parametrize(
    ("kind", "index", "previous_index"), [("month", 1, 12), ("quarter", 1, 4), ("half", 1, 2)]
)
def test_previous_crosses_the_year_boundary(cutoff, kind, index, previous_index):
    period = period_for(kind=kind, year=2026, index=index, cutoff_day=cutoff)
    before = period.previous()
    assert (before.kind, before.year, before.index) == (kind, 2025, previous_index)
    assert before.end + ONE_DAY == period.start


def test_previous_year_and_previous_within_a_year():
    year = period_for(kind="year", year=2026, cutoff_day=15).previous()
    assert (year.year, span(year)) == (2025, (D(2024, 12, 15), D(2025, 12, 14)))
    assert period_for(kind="quarter", year=2026, index=3, cutoff_day=1).previous().index == 2


@pytest.mark.parametrize("cutoff", [1, 15, 28])
@pytest.mark.parametrize(("year", "length"), [(2024, 366), (2026, 365), (2100, 365)])
def test_the_periods_of_a_year_tile_it(cutoff, year, length):
    whole = period_for(kind="year", year=year, cutoff_day=cutoff)
    assert whole.days() == length
    for kind, count in [("month", 12), ("quarter", 4), ("half", 2)]:
        parts = [
            period_for(kind=kind, year=year, index=i, cutoff_day=cutoff)
            for i in range(1, count + 1)
        ]
        assert parts[0].start == whole.start and parts[-1].end == whole.end
        for before, after in zip(parts, parts[1:], strict=False):
            assert after.start == before.end + ONE_DAY
        assert sum(part.days() for part in parts) == length


# --- Labels and slugs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "index", "label", "slug"),
    [
        ("month", 11, "Month 11/2026", "2026-m11"),
        ("quarter", 1, "Quarter 1/2026", "2026-q1"),
        ("half", 1, "First half of 2026", "2026-h1"),
        ("half", 2, "Second half of 2026", "2026-h2"),
        ("year", 1, "Year 2026", "2026-y"),
    ],
)
def test_label_slug_and_round_trip(kind, index, label, slug):
    period = period_for(kind=kind, year=2026, index=index, cutoff_day=15)
    assert (period.label, period.slug) == (label, slug)
    assert period_from_slug(slug, cutoff_day=15) == period


def test_custom_period():
    period = custom_period(start=D(2026, 3, 5), end=D(2026, 4, 3))
    assert (period.kind, period.index, period.year, period.days()) == ("custom", 0, 2026, 30)
    assert period.slug == "20260305-20260403"
    assert period.label == "From 05/03/2026 to 03/04/2026"
    assert period_from_slug(period.slug) == period
    before = period.previous()
    assert span(before) == (D(2026, 2, 3), D(2026, 3, 4))
    assert before.days() == 30


def test_custom_period_up_to_exactly_five_years():
    assert custom_period(start=D(2020, 1, 1), end=D(2024, 12, 31)).days() == 1827
    assert custom_period(start=D(2024, 2, 29), end=D(2029, 2, 28)).end == D(2029, 2, 28)
    assert custom_period(start=D(2026, 1, 1), end=D(2026, 1, 1)).days() == 1


# --- Bad input ----------------------------------------------------------------------------

BAD_SLUG = "“{}” is not a report period."
KIND = "Unknown period kind “{}”: use one of month, quarter, half, year."
MONTH = "The month must be between 1 and 12."
YEAR = "The year must be between 2000 and 2100."
CUTOFF = "The cut-off day must be between 1 and 28 (1 means calendar periods)."
BACKWARDS = "The period ends before it starts."
TOO_LONG = "A period cannot be longer than five years."


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: period_for(kind="week", year=2026), KIND.format("week")),
        (lambda: period_containing(D(2026, 1, 1), kind="day"), KIND.format("day")),
        (lambda: period_for(kind="month", year=2026, index=13), MONTH),
        (lambda: period_for(kind="month", year=2026, index=0), MONTH),
        (lambda: period_for(kind="month", year=2026, index="1"), MONTH),
        (lambda: period_for(kind="month", year=2026, index=True), MONTH),
        (
            lambda: period_for(kind="quarter", year=2026, index=5),
            "The quarter must be between 1 and 4.",
        ),
        (
            lambda: period_for(kind="half", year=2026, index=3),
            "The half must be 1 (first half) or 2 (second half).",
        ),
        (lambda: period_for(kind="year", year=2026, index=2), "A yearly period has index 1 only."),
        (lambda: period_for(kind="year", year=1999), YEAR),
        (lambda: period_for(kind="year", year=2101), YEAR),
        (lambda: period_for(kind="year", year="2026"), YEAR),
        (lambda: period_for(kind="year", year=2026, cutoff_day=0), CUTOFF),
        (lambda: period_for(kind="year", year=2026, cutoff_day=29), CUTOFF),
        (lambda: period_containing(D(2026, 1, 1), kind="month", cutoff_day=31), CUTOFF),
        (lambda: custom_period(start=D(2026, 5, 2), end=D(2026, 5, 1)), BACKWARDS),
        (lambda: custom_period(start=D(2020, 1, 1), end=D(2025, 1, 1)), TOO_LONG),
        (lambda: custom_period(start=D(2024, 2, 29), end=D(2029, 3, 1)), TOO_LONG),
        (lambda: period_from_slug("2026-m13"), MONTH),
        (lambda: period_from_slug("1999-y"), YEAR),
        (lambda: period_from_slug("20260501-20260401"), BACKWARDS),
    ],
)
def test_bad_input_raises_a_readable_error(call, message):
    with pytest.raises(PeriodError) as error:
        call()
    assert str(error.value) == message


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "2026",
        "2026-m",
        "2026-m0",
        "2026-m01",
        "2026-x1",
        "2026-y1",
        "26-m1",
        "2026-m1 ",
        "２０２６-m1",
        "20261301-20261302",
        "2026-03-05",
        None,
    ],
)
def test_garbage_slugs_raise(slug):
    with pytest.raises(PeriodError) as error:
        period_from_slug(slug, cutoff_day=1)
    assert str(error.value) == BAD_SLUG.format(slug)


def test_a_bad_setting_is_reported(settings):
    settings.REPORT_CUTOFF_DAY = 31
    with pytest.raises(PeriodError, match="cut-off day"):
        period_containing(D(2026, 1, 1), kind="month")


# --- Property -----------------------------------------------------------------------------


@given(
    day=st.dates(
        min_value=D(2000, 1, 1), max_value=D(2100, 11, 30)
    ),  # periods of 2101 are out of range
    kind=st.sampled_from(KINDS),
    cutoff=st.integers(min_value=1, max_value=28),
)
def test_every_day_lies_in_its_period_and_periods_follow_each_other(day, kind, cutoff):
    period = period_containing(day, kind=kind, cutoff_day=cutoff)
    assert period.contains(day)
    assert period.previous().end + ONE_DAY == period.start
    assert period_from_slug(period.slug, cutoff_day=cutoff) == period
