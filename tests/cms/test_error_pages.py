"""Walker findings 3-5: the site's 404, 403, 429 and 500 pages are Vietnamese pages with a way
back, not Django's or allauth's bare English literals. DEBUG is off (as pytest-django runs
the suite, asserted here); the requests go through the whole middleware stack."""

import pytest
from django.test import Client

from tests.accounts.pages import PHONE_RESET
from tests.cms.pages import html_of


def test_debug_is_off_in_these_tests(settings):
    assert not settings.DEBUG


@pytest.mark.django_db
def test_an_unknown_address_is_a_vietnamese_404(client):
    body = html_of(client.get("/khoa-hoc/khong-co-trang-nay/"), status=404)
    assert "Không tìm thấy trang" in body
    assert "Trang bạn tìm không tồn tại hoặc đã được chuyển đi." in body
    assert 'href="/">Về trang chủ</a>' in body
    assert "Not Found" not in body


@pytest.mark.django_db
def test_a_learner_in_the_managers_area_gets_a_vietnamese_403(client, learner):
    body = html_of(client.get("/quan-ly/"), status=403)
    assert "Không có quyền truy cập" in body
    assert "Tài khoản của bạn không được phép mở trang này" in body
    assert "Forbidden" not in body


@pytest.mark.django_db
@pytest.mark.usefixtures("sms_outbox")
def test_too_many_sms_reset_requests_get_a_vietnamese_429(settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "2/m/key"}
    browser = Client(REMOTE_ADDR="203.0.113.20")
    codes = [browser.post(PHONE_RESET, {"phone": "0912345678"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    body = html_of(browser.post(PHONE_RESET, {"phone": "0912345678"}), status=429)
    assert "Thử quá nhiều lần" in body
    assert "Vui lòng đợi một lúc rồi thử lại." in body
    assert f'href="{PHONE_RESET}">Quay lại' in body
    assert "Too Many Requests" not in body


def test_a_crash_is_a_vietnamese_500_rendered_without_the_database(settings):
    # No django_db mark: any query while rendering the page would raise (pytest-django's
    # blocker), and the handler would fall back to the English literal.
    settings.ROOT_URLCONF = "tests.cms.error_urls"
    body = html_of(Client(raise_request_exception=False).get("/loi/"), status=500)
    assert "Đã xảy ra lỗi" in body
    assert "Xin lỗi, hệ thống gặp lỗi. Vui lòng thử lại sau ít phút." in body
    assert "Server Error" not in body
