"""Issue 13, finding 2: the admin log-in pages accepted a password alone. Each test is the
attacker's request: a password posted to the Wagtail or the Django admin log-in, a
password-guessing run through them, a password of an account protected by a code."""

import time

import pytest
from django.core.cache import cache

from tests.conftest import mfa_enrol, totp_code

pytestmark = pytest.mark.django_db

EMAIL = "bien-tap@example.vn"
PASSWORD = "Mat-khau-dung-2026"
ALLAUTH_LOGIN = "/tai-khoan/login/"


@pytest.fixture
def editor(user_factory):
    return user_factory(email=EMAIL, password=PASSWORD, is_staff=True, is_superuser=True)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def post_like_an_attacker(client, path, password):
    """Post the credentials (in both forms' field names) to `path`; if it hands over to
    another form, post them there too, as a script following redirects would."""
    data = {"username": EMAIL, "login": EMAIL, "password": password}
    response = client.post(path, data)
    if response.status_code == 302 and response["Location"].startswith(ALLAUTH_LOGIN):
        response = client.post(response["Location"], data)
    return response


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_password_alone_posted_to_an_admin_login_opens_no_session(bare_client, editor, path):
    response = bare_client.post(path, {"username": EMAIL, "password": PASSWORD, "next": "/admin/"})
    assert not signed_in(bare_client)
    assert response.status_code == 302
    assert response["Location"] == f"{ALLAUTH_LOGIN}?next=%2Fadmin%2F"


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_admin_login_hands_over_to_allauth_keeping_next_but_not_a_foreign_one(bare_client, path):
    response = bare_client.get(path, {"next": "/admin/pages/3/"})
    assert response["Location"] == f"{ALLAUTH_LOGIN}?next=%2Fadmin%2Fpages%2F3%2F"
    response = bare_client.get(path, {"next": "https://evil.example/phish"})
    assert response["Location"] == f"{ALLAUTH_LOGIN}?next=%2Fadmin%2F"


def test_wagtail_password_reset_hands_over_to_allauth(bare_client, editor):
    response = bare_client.post("/admin/password_reset/", {"email": EMAIL})
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/password/reset/"
    response = bare_client.get("/admin/password_reset/confirm/MQ/set-password/")
    assert response["Location"] == "/tai-khoan/password/reset/"


def test_an_unauthenticated_admin_page_sends_to_allauth_login(bare_client):
    response = bare_client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == f"{ALLAUTH_LOGIN}?next=/admin/pages/"


def test_guessing_passwords_through_the_admin_login_is_rate_limited(bare_client, editor, settings):
    # The production limits (test settings switch them off for speed).
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    cache.clear()
    for attempt in range(20):
        post_like_an_attacker(bare_client, "/admin/login/", f"sai-{attempt}")
        assert not signed_in(bare_client)
    response = post_like_an_attacker(bare_client, "/admin/login/", PASSWORD)
    assert not signed_in(bare_client)
    # allauth's refusal, in Vietnamese.
    assert "Bạn đã đăng nhập sai quá nhiều lần" in response.content.decode()


def test_password_of_an_account_with_a_code_asks_for_the_code(bare_client, editor):
    mfa_enrol(editor)
    response = post_like_an_attacker(bare_client, "/admin/login/", PASSWORD)
    assert not signed_in(bare_client)
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/2fa/authenticate/"
    page = bare_client.get(response["Location"]).content.decode()
    assert 'name="code"' in page
    # The admin stays closed until the code is given.
    response = bare_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(ALLAUTH_LOGIN)


def test_a_signed_in_learner_opening_the_admin_is_told_no_and_never_loops(client, user_factory):
    """A signed-in person without admin access: Wagtail sends them to the log-in page, which
    says they have no access (403, in Vietnamese) instead of looping back to /admin/."""
    learner = user_factory()
    client.force_login(learner)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    assert "Không có quyền vào trang quản trị" in response.content.decode()


@pytest.mark.parametrize(("steps_back", "accepted"), [(0, True), (1, True), (2, False)])
def test_a_code_of_the_step_before_is_accepted_an_older_one_is_not(
    bare_client, editor, steps_back, accepted
):
    """A code typed just before its 30 s step ended still opens the session (one step of
    delay: a slow phone, or CI's log-in that crossed a step's end); an older code does not,
    and a code works once."""
    secret = mfa_enrol(editor)
    post_like_an_attacker(bare_client, "/admin/login/", PASSWORD)
    code = totp_code(secret, at=time.time() - 30 * steps_back)
    bare_client.post("/tai-khoan/2fa/authenticate/", {"code": code})
    assert signed_in(bare_client) is accepted
    if accepted:  # the same code again, in a second session: refused
        again = type(bare_client)()
        post_like_an_attacker(again, "/admin/login/", PASSWORD)
        again.post("/tai-khoan/2fa/authenticate/", {"code": code})
        assert not signed_in(again)
