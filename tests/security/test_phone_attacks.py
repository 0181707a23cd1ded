"""Issue 20, as the attacks: guessing an SMS code, replaying a code or a link, taking
another person's phone number, and sending SMS without limit (issue 13's rate limits,
per number and per client address)."""

import re

import pytest
from django.test import Client, override_settings

from accounts import sms
from accounts.models import User
from accounts.phone_passwords import password_link
from cms import settings as production_settings
from tests.accounts.pages import CODE, CODE_CONFIRM, LOGIN, PHONE_RESET, SIGNUP, VERIFY
from tests.accounts.test_signup import signup_data

VICTIM = "+84912345678"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms_outbox")]


@pytest.fixture
def limits(settings):
    """The rate limits a production start has (tests switch them off by default)."""
    settings.ACCOUNT_RATE_LIMITS = production_settings.ACCOUNT_RATE_LIMITS


def codes_to(phone: str) -> list[str]:
    return [
        m.group(1)
        for m in (re.search(r"\b(\d{6})\b", x["text"]) for x in sms.outbox if x["to"] == phone)
        if m
    ]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_guessing_the_sign_up_code_stops_after_three_tries(client):
    client.post(SIGNUP, signup_data(email=None, phone="0912345678"))
    [real] = codes_to(VICTIM)
    wrong = [c for c in ("000000", "111111", "222222", "333333") if c != real][:3]
    for guess in wrong:
        client.post(VERIFY, {"code": guess})
    # The process is over: even the right code no longer verifies or logs in.
    client.post(VERIFY, {"code": real})
    assert not logged_in(client)
    assert not User.objects.filter(phone=VICTIM, phone_verified=True).exists()


def test_guessing_a_log_in_code_stops_after_three_tries(client, user_factory):
    user_factory(email=None, phone=VICTIM, phone_verified=True)
    client.post(CODE, {"phone": "0912345678"})
    [real] = codes_to(VICTIM)
    for guess in [c for c in ("000000", "111111", "222222", "333333") if c != real][:3]:
        client.post(CODE_CONFIRM, {"code": guess})
    client.post(CODE_CONFIRM, {"code": real})
    assert not logged_in(client)


def test_a_used_log_in_code_does_not_log_in_again(user_factory):
    user_factory(email=None, phone=VICTIM, phone_verified=True)
    first = Client()
    first.post(CODE, {"phone": "0912345678"})
    [code] = codes_to(VICTIM)
    first.post(CODE_CONFIRM, {"code": code})
    assert logged_in(first)
    # Replayed by someone who read it over the shoulder, in another browser.
    other = Client()
    other.post(CODE_CONFIRM, {"code": code})
    assert not logged_in(other)
    first.logout()
    first.post(CODE_CONFIRM, {"code": code})
    assert not logged_in(first)


def test_a_used_set_password_link_is_refused(client, user_factory):
    user = user_factory(email=None, phone=VICTIM, phone_verified=True)
    path = password_link(user).removeprefix("http://testserver")
    assert (
        client.post(
            path, {"password1": "Mk-moi-2026-abc", "password2": "Mk-moi-2026-abc"}
        ).status_code
        == 302
    )
    replay = Client().post(path, {"password1": "Cua-ke-gian-2026", "password2": "Cua-ke-gian-2026"})
    assert replay.status_code == 400
    user.refresh_from_db()
    assert user.check_password("Mk-moi-2026-abc")


def test_a_forged_link_for_another_person_is_refused(client, user_factory):
    victim = user_factory(email=None, phone=VICTIM, phone_verified=True)
    mine = user_factory(email=None, phone="0987654321", phone_verified=True)
    my_path = password_link(mine).removeprefix("http://testserver")
    # The attacker swaps the user part of their own link for the victim's.
    from allauth.account.utils import user_pk_to_url_str

    forged = re.sub(r"dat-mat-khau/[^/]+/", f"dat-mat-khau/{user_pk_to_url_str(victim)}/", my_path)
    response = client.post(
        forged, {"password1": "Cua-ke-gian-2026", "password2": "Cua-ke-gian-2026"}
    )
    assert response.status_code == 400
    victim.refresh_from_db()
    assert victim.check_password("mat-khau-an-toan-2026")


def test_signing_up_with_another_persons_phone_gives_nothing(user_factory):
    victim = user_factory(email=None, phone=VICTIM, phone_verified=True)
    attacker = Client()
    attacker.post(SIGNUP, signup_data(email="ke-gian@example.vn", phone="0912 345 678"))
    # Nothing the attacker can type: the only SMS went to the victim ("account exists").
    assert codes_to(VICTIM) == []
    assert [m["to"] for m in sms.outbox] == [VICTIM]
    for guess in ("000000", "123456", "654321"):
        attacker.post(VERIFY, {"code": guess})
    assert not logged_in(attacker)
    assert list(User.objects.filter(phone=VICTIM)) == [victim]
    victim.refresh_from_db()
    assert victim.phone_verified


def test_an_unproved_claim_does_not_keep_the_owner_out(user_factory):
    # The attacker signs up first with a number that is not theirs and never verifies it.
    Client().post(SIGNUP, signup_data(email="ke-gian@example.vn", phone="0912345678"))
    squatter = User.objects.get(email="ke-gian@example.vn")
    assert (squatter.phone, squatter.phone_verified) == (VICTIM, False)
    # The number does not log the squatter in...
    login = Client()
    login.post(LOGIN, {"login": "0912345678", "password": "Hoc-so-that-vui-2026"})
    assert not logged_in(login)
    # ...and its owner signs up with it, proves it, and holds it.
    owner = Client()
    owner.post(SIGNUP, signup_data(email=None, phone="0912 345 678", full_name="Chủ Số"))
    owner.post(VERIFY, {"code": codes_to(VICTIM)[-1]})
    assert logged_in(owner)
    assert User.objects.get(phone=VICTIM).full_name == "Chủ Số"
    squatter.refresh_from_db()
    assert squatter.phone is None


def test_changing_to_another_persons_phone_gives_it_nothing(client, user_factory):
    victim = user_factory(email=None, phone=VICTIM, phone_verified=True)
    attacker = user_factory(email="ke-gian@example.vn")
    client.force_login(attacker)
    page = client.post("/tai-khoan/phone/change/", {"phone": "0912 345 678"}, follow=True)
    assert page.status_code == 200
    assert "Đã có người dùng đăng ký" not in page.content.decode()  # allauth's phone_taken
    for guess in ("000000", "123456"):
        client.post(VERIFY, {"code": guess})
    attacker.refresh_from_db()
    assert attacker.phone is None
    assert list(User.objects.filter(phone=VICTIM)) == [victim]


def test_log_in_codes_are_rate_limited_per_number(limits, user_factory):
    user_factory(email=None, phone=VICTIM, phone_verified=True)
    statuses = []
    for _ in range(5):
        statuses.append(
            Client(REMOTE_ADDR="203.0.113.7").post(CODE, {"phone": "0912345678"}).status_code
        )
    # allauth's request_login_code: 3 a minute per number; the SMS count follows.
    assert len(codes_to(VICTIM)) == 3
    assert statuses.count(302) == 3


def test_sms_reset_links_are_rate_limited_per_number_whatever_the_client(limits, user_factory):
    user_factory(email=None, phone=VICTIM, phone_verified=True)
    for n in range(12):  # from twelve addresses: each under its own limit
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post(PHONE_RESET, {"phone": "0912345678"})
    # At most 5 SMS an hour reach one number ("sms": 5/h per number).
    assert len([m for m in sms.outbox if m["to"] == VICTIM]) == 5


def test_sms_are_rate_limited_per_client_across_numbers(limits, settings):
    settings.ACCOUNT_RATE_LIMITS = {**production_settings.ACCOUNT_RATE_LIMITS,
                                    "reset_password": "100/m/ip,100/m/key"}  # fmt: skip
    client = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(30):  # thirty different numbers, none registered
        client.post(PHONE_RESET, {"phone": f"09123450{n:02d}"})
    # One client gets at most 20 SMS an hour sent, whatever numbers it types.
    assert len(sms.outbox) == 20


@pytest.mark.parametrize(
    ("url", "data"),
    [(PHONE_RESET, {"phone": "0912345678"}), (CODE, {"phone": "0912345678"}),
     (SIGNUP, signup_data(email=None, phone="0912345678"))],
)  # fmt: skip
def test_sms_forms_fail_closed_when_the_cache_is_down(user_factory, url, data):
    """With Redis down the limits cannot count: no SMS goes out, a clean 503 page."""
    user_factory(email=None, phone=VICTIM, phone_verified=True)
    cache_down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    limits = production_settings.ACCOUNT_RATE_LIMITS
    with override_settings(CACHES=cache_down, ACCOUNT_RATE_LIMITS=limits):
        response = Client(raise_request_exception=False).post(url, data)
    assert response.status_code == 503
    assert "Hệ thống đang bận" in response.text
    assert sms.outbox == []
