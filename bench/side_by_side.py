"""Lesson page and catalogue, HọcSố against the Wagtail peer (wagtail-lms), in one run.

    .venv/bin/python bench/side_by_side.py [--rounds 2] [--duration 10] [--connections 20]

The peer is built outside this repository by ../shared/bench/peer/setup-wagtail-lms.sh
(wagtail-lms 0.11.1 from PyPI, a learner, a course of 10 H5P lesson pages) into
BENCH_PEER_DIR (default /tmp/hocso-bench-peer; reused when already built); nothing of it
is committed. Both sides run under the same gunicorn (2 sync workers) on SQLite with a
logged-in learner (the peer's logs in through /admin/login/; HọcSố's session is made
directly) and DEBUG off; wrk (Debian: apt-get install -y wrk) loads one page at a time at
20 connections. The sides alternate over the rounds (the order flips each round) so that
load from elsewhere on the machine hits both alike; the load average is printed beside
each figure. HọcSố also runs on PostgreSQL (its own database, BENCH_DATABASE_URL default
postgres://postgres@127.0.0.1:5432/hocso_bench_sbs) with Redis (a private redis-server) as
in production, against the same peer.

Pages: the peer's /course/lesson-1/ against HọcSố's demo lesson with an infographic (an
enrolled learner), and the peer's course page /course/ against HọcSố's catalogue.
"""

# ruff: noqa: S310 - urllib opens only http://127.0.0.1 addresses of servers started here

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import shutil
import statistics
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _hocso as h  # noqa: E402

PEER_DIR = Path(os.environ.get("BENCH_PEER_DIR", "/tmp/hocso-bench-peer"))
PEER_PAGES = {"lesson": "/course/lesson-1/", "catalogue": "/course/"}
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/hocso_bench_sbs"


def peer_setup_script() -> Path:
    for shared in (Path(os.environ.get("BENCH_SHARED", h.ROOT.parent / "shared")),
                   Path("/work/shared")):  # fmt: skip
        script = shared / "bench" / "peer" / "setup-wagtail-lms.sh"
        if script.exists():
            return script
    raise SystemExit("the peer's set-up script (shared/bench/peer) is not found: set BENCH_SHARED")


def build_peer() -> None:
    if (PEER_DIR / "venv" / "bin" / "gunicorn").exists() and (
        PEER_DIR / "site" / "db.sqlite3"
    ).exists():
        print(f"== peer: reusing {PEER_DIR}", flush=True)
        return
    print(f"== peer: building wagtail-lms in {PEER_DIR} (pip, a few minutes)", flush=True)
    subprocess.run(["bash", str(peer_setup_script()), str(PEER_DIR), "10"], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def peer_login(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = base + "/admin/login/"
    opener.open(login).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    fields = {"csrfmiddlewaretoken": csrf, "username": "learner", "password": "learnerpass"}
    data = urllib.parse.urlencode(fields).encode()
    opener.open(urllib.request.Request(login, data=data, headers={"Referer": login})).read()
    session = next((c.value for c in jar if c.name == "sessionid"), "")
    if not session:
        raise SystemExit("the peer's learner could not log in")
    return f"sessionid={session}"


def start_peer(port: int, work: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lmsdemo.settings.production",
           "SECRET_KEY": "peer-bench-not-secret"}  # fmt: skip
    env.pop("DATABASE_URL", None)
    env.pop("PEER_DB_URL", None)
    return subprocess.Popen(
        [str(PEER_DIR / "venv" / "bin" / "gunicorn"), "lmsdemo.wsgi", "-w", "2",
         "--worker-class", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=PEER_DIR / "site", env=env, stderr=open(work / "peer.log", "w"),  # noqa: SIM115 - lives as long as the server
    )  # fmt: skip


def peer_queries() -> dict:
    script = Path(peer_setup_script()).parent / "querycount.py"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lmsdemo.settings.production",
           "SECRET_KEY": "peer-bench-not-secret"}  # fmt: skip
    out = subprocess.run([str(PEER_DIR / "venv" / "bin" / "python"), "manage.py", "shell"],
                         stdin=open(script), cwd=PEER_DIR / "site", env=env,  # noqa: SIM115
                         capture_output=True, text=True).stdout  # fmt: skip
    counts = {}
    for line in out.splitlines():
        if line.startswith("peer "):
            parts = line.split()
            counts[parts[1]] = int(parts[-1])
    return {
        "lesson": counts.get(PEER_PAGES["lesson"]),
        "catalogue": counts.get(PEER_PAGES["catalogue"]),
    }


def prepare_child(out_file: str):
    """In a subprocess with the side's env: one learner, its session, the pages' queries."""
    env = dict(os.environ)
    h.setup_django(env)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    world = h.build_learners(1, f"sbs{h.random_token()}-")
    session = world["sessions"][0]
    client = Client()
    client.cookies["sessionid"] = session
    pages = {"lesson": world["lesson"], "catalogue": world["catalogue"]}
    queries = {}
    for name, url in pages.items():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        queries[name] = len(ctx.captured_queries)
    Path(out_file).write_text(json.dumps({"session": session, "pages": pages, "queries": queries}))


def prepare_hocso(name: str, env: dict, work: Path) -> dict:
    print(f"== HọcSố ({name}): migrate, seed_demo, collectstatic", flush=True)
    h.prepare_site(env)
    out = work / f"{name}.json"
    subprocess.run([h.PY, __file__, "--prepare-child", str(out)], cwd=h.ROOT, env=env,
                   check=True)  # fmt: skip
    return json.loads(out.read_text())


def start_hocso(port: int, env: dict, work: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [h.PY, "-m", "gunicorn", "cms.wsgi", "--workers", "2", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=h.ROOT, env=env, stderr=open(work / f"{name}.log", "w"),  # noqa: SIM115 - lives as long as the server
    )  # fmt: skip


def warm(base: str, page: str, cookie: str):
    for _ in range(20):
        request = urllib.request.Request(base + page, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            assert response.status == 200, (page, response.status)
            response.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--prepare-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_child:
        prepare_child(args.prepare_child)
        return
    h.need_wrk()
    work = h.temp_work("hocso-bench-sbs-")
    build_peer()
    sides = {}  # name -> (base url, cookie, pages, queries)
    procs, redis, masters = [], None, {}
    try:
        port = h.free_port()
        procs.append(start_peer(port, work))
        masters["peer"] = procs[-1].pid
        base = f"http://127.0.0.1:{port}"
        h.wait_http(base + "/")
        sides["peer"] = (base, peer_login(base), PEER_PAGES, peer_queries())
        envs = {"hocso": h.bench_env(work / "sqlite", f"sqlite:///{work / 'hocso.sqlite3'}")}
        if not args.no_postgres:
            redis = h.PrivateRedis().start()
            pg = h.fresh_postgres(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
            envs["hocso-pg"] = h.bench_env(work / "pg", pg, redis.url)
        for name, env in envs.items():
            info = prepare_hocso(name, env, work)
            port = h.free_port()
            procs.append(start_hocso(port, env, work, name))
            masters[name] = procs[-1].pid
            base = f"http://127.0.0.1:{port}"
            h.wait_http(base + "/healthz", timeout=90)
            sides[name] = (base, f"sessionid={info['session']}", info["pages"], info["queries"])
        for base, cookie, pages, _ in sides.values():
            for page in pages.values():
                warm(base, page, cookie)
        results = {(side, page): [] for side in sides for page in PEER_PAGES}
        order = list(sides)
        for round_no in range(args.rounds):
            names = order if round_no % 2 == 0 else order[::-1]
            for page in PEER_PAGES:
                for side in names:
                    base, cookie, pages, _ = sides[side]
                    cpu = h.workers_cpu(masters[side])
                    r = h.wrk_run(base + pages[page], cookie, connections=args.connections,
                                  duration=args.duration, work=work)  # fmt: skip
                    r["cpu_ms"] = (
                        (h.workers_cpu(masters[side]) - cpu) / max(1, r["requests"]) * 1000
                    )
                    results[(side, page)].append(r)
                    print(f"round {round_no + 1} {side:<9} {page:<10} {r['rps']:>7.1f} req/s "
                          f"p95 {r['p95']:>6.0f} ms {r['cpu_ms']:>5.1f} ms CPU/req "
                          f"errors {r['errors']} (load {r['load']})", flush=True)  # fmt: skip
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if redis:
            redis.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(sides, results, args)


def report(sides, results, args):
    print(
        f"\nSide by side: gunicorn 2 sync workers each, DEBUG off, wrk {args.connections} "
        f"connections x {args.duration} s, {args.rounds} alternating rounds, logged-in learner"
    )
    print(h.machine_line())
    print(f"{'page':<10} {'side':<24} {'req/s':>7} {'rounds':>13} {'x peer':>7} "
          f"{'CPU ms/req':>10} {'x peer CPU':>10} {'queries':>7}")  # fmt: skip
    labels = {"peer": "wagtail-lms, SQLite", "hocso": "HọcSố, SQLite",
              "hocso-pg": "HọcSố, PostgreSQL+Redis"}  # fmt: skip
    for page in PEER_PAGES:
        peer = statistics.mean(r["rps"] for r in results[("peer", page)])
        peer_cpu = statistics.mean(r["cpu_ms"] for r in results[("peer", page)])
        for side in sides:
            runs = results[(side, page)]
            mean = statistics.mean(r["rps"] for r in runs)
            cpu = statistics.mean(r["cpu_ms"] for r in runs)
            rounds = "/".join(f"{r['rps']:.0f}" for r in runs)
            errors = sum(r["errors"] for r in runs)
            queries = sides[side][3].get(page)
            ratio = "" if side == "peer" else f"{mean / peer:.2f}x"
            # CPU ratio as a speed: peer CPU per request / ours (> 1: we are cheaper).
            cpu_ratio = "" if side == "peer" else f"{peer_cpu / cpu:.2f}x"
            print(f"{page:<10} {labels[side]:<24} {mean:>7.1f} {rounds:>13} {ratio:>7} "
                  f"{cpu:>10.1f} {cpu_ratio:>10} {queries!s:>7}"
                  + (f"  ({errors} errors)" if errors else ""))  # fmt: skip
    print("req/s: wall clock, hit by other load on the machine; CPU ms/req: the gunicorn "
          "workers' CPU (/proc) over the wrk run's requests, robust to load")  # fmt: skip
    print("goal (issue 16): HọcSố's lesson page and catalogue >= 3x the peer's lesson and "
          "course pages")  # fmt: skip


if __name__ == "__main__":
    main()
