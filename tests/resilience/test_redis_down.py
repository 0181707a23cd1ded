"""Issue 15: Redis is an accelerator, not a single point of failure.

With the cache unreachable (REDIS_URL at a closed port) or killed in the middle of a test,
pages keep serving (cms.cache.ResilientRedisCache turns cache errors into misses), sessions
live in the database (signed-in people stay signed in), and log-in fails closed with the
clean Vietnamese busy page (cms.ratelimit's written rule) instead of a 500.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.resilience.conftest import CLOSED_PORT_URL

pytestmark = pytest.mark.django_db

BUSY = "Hệ thống đang bận, vui lòng thử lại sau"
PASSWORD = "mat-khau-an-toan-2026"


def resilient_cache(url):
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 1}
    return {
        "default": {"BACKEND": "cms.cache.ResilientRedisCache", "LOCATION": url, "OPTIONS": options}
    }


@pytest.fixture
def account_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}  # production's


def public_pages():
    return [
        "/",
        reverse("courses:catalogue"),
        "/so-lieu/",
        "/chung-chi/ZZZZZZZZZZ/",  # certificate verification (an unknown code: 404)
        "/tai-khoan/login/",
        "/tai-khoan/signup/",
    ]


def assert_pages_serve(browser):
    for url in public_pages():
        started = time.monotonic()
        response = browser.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert time.monotonic() - started < 3, url


def test_redis_down_pages_serve_and_login_fails_closed(
    home_page, user_factory, settings, account_limits
):
    learner = user_factory()
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(learner)
    settings.CACHES = resilient_cache(CLOSED_PORT_URL)
    browser = Client(raise_request_exception=False)

    assert_pages_serve(browser)
    # Sessions are in the database: the signed-in learner stays signed in.
    assert signed_in.get(reverse("courses:my_learning")).status_code == 200
    # Sign-up and log-in guard accounts: they fail closed, cleanly, never a 500.
    signup = browser.post(
        "/tai-khoan/signup/",
        {"email": "moi@example.vn", "password1": "Mk-2026-an-toan!",
         "password2": "Mk-2026-an-toan!", "full_name": "Trần Văn Mới", "consent": "on"},
    )  # fmt: skip
    assert signup.status_code == 503 and BUSY in signup.text
    login = browser.post("/tai-khoan/login/", {"login": learner.email, "password": PASSWORD})
    assert login.status_code == 503 and BUSY in login.text
    assert "_auth_user_id" not in browser.session


def test_redis_killed_mid_test_then_back(
    private_redis, home_page, user_factory, settings, account_limits
):
    settings.CACHES = resilient_cache(private_redis.url)
    learner = user_factory()
    browser = Client(raise_request_exception=False)
    assert_pages_serve(browser)
    from django.core.cache import cache

    cache.set("resilience:probe", "1")
    assert cache.get("resilience:probe") == "1"  # Redis really in use

    private_redis.kill()  # Redis stops in the middle of the test
    assert cache.get("resilience:probe") is None  # a miss, not an error
    assert_pages_serve(browser)
    login = browser.post("/tai-khoan/login/", {"login": learner.email, "password": PASSWORD})
    assert login.status_code == 503 and BUSY in login.text

    private_redis.start()  # back (empty): log-in works again, no restart of the app
    login = browser.post("/tai-khoan/login/", {"login": learner.email, "password": PASSWORD})
    assert login.status_code == 302
    assert str(learner.pk) == browser.session["_auth_user_id"]
