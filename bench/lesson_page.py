"""Throughput of the lesson page (logged-in, enrolled learner) and of the catalogue.

Usage: .venv/bin/python bench/lesson_page.py [--duration 10] [--connections 20,100]
Needs wrk (Debian: apt-get install -y wrk). Builds a throw-away SQLite database (or uses
BENCH_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/hocso_bench), loads the cms
and courses demo, collects static files into a temporary STATIC_ROOT, and serves the site
with gunicorn (2 sync workers) under production-like settings: DEBUG=0, a SECRET_KEY,
ALLOWED_HOSTS, SECURE_SSL_REDIRECT=0 (no TLS in front of it here), no Redis (local-memory
cache per worker). Then, for each page and each connection count, wrk runs for the duration
and this prints requests per second, p50/p95/p99 latency, non-2xx responses, and the page's
queries (counted through Django's test client on the same database) and HTML size.
"""

# ruff: noqa: S310 - urllib opens only the http://127.0.0.1 address of the gunicorn started here
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _hocso as h  # noqa: E402 - bench/ is not a package

PREPARE = r"""
import json
import sys
sys.path.insert(0, "bench")  # manage.py runs from the repository's root
from _hocso import learner_session  # the privacy consent given, as every bench's learner
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from courses.models import CourseIndexPage, CoursePage, LessonPage
from courses.services import enrolment_create

User = get_user_model()
user = User.objects.filter(email="bench@hocso.local").first() or User.objects.create_user(
    "bench@hocso.local", "bench-password-2026", full_name="Người Học Thử Tải")
course = CoursePage.objects.live().filter(sequential=False).order_by("path").first()
enrolment_create(user=user, course=course, source="self")
lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
# A lesson with an infographic: the heaviest kind of lesson page in the demo.
has_image = [x for x in lessons if any(c["type"] == "image" for c in x.body.raw_data)]
lesson = (has_image or lessons)[0]
client = Client()
client.cookies["sessionid"] = learner_session(user)
result = {"session": client.cookies["sessionid"].value, "pages": {}}
catalogue = CourseIndexPage.objects.live().first()
for name, url in (("lesson", lesson.url), ("catalogue", catalogue.url)):
    client.get(url)  # first view: opened_at, renditions
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    result["pages"][name] = {"url": url, "queries": len(ctx.captured_queries),
                             "html_bytes": len(response.content)}
print("PREPARED " + json.dumps(result))
"""


def manage(env, *args, capture=False):
    return subprocess.run(
        [PY, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=env, check=True, text=True,
        capture_output=capture,
    )  # fmt: skip


def wait_ready(url: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", default="20,100")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    h.need_wrk()

    work = Path(tempfile.mkdtemp(prefix="hocso-bench-lesson-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}"),
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
    }
    env.pop("REDIS_URL", None)
    print(f"bench folder: {work}")
    manage(env, "migrate", "--noinput", capture=True)
    manage(
        env, "shell", "-c",
        "import sys; from cms import demo as a; from courses import demo as b; "
        "a.load(sys.stdout); b.load(sys.stdout)",
        capture=True,
    )  # fmt: skip
    manage(env, "collectstatic", "--noinput", capture=True)
    prepared = manage(env, "shell", "-c", PREPARE, capture=True).stdout
    info = json.loads(prepared.split("PREPARED ", 1)[1])

    port = h.free_port()
    gunicorn = subprocess.Popen(
        [PY, "-m", "gunicorn", "cms.wsgi", "--workers", "2", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    rows = []
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/healthz")
        cookie = f"sessionid={info['session']}"
        for name, page in info["pages"].items():
            url = base + page["url"]
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            with urllib.request.urlopen(request) as response:  # warm each worker's caches
                assert response.status == 200, response.status
            for _ in range(20):
                urllib.request.urlopen(request).read()
            for connections in [int(c) for c in args.connections.split(",")]:
                r = h.wrk_run(url, cookie, connections=connections, duration=args.duration,
                              work=work, threads=args.threads)  # fmt: skip
                rows.append((name, connections, r, page))
    finally:
        h.stop_process(gunicorn, timeout=15)

    db = env["DATABASE_URL"].split(":", 1)[0]
    print(f"\nHọcSố lesson-page bench: gunicorn 2 sync workers, DEBUG=0, {db}, "
          f"wrk {args.duration}s per run, logged-in enrolled learner")  # fmt: skip
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
          "(other work on the machine lowers these figures)")  # fmt: skip
    print(f"{'page':<10} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'errors':>6} {'requests':>8} {'queries':>7} {'html KB':>7}  url")  # fmt: skip
    for name, conns, r, page in rows:
        kb = page["html_bytes"] / 1024
        print(f"{name:<10} {conns:>5} {r['rps']:>8.1f} {r['p50']:>8.2f} {r['p95']:>8.2f} "
              f"{r['p99']:>8.2f} {r['errors']:>6} {r['requests']:>8} {page['queries']:>7} "
              f"{kb:>7.1f}  {page['url']}")  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
