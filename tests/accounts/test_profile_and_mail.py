"""Issue 22, learner: a profile page (name, phone, agency, change password, language), and
account mails that name HọcSố instead of the host ("[127.0.0.1:8720] ...")."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from campaigns import services as campaign_services
from campaigns.models import Agency

PROFILE = "/tai-khoan/ho-so/"


@pytest.fixture
def learner(client, user_factory):
    user = user_factory(full_name="Nguyễn Thị Hồng Nhung", phone="0912345678")
    client.force_login(user)
    return user


def test_profile_shows_name_phone_agency_and_the_account_links(client, learner, home_page):
    agency = campaign_services.agency_create(
        name="Sở Nội vụ", code="SNV", kind=Agency.Kind.DEPARTMENT
    )
    campaign_services.learner_profile_set(user=learner, agency=agency, audience="civil_servant")
    html = client.get(PROFILE).content.decode()
    assert "Hồ sơ của tôi" in html
    assert 'value="Nguyễn Thị Hồng Nhung"' in html
    # The phone is shown as people write it; it changes on allauth's page (SMS code).
    assert "0912 345 678" in html.split('data-testid="profile-phone"')[1][:80]
    assert reverse("account_change_phone") in html and "Đổi số điện thoại" in html
    assert "Sở Nội vụ" in html.split('data-testid="profile-agency"')[1][:80]
    assert reverse("account_change_password") in html and "Đổi mật khẩu" in html
    assert reverse("set_language") in html and 'id="profile-language"' in html
    # The header's name leads to the profile.
    assert f'href="{PROFILE}" data-testid="user-name"' in client.get("/").content.decode()


def test_profile_without_an_agency_says_so(client, learner, home_page):
    assert "Chưa gắn với cơ quan, đơn vị nào" in client.get(PROFILE).content.decode()


def test_profile_saves_the_name_and_never_the_phone(client, learner, user_factory):
    # The page has no phone field any more: a number posted to it is ignored (changing it
    # goes through an SMS code; "already used" told who was registered, issue 13).
    user_factory(phone="0987654321", phone_verified=True)
    response = client.post(PROFILE, {"full_name": " Nguyễn Thị Nhung ", "phone": "0987 654 321"})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.full_name, learner.phone) == ("Nguyễn Thị Nhung", "+84912345678")
    assert "đã được dùng" not in client.get(PROFILE).content.decode()


def test_profile_needs_a_login(client):
    response = client.get(PROFILE)
    assert response.status_code == 302 and "/tai-khoan/login/" in response.url


def test_password_reset_mail_names_hocso_not_the_host(client, user_factory, home_page):
    user_factory(email="nhung@example.vn")
    client.post(
        reverse("account_reset_password"),
        {"email": "nhung@example.vn"},
        HTTP_HOST="127.0.0.1:8720",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith("[HọcSố] ")
    assert "127.0.0.1:8720]" not in message.subject
    assert "HọcSố" in message.body
    assert not User.objects.filter(email="127.0.0.1:8720").exists()
