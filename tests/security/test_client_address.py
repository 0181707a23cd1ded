"""Issue 13, finding 3: rate limits behind a reverse proxy keyed on the proxy's address.

Every request here arrives as nginx would pass it on: REMOTE_ADDR is the proxy, and the
proxy appends the address it saw to X-Forwarded-For (TRUSTED_PROXY_COUNT=1). Attack one:
clients behind the proxy use up a limit, and a genuine learner behind the same proxy must
not be locked out. Attack two: one client writes its own X-Forwarded-For entries, changing
them on every request, and must still meet its own limit.
"""

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.accounts.pages import LOGIN

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
PASSWORD = "mat-khau-an-toan-2026"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    cache.clear()
    yield
    cache.clear()


def via_proxy(client_address: str, forged: str = "") -> dict:
    """The request headers nginx produces: the client's own header, then its address."""
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def log_in(email: str, password: str, **meta):
    return Client().post(LOGIN, {"login": email, "password": password}, **meta)


def logged_in(response) -> bool:
    return response.status_code == 302 and response.url == "/"


def test_login_failures_of_others_behind_the_proxy_do_not_lock_out_a_learner(
    settings, user_factory, home_page
):
    # Production's counts (cms/settings.py: 10/m/ip); the window is longer here so a slow
    # test machine cannot outlive it.
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/10m/ip,5/5m/key"}
    learner = user_factory()
    attacker = user_factory()
    # 24 failed log-ins from 24 clients behind the proxy, each for another address.
    for n in range(24):
        failed = log_in(f"someone{n}@example.vn", "sai-mat-khau", **via_proxy(f"198.51.100.{n}"))
        assert failed.status_code == 200  # the form again, with its error
    assert logged_in(log_in(learner.email, PASSWORD, **via_proxy("203.0.113.50")))

    # One client forging a new left-most entry each time still meets its own limit.
    for n in range(10):
        forged = via_proxy("198.51.100.200", forged=f"192.0.2.{n}")
        assert not logged_in(log_in(f"other{n}@example.vn", "sai-mat-khau", **forged))
    refused = log_in(attacker.email, PASSWORD, **via_proxy("198.51.100.200", forged="192.0.2.99"))
    assert not logged_in(refused)
    with translation.override("vi"):
        assert gettext("Too many failed login attempts. Try again later.") in refused.text
    # ...and the genuine learner behind the same proxy is still let in.
    assert logged_in(log_in(learner.email, PASSWORD, **via_proxy("203.0.113.50")))


def test_certificate_checks_of_others_behind_the_proxy_do_not_block_a_visitor(
    settings, client, home_page
):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 3
    for n in range(6):  # six visitors behind the proxy, two checks each
        for _ in range(2):
            page = client.get("/chung-chi/ZZZZZZZZZZ/", **via_proxy(f"198.51.100.{n}"))
            assert page.status_code == 404
    assert client.get("/chung-chi/ZZZZZZZZZZ/", **via_proxy("203.0.113.50")).status_code == 404

    # A scraper rotating forged entries is limited on its real address.
    codes = [
        client.get(
            "/chung-chi/ZZZZZZZZZZ/", **via_proxy("198.51.100.200", forged=f"192.0.2.{n}")
        ).status_code
        for n in range(6)
    ]
    assert codes == [404, 404, 404, 429, 429, 429]
    assert client.get("/chung-chi/ZZZZZZZZZZ/", **via_proxy("203.0.113.50")).status_code == 404


@pytest.fixture
def two_learners_in_an_h5p_lesson(playable_package, h5p_lesson, enrol, user_factory):
    package = playable_package("H5P.TrueFalse")
    course, lesson, block_id = h5p_lesson(package, pass_percent=60)
    base = f"/hoc/bai/{lesson.pk}/h5p/{block_id}"
    people = []
    for _ in range(2):
        learner = user_factory()
        enrol(learner, course)
        browser = Client()
        browser.force_login(learner)
        launch = browser.post(f"{base}/bat-dau/", "{}", content_type="application/json")
        assert launch.status_code == 200, launch.content
        people.append((browser, launch.json()["statement_url"]))
    return package, people


def test_xapi_limit_counts_the_real_client_not_forged_entries(
    settings, two_learners_in_an_h5p_lesson
):
    settings.H5P_RATE_PER_MINUTE_PER_ADDRESS = 5
    settings.H5P_RATE_PER_MINUTE = 1000  # the per-learner limit is not what is tested here
    package, [(attacker, attacker_url), (learner, learner_url)] = two_learners_in_an_h5p_lesson

    def statement(n):
        return json.dumps(
            {
                "verb": {"id": "http://adlnet.gov/expapi/verbs/interacted"},
                "object": {"id": f"{settings.APP_ORIGIN}/h5p/{package.pk}"},
                "n": n,
            }  # fmt: skip
        )

    codes = [
        attacker.post(
            attacker_url, statement(n), content_type="application/json",
            **via_proxy("198.51.100.200", forged=f"192.0.2.{n}"),
        ).status_code
        for n in range(8)
    ]  # fmt: skip
    # Whatever the lesson says of each statement, the sixth and later are refused for rate.
    assert [code == 429 for code in codes] == [False] * 5 + [True] * 3, codes
    # The learner behind the same proxy is not counted with the flood.
    genuine = learner.post(
        learner_url, statement(99), content_type="application/json", **via_proxy("203.0.113.50")
    )
    assert genuine.status_code != 429, genuine.content


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "192.0.2.1", "203.0.113.7"),  # no proxy: the header is ignored
        (1, PROXY, "192.0.2.1, 203.0.113.7", "203.0.113.7"),  # right-most, not left-most
        (2, PROXY, "192.0.2.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, PROXY, "", PROXY),  # did not come through the proxy
        (2, PROXY, "203.0.113.7", PROXY),  # shorter than the proxy chain: not trusted
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_trusts_only_the_proxies_entries(
    rf, settings, trusted, remote, forwarded, expected
):
    from cms.net import client_ip

    settings.TRUSTED_PROXY_COUNT = trusted
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(rf.get("/", **meta)) == expected
