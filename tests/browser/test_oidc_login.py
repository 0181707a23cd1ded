"""Issue 20: single sign-on for civil servants through a province's OpenID Connect
provider. The provider is real: django-oauth-toolkit in OIDC mode, started in its own
process (tests/browser/oidc_provider.py), with signed ID tokens, PKCE and a userinfo
endpoint; HọcSố talks to it over HTTP as it would to the province's server.

Covered: a civil servant's first log-in in a phone browser (the agency and consent asked),
linking to an existing account by a verified e-mail or phone, a refused unverified e-mail,
a token for another audience, an expired token, and MFA still asked of a manager."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.test import Client

from accounts.models import User
from campaigns import services as campaign_services
from campaigns.models import Agency
from tests.conftest import mfa_enrol
from tests.processes import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_ID = "cong-vu"
CLIENT_ID, CLIENT_SECRET = "hocso", "bi-mat-cua-ung-dung-2026"
CALLBACK = f"/tai-khoan/oidc/{PROVIDER_ID}/login/callback/"
START = f"/tai-khoan/oidc/{PROVIDER_ID}/login/"
PASSWORD = "Cong-vu-2026"
SHOTS = "/tmp/phone-shots/{}.png"


def person(sub, **claims):
    return {"password": PASSWORD, "claims": {"sub": sub, **claims}}


PEOPLE = {
    "an.nguyen": person("cv-001", email="an.nguyen@tinh.gov.vn", email_verified=True,
                        name="Nguyễn Văn An"),
    "da.co": person("cv-002", email="da-co@tinh.gov.vn", email_verified=True, name="Đã Có"),
    "chua.xac.thuc": person("cv-003", email="chu-tk@tinh.gov.vn", email_verified=False,
                            name="Kẻ Mạo Danh"),
    "sai.aud": {**person("cv-004", email="sai-aud@tinh.gov.vn", email_verified=True),
                "token": {"aud": "ung-dung-khac"}},
    "het.han": {**person("cv-005", email="het-han@tinh.gov.vn", email_verified=True),
                "token": {"exp_offset": -3600}},
    "quan.ly": person("cv-006", email="quan-ly@tinh.gov.vn", email_verified=True,
                      name="Lê Quản Lý"),
    "so.dien.thoai": person("cv-007", phone_number="+84912345678",
                            phone_number_verified=True, name="Lò Văn Số"),
}  # fmt: skip


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """The provider's process for the session; its issuer URL."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    port = free_port()
    config = {
        "port": port,
        "folder": str(folder),
        "client": {
            "id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "redirect_uris": [live_server.url + CALLBACK, "http://testserver" + CALLBACK],
        },
        "people": PEOPLE,
    }
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "browser" / "oidc_provider.py"),
         str(folder / "config.json")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    line = process.stdout.readline()
    assert line.strip() == "ready", line + process.stdout.read()[-3000:]
    yield f"http://127.0.0.1:{port}/o"
    stop_process(process, timeout=10)


@pytest.fixture
def sso(settings, oidc_provider, home_page):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": "Tài khoản công vụ",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": oidc_provider,
                                 "token_auth_method": "client_secret_post"},
                }
            ],
        }
    }  # fmt: skip
    return oidc_provider


def through_provider(client, username):
    """Start the log-in at HọcSố, sign in at the provider (over HTTP, as a browser would),
    and bring the provider's answer back to HọcSố's callback."""
    start = client.post(START)
    assert start.status_code == 302, start.content.decode()[:2000]
    browser = requests.Session()
    authorize = start["Location"]
    to_login = browser.get(authorize, allow_redirects=False)
    login_url = urljoin(authorize, to_login.headers["Location"])
    browser.get(login_url)
    signed_in = browser.post(
        login_url,
        data={"username": username, "password": PASSWORD,
              "csrfmiddlewaretoken": browser.cookies["provider_csrf"]},
        allow_redirects=False,
    )  # fmt: skip
    back = browser.get(urljoin(login_url, signed_in.headers["Location"]), allow_redirects=False)
    callback = back.headers["Location"]
    assert callback.startswith("http://testserver" + CALLBACK), callback
    return client.get(callback.removeprefix("http://testserver"))


def session_user(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_a_verified_email_links_to_the_existing_account(sso, user_factory):
    owner = user_factory(email="da-co@tinh.gov.vn")
    client = Client()
    response = through_provider(client, "da.co")
    assert response.status_code == 302 and response["Location"] == "/"
    assert session_user(client) == str(owner.pk)
    assert owner.socialaccount_set.get().uid == "cv-002"
    # Next time the link itself logs in.
    again = Client()
    through_provider(again, "da.co")
    assert session_user(again) == str(owner.pk)


@pytest.mark.django_db
def test_a_verified_phone_links_to_the_existing_account(sso, user_factory):
    owner = user_factory(email=None, phone="0912345678", phone_verified=True)
    client = Client()
    through_provider(client, "so.dien.thoai")
    assert session_user(client) == str(owner.pk)


@pytest.mark.django_db
def test_an_unverified_email_does_not_open_the_account_that_has_it(sso, user_factory):
    owner = user_factory(email="chu-tk@tinh.gov.vn")
    client = Client()
    response = through_provider(client, "chua.xac.thuc")
    assert session_user(client) is None
    # The first-log-in form, not the owner's account; it cannot take the owner's address.
    assert response["Location"] == "/tai-khoan/3rdparty/signup/"
    form = client.post(
        "/tai-khoan/3rdparty/signup/",
        {"full_name": "Kẻ Mạo Danh", "email": "chu-tk@tinh.gov.vn", "consent": "on",
         "audience": "civil_servant"},
    )  # fmt: skip
    assert session_user(client) != str(owner.pk)
    assert form.status_code in (200, 302)
    assert not owner.socialaccount_set.exists()
    assert User.objects.filter(email="chu-tk@tinh.gov.vn").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["sai.aud", "het.han"])
def test_a_token_for_another_audience_or_expired_is_refused(sso, username):
    client = Client()
    response = through_provider(client, username)
    assert session_user(client) is None
    # allauth's error page (401), in Vietnamese; no account made.
    assert response.status_code == 401
    assert "Đăng nhập qua bên thứ ba không thành công" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_manager_still_gives_the_second_factor(sso, user_factory):
    agency = campaign_services.agency_create(name="Sở Nội vụ", code="SNV",
                                             kind=Agency.Kind.DEPARTMENT)  # fmt: skip
    manager = user_factory(email="quan-ly@tinh.gov.vn")
    campaign_services.manager_role_grant(user=manager, agency=agency, granted_by=None)
    mfa_enrol(manager)
    client = Client()
    response = through_provider(client, "quan.ly")
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/2fa/authenticate/")
    assert session_user(client) is None


@pytest.mark.django_db
def test_managers_can_be_required_to_use_single_sign_on(sso, settings, user_factory):
    settings.HOCSO_SSO_REQUIRED_ROLES = ["campaigns.selectors.is_manager"]
    agency = campaign_services.agency_create(name="Sở Nội vụ", code="SNV",
                                             kind=Agency.Kind.DEPARTMENT)  # fmt: skip
    manager = user_factory(email="quan-ly@tinh.gov.vn", password="Mat-khau-2026-ql")
    campaign_services.manager_role_grant(user=manager, agency=agency, granted_by=None)
    learner = user_factory(email="hoc@example.vn", password="Mat-khau-2026-hv")
    # The right password is not enough for a manager...
    client = Client()
    data = {"login": manager.email, "password": "Mat-khau-2026-ql"}
    refused = client.post("/tai-khoan/login/", data, follow=True)
    assert session_user(client) is None
    assert "Cán bộ quản lý đăng nhập bằng tài khoản công vụ" in refused.content.decode()
    # ...a learner logs in as before, and the manager through the provider (then the code).
    other = Client()
    other.post("/tai-khoan/login/", {"login": learner.email, "password": "Mat-khau-2026-hv"})
    assert session_user(other) == str(learner.pk)
    mfa_enrol(manager)
    response = through_provider(Client(), "quan.ly")
    assert response["Location"].startswith("/tai-khoan/2fa/authenticate/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_civil_servant_logs_in_through_the_provider_on_a_phone(sso, live_server, phone_page, axe):
    campaign_services.agency_create(name="Sở Nội vụ", code="SNV", kind=Agency.Kind.DEPARTMENT)
    page, base = phone_page, live_server.url
    page.goto(base + "/tai-khoan/login/")
    page.get_by_role("link", name="Tài khoản công vụ").click()
    page.wait_for_url(f"{base}{START}*")
    page.screenshot(path=SHOTS.format("9-sso-confirm"), full_page=True)
    assert axe(page) == []
    page.locator("main form button[type=submit]").click()
    # The province's sign-in page (the provider's own).
    provider_login = sso.removesuffix("/o") + "/login/"
    page.wait_for_url(lambda url: url.startswith(provider_login))
    page.screenshot(path=SHOTS.format("10-provider-login"), full_page=True)
    page.locator("#username").fill("an.nguyen")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập cổng tỉnh").click()
    # First log-in: HọcSố asks for the agency and consent.
    page.wait_for_url(base + "/tai-khoan/3rdparty/signup/")
    assert page.locator("input[name=email]").input_value() == "an.nguyen@tinh.gov.vn"
    assert page.get_by_label("Họ và tên").input_value() == "Nguyễn Văn An"  # the provider's
    assert "để đăng nhập vào HọcSố" in " ".join(page.locator("main").inner_text().split())
    page.screenshot(path=SHOTS.format("11-sso-first-login"), full_page=True)
    assert axe(page) == []
    page.locator("select[name=audience]").select_option("civil_servant")
    page.locator("input[name=agency]").fill("Sở Nội vụ")
    page.locator("input[name=consent]").check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(base + "/")
    assert "Nguyễn Văn An" in page.content()
    page.screenshot(path=SHOTS.format("12-sso-logged-in"), full_page=True)
    user = User.objects.get(email="an.nguyen@tinh.gov.vn")
    assert user.socialaccount_set.get().uid == "cv-001"
