"""Deadline day: N learners open the quiz and submit at the same moment (issue 16).

    .venv/bin/python bench/quiz_spike.py [--learners 100,300,500] [--workers 4]

PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/hocso_bench_spike,
dropped and made afresh), Redis (a private redis-server on a free port), the whole demo
(seed_demo), gunicorn with --workers W (sync), DEBUG off, real HTTP on the loopback.
Learners are enrolled in the demo course whose last lesson holds its quiz; their sessions
are made directly (the log-in form's rate limit is not what is measured). For each size,
a fresh set of learners waits on a barrier, then each one at the same moment:

    opens the quiz lesson, starts the quiz, opens the attempt page, autosaves, submits

(every 4th learner submits from two tabs at once, to test exactly-once grading under a
race). Printed per size: errors (any unexpected status or refused connection), the
wall-clock time to drain every request, requests per second, p50/p95 per request, and
the gunicorn workers' CPU per request (read from /proc: the server's own CPU, not the
client's, which shares the same cores). Checked in the database: one attempt per learner,
each graded exactly once (no question graded twice, one result per frozen question).
Then the hosts a province needs for 5,000 learners at once, from the CPU per request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _hocso as h  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/hocso_bench_spike"
TIMEOUT = 300


def prepare_child(out_file: str, sizes: str):
    """In a subprocess with the bench env: one set of learners per size, with sessions."""
    h.setup_django(dict(os.environ))
    worlds = {}
    for size in [int(x) for x in sizes.split(",")]:
        worlds[size] = h.build_learners(size, f"spike{size}-")
    Path(out_file).write_text(json.dumps(worlds))


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[max(0, min(len(values) - 1, math.ceil(p / 100 * len(values)) - 1))]


class Learner:
    def __init__(self, port, world, session, two_tabs):
        self.port, self.world, self.session, self.two_tabs = port, world, session, two_tabs
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def request(self, step, method, path, *, form=None, fetch=False):
        from urllib.parse import urlencode

        body = urlencode(form, doseq=True).encode() if form is not None else None
        headers = {
            "Cookie": f"sessionid={self.session}; csrftoken={h.CSRF}",
            "X-CSRFToken": h.CSRF,
            "Host": f"127.0.0.1:{self.port}",
            "Referer": f"http://127.0.0.1:{self.port}{path}",
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if fetch:
            headers["X-Requested-With"] = "fetch"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        self.latencies.setdefault(step, []).append(time.perf_counter() - started)
        return response.status, response.getheader("Location") or "", content

    def expect(self, step, result, *codes):
        if result[0] not in codes:
            raise RuntimeError(f"{step}: HTTP {result[0]} {result[1]} {result[2][:120]!r}")
        return result

    def run(self, barrier):
        from quiz_submit import answers_from

        barrier.wait()
        try:
            self.expect("lesson", self.request("lesson", "GET", self.world["quiz_lesson"]), 200)
            r = self.request("start", "POST", self.world["quiz"] + "bat-dau/", form={})
            attempt = self.expect("start", r, 302)[1]
            r = self.expect("attempt", self.request("attempt", "GET", attempt), 200)
            answers = answers_from(r[2].decode())
            saving = {k: v for k, v in answers.items() if k != "action"}
            r = self.request("autosave", "POST", attempt + "luu/", form=saving, fetch=True)
            self.expect("autosave", r, 200)
            results = []

            def submit():
                try:
                    results.append(self.request("submit", "POST", attempt, form=answers))
                except Exception as exc:
                    results.append((0, "", repr(exc).encode()))

            tabs = [threading.Thread(target=submit) for _ in range(2 if self.two_tabs else 1)]
            for t in tabs:
                t.start()
            for t in tabs:
                t.join()
            for result in results:
                if result[0] != 302 or "/ket-qua/" not in result[1]:
                    self.expect("submit", result, -1)
        except Exception as exc:
            self.errors.append(str(exc)[:300])


def spike(port: int, master: int, world: dict) -> dict:
    sessions = world["sessions"]
    learners = [Learner(port, world, s, i % 4 == 0) for i, s in enumerate(sessions)]
    barrier = threading.Barrier(len(learners) + 1)
    threads = [threading.Thread(target=x.run, args=(barrier,)) for x in learners]
    for t in threads:
        t.start()
    cpu_before = h.workers_cpu(master)
    load = h.load_average()
    barrier.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    cpu = h.workers_cpu(master) - cpu_before
    latencies = [x for learner in learners for v in learner.latencies.values() for x in v]
    per_step = {}
    for learner in learners:
        for step, values in learner.latencies.items():
            per_step.setdefault(step, []).extend(values)
    errors = [e for learner in learners for e in learner.errors]
    return {
        "learners": len(learners), "wall": wall, "requests": len(latencies),
        "cpu": cpu, "errors": errors, "load": load, "load_after": h.load_average(),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": percentile(latencies, 95),
        "p95_step": {step: percentile(v, 95) for step, v in per_step.items()},
    }  # fmt: skip


def check_database(env: dict, prefix: str) -> dict:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        row = conn.execute(
            """SELECT count(*), count(*) FILTER (WHERE a.state = 'graded'),
                      count(DISTINCT a.user_id),
                      coalesce(sum(jsonb_array_length(a.frozen->'questions'))
                               FILTER (WHERE a.state = 'graded'), 0)
               FROM assessments_attempt a JOIN accounts_user u ON u.id = a.user_id
               WHERE u.email LIKE %s""",
            [prefix + "%"],
        ).fetchone()
        results, twice = conn.execute(
            """SELECT count(*), count(*) - count(DISTINCT (r.attempt_id, r.question_id))
               FROM assessments_questionresult r
               JOIN assessments_attempt a ON a.id = r.attempt_id
               JOIN accounts_user u ON u.id = a.user_id WHERE u.email LIKE %s""",
            [prefix + "%"],
        ).fetchone()
    attempts, graded, people, frozen = row
    return {"attempts": attempts, "graded": graded, "people": people, "frozen": frozen,
            "results": results, "twice": twice}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", default="100,300,500")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--prepare-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_child:
        prepare_child(*args.prepare_child)
        return 0
    sizes = [int(x) for x in args.learners.split(",")]
    work = h.temp_work("hocso-bench-spike-")
    redis = h.PrivateRedis().start()
    env = h.bench_env(work, h.fresh_postgres(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)),
                      redis.url)  # fmt: skip
    server = None
    try:
        print(f"== setup: demo on PostgreSQL, {sum(sizes)} learners, Redis on {redis.port}",
              flush=True)  # fmt: skip
        h.prepare_site(env)
        out = work / "worlds.json"
        subprocess.run([h.PY, __file__, "--prepare-child", str(out), args.learners],
                       cwd=h.ROOT, env=env, check=True)  # fmt: skip
        worlds = json.loads(out.read_text())
        port = h.free_port()
        server = subprocess.Popen(
            [h.PY, "-m", "gunicorn", "cms.wsgi", "--workers", str(args.workers),
             "--worker-class", "sync", "--backlog", "2048", "--timeout", "300",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=h.ROOT, env=env, stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115 - lives as long as the server
        )  # fmt: skip
        h.wait_http(f"http://127.0.0.1:{port}/healthz", timeout=90)
        warm = Learner(port, worlds[str(sizes[0])], "", False)
        for _ in range(2 * args.workers):  # each worker loads its code and templates once
            warm.request("warm", "GET", "/")
        rows = []
        for size in sizes:
            print(f"== {size} learners at once", flush=True)
            row = spike(port, server.pid, worlds[str(size)])
            row["check"] = check_database(env, f"spike{size}-")
            rows.append(row)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        redis.stop()
        shutil.rmtree(work, ignore_errors=True)
    return report(rows, args)


def report(rows, args) -> int:
    print(
        f"\nQuiz spike: PostgreSQL + Redis, gunicorn {args.workers} sync workers, DEBUG off, "
        "each learner: lesson, start, attempt page, autosave, submit (every 4th: two tabs)"
    )
    print(h.machine_line() + " (the client threads share the same 2 cores)")
    print(
        f"{'learners':>8} {'requests':>8} {'errors':>6} {'drain s':>8} {'req/s':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'CPU ms/req':>10} {'graded once':>12}  load"
    )
    ok = True
    for r in rows:
        c = r["check"]
        once = (c["attempts"] == c["graded"] == c["people"] == r["learners"]
                and c["twice"] == 0 and c["results"] == c["frozen"])  # fmt: skip
        ok = ok and once and not r["errors"]
        cpu_ms = r["cpu"] / r["requests"] * 1000
        print(
            f"{r['learners']:>8} {r['requests']:>8} {len(r['errors']):>6} {r['wall']:>8.1f} "
            f"{r['requests'] / r['wall']:>6.0f} {r['p50'] * 1000:>7.0f} {r['p95'] * 1000:>7.0f} "
            f"{cpu_ms:>10.1f} {('yes' if once else 'NO'):>12}  {r['load']} -> {r['load_after']}"
        )
        for error in r["errors"][:3]:
            print("   error:", error)
        print(
            "         p95 ms by step: "
            + ", ".join(f"{k} {v * 1000:.0f}" for k, v in r["p95_step"].items())
        )
        print(
            f"         database: {c['attempts']} attempts for {c['people']} learners, "
            f"{c['graded']} graded, {c['results']} question results for {c['frozen']} "
            f"frozen questions, graded twice {c['twice']}"
        )
    last = rows[-1]
    per_learner = last["requests"] / last["learners"]
    cpu_ms = last["cpu"] / last["requests"] * 1000
    need = 5000 * per_learner * cpu_ms / 1000
    for target in (60, 120):
        cores = need / target / 0.7
        print(
            f"5,000 at once within {target} s: 5,000 x {per_learner:.2f} requests x "
            f"{cpu_ms:.1f} ms CPU = {need:.0f} CPU-s; / {target} s / 70% busy = {cores:.1f} "
            f"cores = {math.ceil(cores / 2)} app hosts of 2 cores (+ PostgreSQL and Redis)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
