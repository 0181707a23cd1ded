"""Issue 20, done when: on a phone, a person signs up with only a phone number, reads the
code from the test SMS backend (file://), verifies, logs out and logs in with the phone;
and a person imported with only a phone sets a password from the SMS link.
Screenshots: /tmp/phone-shots/."""

import re

import pytest

from accounts import sms
from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/phone-shots/{}.png"
PASSWORD = "Hoc-tren-dien-thoai-2026"
NUMBER = "+84912345678"


@pytest.fixture
def sms_folder(settings, tmp_path):
    settings.SMS_URL = f"file://{tmp_path}"
    settings.APP_ORIGIN = "http://placeholder"  # replaced by the live server's origin below
    return tmp_path


def messages_to(folder, number):
    return [m["text"] for m in sms.file_messages(folder) if m["to"] == number]


def press(page, name: str) -> None:
    page.locator("main").get_by_role("button", name=name, exact=True).click()


def log_in_here(page, base, phone: str, *, greets: str) -> None:
    """On the log-in page already open: log in with a phone number as a person writes it;
    the home page then greets them by name."""
    page.locator("input[name=login]").fill(phone)
    page.locator("input[name=password]").fill(PASSWORD)
    press(page, "Đăng nhập")
    page.wait_for_url(base + "/")
    assert greets in page.content()


def shot(page, axe, name: str) -> None:
    page.screenshot(path=SHOTS.format(name), full_page=True)
    assert axe(page) == [], name


def test_sign_up_with_only_a_phone_verify_log_out_log_in(
    live_server, home_page, phone_page, axe, sms_folder
):
    page, base = phone_page, live_server.url
    page.goto(base + "/tai-khoan/signup/")
    shot(page, axe, "1-signup")
    page.get_by_label("Họ và tên").fill("Lò Thị Mai")
    page.get_by_label("Số điện thoại (không bắt buộc nếu có e-mail)").fill("0912 345 678")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("input[name=consent]").check()
    press(page, "Đăng ký")

    # The code page; the code arrives by SMS (the test backend's folder).
    page.wait_for_url(base + "/tai-khoan/phone/verify/")
    assert "Mã xác thực đã được gửi đến +84912345678" in page.content()
    [text] = messages_to(sms_folder, NUMBER)
    assert text.startswith("HọcSố: mã của bạn là ")
    code = re.search(r"\b(\d{6})\b", text).group(1)
    shot(page, axe, "2-verify-phone")
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/")
    assert "Bạn đã xác thực số điện thoại +84912345678" in page.content()
    shot(page, axe, "3-signed-up")
    user = User.objects.get(phone=NUMBER)
    assert user.email is None and user.phone_verified

    page.goto(base + "/tai-khoan/logout/")
    press(page, "Đăng xuất")
    page.wait_for_url(base + "/")

    page.goto(base + "/tai-khoan/login/")
    shot(page, axe, "4-login")
    log_in_here(page, base, "0912.345.678", greets="Lò Thị Mai")
    page.goto(base + "/tai-khoan/ho-so/")
    assert "0912 345 678" in page.get_by_test_id("profile-phone").inner_text()
    shot(page, axe, "5-profile")


def test_imported_phone_only_person_sets_a_password_from_the_sms_link(
    live_server, home_page, phone_page, axe, sms_folder, settings
):
    settings.APP_ORIGIN = live_server.url
    # The manager's import of a person with only a phone, as the import runs it: the new
    # account has no e-mail and the invitation goes by SMS (campaigns.agencies.imports).
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.agencies import imports
    from tests import factories

    tree = factories.agency_tree()
    manager = factories.manager(tree["snv"])
    rows = (
        "Họ và tên,Email,Số điện thoại,Mã cơ quan,Đối tượng,Chức danh,Mã cán bộ\n"
        "Hoàng Văn Bản,,0987 654 321,SNV-TC,Công chức,Chuyên viên,\n"
    )
    job = imports.import_job_create(
        user=manager, uploaded_file=SimpleUploadedFile("ds.csv", rows.encode("utf-8"))
    )
    job = imports.import_check(job_id=job.pk)
    job = imports.import_run(job_id=job.pk)
    assert job.created_count == 1, job.message
    person = User.objects.get(phone="+84987654321")
    assert person.email is None and not person.has_usable_password()
    [text] = messages_to(sms_folder, "+84987654321")
    link = re.search(r"(http://\S+/)", text).group(1)

    page, base = phone_page, live_server.url
    page.goto(link)
    assert "Xin chào Hoàng Văn Bản" in page.content()
    shot(page, axe, "6-set-password")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    press(page, "Lưu mật khẩu")
    page.wait_for_url(base + "/tai-khoan/login/")
    assert "Mật khẩu của bạn đã được đặt" in page.content()
    shot(page, axe, "7-password-set")
    log_in_here(page, base, "0987 654 321", greets="Hoàng Văn Bản")
    # The link worked once.
    page.goto(link)
    assert "Liên kết này không còn dùng được" in page.content()
    shot(page, axe, "8-link-used")
