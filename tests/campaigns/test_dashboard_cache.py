"""Issue 16, the dashboard at a million learners: the sums a manager's page reads from the
rollup tables are cached under the rollups' generation (aggregates.rollup_cached), keyed by
the subject and the scope's agency ids. A repeated page reads no rollup row; every write to
the rollups (a completion, a rebuild) forgets them, so the figures stay exact; a neighbour's
sums are never served; an agency moved in the tree is a new scope; Redis down is a miss."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import services
from campaigns.agencies.services import agency_move
from campaigns.models import Agency
from campaigns.reporting import aggregates, rollups
from courses.models import Enrolment
from courses.services import course_complete
from tests.campaigns.test_dashboard import cells, course, month_slug, world
from tests.resilience.conftest import CLOSED_PORT_URL
from tests.resilience.test_redis_down import resilient_cache

FIXTURES = (course, world)  # imported pytest fixtures
ROLLUP_TABLES = ("campaigns_rollupday", "campaigns_rollupmonth", "campaigns_rolluptotal")


@pytest.fixture
def rollup_cache(settings):
    """The rollup cache on, over the tests' local-memory cache (one process)."""
    settings.ROLLUP_CACHE = True


def page(client, url):
    """The page's HTML and the tables of the rollups its queries read."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    read = [q["sql"] for q in queries if any(t in q["sql"] for t in ROLLUP_TABLES)]
    return response.content.decode(), len(queries), read


def test_a_repeated_dashboard_reads_no_rollup_row(world, client, rollup_cache):
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    client.get(url)  # the session, the campaigns' memo: as in the query-count test
    cache.delete(rollups.GENERATION_KEY)
    _html, missed, read = page(client, url)
    # A miss reads three sums of rollup rows: the totals grouped by agency, the per-course
    # totals and the monthly trend (test_dashboard counts the page's every query).
    assert len(read) == 3
    html, hit, read = page(client, url)
    assert (hit, read) == (missed - 3, [])  # a hit: the same queries but those three
    assert cells(html, "SNV-TC")[:5] == ["Phòng Tổ chức biên chế", "5", "2", "2", "1 (20,0%)"]


def test_the_dashboards_reads_hit_and_miss(world, rollup_cache, django_assert_num_queries):
    subject = aggregates.Subject.of(world["campaign"])
    snv = Agency.objects.get(pk=world["snv"].pk)  # its path as now (siblings were added)

    def reads():
        data = aggregates.dashboard(parent=snv, roots=[], subject=subject)
        ids = data["agency_ids"]
        courses = aggregates.course_breakdown(agency_ids=ids, subject=subject)
        months = aggregates.trend(agency_ids=ids, subject=subject)
        weeks = aggregates.trend(agency_ids=ids, subject=subject, weekly=True)
        return data["headline"], courses, months, weeks

    # A miss: 1 agencies of the subtree; 1 rollup totals grouped by agency; 1 headcounts;
    # 1 the campaign's targets; 1 per-course totals; 1 course titles; 1 monthly trend; 2
    # the weekly trend (totals, then the days of the last 26 weeks).
    with django_assert_num_queries(9):
        missed = reads()
    # A hit: 1 agencies; 1 headcounts; 1 targets; 1 course titles (not rollup sums: titles,
    # headcounts and targets change without a rollup write).
    with django_assert_num_queries(4):
        hit = reads()
    assert hit == missed
    assert (missed[0].completed, missed[1][0]["completed"]) == (2, 2)
    assert aggregates.dashboard(parent=snv, roots=[], subject=subject)["agency_ids"] == sorted(
        [snv.pk, world["unit"].pk]
    )


def test_a_completion_forgets_the_cached_sums(world, client, rollup_cache):
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    page(client, url)
    # The unit's second learner completes the course: one more completion for the unit.
    other = world["unit_people"][1]
    course_complete(enrolment=Enrolment.objects.get(user=other, course=world["course"]))
    services.assignments_refresh_completion(campaign=world["campaign"])
    html, _count, read = page(client, url)
    assert len(read) == 3  # read again
    assert cells(html, "SNV-TC")[4] == "2 (40,0%)"
    assert page(client, url)[2] == []  # and cached again


def test_a_rebuild_forgets_the_cached_sums(world, client, rollup_cache):
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    assert cells(page(client, url)[0], "SNV-TC")[4] == "1 (20,0%)"
    for model in (rollups.RollupDay, rollups.RollupMonth, rollups.RollupTotal):
        model.objects.all().delete()  # not a write the app makes: the cache does not know
    assert cells(page(client, url)[0], "SNV-TC")[4] == "1 (20,0%)"
    rollups.rollups_rebuild()  # the repair forgets
    for model in (rollups.RollupDay, rollups.RollupMonth, rollups.RollupTotal):
        model.objects.all().delete()
    assert cells(page(client, url)[0], "SNV-TC")[4] == "0 (0,0%)"


def test_a_neighbours_cached_sums_are_never_served(world, client, manager_of, rollup_cache):
    syt_manager = manager_of(world["syt"])
    client.force_login(world["manager"])
    snv = page(client, reverse("campaigns:dashboard"))
    client.force_login(syt_manager)
    syt = page(client, reverse("campaigns:dashboard"))
    assert "Sở Y tế" in syt[0] and "Sở Nội vụ" not in syt[0]
    assert len(syt[2]) == 3  # its own sums, read, not Sở Nội vụ's
    # Sở Y tế: 3 assigned, 2 completed; Sở Nội vụ: 4 assigned, 2 completed.
    assert cells(syt[0], "SYT")[3:5] == ["3", "2 (25,0%)"]
    assert cells(snv[0], "SNV")[3:5] == ["4", "2 (20,0%)"]


def test_an_agency_moved_in_the_tree_is_another_scope(world, client, rollup_cache):
    """A move writes no rollup row (they are kept by agency id): the cached sums are keyed by
    the scope's agency ids, not its path, so the department's page drops the unit at once."""
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    assert "Phòng Tổ chức biên chế" in page(client, url)[0]
    agency_move(agency=world["unit"], new_parent=world["syt"])
    html, _count, read = page(client, url)
    assert "Phòng Tổ chức biên chế" not in html and len(read) == 3
    # Sở Nội vụ alone: headcount 5, target 80% of 5, 2 registered, 2 assigned, 1 completed.
    headline = html[html.index('class="stats camp-stats"') : html.index("</dl>")]
    figures = [
        re.sub(r"<[^>]+>", "", d).strip()
        for d in re.findall(r"<dd[^>]*>(.*?)</dd>", headline, re.S)
    ]
    assert figures[:5] == ["5", "4", "2", "2", "1"]


def test_report_periods_are_cached_by_period(world, client, rollup_cache):
    client.force_login(world["manager"])
    url = reverse("campaigns:report", args=[world["snv"].pk]) + f"?period={month_slug()}"
    client.get(url)
    cache.delete(rollups.GENERATION_KEY)
    _html, missed, read = page(client, url)
    assert len(read) == 2  # the two trees' month (or day) rows
    html, hit, read = page(client, url)
    assert (hit, read) == (missed - 2, [])
    other = reverse("campaigns:report", args=[world["snv"].pk]) + "?period=2025-y"
    assert len(page(client, other)[2]) == 2  # another period: its own sums


def test_redis_down_the_page_reads_the_rollups(world, client, settings):
    """ROLLUP_CACHE unset: on with a shared cache (Redis); Redis down: a miss each time."""
    settings.CACHES = resilient_cache(CLOSED_PORT_URL)
    assert aggregates.rollup_cache_on()
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    for _ in range(2):
        html, _count, read = page(client, url)
        assert len(read) == 3
        assert cells(html, "SNV-TC")[4] == "1 (20,0%)"


def test_off_with_a_process_local_cache(settings):
    """Another process (a gunicorn worker, a Celery worker) would not hear this one's
    writes: without Redis the sums are not cached unless ROLLUP_CACHE says so."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not aggregates.rollup_cache_on()
    settings.ROLLUP_CACHE = True
    assert aggregates.rollup_cache_on()
