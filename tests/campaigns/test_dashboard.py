"""The manager dashboard, ranking, period report and overdue list: figures from the rollups
(checked against hand-counted numbers), scoping (a neighbour's numbers never shown, guessed
ids 404), constant query counts, exports opened back cell by cell, bad input."""

import csv
import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.models import (
    Agency,
    AgencyTarget,
    Assignment,
    Campaign,
    CampaignCourse,
    Notice,
    RollupDay,
    RollupMonth,
    RollupTotal,
)
from campaigns.reporting import periods, rollups
from courses.models import Enrolment
from courses.services import course_complete
from tests import factories
from tests.campaigns.conftest import manager_logged_in, plain_course


@pytest.fixture
def course(home_page):
    return plain_course("Kỹ năng số cơ bản")


@pytest.fixture
def world(tree, learner_in, manager_of, course):
    """Sở Nội vụ: 10 civil servants on the books (5 in the department, 5 in its unit),
    4 registered learners, 3 assigned... Sở Y tế: a neighbour with its own learners."""
    campaign = factories.campaign(
        name="Bình dân học vụ số 2026", target_percent=80, courses=[course]
    )  # 60 days back to 60 ahead, due in 30
    for agency, n in ((tree["snv"], 5), (tree["unit"], 5), (tree["syt"], 8)):
        services.headcount_set(agency=agency, audience="civil_servant", count=n)
    AgencyTarget.objects.create(campaign=campaign, agency=tree["unit"], percent=40)
    names = ["Trần Văn Bình", "Lê Thị An", "Nguyễn Văn An", "Phạm Thị Chi"]
    snv_people = [learner_in(tree["snv"], name=names[0]), learner_in(tree["snv"], name=names[1])]
    unit_people = [learner_in(tree["unit"], name=names[2]), learner_in(tree["unit"], name=names[3])]
    neighbours = [learner_in(tree["syt"], name=f"Hàng Xóm Số {i}") for i in range(3)]
    services.campaign_assign(campaign=campaign)
    # Completed: one in the department, one in the unit, two neighbours.
    for user in (snv_people[0], unit_people[0], neighbours[0], neighbours[1]):
        course_complete(enrolment=Enrolment.objects.get(user=user, course=course))
    services.assignments_refresh_completion(campaign=campaign)
    return {
        "campaign": campaign, "course": course, "manager": manager_of(tree["snv"]),
        "snv_people": snv_people, "unit_people": unit_people, "neighbours": neighbours, **tree,
    }  # fmt: skip


def cells(html: str, code: str) -> list[str]:
    """The text of the cells of the table row of agency `code`."""
    row = html[html.index(f'data-agency="{code}"') :]
    row = row[: row.index("</tr>")]
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    ]


def test_dashboard_headline_and_rows_are_the_hand_counted_numbers(world, client):
    client.force_login(world["manager"])
    html = client.get(reverse("campaigns:agency", args=[world["snv"].pk])).content.decode()
    # Sở Nội vụ's subtree: headcount 10; target 80% of 5 + 40% of 5 (the unit's own
    # target) = 6; 4 registered, 4 assigned, 2 completed (20% of headcount, 33.3% of the
    # target), 2 certificates.
    headline = html[html.index('class="stats camp-stats"') : html.index("</dl>")]
    figures = [
        re.sub(r"<[^>]+>", "", d).strip()
        for d in re.findall(r"<dd[^>]*>(.*?)</dd>", headline, re.S)
    ]
    assert figures[:5] == ["10", "6", "4", "4", "2"]
    assert "20,0% số biên chế" in figures[5] and "33,3% chỉ tiêu" in figures[5]
    assert figures[6] == "2"
    # The unit: headcount 5, 2 registered, 2 assigned, 1 completed (20%), 50% of its target 2.
    assert cells(html, "SNV-TC")[:7] == [
        "Phòng Tổ chức biên chế",
        "5",
        "2",
        "2",
        "1 (20,0%)",
        "50,0%",
        "1",
    ]
    assert "Hàng Xóm" not in html and "Sở Y tế" not in html
    # The course table counts everyone enrolled, not only the assigned: it says so.
    assert "dù được giao hay không; số liệu riêng của chiến dịch ở phía trên" in html


def test_dashboard_reads_rollups_not_raw_rows(world, client):
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    for model in (RollupDay, RollupMonth, RollupTotal):
        model.objects.all().delete()
    assert cells(client.get(url).content.decode(), "SNV-TC")[1:5] == ["5", "0", "0", "0 (0,0%)"]
    rollups.rollups_rebuild()
    assert cells(client.get(url).content.decode(), "SNV-TC")[1:5] == ["5", "2", "2", "1 (20,0%)"]


def test_neighbours_pages_are_404(world, client):
    client.force_login(world["manager"])
    syt = world["syt"].pk
    for name in ("agency", "report", "overdue", "people"):
        assert client.get(reverse(f"campaigns:{name}", args=[syt])).status_code == 404, name
    assert client.post(reverse("campaigns:overdue_remind", args=[syt])).status_code == 404
    html = client.get(reverse("campaigns:ranking") + "?kind=department").content.decode()
    assert "Sở Nội vụ" in html and "Sở Y tế" not in html


def assign_newcomers(world, count: int) -> None:
    """`count` more civil servants in the unit, assigned to the campaign: a page's query
    count must not grow with them."""
    for i in range(count):
        factories.learner(world["unit"], name=f"Người Mới {i}")
    services.campaign_assign(campaign=world["campaign"])


def test_dashboard_query_count_does_not_grow_with_learners(
    world, client, django_assert_num_queries
):
    client.force_login(world["manager"])
    url = reverse("campaigns:agency", args=[world["snv"].pk])
    client.get(url)

    def count():
        # The page's queries with its rollup sums not cached (with Redis they are, till the next
        # rollup write: 3 fewer, tests/campaigns/test_dashboard_cache.py).
        cache.delete(rollups.GENERATION_KEY)
        # The session, the user and the notices bell's unread count (base.html) come from the
        # cache; 1 role agencies; 3 active campaigns with their courses and audiences
        # (prefetch); 1 agencies of the subtree; 1 rollup totals grouped by agency; 1
        # headcounts; 1 the campaign's targets; 1 attendances; 2 per-course totals and the
        # course titles; 1 monthly trend; 1 the breadcrumbs' ancestors.
        with django_assert_num_queries(14):
            client.get(url)

    count()
    assign_newcomers(world, 15)
    count()


def test_sorting_and_weekly_trend(world, client):
    client.force_login(world["manager"])
    html = client.get(reverse("campaigns:dashboard") + "?sort=name&trend=week").content.decode()
    data = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html, re.S)
    points = json.loads(data.group(1))
    assert len(points) == 26 and points[-1]["completed"] == 2 and points[-1]["enrolled"] == 4


def test_ranking_of_a_manager_of_two_subtrees_is_one_ranking(world, client, manager_of):
    manager = manager_of(world["snv"])
    services.manager_role_grant(user=manager, agency=world["syt"], granted_by=None)
    client.force_login(manager)
    html = client.get(reverse("campaigns:ranking") + "?kind=department").content.decode()
    # Sở Y tế 2/8 = 25% first, Sở Nội vụ 2/10 = 20% second; the ward (not managed) absent.
    assert cells(html, "SYT")[:2] == ["1", "Sở Y tế"]
    assert cells(html, "SNV")[:2] == ["2", "Sở Nội vụ"]
    assert "P-HB" not in html


def test_ranking_ties_share_a_rank(world, client, user_factory, learner_in):
    from campaigns.reporting.aggregates import Subject, ranking

    # Sở Nội vụ 2/10 = 20%, Sở Y tế 2/8 = 25%: Y tế first. Give Nội vụ 0.5 more...
    entries = ranking(kind=Agency.Kind.DEPARTMENT, subject=Subject.of(world["campaign"]))
    assert [(e["agency"].code, e["rank"], e["rate"]) for e in entries] == [
        ("SYT", 1, 25.0),
        ("SNV", 2, 20.0),
    ]
    services.headcount_set(agency=world["syt"], audience="civil_servant", count=10)
    entries = ranking(kind=Agency.Kind.DEPARTMENT, subject=Subject.of(world["campaign"]))
    assert [(e["agency"].code, e["rank"]) for e in entries] == [("SNV", 1), ("SYT", 1)]
    # Agencies without a headcount are listed, unranked.
    entries = ranking(kind=Agency.Kind.COMMUNE_OR_WARD, subject=Subject.of(world["campaign"]))
    assert [(e["agency"].code, e["rank"]) for e in entries] == [("P-HB", None)]


def month_slug():
    return periods.period_containing(timezone.localdate(), kind="month").slug


def test_report_page_and_files_cell_by_cell(world, client):
    client.force_login(world["manager"])
    url = reverse("campaigns:report", args=[world["snv"].pk])
    query = f"?period={month_slug()}&campaign={world['campaign'].pk}"
    html = client.get(url + query).content.decode()
    assert cells(html, "SNV")[1:] == ["10", "4", "4", "2", "20,0", "2", "+2"]
    assert cells(html, "SNV-TC")[1:] == ["5", "2", "2", "1", "20,0", "1", "+1"]
    assert "Sở Y tế" not in html

    response = client.get(url + query + "&format=xlsx")
    assert response["Content-Disposition"].startswith('attachment; filename="bao-cao-SNV-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[2] in ("SNV", "SNV-TC")]
    # The parent's line is its children's plus the "(trực thuộc)" line of its own people.
    assert [r[1:] for r in rows] == [
        ("Sở Nội vụ", "SNV", 10, 4, 4, 2, pytest.approx(0.2), 2, 2),
        ("Sở Nội vụ (trực thuộc)", "SNV", 5, 2, 2, 1, pytest.approx(0.2), 1, 1),
        ("Phòng Tổ chức biên chế", "SNV-TC", 5, 2, 2, 1, pytest.approx(0.2), 1, 1),
    ]
    response = client.get(url + query + "&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[1][1:] == ["Sở Nội vụ", "SNV", "10", "4", "4", "2", "20.0", "2", "2"]
    assert len(parsed) == 4  # header, the department, its "(trực thuộc)" line, the unit
    response = client.get(url + query + "&format=pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_report_change_since_the_previous_period(world, client):
    """Completions of the previous month are not this month's change."""
    previous = periods.period_containing(timezone.localdate(), kind="month").previous()
    when = timezone.make_aware(dt.datetime.combine(previous.end, dt.time(12)))
    late = world["unit_people"][1]
    Enrolment.objects.filter(user=late).update(enrolled_at=when)
    enrolment = Enrolment.objects.get(user=late)
    course_complete(enrolment=enrolment)
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=when)
    rollups.rollups_rebuild()
    client.force_login(world["manager"])
    url = reverse("campaigns:report", args=[world["unit"].pk])
    html = client.get(url + f"?campaign=all&period={month_slug()}").content.decode()
    # All courses: 2 completions in the unit; one of them last month, so +1 this month.
    assert cells(html, "SNV-TC")[4] == "2" and cells(html, "SNV-TC")[-1] == "+1"
    html = client.get(url + f"?campaign=all&period={previous.slug}").content.decode()
    assert cells(html, "SNV-TC")[4] == "1" and cells(html, "SNV-TC")[-1] == "+1"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?start=2026-05-01&end=2026-04-01", "Kỳ báo cáo kết thúc trước khi bắt đầu."),
        ("?start=2000-01-01&end=2026-04-01", "Một kỳ báo cáo không được dài quá năm năm."),
        ("?start=hôm-qua&end=2026-04-01", "YYYY-MM-DD"),
        ("?period=2026-m13", "Tháng phải từ 1 đến 12."),
        ("?period=tuan-truoc", "không phải là mã kỳ báo cáo hợp lệ"),
    ],
)
def test_bad_periods_get_a_clear_message(world, client, query, message):
    client.force_login(world["manager"])
    response = client.get(reverse("campaigns:report", args=[world["snv"].pk]) + query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_custom_period_reads_day_rows(world, client):
    client.force_login(world["manager"])
    today = timezone.localdate()
    query = f"?campaign={world['campaign'].pk}&start={today - dt.timedelta(days=3)}&end={today}"
    html = client.get(reverse("campaigns:report", args=[world["snv"].pk]) + query).content.decode()
    assert cells(html, "SNV")[1:5] == ["10", "4", "4", "2"]


def test_overdue_list_sorted_the_vietnamese_way_and_reminders(world, client):
    Assignment.objects.update(due_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(world["manager"])
    url = reverse("campaigns:overdue", args=[world["snv"].pk])
    html = client.get(url).content.decode()
    # Not completed: Lê Thị An, Phạm Thị Chi (unit). By given name: An, then Chi.
    order = [
        n for n in ("Lê Thị An", "Phạm Thị Chi", "Trần Văn Bình", "Nguyễn Văn An") if n in html
    ]
    assert order == ["Lê Thị An", "Phạm Thị Chi"]
    assert html.index("Lê Thị An") < html.index("Phạm Thị Chi")
    assert "Hàng Xóm" not in html
    ids = list(Assignment.objects.filter(completed_at__isnull=True).values_list("pk", flat=True))
    client.post(reverse("campaigns:overdue_remind", args=[world["snv"].pk]), {"assignment": ids})
    # The neighbours' overdue assignment ids were posted too: only the two in scope got one.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world["snv_people"][1], world["unit_people"][1])
    )
    assert Notice.objects.filter(kind=Notice.Kind.REMINDER).count() == 2
    client.post(reverse("campaigns:overdue_remind", args=[world["snv"].pk]), {"assignment": ids})
    assert len(mail.outbox) == 2  # once a day


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_on_a_phone(live_server, world, phone_page, axe):
    """390 px wide: no sideways scrolling, the chart drawn by the locally served Chart.js,
    figures readable, no serious accessibility violation; drill down to the unit."""
    page = phone_page
    manager_logged_in(page, live_server.url, world["snv"], "ql-dash@example.vn")
    page.goto(live_server.url + reverse("campaigns:dashboard"))
    page.wait_for_selector("#trend-chart[data-drawn='true']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []
    page.get_by_role("link", name="Sở Nội vụ").first.click()
    page.wait_for_selector("#trend-chart[data-drawn='true']")
    row = page.locator('tr[data-agency="SNV-TC"]')
    assert "1 (20,0%)" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []
    page.get_by_role("link", name="Báo cáo định kỳ").click()
    page.locator("#period-pick").select_option(month_slug())  # default: last month
    page.get_by_role("button", name="Xem").first.click()
    assert page.locator('tr[data-agency="SNV"]').first.inner_text().split()[-1] == "+2"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []


def test_report_and_ranking_query_counts_do_not_grow(world, client, django_assert_num_queries):
    client.force_login(world["manager"])
    report = reverse("campaigns:report", args=[world["snv"].pk]) + f"?period={month_slug()}"
    ranking = reverse("campaigns:ranking") + "?kind=unit"
    client.get(report)
    client.get(ranking)

    def count():
        cache.delete(rollups.GENERATION_KEY)  # rollup sums not cached (with Redis they are)
        # Report (the session, the user and the notices bell's count from the cache): 1 role
        # agencies; 1 the agency (scope); 3 campaigns with courses and audiences; then 2 trees
        # (at the end of the period and at the end of the previous one) of 4 queries each
        # (agencies, month rows, headcounts, targets).
        with django_assert_num_queries(13):
            client.get(report)
        cache.delete(rollups.GENERATION_KEY)
        # Ranking (the session, the user and the bell's count from the cache): 1 role agencies;
        # 3 campaigns; one tree for all the manager's roots (4 queries: agencies, rollup
        # totals, headcounts, targets).
        with django_assert_num_queries(8):
            client.get(ranking)

    count()
    assign_newcomers(world, 12)
    count()


def test_bulk_assignment_counts_its_events_in_one_go(tree, learner_in, course):
    """A campaign batch's assignments and enrolments reach the rollups in three upserts
    (day, month, total), not three per event, and are all counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Chiến dịch thử", starts_on=today, ends_on=today + dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    CampaignCourse.objects.create(campaign=campaign, course=course)
    for i in range(20):
        learner_in(tree["unit"], name=f"Người Học {i}")
    with CaptureQueriesContext(connection) as queries:
        assert services.campaign_assign(campaign=campaign) == 20
    upserts = [q["sql"] for q in queries if "INSERT INTO" in q["sql"] and "rollup" in q["sql"]]
    assert len(upserts) == 3
    totals = RollupTotal.objects.filter(agency=tree["unit"])
    assert sum(totals.filter(campaign_id=campaign.pk).values_list("enrolled", flat=True)) == 20
    assert sum(totals.filter(course_id=course.pk).values_list("enrolled", flat=True)) == 20
