"""Issue 13 finding 9b, as the attack: someone types other people's e-mail addresses and
phone numbers into the sign-up (and password reset) form to learn who is registered.

The answer must look the same as for a new sign-up: same redirect, no login, no "already
used" message. allauth mails the owner of a registered address instead ("an account
already exists"), and a registered phone is simply not attached to the new account.
The e-mail part relies on mandatory e-mail verification (allauth can only hide a taken
address when a new sign-up is not logged in at once): the tests run with the value a
production start resolves (DEBUG off, no ACCOUNT_EMAIL_VERIFICATION variable).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from tests.accounts.pages import PASSWORD_RESET, SIGNUP
from tests.accounts.test_signup import signup_data

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def production_email_verification() -> str:
    """ACCOUNT_EMAIL_VERIFICATION as cms.settings resolves it on a production start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOUNT_")}
    env.update(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="hocso.example.vn")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-c", "import cms.settings as s; print(s.ACCOUNT_EMAIL_VERIFICATION)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(autouse=True)
def production_like(settings, home_page):
    settings.ACCOUNT_EMAIL_VERIFICATION = production_email_verification()


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_signup_with_a_registered_email_looks_like_a_new_signup(user_factory):
    owner = user_factory(email="chu-tk@example.vn", full_name="Chủ Tài Khoản")
    fresh, probe = Client(), Client()
    new = fresh.post(SIGNUP, signup_data(email="moi-tinh@example.vn"))
    taken = probe.post(SIGNUP, signup_data(email="chu-tk@example.vn"))
    assert new.status_code == taken.status_code == 302, taken.content.decode()[:2000]
    assert new["Location"] == taken["Location"]
    assert not logged_in(fresh) and not logged_in(probe)
    assert fresh.get(new["Location"]).status_code == probe.get(taken["Location"]).status_code
    # The owner hears about it by mail; the account is untouched and not duplicated.
    to_owner = [m for m in mail.outbox if m.to == ["chu-tk@example.vn"]]
    assert len(to_owner) == 1
    assert User.objects.filter(email="chu-tk@example.vn").count() == 1
    owner.refresh_from_db()
    assert owner.full_name == "Chủ Tài Khoản"
    assert owner.check_password("mat-khau-an-toan-2026")


def test_signup_with_a_registered_phone_looks_like_a_new_signup(user_factory):
    owner = user_factory(email="co-sdt@example.vn", phone="0912345678", phone_verified=True)
    plain, probe = Client(), Client()
    new = plain.post(SIGNUP, signup_data(email=None, phone="0987 654 321"))
    taken = probe.post(SIGNUP, signup_data(email=None, phone="0912 345 678"))
    assert new.status_code == taken.status_code == 302, taken.content.decode()[:2000]
    assert new["Location"] == taken["Location"] == "/tai-khoan/phone/verify/"
    assert logged_in(plain) == logged_in(probe) is False
    page_new = plain.get(new["Location"]).content.decode()
    page_taken = probe.get(taken["Location"]).content.decode()
    assert "0987 654 321" in page_new or "+84987654321" in page_new
    assert page_taken.replace("+84912345678", "+84987654321").count("form") == page_new.count(
        "form"
    )
    # The registered phone stays with its owner, who hears about it by SMS.
    owner.refresh_from_db()
    assert (owner.phone, owner.phone_verified) == ("+84912345678", True)
    assert User.objects.filter(phone="+84912345678").count() == 1


def test_signup_with_a_new_phone_keeps_it_unverified(user_factory):
    user_factory(phone="0912345678", phone_verified=True)
    Client().post(SIGNUP, signup_data(email="sdt-moi@example.vn", phone="0987 654 321"))
    user = User.objects.get(email="sdt-moi@example.vn")
    assert (user.phone, user.phone_verified) == ("+84987654321", False)


def test_password_reset_does_not_say_whether_an_account_exists(user_factory):
    user_factory(email="co-that@example.vn")
    known = Client().post(PASSWORD_RESET, {"email": "co-that@example.vn"})
    unknown = Client().post(PASSWORD_RESET, {"email": "khong-co@example.vn"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Both addresses get a mail (a reset link, or "no account with this address").
    assert sorted(m.to[0] for m in mail.outbox) == ["co-that@example.vn", "khong-co@example.vn"]
