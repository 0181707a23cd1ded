"""Issue 13: a manager without two-factor authentication is sent to enrol; once enrolled,
log-in asks for the code on allauth's page, and so does the admin's log-in (/admin/).
A real browser; the code is computed from the secret the page shows, as an app would."""

import time

import pytest
from django.contrib.auth.models import Permission

from campaigns import services
from campaigns.models import Agency
from tests.conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "quan-ly@example.vn"
PASSWORD = "Mat-khau-quan-ly-2026!"
SHOTS = "/tmp/b-{}.png"


def fresh_code(secret: str, used: set) -> str:
    """The app's current code; allauth accepts each code once, so wait for a new one."""
    while (code := totp_code(secret)) in used:
        time.sleep(1)
    used.add(code)
    return code


def press(page, name: str) -> None:
    """Press the page's button named `name` (its Vietnamese label)."""
    page.locator("main").get_by_role("button", name=name, exact=True).click()


def log_in(page, base, path="/tai-khoan/login/"):
    page.goto(base + path)
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    press(page, "Đăng nhập")


def log_out(page, base):
    page.goto(base + "/tai-khoan/logout/")
    press(page, "Đăng xuất")
    page.wait_for_url(base + "/")


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_manager_enrols_then_every_log_in_asks_for_the_code(
    live_server, home_page, user_factory, desktop_page
):
    agency = services.agency_create(name="Sở Nội vụ", code="SNV", kind=Agency.Kind.DEPARTMENT)
    # A manager who also edits content in the Wagtail admin.
    manager = user_factory(
        email=EMAIL, password=PASSWORD, full_name="Lê Văn Quản Lý", is_staff=True
    )
    manager.user_permissions.add(Permission.objects.get(codename="access_admin"))
    services.manager_role_grant(user=manager, agency=agency, granted_by=None)
    page, base, used = desktop_page, live_server.url, set()

    # Log in with the password, open the manager pages: sent to enrol (allauth first asks
    # for the password again before any change to the second factors).
    log_in(page, base)
    page.wait_for_url(base + "/")
    page.goto(base + "/quan-ly/")
    page.wait_for_url(
        f"{base}/tai-khoan/reauthenticate/?next=%2Ftai-khoan%2F2fa%2Ftotp%2Factivate%2F"
    )
    assert "cần xác thực hai yếu tố" in page.content()
    page.screenshot(path=SHOTS.format("1-reauthenticate"), full_page=True)
    page.locator("input[name=password]").fill(PASSWORD)
    press(page, "Xác nhận")
    page.wait_for_url(base + "/tai-khoan/2fa/totp/activate/")
    page.screenshot(path=SHOTS.format("2-enrol"), full_page=True)

    # Read the secret as a person would copy it into an app, and enrol.
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) >= 16
    page.locator("input[name=code]").fill(fresh_code(secret, used))
    press(page, "Kích hoạt")
    page.wait_for_url(base + "/tai-khoan/2fa/recovery-codes/")
    page.screenshot(path=SHOTS.format("3-recovery-codes"), full_page=True)
    # The session that enrolled has proved the factor: the manager pages open.
    page.goto(base + "/quan-ly/")
    assert page.url == base + "/quan-ly/"
    log_out(page, base)

    # Log in again: allauth asks for the code; the password alone opens nothing.
    log_in(page, base)
    page.wait_for_url(base + "/tai-khoan/2fa/authenticate/")
    page.screenshot(path=SHOTS.format("4-code-at-log-in"), full_page=True)
    page.goto(base + "/quan-ly/")  # the password alone: still on the code page
    assert page.url == base + "/tai-khoan/2fa/authenticate/"
    page.locator("input[name=code]").fill(fresh_code(secret, used))
    press(page, "Đăng nhập")
    page.wait_for_url(lambda url: "/2fa/" not in url)
    page.goto(base + "/quan-ly/")
    assert page.url == base + "/quan-ly/"
    log_out(page, base)

    # The admin: /admin/ → allauth's log-in → the code → the Wagtail dashboard.
    page.goto(base + "/admin/")
    page.wait_for_url(base + "/tai-khoan/login/?next=/admin/")
    page.goto(base + "/admin/login/?next=/admin/")
    page.wait_for_url(base + "/tai-khoan/login/?next=%2Fadmin%2F")
    log_in(page, base, path="/tai-khoan/login/?next=%2Fadmin%2F")
    page.wait_for_url(base + "/tai-khoan/2fa/authenticate/")
    page.locator("input[name=code]").fill(fresh_code(secret, used))
    page.screenshot(path=SHOTS.format("5-admin-code"), full_page=True)
    press(page, "Đăng nhập")
    page.wait_for_url(base + "/admin/")
    page.screenshot(path=SHOTS.format("6-admin-dashboard"), full_page=True)
    assert "Lê Văn Quản Lý" in page.content()  # the dashboard's greeting panel

    # The sessions page lists this session and is linked from the account pages.
    page.goto(base + "/tai-khoan/2fa/")
    page.locator(".account-nav").get_by_role("link", name="Phiên đăng nhập").click()
    page.wait_for_url(base + "/tai-khoan/sessions/")
    assert "Hiện tại" in page.content()
    page.screenshot(path=SHOTS.format("7-sessions"), full_page=True)
