"""Shared set-up for bench/hot_paths.py, bench/side_by_side.py and bench/quiz_spike.py.

Not a bench itself (`make bench` skips bench/_*.py). Everything here builds throw-away
state: its own PostgreSQL database (dropped and made afresh), its own SQLite file, its own
Redis server on a free port, a temporary MEDIA_ROOT and STATIC_ROOT. Nothing touches the
shared services' data (the PostgreSQL server and Redis on 6379 are only connected to).

The tree measured is the checkout this file is in (`ROOT`); run a copy of this folder from
another tree (e.g. a `git archive HEAD` snapshot) to measure that tree instead.
"""

# ruff: noqa: S310 - urllib opens only http://127.0.0.1 addresses of servers started here

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Free ports, stopping servers, a private redis-server: shared with the tests.
from tests.processes import PrivateRedis, free_port, stop_process  # noqa: E402, F401

PY = sys.executable
BENCH_SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - throw-away bench data
CSRF = "benchcsrfsecret0123456789abcdefg"  # 32 characters: Django's unmasked cookie secret
CONTENT_ORIGIN = "http://localhost:9"  # never the app's host: H5P content is served apart
REUSE_TEMPLATE = "hocso_bench_demo_base"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} {five:.1f} {fifteen:.1f}"


def machine_line() -> str:
    return f"machine: {os.cpu_count()} CPUs, load average {load_average()} (1, 5, 15 min)"


def fresh_postgres(url: str) -> str:
    """Drop and create the database named in url (postgres://...); returns url."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"unexpected database name {name!r}")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def bench_env(work: Path, database_url: str, redis_url: str | None = None) -> dict:
    """Production-like settings (DEBUG off) for plain HTTP on the loopback."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DEBUG": "0",
        "SECRET_KEY": BENCH_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "APP_ORIGIN": "http://127.0.0.1",
        "CONTENT_ORIGIN": CONTENT_ORIGIN,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "H5P_STORAGE_ROOT": str(work / "h5p"),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env, *args):
    return subprocess.run(
        [PY, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True, text=True,
        capture_output=True,
    )  # fmt: skip


def prepare_site(env):
    """Migrate, load the whole demo (seed_demo) and collect static files.

    With BENCH_REUSE=1 (for repeated runs while profiling), a PostgreSQL database is cloned
    from a template (hocso_bench_demo_base) made by the first such run (a SQLite file is
    copied), and static files are collected once into a folder kept under /tmp (media and
    H5P files too): the figures are the same, the set-up minutes are not.
    """
    url = env["DATABASE_URL"]
    kept = Path(tempfile.gettempdir()) / "hocso-bench-kept"
    if os.environ.get("BENCH_REUSE") == "1" and url.startswith("sqlite:///"):
        target, copy = Path(url[len("sqlite:///") :]), kept / "demo.sqlite3"
        env.update(STATIC_ROOT=str(kept / "static"), MEDIA_ROOT=str(kept / "media-sqlite"),
                   H5P_STORAGE_ROOT=str(kept / "h5p-sqlite"))  # fmt: skip
        if copy.exists() and (kept / "static" / "staticfiles.json").exists():
            shutil.copyfile(copy, target)
            return
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        manage(env, "collectstatic", "--noinput")
        kept.mkdir(exist_ok=True)
        shutil.copyfile(target, copy)
        return
    reuse = os.environ.get("BENCH_REUSE") == "1" and url.startswith("postgres")
    if reuse:
        import psycopg

        parsed = urlparse(url)
        name = parsed.path.lstrip("/")
        admin = parsed._replace(path="/postgres").geturl()
        static = kept / "static"
        env.update(STATIC_ROOT=str(static), MEDIA_ROOT=str(kept / "media"),
                   H5P_STORAGE_ROOT=str(kept / "h5p"))  # fmt: skip
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [REUSE_TEMPLATE]
            ).fetchone()
            if exists and (static / "staticfiles.json").exists():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{REUSE_TEMPLATE}"')
                return
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput")
    if reuse:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{REUSE_TEMPLATE}"')
            conn.execute(f'CREATE DATABASE "{REUSE_TEMPLATE}" TEMPLATE "{name}"')


def setup_django(env):
    """Configure Django in this process with env (after prepare_site ran in a subprocess)."""
    os.environ.update(env)
    os.chdir(ROOT)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)


# --- the world, built with the app's own services (call after setup_django) -------------


def learner_session(user) -> str:
    """A logged-in session for user, made directly (no log-in form, no rate limit)."""
    from django.conf import settings
    from django.test import Client

    from accounts.privacy_consent import SESSION_KEY
    from accounts.services import consent_record

    # The privacy notice accepted (the consent gate would send every page to
    # /tai-khoan/dong-y/), and remembered in the session as after the consent page.
    consent_record(user=user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = settings.PRIVACY_NOTICE_VERSION
    session.save()
    return client.cookies["sessionid"].value


def build_learners(count: int, prefix: str) -> dict:
    """count learners enrolled in the demo course that has both an H5P and a quiz lesson.

    Returns the URLs of that course's lessons and each learner's session cookie."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from courses.models import CourseIndexPage, CoursePage, LessonPage
    from courses.services import enrolment_create

    world = {}
    for course in CoursePage.objects.live().order_by("path"):
        lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
        kinds = {}
        for lesson in lessons:
            for block in lesson.body.raw_data:
                kinds.setdefault(block["type"], (lesson, block["id"]))
        if "quiz" in kinds and "h5p" in kinds:
            break
    else:
        raise SystemExit("no demo course has both a quiz lesson and an H5P lesson")
    plain = next(
        (x for x in lessons if any(b["type"] == "image" for b in x.body.raw_data)), lessons[0]
    )
    quiz_lesson, quiz_block = kinds["quiz"]
    h5p_lesson, h5p_block = kinds["h5p"]
    world = {
        "course": course.url,
        "catalogue": CourseIndexPage.objects.live().first().url,
        "lesson": plain.url,
        "quiz_lesson": quiz_lesson.url,
        "quiz": f"/hoc/bai/{quiz_lesson.pk}/kiem-tra/{quiz_block}/",
        "h5p": f"/hoc/bai/{h5p_lesson.pk}/h5p/{h5p_block}/",
        "course_sequential": course.sequential,
        "sessions": [],
    }
    User = get_user_model()
    for i in range(count):
        user = User.objects.create_user(
            f"{prefix}{i}@bench.local", None, full_name=f"Học Viên Đo {i}"
        )  # fmt: skip
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        enrolment_create(user=user, course=course, source="self")
        world["sessions"].append(learner_session(user))
    return world


# --- requests in-process through the WSGI handler (no test client instrumentation) --------


class Wsgi:
    """Calls Django's WSGI application directly, as gunicorn would, with a session cookie."""

    def __init__(self):
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()

    def __call__(self, method, path, session, *, form=None, body=None, fetch=False):
        ctype = ""
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            ctype = "application/x-www-form-urlencoded"
        elif body is not None:
            body = body if isinstance(body, bytes) else json.dumps(body).encode()
            ctype = "application/json"
        else:
            body = b""
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
            "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": "text/html,application/json",
            "HTTP_USER_AGENT": "hocso-bench", "HTTP_ACCEPT_LANGUAGE": "vi",
            "HTTP_COOKIE": f"sessionid={session}; csrftoken={CSRF}",
            "HTTP_X_CSRFTOKEN": CSRF, "HTTP_REFERER": f"http://127.0.0.1{path}",
            "CONTENT_TYPE": ctype, "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False,
        }  # fmt: skip
        if fetch:
            environ["HTTP_X_REQUESTED_WITH"] = "fetch"
        status = []
        result = self.app(environ, lambda s, h, exc=None: status.append((int(s[:3]), dict(h))))
        try:
            content = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        code, headers = status[0]
        return code, headers, content


# --- gunicorn and wrk (side_by_side.py) ----------------------------------------------------

WRK_REPORT = r"""
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT %.1f %.2f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors, summary.requests))
end
"""


def need_wrk() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    return wrk


def wait_http(url: str, headers=None, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"no 200 from {url}")


def wrk_run(
    url: str, cookie: str, *, connections: int, duration: int, work: Path, threads: int = 4
) -> dict:
    """One wrk run against url with a session cookie: requests/s, latency percentiles (ms),
    errors and requests."""
    lua = work / "report.lua"
    lua.write_text(WRK_REPORT)
    out = subprocess.run(
        [need_wrk(), f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s",
         "--timeout", "10s", "-s", str(lua), "-H", f"Cookie: {cookie}", url],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    rps, p50, p95, p99, errors, total = line.split()[1:]
    return {"rps": float(rps), "p50": float(p50), "p95": float(p95), "p99": float(p99),
            "errors": int(errors), "requests": int(total), "load": load_average()}  # fmt: skip


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn workers of master (/proc)."""
    total = 0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def temp_work(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def random_token() -> str:
    return secrets.token_hex(8)
