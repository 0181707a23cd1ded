"""Issue 13 finding 3 with issue 15's Redis-down rule (cms.ratelimit): the cache that counts
attempts is unreachable (REDIS_URL pointing at a closed port).

An attacker who can take Redis down (or waits for it to fall over) must not get unlimited
password guesses: log-in, sign-up and password reset fail closed, with a clean Vietnamese
page and no 500. Certificate verification and xAPI statements fail open: served, logged.
"""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from assessments.h5p.services import activity_iri

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1
# What cms.settings makes of REDIS_URL pointing there: the production backend, whose reads
# and writes degrade to misses (cms/cache.py) while the rate limiter's counting fails.
CACHE_DOWN = {
    "default": {
        "BACKEND": "cms.cache.ResilientRedisCache",
        "LOCATION": CLOSED_PORT,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
    }
}
BUSY = "Hệ thống đang bận, vui lòng thử lại sau"


@pytest.fixture
def redis_down(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}  # production's
    settings.CACHES = CACHE_DOWN
    yield
    # the settings fixture restores CACHES afterwards


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/tai-khoan/login/", {"login": "{email}", "password": "mat-khau-an-toan-2026"}),
        ("/tai-khoan/password/reset/", {"email": "{email}"}),
        (
            "/tai-khoan/signup/",
            {"email": "moi@example.vn", "password1": "Mk-2026-an-toan!",
             "password2": "Mk-2026-an-toan!", "full_name": "Trần Văn Mới", "consent": "on"},
        ),
    ],
)  # fmt: skip
def test_account_forms_fail_closed_with_a_clean_page(
    user_factory, home_page, redis_down, url, data
):
    learner = user_factory()
    browser = Client(raise_request_exception=False)
    response = browser.post(url, {k: v.format(email=learner.email) for k, v in data.items()})
    assert response.status_code == 503
    assert BUSY in response.text
    assert response["Retry-After"]
    assert "_auth_user_id" not in browser.session  # the right password did not log in


def test_login_fails_closed_when_the_cache_silently_misses(user_factory, home_page, settings):
    """The resilience work makes cache errors degrade to misses; a cache that stores nothing
    (Django's dummy backend) must still not let unlimited guesses through."""
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    learner = user_factory()
    browser = Client()
    response = browser.post(
        "/tai-khoan/login/", {"login": learner.email, "password": "mat-khau-an-toan-2026"}
    )
    assert response.status_code == 503
    assert BUSY in response.text


def test_certificate_verification_fails_open(client, home_page, redis_down, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 1
    codes = [client.get("/chung-chi/ZZZZZZZZZZ/").status_code for _ in range(3)]
    assert codes == [404, 404, 404]  # served (not found), never 429 or 500


def test_xapi_statement_fails_open(playable_package, h5p_lesson, enrol, user_factory, settings):
    package = playable_package("H5P.TrueFalse")
    course, lesson, block_id = h5p_lesson(package, pass_percent=60)
    learner = user_factory()
    enrol(learner, course)
    browser = Client()
    browser.force_login(learner)
    base = f"/hoc/bai/{lesson.pk}/h5p/{block_id}"
    launch = browser.post(f"{base}/bat-dau/", "{}", content_type="application/json").json()
    cache.clear()
    settings.CACHES = CACHE_DOWN
    statement = {"verb": {"id": "http://adlnet.gov/expapi/verbs/interacted"},
                 "object": {"id": activity_iri(package)}}  # fmt: skip
    response = browser.post(
        launch["statement_url"], json.dumps(statement), content_type="application/json"
    )
    assert response.status_code == 200, response.content
