"""Browser smoke test on a phone-sized viewport, and axe-core on the public entry pages."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_then_log_in_and_see_ones_name(live_server, home_page, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("link", name="Đăng ký").first.click()
    page.get_by_label("Họ và tên").fill("Lò Thị Ửng")
    page.get_by_label("Email", exact=False).fill("ung@example.vn")
    page.locator("#id_password1").fill("Hoc-tap-so-2026!")
    page.locator("#id_password2").fill("Hoc-tap-so-2026!")
    consent = page.locator("#id_consent")
    assert not consent.is_checked()
    consent.check()
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_test_id("user-name").inner_text() == "Lò Thị Ửng"

    page.get_by_role("link", name="Đăng xuất").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_test_id("user-name").count() == 0

    page.get_by_role("link", name="Đăng nhập").first.click()
    page.get_by_label("Tài khoản đăng nhập").fill("ung@example.vn")
    page.get_by_label("Mật khẩu").fill("Hoc-tap-so-2026!")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_test_id("user-name").inner_text() == "Lò Thị Ửng"
    # Phone-first: nothing scrolls sideways at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("path", ["/", "/tai-khoan/login/", "/tai-khoan/signup/"])
def test_no_serious_accessibility_violations(live_server, home_page, phone_page, axe, path):
    phone_page.goto(live_server.url + path)
    violations = axe(phone_page)
    assert violations == [], violations
