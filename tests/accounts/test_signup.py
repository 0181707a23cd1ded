import unicodedata

import pytest
from django.core import mail

from accounts.models import ConsentRecord, User
from tests.accounts.pages import LOGIN, SIGNUP


def signup_data(**overrides):
    data = {
        "full_name": "Nguyễn Thị Hồng Nhung",
        "email": "nhung@example.vn",
        "phone": "",
        "password1": "Hoc-so-that-vui-2026",
        "password2": "Hoc-so-that-vui-2026",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_signup_page_is_vietnamese_with_an_unticked_consent_box(client):
    html = client.get(SIGNUP).content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng ký" in html
    box = html[html.index('name="consent"') - 200 : html.index('name="consent"') + 200]
    assert 'type="checkbox"' in box
    assert "checked" not in box


@pytest.mark.django_db
def test_signup_records_consent_with_the_notice_version_and_logs_in(client, settings, home_page):
    settings.PRIVACY_NOTICE_VERSION = "2026-03"
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    response = client.post(SIGNUP, signup_data(full_name=decomposed))
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="nhung@example.vn")
    assert user.full_name == "Nguyễn Thị Hồng Nhung"  # stored NFC, exactly as entered
    consent = ConsentRecord.objects.get(user=user)
    assert consent.notice_version == "2026-03"
    assert consent.withdrawn_at is None
    home = client.get("/")
    assert "Nguyễn Thị Hồng Nhung" in home.content.decode()


@pytest.mark.django_db
def test_signup_without_consent_is_refused_in_vietnamese_and_creates_nothing(client):
    response = client.post(SIGNUP, signup_data(consent=None))
    assert response.status_code == 200
    assert "Bạn cần đồng ý với thông báo quyền riêng tư" in response.content.decode()
    assert not User.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.django_db
def test_a_database_lost_half_way_through_sign_up_leaves_no_half_made_account(client, monkeypatch):
    """The account is written first, then its consent and its e-mail address. A database
    that goes away in between (CI saw it during a PostgreSQL restart) must leave nothing:
    an account with no address could neither log in nor sign up again with that address."""
    from allauth.account.models import EmailAddress
    from django.db import OperationalError

    def lost(**kwargs):
        assert User.objects.filter(email="nhung@example.vn").exists()  # already written
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("accounts.forms.consent_record", lost)
    client.raise_request_exception = False  # the site's handler500 answers, as in production
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 503
    assert "bảo trì" in response.content.decode().lower()
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.django_db
def test_duplicate_phone_is_not_attached_and_not_reported(client, user_factory, home_page):
    owner = user_factory(phone="0912345678", phone_verified=True)
    response = client.post(SIGNUP, signup_data(phone="0912345678"))
    # Like any sign-up: saying "already used" would reveal who is registered (issue 13,
    # tests/security/test_signup_enumeration.py): the code page, as for a new number. The
    # owner's number gets an "account exists" SMS; no second account holds it.
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/phone/verify/"
    assert not User.objects.filter(email="nhung@example.vn").exists()
    owner.refresh_from_db()
    assert (owner.phone, owner.phone_verified) == ("+84912345678", True)


@pytest.mark.django_db
def test_login_and_logout(client, user_factory, home_page):
    user_factory(email="an@example.vn", full_name="Trần Văn An", password="Mat-khau-2026")
    response = client.post(LOGIN, {"login": "AN@example.vn", "password": "Mat-khau-2026"})
    assert response.status_code == 302
    assert "Trần Văn An" in client.get("/").content.decode()
    response = client.post("/tai-khoan/logout/")
    assert response.status_code == 302
    assert "Trần Văn An" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_in_vietnamese(client, user_factory):
    user_factory(email="an@example.vn", password="Mat-khau-2026")
    response = client.post(LOGIN, {"login": "an@example.vn", "password": "sai"})
    assert response.status_code == 200
    assert "không chính xác" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_sends_a_mail_with_a_working_link(client, user_factory):
    user_factory(email="an@example.vn", password="Mat-khau-cu-2026")
    response = client.post("/tai-khoan/password/reset/", {"email": "an@example.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/tai-khoan/password/reset/key/" in word)
    path = link.split("testserver", 1)[-1]
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_path, {"password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026"}
    )
    assert response.status_code == 302
    assert client.login(email="an@example.vn", password="Mat-khau-moi-2026")


@pytest.mark.django_db
def test_wagtail_admin_user_forms_work_with_the_custom_user(client, user_factory):
    admin = User.objects.create_superuser("boss@example.vn", "Mat-khau-2026", full_name="Quản Trị")
    client.force_login(admin)
    assert client.get("/admin/users/new/").status_code == 200
    response = client.post(
        "/admin/users/new/",
        {
            "email": "moi@example.vn",
            "full_name": "Phạm Thị Mới",
            "phone": "",
            "password1": "Mat-khau-moi-2026",
            "password2": "Mat-khau-moi-2026",
            "is_superuser": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(email="moi@example.vn")
    assert created.full_name == "Phạm Thị Mới"
    assert client.get(f"/admin/users/edit/{created.pk}/").status_code == 200
