"""Issue 16, the dashboard at a million learners: the sums a manager's page reads from the
rollup tables are a snapshot (aggregates.rollup_cached), at most SNAPSHOT_SECONDS old, read
afresh by the beat task campaigns.dashboard_snapshot before it expires. The dashboards' sums
are the whole province's by agency, so the root, a department and a unit read one snapshot
and agree. A repeated page reads no rollup row; the live writes do not forget the snapshot
(the page says when it was read); a rebuild does; an agency moved in the tree is summed by
its ids; Redis down is a miss. A neighbour's figures: tests/security/test_dashboard_snapshot.py."""

import datetime as dt
import io
import re
import time
import types

import openpyxl
import pytest
from django.core.cache import cache
from django.core.cache.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns import services, tasks
from campaigns.agencies.services import agency_move
from campaigns.models import Agency
from campaigns.reporting import aggregates, periods, rollups
from cms.celery import app
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


def test_a_completion_shows_in_the_next_snapshot_not_at_once(world, client, rollup_cache):
    """The live writes leave the snapshot (a province's events arrive every few seconds:
    forgetting it on each left the pages cold); the beat task's refresh, or the snapshot's
    age, brings the completion in."""
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    assert cells(page(client, url)[0], "SNV-TC")[4] == "1 (20,0%)"
    # The unit's second learner completes the course: one more completion for the unit.
    other = world["unit_people"][1]
    course_complete(enrolment=Enrolment.objects.get(user=other, course=world["course"]))
    services.assignments_refresh_completion(campaign=world["campaign"])
    html, _count, read = page(client, url)
    assert (cells(html, "SNV-TC")[4], read) == ("1 (20,0%)", [])  # the snapshot, unchanged
    assert tasks.dashboard_snapshot() == {"subjects": 2}  # the campaign and all courses
    html, _count, read = page(client, url)
    assert (cells(html, "SNV-TC")[4], read) == ("2 (40,0%)", [])  # refreshed, found warm


def test_a_snapshot_is_read_again_once_older_than_its_age(
    world, client, rollup_cache, monkeypatch, settings
):
    """Without the beat task, a page past SNAPSHOT_SECONDS reads the rows again. The entry's
    age is the cache's own (its timeout): over a local-memory cache, whose clock the test
    moves (CI's Redis keeps its own)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "snapshot-age"}}  # fmt: skip
    from django.core.cache import cache

    cache.clear()
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    page(client, url)
    other = world["unit_people"][1]
    course_complete(enrolment=Enrolment.objects.get(user=other, course=world["course"]))
    services.assignments_refresh_completion(campaign=world["campaign"])
    assert page(client, url)[2] == []
    later = time.time() + aggregates.SNAPSHOT_SECONDS + 1
    monkeypatch.setattr(locmem, "time", types.SimpleNamespace(time=lambda: later))
    html, _count, read = page(client, url)
    assert (cells(html, "SNV-TC")[4], len(read)) == ("2 (40,0%)", 3)


def test_the_page_says_when_its_figures_were_read(world, client, rollup_cache, monkeypatch):
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    read_at = time.time() - 120  # the snapshot was read two minutes ago
    monkeypatch.setattr(aggregates, "time", types.SimpleNamespace(time=lambda: read_at))
    page(client, url)
    monkeypatch.setattr(aggregates, "time", time)
    html = page(client, url)[0]
    shown = timezone.localtime(dt.datetime.fromtimestamp(read_at, tz=dt.UTC)).strftime("%H:%M")
    assert f'<p class="camp-sub" id="figures-at">Số liệu lúc {shown}</p>' in html


def test_the_ranking_the_report_and_its_file_say_when_their_figures_were_read(
    world, client, rollup_cache, monkeypatch
):
    """They read the same snapshot as the dashboard: after a live write they still show the
    figures as read, so each says when (the report file under its 'Generated at' line), and
    the public ranking and open data the time of their figures, not of the request."""
    client.force_login(world["manager"])
    ranking = reverse("campaigns:ranking") + "?kind=department"
    report = reverse("campaigns:report", args=[world["snv"].pk])
    report += f"?period={month_slug()}&campaign={world['campaign'].pk}"
    public = reverse("open_data:ranking") + "?kind=department"
    read_at = time.time() - 120  # the snapshot was read two minutes ago
    monkeypatch.setattr(aggregates, "time", types.SimpleNamespace(time=lambda: read_at))
    for url in (ranking, report, public):
        page(client, url)
    monkeypatch.setattr(aggregates, "time", time)
    other = world["unit_people"][1]  # a live write: the snapshot keeps the figures as read
    course_complete(enrolment=Enrolment.objects.get(user=other, course=world["course"]))
    services.assignments_refresh_completion(campaign=world["campaign"])
    shown = timezone.localtime(dt.datetime.fromtimestamp(read_at, tz=dt.UTC))
    stamp = f'<p class="camp-sub" id="figures-at">Số liệu lúc {shown:%H:%M}</p>'
    html = page(client, ranking)[0]
    assert stamp in html and cells(html, "SNV")[2:4] == ["10", "2"]
    html = page(client, report)[0]
    assert stamp in html and cells(html, "SNV")[4] == "2"
    assert stamp in page(client, public)[0]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(report + "&format=xlsx").content)).active
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert f"Số liệu lúc: {shown:%d/%m/%Y %H:%M}" in texts
    assert any(t.startswith("Lập lúc: ") for t in texts)


def test_a_background_export_reads_the_figures_now_not_the_snapshot(
    world, client, rollup_cache, monkeypatch, settings, tmp_path
):
    """A file built by the worker (and a mailed report) may leave the site: it reads the
    rollup rows as they are when it is built, whatever snapshot the pages hold; the
    snapshot it read is kept as the newest."""
    from campaigns.reporting import exports

    settings.REPORTS_DIR = tmp_path / "reports"
    client.force_login(world["manager"])
    report = reverse("campaigns:report", args=[world["snv"].pk])
    report += f"?period={month_slug()}&campaign={world['campaign'].pk}"
    read_at = time.time() - 120  # the pages' snapshot was read two minutes ago
    monkeypatch.setattr(aggregates, "time", types.SimpleNamespace(time=lambda: read_at))
    assert cells(page(client, report)[0], "SNV")[4] == "2"
    monkeypatch.setattr(aggregates, "time", time)
    other = world["unit_people"][1]  # a live write after the snapshot
    course_complete(enrolment=Enrolment.objects.get(user=other, course=world["course"]))
    services.assignments_refresh_completion(campaign=world["campaign"])
    assert cells(page(client, report)[0], "SNV")[4] == "2"  # the pages: the snapshot
    built_from = time.time()
    export = exports.export_request(
        user=world["manager"], agency=world["snv"], kind="report", fmt="xlsx",
        params={"version": 1, "period": month_slug(), "campaign": world["campaign"].pk,
                "depth": 1},
    )  # fmt: skip
    assert tasks.report_export_build(export.pk)["status"] == "done"
    sheet = openpyxl.load_workbook(settings.REPORTS_DIR / f"export-{export.pk}.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert next(r for r in rows if r[1] == "Sở Nội vụ")[6] == 3  # completed, read now
    # Read as the file was made: no "Số liệu lúc:" line of its own ("Lập lúc:" says when).
    texts = [c for r in rows for c in r if isinstance(c, str)]
    made = next(t for t in texts if t.startswith("Lập lúc: "))
    at = dt.datetime.strptime(made, "Lập lúc: %d/%m/%Y %H:%M")
    assert built_from - 60 < timezone.make_aware(at).timestamp() <= time.time()
    assert not any(t.startswith("Số liệu lúc") for t in texts)
    assert cells(page(client, report)[0], "SNV")[4] == "3"  # kept as the newest snapshot


def test_a_mailed_report_reads_the_rollup_rows_with_a_warm_snapshot(
    world, client, rollup_cache, mailoutbox
):
    """The report subscription's file is read from the rollup rows when it is mailed, not
    from the snapshot the manager's page just warmed with the same period's sums."""
    from campaigns.reporting import exports

    manager, snv = world["manager"], world["snv"]
    exports.subscription_set(user=manager, agency=snv, kind="month", fmt="xlsx",
                             campaign=world["campaign"])  # fmt: skip
    last_month = periods.period_containing(timezone.localdate(), kind="month").previous()
    client.force_login(manager)
    report = reverse("campaigns:report", args=[snv.pk])
    report += f"?period={last_month.slug}&campaign={world['campaign'].pk}"
    assert page(client, report)[2] != []  # a miss: it read the rows, now in the snapshot
    assert page(client, report)[2] == []  # the page again: from the snapshot
    with CaptureQueriesContext(connection) as queries:
        assert tasks.report_subscriptions_send()["sent"] == 1
    read = [q["sql"] for q in queries if any(t in q["sql"] for t in ROLLUP_TABLES)]
    assert read != []  # the mailed file read the rows now
    assert len(mailoutbox) == 1 and mailoutbox[0].attachments


def test_the_beat_task_refreshes_before_the_snapshot_expires(world, client, rollup_cache):
    entry = app.conf.beat_schedule["campaigns-dashboard-snapshot"]
    assert entry["task"] == "campaigns.dashboard_snapshot"
    assert entry["schedule"] == aggregates.SNAPSHOT_REFRESH_SECONDS < aggregates.SNAPSHOT_SECONDS
    tasks.dashboard_snapshot()  # warms every dashboard: the first page reads no rollup row
    client.force_login(world["manager"])
    for url in (reverse("campaigns:dashboard"), reverse("campaigns:agency", args=[world["snv"].pk]),
                reverse("campaigns:agency", args=[world["unit"].pk])):  # fmt: skip
        assert page(client, url)[2] == []
    all_courses = reverse("campaigns:dashboard") + "?campaign=all"
    assert page(client, all_courses)[2] == []


def test_the_root_a_department_and_a_unit_agree(world, client, rollup_cache):
    """One snapshot for every scope: the department's row on the manager's first page is the
    department's headline, the unit's row there is the unit's headline, read at one time."""
    client.force_login(world["manager"])
    root = page(client, reverse("campaigns:dashboard"))[0]
    other = world["unit_people"][1]
    course_complete(enrolment=Enrolment.objects.get(user=other, course=world["course"]))
    services.assignments_refresh_completion(campaign=world["campaign"])
    snv = page(client, reverse("campaigns:agency", args=[world["snv"].pk]))[0]
    unit = page(client, reverse("campaigns:agency", args=[world["unit"].pk]))[0]
    assert cells(root, "SNV")[3:5] == ["4", "2 (20,0%)"]  # before the second completion
    assert headline(snv)[2:5] == ["4", "4", "2"]  # registered, assigned, completed: the same
    assert cells(snv, "SNV-TC")[4] == "1 (20,0%)"
    assert headline(unit)[2:5] == ["2", "2", "1"]
    stamp = re.compile(r'id="figures-at">([^<]+)<')
    assert stamp.findall(root) == stamp.findall(snv) == stamp.findall(unit) != []


def headline(html):
    part = html[html.index('class="stats camp-stats"') : html.index("</dl>")]
    return [
        re.sub(r"<[^>]+>", "", d).strip() for d in re.findall(r"<dd[^>]*>(.*?)</dd>", part, re.S)
    ]


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


def test_an_agency_moved_in_the_tree_is_another_scope(world, client, rollup_cache):
    """A move writes no rollup row (they are kept by agency id): a scope's figures are summed
    from the province's snapshot by the scope's agency ids, not paths, so the department's
    page drops the unit at once, without reading the rollups again."""
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    assert "Phòng Tổ chức biên chế" in page(client, url)[0]
    agency_move(agency=world["unit"], new_parent=world["syt"])
    html, _count, read = page(client, url)
    assert "Phòng Tổ chức biên chế" not in html and read == []
    # Sở Nội vụ alone: headcount 5, target 80% of 5, 2 registered, 2 assigned, 1 completed.
    assert headline(html)[:5] == ["5", "4", "2", "2", "1"]
    # Its course table and trend: its own completion only (the unit's is under Sở Y tế now).
    courses = html[html.index("<h2>Theo khóa học</h2>") :]
    assert cells_of_first_row(courses)[1:3] == ["2", "1"]
    trend = html[html.index('id="trend-data"') :]
    assert '"completed": 1}]' in trend[: trend.index("</script>")]


def cells_of_first_row(html):
    row = html[html.index("<tbody>") :]
    row = row[: row.index("</tr>")]
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    ]


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
    """ROLLUP_CACHE unset: on with a shared cache (Redis); Redis down: a miss each time,
    the right figures read now, and the beat task does nothing."""
    del settings.ROLLUP_CACHE  # the tests' settings turn it off
    settings.CACHES = resilient_cache(CLOSED_PORT_URL)
    assert aggregates.rollup_cache_on()
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    for _ in range(2):
        html, _count, read = page(client, url)
        assert len(read) == 3
        assert cells(html, "SNV-TC")[4] == "1 (20,0%)"
        assert 'id="figures-at">Số liệu lúc' in html
    assert tasks.dashboard_snapshot() == {"subjects": 0}


def test_off_with_a_process_local_cache(settings):
    """Another process (a gunicorn worker, a Celery worker) would not hear this one's
    writes: without Redis the sums are not cached unless ROLLUP_CACHE says so."""
    del settings.ROLLUP_CACHE  # the tests' settings turn it off
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not aggregates.rollup_cache_on()
    settings.ROLLUP_CACHE = True
    assert aggregates.rollup_cache_on()


def test_the_tree_reads_agencies_as_rows_not_model_instances(world, monkeypatch):
    """A province's thousand agencies cost ~7 ms of Python as model instances on every
    dashboard, ranking and report: the tree reads their fields only (AgencyRow), which
    compare equal to the agencies by id."""
    made = []
    real = Agency.from_db.__func__
    monkeypatch.setattr(
        Agency, "from_db", classmethod(lambda cls, *a: made.append(1) or real(cls, *a))
    )
    subject = aggregates.Subject.of(world["campaign"])
    tree = aggregates.own_counts(subject=subject, root=None)
    assert made == [] and len(tree.agencies) == 5
    snv = next(a for a in tree.agencies.values() if a.code == "SNV")
    assert (snv == world["snv"], snv.pk, snv.name, snv.kind) == (
        True, world["snv"].pk, "Sở Nội vụ", Agency.Kind.DEPARTMENT
    )  # fmt: skip
    assert tree.total(snv.path).completed == 2
