"""Open data (/so-lieu/): anonymous visitors, real HTTP through the test client, real
database. Small counts are masked the same way in the page, the JSON and the CSV; no person
appears anywhere; the numbers come from rollups at a constant number of queries."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.models import Agency, Campaign, CampaignCourse
from campaigns.reporting import periods, rollups
from campaigns.reporting.open_data import COLUMNS
from cms.vocabularies import Subgroup
from courses.models import Enrolment
from courses.services import course_complete
from tests.campaigns.conftest import plain_course

CS = Subgroup.CIVIL_SERVANT
COMMUNE = Agency.Kind.COMMUNE_OR_WARD
MARCH = dt.date(2026, 3, 10)
COURSE_ID = 101  # a plain integer in the rollups: no course page is needed for all-courses
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture(autouse=True)
def calendar_months_and_empty_cache(settings):
    settings.REPORT_CUTOFF_DAY = 1
    settings.OPEN_DATA_MIN_COUNT = 5
    cache.clear()
    yield
    cache.clear()


def put(agency, *, day=MARCH, audience=CS, course_id=0, campaign_id=0, registered=0,
        enrolled=0, completed=0, certified=0):  # fmt: skip
    """Deltas for one rollup key, as the live path writes them: (day, agency id, audience,
    course id, campaign id) → [registered, enrolled, completed, certified]. Registrations go
    on plain rows (course 0, campaign 0); enrolments, completions and certificates on course
    rows (what "all courses" counts) or campaign rows (what a campaign counts)."""
    rollups.rollup_apply(
        {(day, agency.pk, audience, course_id, campaign_id):
         [registered, enrolled, completed, certified]}
    )  # fmt: skip


def learning(agency, *, headcount, registered, enrolled=0, completed=0, certified=0):
    services.headcount_set(agency=agency, audience=CS, count=headcount)
    put(agency, registered=registered)
    put(agency, course_id=COURSE_ID, enrolled=enrolled, completed=completed, certified=certified)


def get_json(client, **params):
    response = client.get(reverse("open_data:json"), params)
    return response, response.json()


def html_table(body: str) -> dict[str, dict[str, str]]:
    """{agency code: {column: cell text}} of the open data table."""
    table = {}
    for code, row in re.findall(r'<tr data-agency="([^"]+)">(.*?)</tr>', body, re.S):
        table[code] = dict(re.findall(r'<td data-col="(\w+)">(.*?)</td>', row, re.S))
    return table


# --- Masking, in the three formats ------------------------------------------------------

# March 2026 at its end, all courses. Province = unit + health department + ward.
# "<5": a count from 1 to 4. "x": hidden so that no "<5" can be worked out (secondary
# suppression): the health department's headcount 4 would be 244 - 200 - 40, so the
# department of home affairs (40) is hidden, and its only unit (40, the same number) with
# it; its completed 3 would be 53 - 50, so the ward's 50 is hidden.
EXPECTED = {
    "PT": {"headcount": 244, "registered": 184, "enrolled": 112, "completed": 53,
           "certified": 8, "completion_percent": 21.7},
    "P-HB": {"headcount": 200, "registered": 150, "enrolled": 100, "completed": "x",
             "certified": "x", "completion_percent": None},
    "SNV": {"headcount": "x", "registered": "x", "enrolled": 12, "completed": "<5",
            "certified": "<5", "completion_percent": None},
    "SNV-TC": {"headcount": "x", "registered": "x", "enrolled": 12, "completed": "<5",
               "certified": "<5", "completion_percent": None},
    "SYT": {"headcount": "<5", "registered": "<5", "enrolled": 0, "completed": 0,
            "certified": 0, "completion_percent": None},
}  # fmt: skip


@pytest.fixture
def march(tree, learner_in):
    learning(tree["unit"], headcount=40, registered=30, enrolled=12, completed=3, certified=1)
    learning(tree["syt"], headcount=4, registered=4)
    learning(tree["ward"], headcount=200, registered=150, enrolled=100, completed=50, certified=7)
    # After March: counted in April's figures, not in March's.
    put(tree["ward"], day=dt.date(2026, 4, 2), course_id=COURSE_ID, completed=20)
    # Real people, to prove none of them leaks out; they join in May (after March).
    may = dt.date(2026, 5, 4)
    return [
        learner_in(tree["unit"], name="Trần Thị Bí Mật", email="bi.mat@example.vn", on=may),
        learner_in(tree["ward"], name="Hoàng Văn Riêng Tư", email="rieng.tu@example.vn", on=may),
    ]


def test_json_masks_small_counts_keeps_zero_and_exact_counts(client, march):
    response, data = get_json(client, period="2026-m3", campaign="all")
    assert response.status_code == 200
    assert data["version"] == 2
    assert data["hidden_marker"] == "x"
    assert data["period"] == {"slug": "2026-m3", "label": "Tháng 3/2026",
                              "start": "2026-03-01", "end": "2026-03-31"}  # fmt: skip
    assert data["campaign"] is None
    assert data["min_count"] == 5
    # Tree order (by path; siblings by name), parents by code, levels below the province.
    assert [(r["agency_code"], r["parent_code"], r["level"], r["kind"]) for r in data["rows"]] == [
        ("PT", None, 0, "province"),
        ("P-HB", "PT", 1, "commune_or_ward"),
        ("SNV", "PT", 1, "department"),
        ("SNV-TC", "SNV", 2, "unit"),
        ("SYT", "PT", 1, "department"),
    ]
    for row in data["rows"]:
        assert list(row) == list(COLUMNS)
        numbers = {k: v for k, v in row.items() if k in EXPECTED["PT"]}
        assert numbers == EXPECTED[row["agency_code"]], row["agency_code"]
    assert data["rows"][0]["agency_name"] == "Tỉnh Phú Thọ"


def test_html_page_masks_the_same_way_and_shows_the_licence(client, march):
    response = client.get(reverse("open_data:index"), {"period": "2026-m3", "campaign": "all"})
    assert response.status_code == 200
    body = response.content.decode()
    table = html_table(body)
    assert set(table) == set(EXPECTED)
    for code, expected in EXPECTED.items():
        for column, value in expected.items():
            if value is None:
                shown = "–"
            elif value == "<5":
                shown = "&lt;5"
            elif column == "completion_percent":
                shown = f"{value:.1f}%".replace(".", ",")  # Vietnamese decimal comma
            else:
                shown = str(value)
            assert table[code][column] == shown, (code, column)
    assert "Phòng Tổ chức biên chế" in body
    # The notes: what "<5" and "x" mean, and what subtracting periods can and cannot reveal.
    assert "được hiển thị là “x”" in body and "So sánh giữa các kỳ" in body
    assert "đôi khi xác định được nó" in body
    assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/"' in body
    assert "CC BY 4.0" in body
    assert "Tỉnh Phú Thọ / HọcSố" in body
    assert f"{timezone.localdate():%d/%m/%Y}" in body  # the date the figures were made
    json_url = reverse("open_data:json") + "?period=2026-m3&amp;depth=2&amp;campaign=all"
    csv_url = reverse("open_data:csv") + "?period=2026-m3&amp;depth=2&amp;campaign=all"
    assert f'href="{json_url}"' in body and f'href="{csv_url}"' in body
    # The footer of every page links here.
    assert reverse("open_data:index") in client.get(reverse("privacy_notice")).content.decode()


def test_csv_has_a_bom_a_header_and_the_same_cells(client, march):
    response = client.get(reverse("open_data:csv"), {"period": "2026-m3", "campaign": "all"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-License"] == "CC-BY-4.0"
    assert 'rel="license"' in response["Link"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))
    assert rows[0] == list(COLUMNS)
    by_code = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]}
    assert list(by_code) == ["PT", "P-HB", "SNV", "SNV-TC", "SYT"]
    for code, expected in EXPECTED.items():
        for column, value in expected.items():
            assert by_code[code][column] == ("" if value is None else str(value)), (code, column)
    assert by_code["SNV-TC"]["agency_name"] == "Phòng Tổ chức biên chế"
    assert by_code["SNV-TC"]["parent_code"] == "SNV"
    assert by_code["PT"]["parent_code"] == ""


def test_no_person_appears_in_any_response(client, march):
    urls = [
        reverse("open_data:index") + "?period=2026-m3",
        reverse("open_data:json") + "?period=2026-m3",
        reverse("open_data:csv") + "?period=2026-m3",
        reverse("open_data:ranking") + "?kind=unit",
        reverse("open_data:ranking") + "?kind=commune_or_ward",
    ]
    for url in urls:
        body = client.get(url).content.decode()
        for person in march:
            assert person.full_name not in body, url
            assert person.email not in body, url
        if "json" in url or "csv" in url:
            assert not EMAIL_RE.search(body), url


def test_depth_is_clamped_and_picks_the_levels(client, march):
    _response, data = get_json(client, period="2026-m3", depth="1")
    assert "SNV-TC" not in {r["agency_code"] for r in data["rows"]}
    for absurd in ("0", "-3"):
        assert get_json(client, period="2026-m3", depth=absurd)[1]["rows"] == data["rows"]
    _response, deep = get_json(client, period="2026-m3", depth="99")
    assert deep["rows"] == get_json(client, period="2026-m3", depth="4")[1]["rows"]
    assert "SNV-TC" in {r["agency_code"] for r in deep["rows"]}
    assert get_json(client, period="2026-m3", depth="hai")[0].status_code == 200


def test_a_later_period_counts_what_came_after(client, march):
    _response, data = get_json(client, period="2026-q2", campaign="all")
    rows = {r["agency_code"]: r for r in data["rows"]}
    # The ward's 70 is hidden ("x") as March's 50 was: it would give the unit's "<5" back.
    assert rows["PT"]["completed"] == 73 and rows["PT"]["completion_percent"] == 29.9
    assert rows["P-HB"]["completed"] == "x"


# --- Bad queries: 400 with a message, never a 500 ----------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2026-m13"},
        {"period": "tháng-ba"},
        {"period": "2026-m3'; drop table"},
        {"period": "20260101-20260131"},  # custom dates: not offered publicly
        {"period": "2099-y"},  # not started yet
        {"campaign": "999999"},
        {"campaign": "<script>"},
    ],
)
def test_bad_query_is_a_400_with_a_message(client, tree, params):
    response, data = get_json(client, **params)
    assert response.status_code == 400
    assert data["version"] == 2 and data["error"].strip()
    assert set(data) == {"version", "error"}
    csv_response = client.get(reverse("open_data:csv"), params)
    assert csv_response.status_code == 400
    assert csv_response.content.decode().strip() == data["error"]
    page = client.get(reverse("open_data:index"), params)
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()
    assert "<script>" not in page.content.decode()


def test_only_reads_are_allowed(client, tree):
    assert client.post(reverse("open_data:json")).status_code == 405
    assert client.head(reverse("open_data:csv")).status_code == 200


def test_bad_month_message_is_clear(client, tree):
    _response, data = get_json(client, period="2026-m13")
    assert "12" in data["error"]  # "The month must be between 1 and 12." / "Tháng ... 12"


# --- Numbers made by the real services --------------------------------------------------


@pytest.fixture
def course(home_page):
    return plain_course("Nhận biết lừa đảo trực tuyến")


def campaign_requiring(course, name="Bình dân học vụ số 2026"):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=name, starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=40), due_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    CampaignCourse.objects.create(campaign=campaign, course=course)
    return campaign


def test_counts_from_the_real_services_for_the_newest_campaign(client, tree, learner_in, course):
    older = campaign_requiring(course, name="Chiến dịch cũ")
    older.starts_on -= dt.timedelta(days=30)
    older.save(update_fields=["starts_on"])
    campaign = campaign_requiring(course)
    services.headcount_set(agency=tree["unit"], audience=CS, count=10)
    services.headcount_set(agency=tree["ward"], audience=CS, count=5)
    unit_people = [learner_in(tree["unit"], name=f"Trần Thị Bí Mật {i}") for i in range(3)]
    ward_people = [learner_in(tree["ward"], name=f"Lê Văn Riêng Tư {i}") for i in range(5)]
    assert services.campaign_assign(campaign=campaign) == 8
    for person in unit_people[:2] + ward_people:
        course_complete(enrolment=Enrolment.objects.get(user=person, course=course))
    assert services.assignments_refresh_completion(campaign=campaign) == 7

    this_year = periods.period_containing(timezone.localdate(), kind="year")
    response, data = get_json(client, period=this_year.slug)  # no campaign: the newest
    assert response.status_code == 200
    assert data["campaign"] == {"id": campaign.pk, "name": "Bình dân học vụ số 2026"}
    rows = {r["agency_code"]: r for r in data["rows"]}
    pick = ("headcount", "registered", "enrolled", "completed", "completion_percent")
    expected = {  # small counts are shown as "<5"; no percent of a suppressed count;
        # the ward's 5s hidden ("x"): 8 - 5 would give the unit's "<5" back.
        "SNV-TC": (10, "<5", "<5", "<5", None),
        "P-HB": (5, "x", "x", "x", None),
        "SYT": (0, 0, 0, 0, None),
        "PT": (15, 8, 8, 7, 46.7),
    }
    assert {code: tuple(rows[code][k] for k in pick) for code in expected} == expected
    # A certificate comes with each completion here (the courses floor's rule).
    assert (rows["P-HB"]["certified"], rows["SNV-TC"]["certified"]) == ("x", "<5")
    everything = "".join(
        client.get(reverse(name), {"period": this_year.slug}).content.decode()
        for name in ("open_data:index", "open_data:json", "open_data:csv")
    )
    for person in unit_people + ward_people:
        assert person.full_name not in everything
        assert person.email not in everything


# --- The public ranking -----------------------------------------------------------------


def ranks(body: str) -> dict[str, tuple[str, str, str, str]]:
    """{agency code: (rank, headcount, completed, rate)} from the ranking table."""
    out = {}
    for code, row in re.findall(r'<tr data-agency="([^"]+)">(.*?)</tr>', body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        out[code] = tuple(cell.strip() for cell in cells)
    return out


def test_ranking_ties_share_a_rank_and_hidden_counts_are_not_ranked(client, tree):
    def commune(code, headcount, completed):
        agency = services.agency_create(
            name=f"Xã {code}", code=code, kind=COMMUNE, parent=tree["province"]
        )
        learning(agency, headcount=headcount, registered=headcount, enrolled=headcount,
                 completed=completed)  # fmt: skip

    commune("X-A", 100, 50)  # 50%
    commune("X-B", 20, 10)  # 50%: the same rank as X-A
    commune("X-C", 100, 20)  # 20%: rank 3, not 2
    commune("X-D", 50, 2)  # 2 completed: masked, so neither rate nor rank
    commune("X-E", 3, 3)  # a headcount of 3: masked too
    # The smallest other headcount, hidden ("x") so that X-E's is not 279 - 276: unranked.
    commune("X-F", 6, 0)
    response = client.get(reverse("open_data:ranking"), {"kind": "commune_or_ward"})
    assert response.status_code == 200
    body = response.content.decode()
    table = ranks(body)
    assert table == {
        "X-A": ("1", "100", "50", "50,0%"),  # Vietnamese decimal comma
        "X-B": ("1", "20", "10", "50,0%"),
        "X-C": ("3", "100", "20", "20,0%"),
        "X-D": ("–", "50", "&lt;5", "–"),
        "X-E": ("–", "&lt;5", "&lt;5", "–"),
        "X-F": ("–", "x", "0", "–"),
        "P-HB": ("–", "0", "0", "–"),  # no headcount: unranked as in the manager's ranking
    }
    assert list(table)[:3] == ["X-A", "X-B", "X-C"]
    assert "/quan-ly/" not in body  # no link into the manager pages
    assert 'value="province"' not in body  # only the public kinds are offered
    # Another kind falls back to communes and wards; an unknown campaign is refused.
    other = client.get(reverse("open_data:ranking"), {"kind": "province"}).content.decode()
    assert ranks(other) == table
    assert client.get(reverse("open_data:ranking"), {"campaign": "42"}).status_code == 400


# --- Cost -------------------------------------------------------------------------------


def test_json_query_count_is_constant_and_cached(client, tree, course, django_assert_num_queries):
    campaign = campaign_requiring(course)
    params = {"period": "2026-m3", "depth": "4"}

    def figures(agency, n):
        services.headcount_set(agency=agency, audience=CS, count=10 * n)
        put(agency, registered=5 * n)
        put(agency, campaign_id=campaign.pk, enrolled=4 * n, completed=3 * n)
        put(agency, course_id=course.pk, certified=2 * n)

    for n, key in enumerate(("unit", "syt", "ward"), start=1):
        figures(tree[key], n)
    # 1: active campaigns (the newest is the subject); 2: its required courses and its
    # audiences; 4: the tree at the end of the period (reporting.period_counts): agencies,
    # rollup rows grouped by agency, headcounts, the campaign's per-agency targets. No raw
    # row is read.
    with django_assert_num_queries(7):
        response = client.get(reverse("open_data:json"), params)
    assert len(response.json()["rows"]) == 5
    # Cached: the same query again costs nothing.
    with django_assert_num_queries(0):
        assert client.get(reverse("open_data:json"), params).json() == response.json()

    for i in range(27):
        agency = services.agency_create(
            name=f"Xã Thử {i:02}", code=f"XT{i:02}", kind=COMMUNE, parent=tree["province"]
        )
        figures(agency, i + 1)
    cache.clear()
    with django_assert_num_queries(7):
        response = client.get(reverse("open_data:json"), params)
    assert len(response.json()["rows"]) == 32
    assert response["Cache-Control"] == "public, max-age=900"
    assert response["Access-Control-Allow-Origin"] == "*"
