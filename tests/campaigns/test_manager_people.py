"""Issue 22, manager part: the people list and learner page show each person's state per
required course (with dates) and filter by it; reminders before the deadline from the
people list, chosen by filter, once a day per person; one rounding for every percentage;
a 0% agency never ranked first and the ranking opening on the manager's kind; a period's
detail export holding only that period."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.models import Agency, Campaign, CampaignCourse, Notice
from campaigns.reporting import aggregates, exports
from campaigns.reporting.report_files import ReportLine, ReportTable, report_pdf
from courses.models import Enrolment, LessonPage
from courses.services import course_complete, lesson_progress_record
from tests.courses.conftest import catalogue, course_factory

FIXTURES = (catalogue, course_factory)  # imported pytest fixtures (tests take them by name)


@pytest.fixture
def people_world(tree, learner_in, manager_of, course_factory):
    """Sở Nội vụ's campaign with a two-lesson course (deadline in 5 days): An completed,
    Bình read one lesson, Chi has not started; a neighbour at Sở Y tế has not started."""
    # Fresh from the database: adding a sibling renumbers the agencies' paths.
    tree = {key: Agency.objects.get(pk=agency.pk) for key, agency in tree.items()}
    course = course_factory(lessons=2, title="Kỹ năng số cơ bản", audiences=("civil_servants",))
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Bình dân học vụ số 2026", starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=60), due_on=today + dt.timedelta(days=5),
    )  # fmt: skip
    CampaignCourse.objects.create(campaign=campaign, course=course)
    an = learner_in(tree["snv"], name="Trần Thị An")
    binh = learner_in(tree["unit"], name="Lê Văn Bình")
    chi = learner_in(tree["snv"], name="Phạm Thị Chi")
    neighbour = learner_in(tree["syt"], name="Hàng Xóm Chưa Học")
    services.campaign_assign(campaign=campaign)
    course_complete(enrolment=Enrolment.objects.get(user=an, course=course))
    first = LessonPage.objects.child_of(course).order_by("path").first()
    lesson_progress_record(user=binh, lesson=first, evidence="read")
    services.assignments_refresh_completion(campaign=campaign)
    return {"campaign": campaign, "course": course, "an": an, "binh": binh, "chi": chi,
            "neighbour": neighbour, "manager": manager_of(tree["snv"]), **tree}  # fmt: skip


def people_url(world, **params):
    from django.utils.http import urlencode

    url = reverse("campaigns:people", args=[world["snv"].pk])
    return url + ("?" + urlencode(params) if params else "")


def row(html: str, user) -> str:
    start = html.index(f'data-person="{user.pk}"')
    return html[start : html.index("</tr>", start)]


def test_people_list_shows_each_persons_state_per_required_course(people_world, client):
    w = people_world
    client.force_login(w["manager"])
    html = client.get(people_url(w)).content.decode()
    assert "Kỹ năng số cơ bản" in html  # the course is a column
    assert 'data-status="completed"' in row(html, w["an"])
    assert timezone.localdate().strftime("%d/%m/%Y") in row(html, w["an"])  # its date
    assert 'data-status="in_progress"' in row(html, w["binh"])
    assert 'data-status="not_started"' in row(html, w["chi"])
    assert "Hàng Xóm" not in html  # another agency's person


@pytest.mark.parametrize(
    ("status", "expected"),
    [("not_started", {"chi"}), ("in_progress", {"binh"}), ("completed", {"an"})],
)
def test_people_list_filters_by_state(people_world, client, status, expected):
    w = people_world
    client.force_login(w["manager"])
    html = client.get(people_url(w, status=status, campaign=w["campaign"].pk)).content.decode()
    shown = {key for key in ("an", "binh", "chi") if f'data-person="{w[key].pk}"' in html}
    assert shown == expected


def test_learner_page_shows_state_and_dates_per_course(people_world, client):
    w = people_world
    client.force_login(w["manager"])
    html = client.get(reverse("campaigns:learner", args=[w["binh"].pk])).content.decode()
    assert 'data-status="in_progress"' in html and "Kỹ năng số cơ bản" in html
    assert "Đang học" in html  # the Vietnamese label, not the code


def test_people_list_query_count_is_constant(
    people_world, client, learner_in, django_assert_num_queries
):
    w = people_world
    client.force_login(w["manager"])
    url = people_url(w, status="not_started")
    client.get(url)

    def count():
        # The session, the user and the notices bell's unread count come from the cache; 2
        # agencies (the roles' roots, the chosen agency within them); 1 active campaigns
        # (picker); 1 the campaign's required courses; 1 count of the filtered people; 1 the
        # page of people (with user and agency); 1 the page's enrolments in the courses; 1 the
        # page's deadlines; 1 the personal-data log's entry (cms.audit, one INSERT).
        with django_assert_num_queries(EXPECTED_PEOPLE_QUERIES):
            response = client.get(url)
        assert response.status_code == 200

    count()
    for i in range(12):
        learner_in(w["unit"], name=f"Người Mới {i}")
    services.campaign_assign(campaign=w["campaign"])
    count()


EXPECTED_PEOPLE_QUERIES = 9


def test_reminders_from_the_people_list_by_filter_once_a_day_per_person(people_world, client):
    w = people_world
    client.force_login(w["manager"])
    url = reverse("campaigns:people_remind", args=[w["snv"].pk])
    filters = {"campaign": w["campaign"].pk, "status": "not_started", "q": "", "audience": ""}
    response = client.post(url, {**filters, "scope": "all"})
    assert response.status_code == 302
    # Everyone the filter shows and only them: Chi (not started); not An (completed), not
    # Bình (in progress, another filter), not the neighbour (another agency).
    assert [m.to[0] for m in mail.outbox] == [w["chi"].email]
    assert "5 ngày" in mail.outbox[0].body  # before the deadline: days left, not "overdue"
    page = client.get(response["Location"]).content.decode()
    assert "Đã gửi nhắc nhở cho 1 người" in page
    # The people chosen by hand, in progress: Bình; the neighbour's id is posted too.
    chosen = {**filters, "status": "", "scope": "chosen"}
    client.post(url, {**chosen, "person": [w["binh"].pk, w["neighbour"].pk, w["an"].pk]})
    assert [m.to[0] for m in mail.outbox] == [w["chi"].email, w["binh"].email]
    # Again the same day: nobody gets a second one.
    client.post(url, {**filters, "status": "", "scope": "all"})
    assert len(mail.outbox) == 2
    assert Notice.objects.filter(kind=Notice.Kind.REMINDER, user=w["chi"]).count() == 1


def test_one_rounding_for_every_percentage():
    """63 of 2,000 is 3.15%: the screen said 3.2 and the PDF 3.1 (binary floats)."""
    counts = aggregates.Counts(completed=63, headcount=2000)
    assert counts.percent == 3.2
    line = ReportLine("Phường A", "PA", 0, 2000, 100, 90, 63, 10, None)
    assert line.percent == 3.2
    table = ReportTable("Báo cáo", "Phường A", "Quý 4/2026", dt.date(2026, 10, 1),
                        dt.date(2026, 12, 31), timezone.now(), "", [line])  # fmt: skip
    buffer = io.BytesIO()
    report_pdf(table, buffer)
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(buffer.getvalue())).pages)
    assert "3,2" in text and "3,1" not in text


def test_a_zero_percent_agency_is_never_ranked_first(tree):
    zero = aggregates.Counts(completed=0, headcount=10)
    some = aggregates.Counts(completed=1, headcount=10)
    entries = [
        {"agency": tree["ward"], "counts": zero, "rate": zero.percent},
        {"agency": tree["snv"], "counts": some, "rate": some.percent},
    ]
    ranked = aggregates.rerank(entries)
    assert [(e["agency"].code, e["rank"]) for e in ranked] == [("SNV", 1), ("P-HB", None)]
    alone = aggregates.rerank([{"agency": tree["ward"], "counts": zero, "rate": 0.0}])
    assert alone[0]["rank"] is None


def test_ranking_opens_on_the_managers_kind_of_agency(people_world, client):
    w = people_world
    client.force_login(w["manager"])  # manager of a department
    html = client.get(reverse("campaigns:ranking")).content.decode()
    assert '<option value="department" selected>' in html
    assert "Sở Nội vụ" in html


def test_a_periods_detail_export_holds_only_that_period(people_world):
    """Q3 2026 is over before these people were enrolled: its file lists nobody; the
    current quarter lists them."""
    from campaigns.reporting import periods

    w = people_world
    manager = type(w["manager"]).objects.get(pk=w["manager"].pk)  # as a request loads it
    subject = aggregates.Subject.of(w["campaign"])
    today = timezone.localdate()
    current = periods.period_containing(today, kind="quarter")
    past = current.previous()
    Enrolment.objects.filter(user=w["an"]).update(
        enrolled_at=timezone.make_aware(dt.datetime.combine(past.start, dt.time(9)))
    )
    old = list(exports.detail_lines(user=manager, agency=w["snv"], subject=subject,
                                    period=past))  # fmt: skip
    # An was enrolled in the past quarter and completed only now: in it, not completed.
    assert [(line.full_name, line.completed_on) for line in old] == [("Trần Thị An", None)]
    now = list(exports.detail_lines(user=manager, agency=w["snv"], subject=subject,
                                    period=current))  # fmt: skip
    assert {line.full_name for line in now} == {"Trần Thị An", "Lê Văn Bình", "Phạm Thị Chi"}


def _report(lines=None):
    lines = lines or [
        ReportLine("Sở Nội vụ", "PT-SNV", 0, 1250, 1100, 1000, 529, 480, 37),
        ReportLine(
            "Phòng Công chức, viên chức", "PT-SNV-CCVC-2026", 1, 250, 240, 230, 200, 190, -3
        ),  # fmt: skip
    ]
    return ReportTable(
        "Báo cáo kết quả Bình dân học vụ số", "Sở Nội vụ", "Quý 4/2026", dt.date(2026, 10, 1),
        dt.date(2026, 12, 31), dt.datetime(2026, 12, 5, 2, 0, tzinfo=dt.UTC), "", lines,
        parent_name="UBND tỉnh Phú Thọ", place="Phú Thọ", signer_name="Lê Văn Quản Lý",
    )  # fmt: skip


def test_report_pdf_follows_the_decree_30_layout():
    from pypdf import PdfReader

    buffer = io.BytesIO()
    report_pdf(_report(), buffer)
    text = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH PHÚ THỌ",
        "SỞ NỘI VỤ",
        "Phú Thọ, ngày 05 tháng 12 năm 2026",
        "BÁO CÁO KẾT QUẢ BÌNH DÂN HỌC VỤ SỐ",
        "NGƯỜI LẬP BÁO CÁO",
        "(Ký, ghi rõ họ tên)",
        "Lê Văn Quản Lý",
    ):
        assert expected in text, expected
    assert "STT" in text.split()  # the header on one line, not "ST T"


def test_report_pdf_columns_hold_codes_and_numbers_on_one_line():
    """A cell's text is at most its column's width (a code never runs into the next
    column; the number column's header never wraps)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from campaigns.reporting import report_files

    table = _report()
    report_pdf(table, io.BytesIO())  # registers the fonts
    rows = [[None] * 10] + [
        [str(n or ""), line.name, line.code, *["1.250"] * 7] for n, line in enumerate(table.lines)
    ]
    widths = report_files._pdf_widths(table, rows, 267 * 72 / 25.4)
    padding = report_files.CELL_PADDING
    for line in table.lines:
        assert stringWidth(line.code, report_files.PDF_FONT_BOLD, 9) + padding <= widths[2]
    assert stringWidth("STT", report_files.PDF_FONT_BOLD, 8) + padding <= widths[0]
    assert sum(widths) <= 267 * 72 / 25.4 + 0.01


def test_a_parents_line_is_its_children_plus_the_people_placed_directly(people_world):
    """Sở Nội vụ has An and Chi placed directly and Bình in its unit: its line equals the
    unit's line plus a "(trực thuộc)" line of its own people."""
    from campaigns.reporting import periods

    w = people_world
    services.headcount_set(agency=w["snv"], audience="civil_servant", count=5)
    services.headcount_set(agency=w["unit"], audience="civil_servant", count=3)
    period = periods.period_containing(timezone.localdate(), kind="quarter")
    subject = aggregates.Subject.of(w["campaign"])
    lines = aggregates.report_lines(subject=subject, root=w["snv"], period=period)
    parent, children = lines[0], [line for line in lines if line.level == 1]
    assert [c.name for c in children] == ["Sở Nội vụ (trực thuộc)", "Phòng Tổ chức biên chế"]
    for measure in ("headcount", "registered", "enrolled", "completed", "certified"):
        assert getattr(parent, measure) == sum(getattr(c, measure) for c in children), measure
    assert (children[0].registered, children[0].completed) == (2, 1)
    assert (children[1].registered, children[1].headcount) == (1, 3)


def test_reminders_go_out_once_a_day_with_the_cache_down(people_world, client, settings):
    """Redis down: the once-a-day claim lives in the database, so reminders still go out
    (the cache claim of before sent none: a failed cache.add read as "already sent")."""
    settings.CACHES = {
        "default": {
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    w = people_world
    client.force_login(w["manager"])
    url = reverse("campaigns:people_remind", args=[w["snv"].pk])
    filters = {"campaign": w["campaign"].pk, "status": "not_started", "q": "", "audience": ""}
    client.post(url, {**filters, "scope": "all"})
    client.post(url, {**filters, "scope": "all"})
    assert [m.to[0] for m in mail.outbox] == [w["chi"].email]
    assert Notice.objects.filter(kind=Notice.Kind.REMINDER, user=w["chi"]).count() == 1
