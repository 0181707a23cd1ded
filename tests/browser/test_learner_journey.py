"""The learner's journey on a phone (issue 22), read the way a learner reads it: log in, open
the assigned course ("Bắt đầu", days left), go through the lessons ("Bài 1/3"), an H5P
question moves the progress bar without a reload, the final quiz is failed (no right
answers shown, "Làm lại"), retaken and passed, the result page leads to the certificate,
and the bell shows the certificate notice. App on http://localhost:PORT, H5P content on
http://127.0.0.1:PORT (another site). Screenshots: /tmp/h-journey-*.png."""

import datetime as dt
import uuid
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from assessments.models import QuestionCategory
from courses.models import CoursePage, Enrolment
from courses.services import enrolment_create
from tests import factories
from tests.assessments.h5p.conftest import admin_user, h5p_storage, make_package, playable_package  # noqa: F401
from tests.conftest import browser_log_in_with_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Hoc-tap-so-2026!"
SHOTS = "/tmp/h-journey-{}.png"
# Right answers by question text (the test knows the bank; the page never shows them early).
RIGHT = {
    "Số điện thoại khẩn cấp gọi công an là số nào?": "113",
    "Ngân hàng không bao giờ gọi điện xin mã OTP.": "Đúng",
    "Mã OTP nên đưa cho ai?": "Không đưa cho ai",
}
WRONG = {"Số điện thoại khẩn cấp gọi công an là số nào?": "114"}


def _quiz():
    category = QuestionCategory.objects.create(name="Cuối khoá")
    questions = [
        factories.question(category, "single", "Số điện thoại khẩn cấp gọi công an là số nào?",
                           [("113", 100), ("114", 0), ("115", 0)]),
        factories.question(category, "true_false", "Ngân hàng không bao giờ gọi điện xin mã OTP.",
                           [("Đúng", 100), ("Sai", 0)]),
        factories.question(category, "single", "Mã OTP nên đưa cho ai?",
                           [("Không đưa cho ai", 100), ("Nhân viên ngân hàng", 0),
                            ("Công an gọi điện", 0)]),
    ]  # fmt: skip
    # The review policy: the default.
    return factories.quiz(
        questions=questions, title="Kiểm tra cuối khoá", pass_mark_percent=60, max_attempts=3
    )


def _course(home_page, package, quiz) -> CoursePage:
    bodies = [
        [{"type": "text", "id": str(uuid.uuid4()),
          "value": "<p>Không bao giờ đưa mã OTP cho người khác.</p>"}],
        [{"type": "h5p", "id": str(uuid.uuid4()),
          "value": {"package": package.pk, "pass_percent": 60, "required": True}}],
        [{"type": "quiz", "id": str(uuid.uuid4()), "value": {"quiz": quiz.pk, "required": True}}],
    ]  # fmt: skip
    return factories.course(
        title="An toàn trên không gian mạng",
        slug="an-toan-tren-khong-gian-mang",
        summary="Ba bài ngắn và một bài kiểm tra.",
        audiences=("civil_servants",),
        parent=factories.catalogue(home_page),
        lessons=["Mật khẩu và mã OTP", "Câu hỏi nhanh", "Bài kiểm tra cuối khoá"],
        bodies=bodies,
        publish_lessons=True,
    )


@pytest.fixture
def journey(live_server, settings, home_page, user_factory, playable_package):  # noqa: F811
    port = urlsplit(live_server.url).port
    settings.APP_ORIGIN = f"http://localhost:{port}"
    settings.CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    # The page's CSP frames the player from this test's content origin.
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    if policy:
        directives = {**policy["DIRECTIVES"], "frame-src": [settings.CONTENT_ORIGIN]}
        settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    course = _course(home_page, playable_package("H5P.TrueFalse"), _quiz())
    learner = user_factory(
        email="nhung@example.vn", full_name="Nguyễn Thị Hồng Nhung", password=PASSWORD
    )
    due = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=5), dt.time(23, 59, 59))
    )
    enrolment_create(
        user=learner, course=course, source=Enrolment.Source.CAMPAIGN, due_at=due,
        source_ref="campaign:1",
    )  # fmt: skip
    return {"app": settings.APP_ORIGIN, "course": course, "learner": learner}


def _answer(page, answers):
    for fieldset in page.locator("fieldset.quiz-question").all():
        text = fieldset.locator(".quiz-qtext").inner_text().strip()
        if text in answers:
            fieldset.locator("label.quiz-choice", has_text=answers[text]).first.click()


def _tap_sizes(page, selector):
    return page.evaluate(
        """sel => Array.from(document.querySelectorAll(sel))
            .filter(el => el.offsetParent !== null)
            .map(el => { const r = el.getBoundingClientRect();
                         return [el.textContent.trim().slice(0, 30), Math.round(r.width),
                                 Math.round(r.height)]; })""",
        selector,
    )


def test_learner_fails_retakes_passes_and_reaches_the_certificate(journey, phone_page, axe):
    page, app = phone_page, journey["app"]
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Log in.
    browser_log_in_with_form(page, app, "nhung@example.vn", PASSWORD)

    # My learning: the assigned course, not started, due in 5 days.
    page.get_by_role("link", name="Học tập của tôi").click()
    assigned = page.get_by_test_id("assigned")
    assert "An toàn trên không gian mạng" in assigned.inner_text()
    assert "Còn 5 ngày" in assigned.get_by_test_id("deadline").inner_text()
    assert "Bắt đầu: Mật khẩu và mã OTP" in assigned.get_by_test_id("continue").inner_text()
    page.screenshot(path=SHOTS.format("1-my-learning"), full_page=True)
    assert axe(page) == []
    assigned.get_by_role("link", name="An toàn trên không gian mạng").click()

    # The course page: "Bắt đầu", days left, 0%.
    assert page.get_by_test_id("continue").inner_text() == "Bắt đầu"
    assert "Còn 5 ngày" in page.get_by_test_id("deadline").inner_text()
    assert "đã học 0% khoá học" in page.get_by_test_id("course-progress-text").inner_text()
    page.screenshot(path=SHOTS.format("2-course"), full_page=True)
    assert axe(page) == []
    # Tap targets: header, footer and lesson links are at least 44 px high.
    for selector in (".site-nav a", ".site-footer a", ".lesson-list a", ".brand"):
        small = [s for s in _tap_sizes(page, selector) if s[2] < 44]
        assert small == [], (selector, small)
    page.get_by_test_id("continue").click()

    # Lesson 1 of 3: read it.
    assert page.get_by_test_id("lesson-number").inner_text() == "Bài 1/3"
    assert axe(page) == []
    page.get_by_role("button", name="Tôi đã đọc xong bài này").click()

    # Lesson 2 of 3: the H5P question moves the bar without a reload.
    page.get_by_test_id("lesson-number").wait_for()
    assert page.get_by_test_id("lesson-number").inner_text() == "Bài 2/3"
    assert "đã học 33% khoá học" in page.get_by_test_id("course-progress-text").inner_text()
    page.evaluate("window.__sameDocument = true")
    h5p = page.frame_locator(".activity-h5p iframe").frame_locator("iframe.h5p-iframe")
    h5p.get_by_text("Oslo is the capital of Norway.").wait_for()
    h5p.get_by_role("radio", name="Yes").click()
    h5p.get_by_role("button", name="Check").click()
    page.get_by_test_id("lesson-done").wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=course-progress]').value === 66"
    )
    assert "đã học 66% khoá học" in page.get_by_test_id("course-progress-text").inner_text()
    assert page.evaluate("window.__sameDocument === true")  # no reload happened
    page.screenshot(path=SHOTS.format("3-h5p-progress"), full_page=True)
    page.locator(".lesson-nav a[rel=next]").click()

    # Lesson 3 of 3: the final quiz. First attempt: one wrong, one left empty.
    assert page.get_by_test_id("lesson-number").inner_text() == "Bài 3/3"
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    _answer(page, {**WRONG, "Ngân hàng không bao giờ gọi điện xin mã OTP.": "Đúng"})
    page.get_by_role("button", name="Nộp bài", exact=True).click()
    warning = page.get_by_test_id("unanswered-warning")
    warning.wait_for()
    assert "Bạn chưa trả lời câu" in warning.inner_text()
    assert "Câu bỏ trống không được tính điểm" in warning.inner_text()
    page.screenshot(path=SHOTS.format("4-unanswered"), full_page=True)
    assert axe(page) == []
    page.get_by_role("button", name="Vẫn nộp bài").click()

    # Failed: no right answer shown while retakes remain, "Làm lại" offered.
    outcome = page.get_by_test_id("quiz-outcome")
    assert "Chưa đạt" in outcome.inner_text()
    body = page.locator("main").inner_text()
    assert "Đáp án đúng" not in body and "Không đưa cho ai" not in body
    assert "Đáp án sẽ hiện khi bạn đạt hoặc đã dùng hết lượt làm bài." in body
    assert "còn 2 lượt" in body
    page.screenshot(path=SHOTS.format("5-failed"), full_page=True)
    assert axe(page) == []
    assert page.get_by_test_id("retake").inner_text() == "Làm lại"
    page.get_by_test_id("retake").click()

    # Second attempt: every answer right.
    _answer(page, RIGHT)
    page.get_by_role("button", name="Nộp bài", exact=True).click()
    assert page.get_by_test_id("quiz-outcome").inner_text().startswith("Đạt")
    assert "Đáp án đúng" in page.locator("main").inner_text()  # passed: review allowed
    assert page.get_by_test_id("retake").count() == 0
    assert "đã học 100% khoá học" in page.get_by_test_id("course-progress-text").inner_text()
    assert "chứng chỉ đã sẵn sàng" in page.get_by_test_id("certificate-ready").inner_text()
    page.screenshot(path=SHOTS.format("6-passed"), full_page=True)
    assert axe(page) == []

    # The bell: the certificate notice.
    bell = page.get_by_test_id("notices-bell")
    assert page.get_by_test_id("notices-count").inner_text() == "1"
    page.get_by_test_id("certificate-link").click()

    # The certificate itself.
    certificate = page.get_by_test_id("certificate")
    assert "An toàn trên không gian mạng" in certificate.inner_text()
    assert certificate.locator("a[href$='/tai-ve/']").count() == 1  # the PDF
    page.screenshot(path=SHOTS.format("7-certificate"), full_page=True)
    bell = page.get_by_test_id("notices-bell")
    bell.click()
    notices = page.get_by_test_id("notices")
    assert "Chứng chỉ khoá “An toàn trên không gian mạng” của bạn đã sẵn sàng." in (
        notices.inner_text()
    )
    page.screenshot(path=SHOTS.format("8-notices"), full_page=True)
    assert axe(page) == []

    # "Đã hoàn thành" in My learning links to the certificate too.
    page.goto(app + "/hoc/cua-toi/")
    completed = page.get_by_test_id("completed")
    assert "Xem chứng chỉ" in completed.get_by_test_id("certificate-link").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
