"""Issue 22, the manager's journey on a phone: log in with the second factor, filter the
people of the department by their state in the campaign's course, remind the ones shown,
create an in-person session, download the period report as a PDF. The test reads what the
pages say (Vietnamese labels, the figures), no serious axe violation (tap targets
included), no CSP violation."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from campaigns import services
from campaigns.models import Session
from courses.models import Enrolment, LessonPage
from courses.services import course_complete, lesson_progress_record
from tests import factories
from tests.campaigns.conftest import learner_in, tree
from tests.conftest import mfa_enrol, totp_code
from tests.courses.conftest import catalogue, course_factory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIXTURES = (learner_in, tree, catalogue, course_factory)  # imported pytest fixtures

EMAIL = "quanly.snv@example.vn"
PASSWORD = "Mat-khau-quan-ly-2026!"
SHOTS = "/tmp/m-{}.png"


@pytest.fixture
def department(tree, learner_in, course_factory, user_factory):
    course = course_factory(lessons=2, title="Kỹ năng số cơ bản", audiences=("civil_servants",))
    today = timezone.localdate()
    campaign = factories.campaign(
        name="Bình dân học vụ số 2026", starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=5), target_percent=100, courses=[course],
    )  # fmt: skip
    services.headcount_set(agency=tree["snv"], audience="civil_servant", count=4)
    services.headcount_set(agency=tree["unit"], audience="civil_servant", count=4)
    people = {
        "an": learner_in(tree["snv"], name="Trần Thị An"),
        "binh": learner_in(tree["unit"], name="Lê Văn Bình"),
        "chi": learner_in(tree["snv"], name="Phạm Thị Chi"),
        "dung": learner_in(tree["unit"], name="Đỗ Văn Dũng"),
    }
    services.campaign_assign(campaign=campaign)
    course_complete(enrolment=Enrolment.objects.get(user=people["an"], course=course))
    first = LessonPage.objects.child_of(course).order_by("path").first()
    lesson_progress_record(user=people["binh"], lesson=first, evidence="read")
    services.assignments_refresh_completion(campaign=campaign)
    from django.core.cache import cache

    cache.clear()  # reminders claim (person, day) in the cache; ids repeat across tests
    manager = user_factory(email=EMAIL, password=PASSWORD, full_name="Lê Văn Quản Lý")
    services.manager_role_grant(user=manager, agency=tree["snv"], granted_by=None)
    return {"secret": mfa_enrol(manager), "campaign": campaign, **people, **tree}


def shot(page, name):
    page.screenshot(path=SHOTS.format(name), full_page=True)


def no_axe_violations(page, axe):
    violations = axe(page)
    assert violations == [], violations


def test_manager_filters_reminds_creates_a_session_and_downloads_the_report(
    live_server, department, phone_page, axe
):
    page, base, d = phone_page, live_server.url, department

    # Log in: password, then the authenticator code (MFA is mandatory for managers).
    page.goto(base + "/tai-khoan/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(base + "/tai-khoan/2fa/authenticate/")
    page.locator("input[name=code]").fill(totp_code(d["secret"]))
    page.locator("main").get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(lambda url: "/2fa/" not in url)

    # The people of Sở Nội vụ, each with their state in the course.
    page.goto(f"{base}/quan-ly/don-vi/{d['snv'].pk}/hoc-vien/")
    table = page.locator("#people-table")
    assert table.get_by_role("columnheader", name="Kỹ năng số cơ bản").is_visible()
    assert "Đã hoàn thành" in table.locator("tr", has_text="Trần Thị An").inner_text()
    assert "Đang học" in table.locator("tr", has_text="Lê Văn Bình").inner_text()
    assert "Chưa bắt đầu" in table.locator("tr", has_text="Phạm Thị Chi").inner_text()
    shot(page, "1-people")
    no_axe_violations(page, axe)

    # Filter: not started → Chi and Dũng only.
    page.get_by_label("Trạng thái").select_option(label="Chưa bắt đầu")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(lambda url: "status=not_started" in url)
    names = table.locator("tbody th").all_inner_texts()
    assert sorted(names) == ["Phạm Thị Chi", "Đỗ Văn Dũng"]
    shot(page, "2-filtered")

    # Remind everyone shown: two people, before the deadline (5 days left).
    page.get_by_role("button", name="Nhắc tất cả người đang hiển thị (2 người)").click()
    status = page.get_by_test_id("reminders-sent")
    assert status.inner_text().startswith("Đã gửi nhắc nhở cho 2 người")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([d["chi"].email, d["dung"].email])
    assert all("còn 5 ngày" in m.body for m in mail.outbox)
    # Pressed again the same day: nobody gets a second one, and the page says why.
    page.get_by_role("button", name="Nhắc tất cả người đang hiển thị (2 người)").click()
    assert "Đã gửi nhắc nhở cho 0 người" in status.inner_text()
    assert "không bị nhắc lại" in status.inner_text()
    assert len(mail.outbox) == 2
    shot(page, "3-reminded")

    # An in-person session for the unit, from the manager pages.
    page.goto(base + "/quan-ly/buoi-hoc/")
    page.get_by_role("link", name="Tạo buổi học trực tiếp").click()
    page.wait_for_url(base + "/quan-ly/buoi-hoc/tao/")
    no_axe_violations(page, axe)
    start = timezone.localtime() + dt.timedelta(days=2)
    page.get_by_label("Loại").select_option(label="Lớp tập huấn")
    page.get_by_label("Tiêu đề").fill("Lớp kỹ năng số cho Phòng Tổ chức")
    page.get_by_label("Địa điểm").fill("Phòng họp tầng 2")
    page.get_by_label("Bắt đầu lúc").fill(start.strftime("%Y-%m-%dT08:00"))
    page.get_by_label("Kết thúc lúc").fill(start.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Cơ quan").select_option(label="Phòng Tổ chức biên chế")
    shot(page, "4-session-form")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(lambda url: "/buoi-hoc/" in url and url.rstrip("/").split("/")[-1].isdigit())
    assert page.get_by_role("heading", level=1).inner_text() == "Lớp kỹ năng số cho Phòng Tổ chức"
    assert "Phòng Tổ chức biên chế" in page.locator("main").inner_text()
    session = Session.objects.get()
    assert session.agency == d["unit"]
    shot(page, "5-session")

    # The period report: the table on the page, then the PDF.
    page.goto(f"{base}/quan-ly/don-vi/{d['snv'].pk}/bao-cao/?period=" + _this_quarter())
    shot(page, "6-report")
    report = page.locator("main table").first.inner_text()
    assert "Sở Nội vụ (trực thuộc)" in report  # its own people, beside the unit's line
    no_axe_violations(page, axe)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith(".pdf")
    from pypdf import PdfReader

    text = PdfReader(pdf.path()).pages[0].extract_text()
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "SỞ NỘI VỤ", "Phú Thọ, ngày", "NGƯỜI LẬP BÁO CÁO", "Lê Văn Quản Lý",
                     "Phòng Tổ chức biên chế"):  # fmt: skip
        assert expected in text, expected


def _this_quarter() -> str:
    from campaigns.reporting import periods

    return periods.period_containing(timezone.localdate(), kind="quarter").slug
