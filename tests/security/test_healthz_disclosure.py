"""Issue 13 finding 9c: /healthz told anyone the database's and Redis' host, port and error.

The attacker asks /healthz from the internet while Redis is down (REDIS_URL pointing at a
closed port), directly or through the proxy, and with a forged X-Forwarded-For claiming to
be the machine itself. They may learn which part is down, nothing about where or why.
"""

import json

import pytest

pytestmark = pytest.mark.django_db

CLOSED = "redis://127.0.0.1:6/0"  # nothing listens on port 6
LEAKS = ("127.0.0.1", ":6", "6/0", "Error", "refused", "Connection", "redis", "sqlite")


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED}
    }


def assert_names_only(response):
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"] == {"database": "up", "cache": "down", "broker": "up"}
    assert "details" not in body
    text = response.content.decode()
    for leak in LEAKS:
        assert leak not in text, leak


@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "203.0.113.9"},  # from the internet, no proxy
        {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "127.0.0.1"},  # forged
        # through nginx on the same machine: REMOTE_ADDR is loopback, the client is not
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "203.0.113.9"},
    ],
)
def test_anonymous_sees_part_names_and_up_down_only(client, redis_down, meta):
    assert_names_only(client.get("/healthz", **meta))


def test_a_learner_sees_no_details_either(client, redis_down, user_factory):
    client.force_login(user_factory())
    assert_names_only(client.get("/healthz", REMOTE_ADDR="203.0.113.9"))


def test_staff_and_the_machine_itself_see_the_details(client, redis_down, user_factory):
    local = json.loads(client.get("/healthz", REMOTE_ADDR="127.0.0.1").content)
    assert "127.0.0.1:6" in local["details"]["cache"]
    client.force_login(user_factory(is_staff=True))
    staff = json.loads(client.get("/healthz", REMOTE_ADDR="203.0.113.9").content)
    assert "127.0.0.1:6" in staff["details"]["cache"]
