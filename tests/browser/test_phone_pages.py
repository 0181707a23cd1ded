"""Issue 20 on a phone: log-in by a code sent by SMS, changing the number (proved by a
code), the password reset by SMS, and a failed SMS said on the page (never a 500).
Screenshots: /tmp/phone-shots/2x-*.png."""

import re

import pytest

from accounts import sms
from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/phone-shots/{}.png"
NUMBER, NEW_NUMBER = "+84912345678", "+84987654321"


def press(page, name: str) -> None:
    page.locator("main").get_by_role("button", name=name, exact=True).click()


def shot(page, axe, name: str) -> None:
    page.screenshot(path=SHOTS.format(name), full_page=True)
    assert axe(page) == [], name


def last_code(folder, number) -> str:
    texts = [m["text"] for m in sms.file_messages(folder) if m["to"] == number]
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def test_code_log_in_change_number_reset_by_sms_and_a_failed_send(
    live_server, home_page, phone_page, axe, settings, tmp_path
):
    settings.SMS_URL = f"file://{tmp_path}"
    user = User.objects.create_user(None, "Mat-khau-cu-2026", full_name="Lò Thị Mai", phone=NUMBER)
    User.objects.filter(pk=user.pk).update(phone_verified=True)
    page, base = phone_page, live_server.url

    # Log in with a code instead of the password.
    page.goto(base + "/tai-khoan/login/")
    page.locator("main").get_by_text("Gửi cho tôi mã đăng nhập", exact=True).click()
    page.wait_for_url(base + "/tai-khoan/login/code/")
    shot(page, axe, "21-request-code")
    page.locator("input[name=phone]").fill("0912 345 678")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/tai-khoan/login/code/confirm/")
    shot(page, axe, "22-enter-code")
    page.locator("input[name=code]").fill(last_code(tmp_path, NUMBER))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/")
    assert "Lò Thị Mai" in page.content()

    # A new number, proved by a code sent to it.
    page.goto(base + "/tai-khoan/ho-so/")
    page.get_by_role("link", name="Đổi số điện thoại").click()
    page.wait_for_url(base + "/tai-khoan/phone/change/")
    shot(page, axe, "23-change-phone")
    page.locator("input[name=phone]").fill("0987 654 321")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/tai-khoan/phone/verify/")
    page.locator("input[name=code]").fill(last_code(tmp_path, NEW_NUMBER))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/tai-khoan/phone/change/")
    assert "Bạn đã xác thực số điện thoại +84987654321" in page.content()
    shot(page, axe, "24-phone-changed")
    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == (NEW_NUMBER, True)

    # Forgotten password: from allauth's e-mail page to the SMS one.
    page.goto(base + "/tai-khoan/logout/")
    press(page, "Đăng xuất")
    page.wait_for_url(base + "/")
    page.goto(base + "/tai-khoan/password/reset/")
    page.get_by_role("link", name="Không có e-mail? Đặt lại mật khẩu qua SMS").click()
    shot(page, axe, "25-reset-by-sms")
    page.locator("input[name=phone]").fill("0987 654 321")
    press(page, "Gửi liên kết")
    page.wait_for_url(base + "/tai-khoan/quen-mat-khau/so-dien-thoai/da-gui/")
    shot(page, axe, "26-reset-sent")
    texts = [m["text"] for m in sms.file_messages(tmp_path) if m["to"] == NEW_NUMBER]
    assert "đặt mật khẩu mới tại đây" in texts[-1]

    # The gateway is down: the page says so.
    settings.SMS_URL = "http://127.0.0.1:9/send"
    page.goto(base + "/tai-khoan/login/code/")
    page.locator("input[name=phone]").fill("0987 654 321")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/tai-khoan/login/code/confirm/")
    assert "Chúng tôi không gửi được mã. Vui lòng thử lại sau một phút." in page.content()
    assert "Mã đăng nhập đã được gửi" not in page.content()
    shot(page, axe, "27-sms-failed")
