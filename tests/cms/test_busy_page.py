"""The busy page (cms.ratelimit.busy_response) offers "Thử lại": a link back to the same
address, no script (the CSP allows none inline), a 44 px tap target. Walker finding: it
only said to try again later, with no way to."""

import pytest
from django.test import RequestFactory

from cms.ratelimit import busy_response
from tests.browser.test_learner_journey import _tap_sizes
from tests.resilience.conftest import CLOSED_PORT_URL
from tests.resilience.test_redis_down import BUSY, PASSWORD, resilient_cache


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_busy_log_in_offers_try_again_on_a_phone(
    live_server, home_page, user_factory, settings, phone_page, axe
):
    learner = user_factory(password=PASSWORD)
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}  # production's
    settings.CACHES = resilient_cache(CLOSED_PORT_URL)  # log-in fails closed: the busy page
    page = phone_page
    page.goto(live_server.url + "/tai-khoan/login/")
    page.get_by_label("Tài khoản đăng nhập").fill(learner.email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    assert BUSY in page.content()
    retry = page.get_by_role("link", name="Thử lại")
    assert [s[2] >= 44 for s in _tap_sizes(page, "[data-testid=busy-retry]")] == [True]
    assert axe(page) == []
    retry.click()
    # Back at the log-in form, to send it again.
    page.wait_for_url(live_server.url + "/tai-khoan/login/")
    assert page.get_by_role("button", name="Đăng nhập").is_visible()


@pytest.mark.parametrize(
    ("path", "retry"),
    [("/hoc/?q=an+toan", "/hoc/?q=an+toan"), ("//evil.example/x", "/")],
)
def test_try_again_is_the_same_address_on_this_site(rf: RequestFactory, path, retry, db):
    request = rf.get("/")
    request.path = path.split("?")[0]  # as the server received it ("//…" kept as is)
    request.META["QUERY_STRING"] = path.partition("?")[2]
    html = busy_response(request).content.decode()
    assert f'href="{retry.replace("&", "&amp;")}" data-testid="busy-retry"' in html
