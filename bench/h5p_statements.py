"""Bench: xAPI statements per second accepted under concurrent learners, real HTTP.

    createdb -h 127.0.0.1 -U postgres hocso_h5p_bench   # once; any empty database of yours
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hocso_h5p_bench \
        .venv/bin/python bench/h5p_statements.py [--learners 40] [--statements 60] [--workers 2]

Sets up the demo H5P package (HocSo.QuickCheck, through the real services), one course
with one lesson holding it, and N enrolled learners with sessions; starts gunicorn
(DEBUG off, `--workers W --threads 4`) on a free port; then one client thread per learner
POSTs the launch and S statements over HTTP with the session cookie and the CSRF header,
as the lesson page's relay script does (mostly "interacted", some child statements, a
final graded "answered" that completes the lesson). Each statement goes through the whole
path: middleware, session, CSRF, enrolment/lock selector, checks, idempotent insert, and
for the graded one the courses floor. Prints accepted statements per second (wall clock),
latency percentiles and any refusals. S stays under the per-learner rate limit (120/min).
Each learner comes from their own address, as in production behind nginx (one trusted
proxy, TRUSTED_PROXY_COUNT=1, X-Forwarded-For): the per-address limit is a limit on one
place's traffic, not on the whole province's, and a bench from one address met it.
Without DATABASE_URL it falls back to a temporary SQLite file (writers then queue on
SQLite's lock: figures are much lower and not representative).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import _hocso as h  # noqa: E402 - bench/ is not a package

from tests.processes import free_port, stop_process  # noqa: E402 - after the path

WORKDIR = Path(tempfile.mkdtemp(prefix="hocso-bench-h5p-"))


BENCH_SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - throw-away bench database


def setup_django():
    os.environ.setdefault("DEBUG", "1")
    # The sessions made here must verify in gunicorn: one key for both processes.
    os.environ["SECRET_KEY"] = os.environ.get("SECRET_KEY") or BENCH_SECRET
    os.environ.pop("REDIS_URL", None)
    os.environ["H5P_STORAGE_ROOT"] = str(WORKDIR / "h5p")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_world(learners: int):
    import io
    import uuid

    from django.contrib.auth import get_user_model
    from django.utils.crypto import get_random_string

    from assessments.h5p import demo
    from cms.demo import ensure_home_page
    from courses.demo import ensure_catalogue
    from courses.models import CourseAudience, CoursePage, LessonPage
    from courses.services import enrolment_create

    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_user(
        email=f"bench-admin-{uuid.uuid4().hex[:6]}@example.vn", password=None,
        full_name="Quản Trị Đo", is_superuser=True, is_staff=True,
    )  # fmt: skip
    assert admin.is_superuser
    package = demo.load(io.StringIO())
    index = ensure_catalogue(ensure_home_page())
    course = CoursePage(
        title="Đo tốc độ H5P", slug=f"bench-h5p-{uuid.uuid4().hex[:6]}",
        summary="Khoá học dùng để đo tốc độ ghi xAPI.",
        topic=CoursePage._meta.get_field("topic").choices[0][0],
    )  # fmt: skip
    course.audience_links = [CourseAudience(audience="citizens")]
    index.add_child(instance=course)
    course.save_revision().publish()
    block_id = str(uuid.uuid4())
    lesson = LessonPage(
        title="Bài đo", slug="bai-do",
        body=[{"type": "h5p", "id": block_id,
               "value": {"package": package.pk, "pass_percent": 100, "required": True}}],
    )  # fmt: skip
    course.add_child(instance=lesson)
    sessions = []
    for n in range(learners):
        user = User.objects.create_user(
            email=f"bench-{uuid.uuid4().hex[:8]}-{n}@example.vn", password=None,
            full_name=f"Người Học {n}",
        )  # fmt: skip
        enrolment_create(user=user, course=course, source="self")
        # The privacy consent given (the gate would send the launch to the consent page).
        sessions.append((h.learner_session(user), get_random_string(32)))
    from assessments.h5p.services import activity_iri

    return {"lesson": lesson.pk, "block": block_id, "iri": activity_iri(package),
            "sessions": sessions}  # fmt: skip


def start_gunicorn(port: int, workers: int):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # APP_ORIGIN stays as in this process: the activity IRI must match on both sides.
        "CONTENT_ORIGIN": f"http://localhost:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        # As behind nginx: the learner's address is the last X-Forwarded-For entry.
        "TRUSTED_PROXY_COUNT": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cms.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4",
         "--keep-alive", "30", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(WORKDIR / "gunicorn.log", "w"),  # noqa: SIM115 - lives as long as the server
    )  # fmt: skip
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"gunicorn did not start; see {WORKDIR / 'gunicorn.log'}")


def statements_for(iri: str, count: int, learner: int) -> list[dict]:
    out = [{"verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"}, "object": {"id": iri}}]
    for i in range(count - 2):
        if i % 5 == 4:  # a child statement (stored, never graded)
            out.append({
                "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                "object": {"id": f"{iri}?subContentId=part-{i}"},
                "context": {"contextActivities": {"parent": [{"id": iri}]}},
                "result": {"score": {"min": 0, "max": 1, "raw": 1}, "duration": f"PT{i}S"},
            })  # fmt: skip
        else:
            out.append({
                "verb": {"id": "http://adlnet.gov/expapi/verbs/interacted"},
                "object": {"id": iri},
                "result": {"response": f"{learner}-{i}", "duration": f"PT{i}.5S"},
            })  # fmt: skip
    out.append({
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": iri},
        "result": {"score": {"min": 0, "max": 1, "raw": 1, "scaled": 1}, "completion": True,
                   "success": True, "response": "1"},
    })  # fmt: skip
    return out


def run_learner(port, world, index, count, barrier, results):
    session, csrf = world["sessions"][index]
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/json",
        "Host": f"127.0.0.1:{port}",
        "X-Forwarded-For": f"10.20.{index // 250}.{index % 250 + 1}",  # the learner's own
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    base = f"/hoc/bai/{world['lesson']}/h5p/{world['block']}"
    try:
        conn.request("POST", f"{base}/bat-dau/", body="{}", headers=headers)
        response = conn.getresponse()
        launch = json.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"launch refused: {response.status} {launch}")
    except Exception:
        barrier.abort()  # the main thread stops instead of waiting forever
        raise
    barrier.wait()
    conn.close()  # a fresh keep-alive connection for the timed part
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, refused, completed = [], [], False
    for statement in statements_for(world["iri"], count, index):
        body = json.dumps(statement)
        started = time.perf_counter()
        conn.request("POST", launch["statement_url"], body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            refused.append((response.status, data[:200]))
        else:
            completed = completed or json.loads(data).get("lesson_completed", False)
    conn.close()
    results[index] = (latencies, refused, completed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--statements", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    world = build_world(args.learners)
    port = free_port()
    proc = start_gunicorn(port, args.workers)
    try:
        results = [None] * args.learners
        barrier = threading.Barrier(args.learners + 1)
        threads = [
            threading.Thread(target=run_learner,
                             args=(port, world, i, args.statements, barrier, results))
            for i in range(args.learners)
        ]  # fmt: skip
        for t in threads:
            t.start()
        barrier.wait()
        started = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        stop_process(proc, timeout=15)
    failed_learners = sum(1 for r in results if r is None)
    results = [r for r in results if r is not None]
    latencies = sorted(x for r in results for x in r[0])
    refused = [x for r in results for x in r[1]]
    accepted = len(latencies) - len(refused)
    completed = sum(1 for r in results if r[2])
    q = statistics.quantiles(latencies, n=100)
    print(f"database={db} gunicorn workers={args.workers} threads=4, real HTTP (http.client)")
    print(f"learners={args.learners} statements/learner={args.statements} "
          f"total={len(latencies)} accepted={accepted} refused={len(refused)}")  # fmt: skip
    print(f"wall {elapsed:.2f}s -> {accepted / elapsed:.0f} statements/s accepted")
    print(f"latency ms: p50={q[49] * 1000:.1f} p95={q[94] * 1000:.1f} p99={q[98] * 1000:.1f} "
          f"max={latencies[-1] * 1000:.1f}")  # fmt: skip
    print(f"lessons completed by the graded statement: {completed}/{args.learners}")
    if refused:
        print("first refusals:", refused[:3])
    if failed_learners:
        print(f"learner threads that failed (connection errors): {failed_learners}")


if __name__ == "__main__":
    main()
