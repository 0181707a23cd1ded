"""On a phone: find a course, enrol, finish it lesson by lesson, see it under "completed"."""

import pytest

from tests.browser.test_learner_journey import _tap_sizes
from tests.cms.conftest import png_bytes
from tests.conftest import browser_log_in_with_form
from tests.courses.conftest import image_block, text_block

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Hoc-tap-so-2026!"


def test_enrol_and_complete_a_course_on_a_phone(
    live_server, phone_page, axe, user_factory, course_factory
):
    from cms.demo import _ensure_image  # a flushed database has no root collection: it adds one

    picture = _ensure_image("Quét mã QR", "qr.png", png_bytes(640, 360))
    course_factory(
        lessons=2,
        title="Thanh toán không tiền mặt an toàn",
        bodies=[
            [
                text_block("<p>Quét mã QR, kiểm tra tên người nhận rồi mới xác nhận.</p>"),
                image_block(picture),
            ],
            [text_block("<p>Không bao giờ đọc mã OTP cho người khác.</p>")],
        ],
    )
    course_factory(lessons=1, title="Kỹ năng số cho mọi người")
    user = user_factory(password=PASSWORD, full_name="Hà Thị Mai")
    page, base = phone_page, live_server.url
    browser_log_in_with_form(page, base, user.email, PASSWORD)

    page.goto(base + "/hoc/?q=thanh+toan+khong+tien+mat")
    assert page.get_by_test_id("course-card").count() == 1
    assert axe(page) == []
    page.get_by_role("link", name="Thanh toán không tiền mặt an toàn").click()
    page.get_by_test_id("enrol").click()
    page.get_by_test_id("continue").click()
    assert "Quét mã QR" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []
    # "Tải ảnh gốc" under a picture is a 44 px tap target, not a 16 px line of the caption.
    assert [s[0] for s in _tap_sizes(page, ".lesson-image figcaption a")] == ["Tải ảnh gốc"]
    assert [s for s in _tap_sizes(page, ".lesson-image figcaption a") if s[2] < 44] == []
    page.get_by_role("button", name="Tôi đã đọc xong bài này").click()
    assert "OTP" in page.locator("article.lesson").inner_text()  # moved on to lesson 2
    page.get_by_role("button", name="Tôi đã đọc xong bài này").click()
    assert page.get_by_test_id("course-completed").is_visible()
    assert "Chúc mừng" in page.content()

    page.get_by_role("link", name="Học tập của tôi").click()
    completed = page.get_by_test_id("completed")
    assert "Thanh toán không tiền mặt an toàn" in completed.inner_text()
    assert (
        "Thanh toán không tiền mặt an toàn" not in page.get_by_test_id("in-progress").inner_text()
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []
