import json

import pytest
from django.core.cache import cache

from cms import health


@pytest.mark.django_db
def test_healthz_reports_each_part_and_200_when_all_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"] == {"database": "up", "cache": "up", "broker": "up"}


@pytest.mark.django_db
def test_healthz_503_names_the_failing_cache(client, monkeypatch):
    def broken_set(*args, **kwargs):
        raise ConnectionError("cache server unreachable")

    monkeypatch.setattr(cache, "set", broken_set)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"] == "down"
    assert body["checks"]["database"] == "up"
    # The test client's REMOTE_ADDR is 127.0.0.1 (no proxy header): the details are shown.
    assert "unreachable" in body["details"]["cache"]


@pytest.mark.django_db
def test_healthz_503_names_an_unreachable_broker(client, settings):
    from cms.celery import app

    old = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.task_always_eager, app.conf.broker_url = old
    assert response.status_code == 503
    assert json.loads(response.content)["failing"] == ["broker"]


def test_healthz_database_failure_is_reported(monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise OSError("connection refused")

        def __exit__(self, *args):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: BrokenCursor())
    ok, detail = health.check_database()
    assert ok is False
    assert "connection refused" in detail
