"""Fault fixtures for issue 15's failure handling: a private Redis this test may kill and
start again (never the shared one), the Celery app pointed at a broker of our choosing,
and a real `celery worker` subprocess that may be killed with SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import require
from tests.processes import PrivateRedis, stop_process

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def private_redis():
    require(bool(shutil.which("redis-server")), "redis-server is not installed")
    redis = PrivateRedis().start()
    yield redis
    redis.kill()


def point_celery_at(url: str | None) -> None:
    """Send tasks to the broker at `url` (not eagerly); None: back to the test settings."""
    from cms.celery import app

    app.conf.broker_url = url or settings.CELERY_BROKER_URL
    app.conf.task_always_eager = url is None
    # The connection and producer pools were built for the old URL (kombu keeps them in
    # global registries keyed by URL: reset those too).
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_at():
    yield point_celery_at
    point_celery_at(None)


def worker_env(broker_url: str) -> dict:
    db = settings.DATABASES["default"]
    database_url = (
        f"postgres://{db.get('USER') or ''}:{db.get('PASSWORD') or ''}@{db.get('HOST') or ''}:"
        f"{db.get('PORT') or 5432}/{connection.settings_dict['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DEBUG": "1",
        "SECRET_KEY": "celery-worker-under-test",
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        # A task of a killed worker comes back after this many seconds (production: 1 h).
        "CELERY_VISIBILITY_TIMEOUT": "5",
    }


class Worker:
    """A real `celery worker` subprocess (solo pool, every queue) on the test database."""

    def __init__(self, broker_url: str, log_dir: Path):
        self.broker_url = broker_url
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.log_dir / f"worker-{self.starts}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cms", "worker", "--pool", "solo",
             "--queues", ",".join(settings.CELERY_TASK_QUEUES_NAMES), "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=worker_env(self.broker_url), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.proc, timeout=20)

    def log_text(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("worker-*.log")))


@pytest.fixture
def real_worker(transactional_db, private_redis, tmp_path):
    """A worker on a private Redis and the test database (PostgreSQL: shared with the test)."""
    require(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "a real worker needs a shared database server (set DATABASE_URL to PostgreSQL)",
    )
    worker = Worker(private_redis.url, tmp_path)
    yield worker
    worker.stop()


def wait_for(predicate, *, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
