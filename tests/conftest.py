"""Shared test fixtures.

Services and browsers: a test that needs one that is missing is skipped with its reason
locally and fails in CI (CI=true), so nothing that passes in CI is only mocked.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def require(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI, when a service, browser or fixture is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.REDIS_URL or "none (eager tasks)"
    browser = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else "missing"
    return [f"HọcSố tests: database={db} broker={broker} browser={browser} CI={IN_CI}"]


@pytest.fixture
def fixtures_dir() -> Path:
    require(FIXTURES.is_dir(), f"shared fixtures folder {FIXTURES} is missing")
    return FIXTURES


@pytest.fixture
def home_page(db):
    from cms.demo import ensure_home_page

    return ensure_home_page()


@pytest.fixture
def user_factory(db):
    from accounts.models import User

    counter = iter(range(1, 10**6))

    def make(**kwargs):
        n = next(counter)
        kwargs.setdefault("email", f"user{n}-{uuid.uuid4().hex[:6]}@example.vn")
        kwargs.setdefault("full_name", f"Nguyễn Văn Thử {n}")
        password = kwargs.pop("password", "mat-khau-an-toan-2026")
        return User.objects.create_user(password=password, **kwargs)

    return make


# --- A real Celery worker through Redis -------------------------------------------------


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A `celery worker` subprocess on this test session's database and Redis database.

    Each xdist worker gets its own Redis database number (settings_test), so two workers'
    tasks never cross. The worker sees only committed data: use it with transactional_db.
    """
    require(bool(settings.REDIS_URL), "REDIS_URL is not set: no broker for a real Celery worker")
    db = settings.DATABASES["default"]
    require(
        db["ENGINE"].endswith("postgresql"),
        "a real worker needs a shared database server (set DATABASE_URL to PostgreSQL)",
    )
    with django_db_blocker.unblock():
        test_db_name = connection.settings_dict["NAME"]
    database_url = (
        f"postgres://{db.get('USER') or ''}:{db.get('PASSWORD') or ''}@{db.get('HOST') or ''}:"
        f"{db.get('PORT') or 5432}/{test_db_name}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DEBUG": "1",
        "SECRET_KEY": "celery-worker-under-test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.CELERY_BROKER_URL,
    }
    log = open(tmp_path_factory.mktemp("celery") / "worker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "cms", "worker", "--pool", "solo",
            "--queues", ",".join(settings.CELERY_TASK_QUEUES_NAMES),
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    from cms.celery import app
    from cms.tasks import ping

    app.conf.task_always_eager = False  # while waiting for the worker to answer
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"celery worker exited with {proc.returncode}; see {log.name}")
            try:
                # send_task always goes through the broker (the settings make apply_async eager).
                app.send_task(ping.name, args=["ready"]).get(timeout=5)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
        app.conf.task_always_eager = True
        yield {"pid": proc.pid, "app": app, "log": log.name}
    finally:
        app.conf.task_always_eager = True
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db):
    """Send tasks to the real worker for the length of one test (settings make them eager)."""
    app = celery_worker_process["app"]
    app.conf.task_always_eager = False
    try:
        yield celery_worker_process
    finally:
        app.conf.task_always_eager = True


# --- Headless Chromium --------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture
def phone_page(browser):
    """A fresh phone-sized browser context (390x844, touch), Vietnamese."""
    context = browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe():
    """Run axe-core in a page; returns the serious and critical violations."""
    require(AXE.exists(), f"{AXE} is missing (npm ci --ignore-scripts installs axe-core)")

    def run(page) -> list[dict]:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]  # fmt: skip

    return run


def which(name: str) -> str | None:
    return shutil.which(name)
