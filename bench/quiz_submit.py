"""Quiz submissions under load: the demo under gunicorn, N learners over real HTTP.

    .venv/bin/python bench/quiz_submit.py            # 40 learners x 3 attempts
    BENCH_LEARNERS=80 BENCH_WORKERS=4 .venv/bin/python bench/quiz_submit.py

Production-like: DEBUG=0, a SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, static files collected
into a temp dir (whitenoise), its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/hocso_quiz_bench, dropped and created afresh). Cookies
are not marked Secure because the bench speaks plain HTTP on the loopback.

Each learner logs in through the form (in batches of 25 a minute: allauth's rate limit
per IP address), then takes the demo quiz 3 times in a lesson of a one-lesson bench course
(learners take quizzes only in lessons): start, open the attempt page, pick answers from
the HTML, submit. Every 4th learner submits each attempt
from two "tabs" at the same moment. Prints submissions per second, p50/p95 latencies and a
count check read from the database: every attempt graded once, none lost, no question
graded twice. Exits 1 when the check fails. Loopback only; bounded in count and time.
"""

import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.processes import free_port, stop_process  # noqa: E402 - after the path

LEARNERS = int(os.environ.get("BENCH_LEARNERS", "40"))
# allauth allows 30 log-ins a minute from one IP address: log in in paced batches.
LOGIN_BATCH = 25
ROUNDS = 3  # the demo quiz allows 3 attempts
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
QUIZ_SLUG = "kiem-tra-thanh-toan-khong-tien-mat"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocso_quiz_bench"
)
PASSWORD = "bench-mat-khau-2026"  # noqa: S105 - throwaway bench accounts
TIMEOUT = 180


def fresh_database():
    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


class FormParser(HTMLParser):
    """Inputs and selects of the attempt form: enough to answer like a learner."""

    def __init__(self):
        super().__init__()
        self.radios, self.checkboxes, self.texts, self.selects = {}, {}, [], {}
        self.csrf = ""
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input":
            name, kind = a.get("name", ""), a.get("type", "text")
            if name == "csrfmiddlewaretoken":
                self.csrf = a.get("value", "")
            elif name.startswith("q-") and kind == "radio":
                self.radios.setdefault(name, []).append(a["value"])
            elif name.startswith("q-") and kind == "checkbox":
                self.checkboxes.setdefault(name, []).append(a["value"])
            elif name.startswith("q-") and kind == "text":
                self.texts.append(name)
        elif tag == "select" and a.get("name", "").startswith("q-"):
            self._select = a["name"]
            self.selects[self._select] = []
        elif tag == "option" and self._select and a.get("value"):
            self.selects[self._select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def answers_from(html: str) -> dict:
    form = FormParser()
    form.feed(html)
    data = {"csrfmiddlewaretoken": form.csrf, "action": "submit"}
    for name, values in form.radios.items():
        data[name] = random.choice(values)
    for name, values in form.checkboxes.items():
        data[name] = random.sample(values, random.randint(1, len(values)))
    for name in form.texts:
        data[name] = random.choice(["QR", "mã qr", "không biết"])
    groups: dict[str, list[str]] = {}
    for name in form.selects:
        groups.setdefault(name.split("-")[1], []).append(name)  # q-<question id>-<choice key>
    for names in groups.values():
        options = form.selects[names[0]]
        if all(o.isdigit() for o in options):  # ordering: a permutation of positions
            for name, pos in zip(names, random.sample(options, len(names)), strict=False):
                data[name] = pos
        else:  # matching
            for name in names:
                data[name] = random.choice(form.selects[name])
    return data


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    static_root = tempfile.mkdtemp(prefix="hocso-bench-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "APP_ORIGIN": base,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": DATABASE_URL,
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    print(f"== setup: database {urlparse(DATABASE_URL).path[1:]}, {LEARNERS} learners")
    fresh_database()
    run(env, "migrate", "--noinput")
    run(env, "seed_demo")
    run(env, "collectstatic", "--noinput")
    # Learners as in production: a verified address (e-mail verification is mandatory with
    # DEBUG off), enrolled in a one-lesson bench course whose lesson holds the demo quiz
    # (a lesson's quiz block is the only place learners take quizzes).
    script = (
        "import uuid\n"
        "from allauth.account.models import EmailAddress\n"
        "from accounts.models import User\n"
        "from accounts.services import consent_record\n"
        "from assessments.models import Quiz\n"
        "from courses.models import CourseAudience, CourseIndexPage, CoursePage, LessonPage\n"
        "from courses.services import enrolment_create\n"
        f"quiz = Quiz.objects.get(slug='{QUIZ_SLUG}')\n"
        "course = CoursePage(title='Bench', slug='bench-quiz', summary='Bench.',\n"
        "                    topic='smartphone_internet')\n"
        "course.audience_links = [CourseAudience(audience='citizens')]\n"
        "CourseIndexPage.objects.first().add_child(instance=course)\n"
        "course.save_revision().publish()\n"
        "block = str(uuid.uuid4())\n"
        "lesson = LessonPage(title='Bench quiz', slug='bench-quiz-lesson', body=[{'type': 'quiz',\n"
        "                    'id': block, 'value': {'quiz': quiz.pk, 'required': True}}])\n"
        "course.add_child(instance=lesson)\n"
        f"for i in range({LEARNERS}):\n"
        f"    u = User.objects.create_user(f'hv{{i}}@bench.local', '{PASSWORD}', "
        "full_name=f'Học Viên {i}')\n"
        "    EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)\n"
        # The privacy notice accepted: the consent gate would send each page to its form.
        "    consent_record(user=u)\n"
        "    enrolment_create(user=u, course=course, source='self')\n"
        "print(f'QUIZ {lesson.url} /hoc/bai/{lesson.pk}/kiem-tra/{block}/')\n"
    )
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT,
                         env=env, check=True, capture_output=True, text=True).stdout  # fmt: skip
    lesson_path, quiz_path = out.split("QUIZ ", 1)[1].split()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cms.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--threads", str(THREADS), "--worker-class", "gthread",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=10).status_code in (200, 503):
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                print("gunicorn did not start")
                return 1
            time.sleep(0.3)
        return drive(base, lesson_path, quiz_path)
    finally:
        stop_process(server, timeout=20)


def drive(base: str, lesson_path: str, quiz_path: str) -> int:
    sessions = []
    errors: list[str] = []
    lock = threading.Lock()

    def guarded(target):
        def run_guarded(*args):
            try:
                target(*args)
            except requests.RequestException as exc:
                with lock:
                    errors.append(f"{target.__name__} {args[0]}: {exc.__class__.__name__}")

        return run_guarded

    def log_in(i):
        s = requests.Session()
        page = s.get(base + "/tai-khoan/login/", timeout=TIMEOUT)
        r = s.post(
            base + "/tai-khoan/login/",
            data={"csrfmiddlewaretoken": csrf_of(page.text), "login": f"hv{i}@bench.local",
                  "password": PASSWORD},
            headers={"Referer": base + "/tai-khoan/login/"}, timeout=TIMEOUT,
        )  # fmt: skip
        if "sessionid" not in s.cookies:
            with lock:
                errors.append(f"login {i}: {r.status_code}")
        sessions.append((i, s))

    for batch_start in range(0, LEARNERS, LOGIN_BATCH):
        if batch_start:
            time.sleep(61)
        batch = range(batch_start, min(LEARNERS, batch_start + LOGIN_BATCH))
        threads = [threading.Thread(target=guarded(log_in), args=(i,)) for i in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print(f"== {len(sessions)} learners logged in through the form ({len(errors)} errors)")

    start_times, submit_times, submits = [], [], [0]
    detail = base + lesson_path  # the lesson page with the quiz block

    def learner(i, s):
        headers = {"Referer": detail}
        for _round in range(ROUNDS):
            page = s.get(detail, timeout=TIMEOUT)
            t0 = time.perf_counter()
            r = s.post(base + quiz_path + "bat-dau/",
                       data={"csrfmiddlewaretoken": csrf_of(page.text)},
                       headers=headers, timeout=TIMEOUT)  # fmt: skip
            t1 = time.perf_counter()
            if "/bai-lam/" not in r.url:
                with lock:
                    errors.append(f"start {i}: {r.status_code} {r.url}")
                return
            data = answers_from(r.text)
            url = r.url
            tabs = 2 if i % 4 == 0 else 1
            results = []

            def submit(url=url, data=data, results=results):
                t = time.perf_counter()
                resp = s.post(url, data=data, headers={"Referer": url}, timeout=TIMEOUT)
                results.append((time.perf_counter() - t, resp))

            if tabs == 1:
                submit()
            else:
                pair = [threading.Thread(target=submit) for _ in range(tabs)]
                for t in pair:
                    t.start()
                for t in pair:
                    t.join()
            with lock:
                start_times.append(t1 - t0)
                for elapsed, resp in results:
                    submits[0] += 1
                    submit_times.append(elapsed)
                    if "/ket-qua/" not in resp.url:
                        errors.append(f"submit {i}: {resp.status_code} {resp.url}")

    began = time.perf_counter()
    threads = [threading.Thread(target=guarded(learner), args=(i, s)) for i, s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - began

    with psycopg.connect(DATABASE_URL) as conn:
        row = conn.execute(
            """SELECT count(*) FILTER (WHERE a.state = 'graded'),
                      count(*) FILTER (WHERE a.state = 'in_progress'),
                      count(*)
               FROM assessments_attempt a JOIN assessments_quiz q ON q.id = a.quiz_id
               WHERE q.slug = %s""",
            [QUIZ_SLUG],
        ).fetchone()
        graded, open_, total = row
        dup = conn.execute(
            "SELECT count(*) FROM (SELECT attempt_id, question_id FROM "
            "assessments_questionresult GROUP BY 1, 2 HAVING count(*) > 1) d"
        ).fetchone()[0]
        results = conn.execute(
            "SELECT count(*), count(DISTINCT attempt_id) FROM assessments_questionresult"
        ).fetchone()
        frozen = conn.execute(
            "SELECT coalesce(sum(jsonb_array_length(frozen->'questions')), 0) "
            "FROM assessments_attempt WHERE state = 'graded'"
        ).fetchone()[0]
    expected = LEARNERS * ROUNDS
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (other "
          "processes share the cores: figures are lower bounds)")  # fmt: skip
    print(f"== {submits[0]} submit requests ({expected} attempts, every 4th learner from two "
          f"tabs at once) in {wall:.1f} s, gunicorn {WORKERS} workers x {THREADS} "
          "threads")  # fmt: skip
    print(f"submissions per second: {submits[0] / wall:.1f} requests, {graded / wall:.1f} "
          f"graded attempts")  # fmt: skip
    print(f"submit latency: p50 {statistics.median(submit_times) * 1000:.0f} ms, "
          f"p95 {percentile(submit_times, 95) * 1000:.0f} ms; "
          f"start latency: p50 {statistics.median(start_times) * 1000:.0f} ms, "
          f"p95 {percentile(start_times, 95) * 1000:.0f} ms")  # fmt: skip
    ok = (graded == expected == total and open_ == 0 and dup == 0 and results[1] == graded
          and results[0] == frozen and not errors)  # fmt: skip
    print(f"count check: attempts {total} (expected {expected}), graded {graded}, open {open_}, "
          f"question results {results[0]} for {results[1]} attempts (frozen questions "
          f"{frozen}), graded twice {dup}, request errors {len(errors)} -> "
          f"{'OK' if ok else 'FAILED'}")  # fmt: skip
    for error in errors[:10]:
        print("  error:", error)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
