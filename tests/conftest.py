"""Shared test fixtures.

Services and browsers: a test that needs one that is missing is skipped with its reason
locally and fails in CI (CI=true), so nothing that passes in CI is only mocked.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import stop_process, wait_until_ready

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
def editor(user_factory):
    """A staff member in Wagtail's Editors group."""
    from django.contrib.auth.models import Group

    user = user_factory(is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def moderator(user_factory):
    """A staff member in Wagtail's Moderators group."""
    from django.contrib.auth.models import Group

    user = user_factory(is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def user_factory(db):
    """tests.factories.user as a fixture (with the database): user_factory(is_staff=True)."""
    from tests import factories

    return factories.user


@pytest.fixture
def learner(client, user_factory):
    """A person logged in on `client` (a module needing more, e.g. an enrolment, defines its
    own `learner`)."""
    user = user_factory()
    client.force_login(user)
    return user


@pytest.fixture
def sms_outbox(settings, home_page):
    """SMS kept in memory: accounts.sms.outbox, the list of {"to", "text"} sent, empty at the
    start; links in them built for the test client's host; no rate-limit counts (kept in
    the cache) left from another test. Modules of SMS tests use it for every test:
    `pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms_outbox")]`."""
    from django.core.cache import cache

    from accounts import sms

    settings.SMS_URL = "locmem://"
    settings.APP_ORIGIN = "http://testserver"
    sms.outbox.clear()
    cache.clear()
    yield sms.outbox
    sms.outbox.clear()
    cache.clear()


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
        # send_task always goes through the broker (the settings make apply_async eager).
        wait_until_ready(
            proc, lambda: app.send_task(ping.name, args=["ready"]).get(timeout=5), timeout=60,
            log=log.name,
        )  # fmt: skip
        app.conf.task_always_eager = True
        yield {"pid": proc.pid, "app": app, "log": log.name}
    finally:
        app.conf.task_always_eager = True
        stop_process(proc, timeout=15)
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


# --- Two-step verification (accounts.mfa) -------------------------------------------------


def mfa_enrol(user) -> str:
    """Enrol an authenticator app (TOTP) for `user` as allauth's activation does; returns
    the secret (compute codes with `totp_code`)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import decrypt

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing:
        return decrypt(existing.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str, at: float | None = None) -> str:
    """The RFC 6238 code an authenticator app shows for `secret` (30 s steps, 6 digits)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int((at or time.time()) // 30)))


def mfa_session_mark(client, user) -> None:
    """Write into `client`'s session the record allauth writes when a log-in code is
    entered (allauth's own `record_authentication`), enrolling `user` first if needed."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.test import RequestFactory

    mfa_enrol(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    record_authentication(request, user, "mfa", id=authenticator.pk, type="totp")
    request.session.save()


class MfaClient:
    """Mixed into the test client: `force_login` of someone whose role requires MFA
    (an editor, a superuser, a manager) ends as a real log-in of theirs ends: an
    authenticator enrolled and the code's record in the session. The policy itself stays
    on; tests of it use `bare_client`."""

    def force_login(self, user, backend=None):
        from accounts.mfa import mfa_required

        super().force_login(user, backend)
        if mfa_required(user):
            mfa_session_mark(self, user)


def mfa_client():
    """A Django test client whose `force_login` of a privileged user adds the second factor."""
    from django.test import Client

    return type("Client", (MfaClient, Client), {})()


@pytest.fixture
def client():
    """pytest-django's `client`, logging privileged users in with their second factor."""
    return mfa_client()


@pytest.fixture
def bare_client():
    """A plain Django test client: `force_login` gives a password-only session."""
    from django.test import Client

    return Client()


@pytest.fixture
def mfa_roles(user_factory):
    """One person per role of the MFA policy, and a learner: a superuser, an editor (staff
    with access to the Wagtail admin), a manager of an agency."""
    from django.contrib.auth.models import Permission

    from campaigns import services
    from campaigns.models import Agency

    agency = services.agency_create(name="Sở Nội vụ", code="SNV", kind=Agency.Kind.DEPARTMENT)
    manager = user_factory(full_name="Lê Văn Quản Lý")
    services.manager_role_grant(user=manager, agency=agency, granted_by=None)
    editor = user_factory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return {
        "superuser": user_factory(is_staff=True, is_superuser=True),
        "staff": editor,
        "manager": manager,
        "learner": user_factory(),
    }


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
        make_context = chromium.new_context

        def new_context(*args, **kwargs):
            context = make_context(*args, **kwargs)
            _csp_reports.append(watch_csp(context))
            return context

        chromium.new_context = new_context  # every context of every test is watched
        yield chromium
        chromium.close()


# --- Content-Security-Policy violations fail the browser tests --------------------------

# In every page and frame: the DOM's securitypolicyviolation event, sent to Python at once
# (so a report survives the context being closed by the test).
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  try {
    window.__hocsoCspViolation({directive: e.effectiveDirective, blocked: e.blockedURI,
      source: e.sourceFile + ":" + e.lineNumber, sample: e.sample, page: location.href});
  } catch (_) {}
});
"""
_csp_reports: list[list[str]] = []  # one list per context made during the current test


def watch_csp(context) -> list[str]:
    """Record every CSP violation of a browser context: the DOM event in its pages and
    frames, and Chromium's console message (which also covers frame-ancestors)."""
    found: list[str] = []

    def report(source, v):
        blocked = v.get("blocked") or "inline"
        found.append(f"{v.get('directive')} blocked {blocked} at {v.get('source')} "
                     f"on {v.get('page')} {v.get('sample') or ''}".strip())  # fmt: skip

    def console(message):
        if "Content Security Policy" in message.text:
            found.append(f"console: {message.text}")

    context.expose_binding("__hocsoCspViolation", report)
    context.add_init_script(CSP_WATCH)
    context.on("console", console)
    return found


def expect_csp_violations(page, *fragments: str, timeout_ms: int = 5000) -> list[str]:
    """Take the violations containing one of `fragments` out of the current test's reports,
    for a test whose attack a CSP refuses on purpose; returns them to assert on. Reports
    arrive asynchronously: waits (letting `page` run) until one is there."""

    def matching():
        return [
            line for found in _csp_reports for line in found if any(f in line for f in fragments)
        ]

    waited = 0
    while not matching() and waited < timeout_ms:
        page.wait_for_timeout(100)
        waited += 100
    page.wait_for_timeout(300)  # the DOM event and the console message come separately
    taken = matching()
    for found in _csp_reports:
        found[:] = [line for line in found if line not in taken]
    return taken


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language. Django's LocaleMiddleware activates a
    request's language for the thread and nothing resets it, so a test whose request chose
    English (tests/cms/test_seed_demo.py) left English active for the next test in the same
    worker, and its messages read in English."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def caches_cleared():
    """Each test starts with an empty cache and empty per-process memos (cms.middleware's
    Sites and page routes): a rolled-back test sends no signal to forget what it cached
    (view restrictions, the navigation's manager flag of a user id SQLite reuses)."""
    from django.core.cache import cache

    from cms.middleware import memo_clear

    memo_clear()
    cache.clear()


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """A test that drives the browser fails (at teardown) if any page broke the CSP."""
    if "browser" not in request.fixturenames:
        yield
        return
    _csp_reports.clear()
    yield
    violations = [line for found in _csp_reports for line in found]
    _csp_reports.clear()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def phone_page(browser):
    """A fresh phone-sized browser context (390x844, touch), Vietnamese; CSP violations in
    it fail the test (no_csp_violations)."""
    context = browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def browser_log_in(page, user, url: str, *, client=None):
    """Give `page`'s browser the session of `user` on the site at `url`, without the log-in
    form (the accounts tests' subject): `client` (a new one when not given) logs them in,
    with their second factor where their role requires one, and its HttpOnly session cookie
    goes to the browser, as a real log-in leaves it. Returns the client."""
    client = client if client is not None else mfa_client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url,
          "httpOnly": True}]
    )  # fmt: skip
    return client


def browser_log_in_with_form(page, base: str, login: str, password: str, *, totp_secret=None):
    """Log in through allauth's form at `base` (the code of `totp_secret`'s authenticator
    when the role requires a second factor); ends on the home page."""
    page.goto(base + "/tai-khoan/login/")
    page.get_by_label("Tài khoản đăng nhập").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    if totp_secret is not None:
        page.wait_for_url(base + "/tai-khoan/2fa/authenticate/")
        page.locator("input[name=code]").fill(totp_code(totp_secret))
        page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base + "/")


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe():
    """Run axe-core in a page; returns the serious and critical violations."""
    require(AXE.exists(), f"{AXE} is missing (npm ci --ignore-scripts installs axe-core)")

    def run(page) -> list[dict]:
        # Evaluated through the DevTools protocol, which the page's CSP does not govern (a
        # <script> tag added to the page would be refused: no inline script).
        page.evaluate(AXE.read_text(encoding="utf-8"))
        # target-size (WCAG 2.5.8, impact "serious") is off in axe's defaults: turned on
        # here so every browser test also checks tap targets.
        result = page.evaluate(
            "async () => await axe.run(document, {rules: {'target-size': {enabled: true}}})"
        )
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]  # fmt: skip

    return run


def which(name: str) -> str | None:
    return shutil.which(name)
