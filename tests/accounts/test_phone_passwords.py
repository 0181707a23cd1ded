"""Issue 20: a person imported with only a phone sets a password from a link sent by SMS
(and anyone who logs in with a phone can reset a forgotten password the same way)."""

import re

import pytest

from accounts import sms
from accounts.models import User
from accounts.phone_passwords import sms_invitations_send
from accounts.tasks import sms_invitations_send as sms_invitations_task
from tests.accounts.pages import LOGIN, PASSWORD_RESET, PHONE_RESET

NEW_PASSWORD = "Mat-khau-moi-cua-toi-2026"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms_outbox")]


@pytest.fixture
def imported(db):
    """As campaigns' import makes them: no e-mail, a phone, no usable password."""
    user = User(full_name="Hoàng Văn Bản", phone="+84987654321", email=None)
    user.set_unusable_password()
    user.save()
    return user


def link_in(text: str) -> str:
    return re.search(r"http://testserver(/\S+/)", text).group(1)


def test_imported_phone_only_person_sets_a_password_from_the_sms_link(client, imported):
    assert sms_invitations_task.delay([imported.pk]).get() == {"sent": 1}
    [message] = sms.outbox
    assert message["to"] == "+84987654321"
    assert "tài khoản học của bạn đã được tạo" in message["text"]
    path = link_in(message["text"])
    page = client.get(path).content.decode()
    assert "Xin chào Hoàng Văn Bản" in page
    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == LOGIN
    imported.refresh_from_db()
    assert imported.check_password(NEW_PASSWORD) and imported.phone_verified
    # The number and the new password log in.
    login = client.post(LOGIN, {"login": "0987 654 321", "password": NEW_PASSWORD})
    assert login.status_code == 302 and "_auth_user_id" in client.session
    # Nobody is invited twice: a re-run of the import sends nothing to someone with a password.
    assert sms_invitations_send([imported.pk]) == 0


def test_people_with_an_email_are_invited_by_mail_not_sms(user_factory):
    user = user_factory(phone="0912345678")
    assert sms_invitations_send([user.pk]) == 0 and sms.outbox == []


def test_forgot_password_by_phone_sends_a_link_that_works_once(client, user_factory):
    user_factory(email=None, phone="0912345678", phone_verified=True, password="cu-2026-abc")
    response = client.post(PHONE_RESET, {"phone": "0912 345 678"})
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "Nếu có tài khoản dùng số này" in done
    path = link_in(sms.outbox[-1]["text"])
    assert (
        client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    )
    again = client.get(path)
    assert again.status_code == 400 and "Liên kết này không còn dùng được" in again.content.decode()


def test_forgot_password_for_an_unknown_number_says_so_not_a_log_in_code(client):
    """Walker finding: the SMS to a number no account uses spoke of a log-in code."""
    response = client.post(PHONE_RESET, {"phone": "0912 000 111"})
    assert response.status_code == 302
    [message] = sms.outbox
    assert message["to"] == "+84912000111"
    assert "đặt lại mật khẩu" in message["text"] and "đăng ký" in message["text"]
    assert "mã đăng nhập" not in message["text"]


def test_reset_page_speaks_vietnamese_and_refuses_a_landline(client):
    page = client.get(PHONE_RESET).content.decode()
    assert "Đặt lại mật khẩu qua SMS" in page
    response = client.post(PHONE_RESET, {"phone": "024 3825 1234"})
    assert response.status_code == 400
    assert "Nhập số điện thoại di động" in response.content.decode()


def test_email_reset_page_links_to_the_sms_reset(client):
    page = client.get(PASSWORD_RESET).content.decode()
    assert PHONE_RESET in page and "Không có e-mail? Đặt lại mật khẩu qua SMS" in page
