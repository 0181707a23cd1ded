"""Anonymous public pages through nginx's page cache (issue 16: >= 2,000 req/s on 2 cores).

Brings up the production topology's web part with deploy/run-local.sh (nginx with TLS in
front of gunicorn, DEBUG=0, PostgreSQL, a private Redis) on free ports, loads the demo, then
runs wrk on each anonymous page (home, catalogue, a course, the infographic, video and news
indexes and one page of each, open data) and prints requests/s, latency, the X-Cache-Status
mix of the responses, gunicorn's CPU seconds during the run and the load average.

    .venv/bin/python bench/anonymous_pages.py [--seconds 5] [--connections 50]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hocso_bench_anon (the default;
    dropped and made afresh)
    --running RUN_DIR   measure a topology already started by run-local.sh (its folder)
"""

# ruff: noqa: S310 - urllib opens only the https://127.0.0.1 address of the nginx started here

from __future__ import annotations

import argparse
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _hocso import (  # noqa: E402
    ROOT,
    PrivateRedis,
    free_port,
    fresh_postgres,
    load_average,
    machine_line,
    need_wrk,
    temp_work,
    workers_cpu,
)

RUN_LOCAL = ROOT / "deploy" / "run-local.sh"

# Requests/s, latency percentiles, errors, and the X-Cache-Status of each response (counted
# per wrk thread, summed at the end).
WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body)
  local s = headers["X-Cache-Status"] or headers["x-cache-status"] or "none"
  statuses[s] = (statuses[s] or 0) + 1
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, errors, summary.requests))
  local total = {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("STATUS %s %d\n", k, v)) end
end
"""


class Topology:
    """deploy/run-local.sh in a folder of its own: gunicorn and nginx only."""

    def __init__(self, run_dir: Path, env: dict):
        self.run_dir, self.env = run_dir, env

    def run(self, *args, timeout=1800) -> str:
        result = subprocess.run(
            [str(RUN_LOCAL), *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        if result.returncode:
            raise SystemExit(f"run-local.sh {' '.join(args)}:\n{result.stdout}{result.stderr}")
        return result.stdout

    def settings(self) -> dict:
        values = {}
        for line in (self.run_dir / "hocso.env").read_text().splitlines():
            name, _, value = line.partition("=")
            values[name] = value
        return values


def https_get(base: str, path: str, cafile: Path, timeout=120) -> tuple[int, str, str]:
    context = ssl.create_default_context(cafile=str(cafile))
    context.check_hostname = False
    host = base.split("//", 1)[1]
    port = host.rsplit(":", 1)[1] if ":" in host else "443"
    request = urllib.request.Request(
        f"https://127.0.0.1:{port}{path}", headers={"Host": host, "Accept-Language": "vi"}
    )
    with urllib.request.urlopen(request, context=context, timeout=timeout) as response:
        return response.status, response.headers.get("X-Cache-Status", ""), response.read().decode()


def wait_ready(base: str, cafile: Path, seconds: float = 600) -> None:
    """Until /healthz answers 200 through nginx (gunicorn's workers import Django first)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if https_get(base, "/healthz", cafile, timeout=30)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{base}/healthz does not answer")
        time.sleep(1)


def pages(base: str, cafile: Path) -> list[tuple[str, str]]:
    """The anonymous pages: the indexes, and the first page each index links to."""
    found = [("home", "/"), ("catalogue", "/khoa-hoc/")]
    _, _, catalogue = https_get(base, "/khoa-hoc/", cafile)
    course = re.search(r'href="(/khoa-hoc/[a-z0-9-]+/)"', catalogue)
    if course:
        found.append(("course page", course.group(1)))
    for name, index in (("infographic", "/infographic/"), ("video", "/video/"),
                        ("news", "/tin-tuc/")):  # fmt: skip
        found.append((f"{name} index", index))
        _, _, html = https_get(base, index, cafile)
        one = re.search(rf'href="({re.escape(index)}[a-z0-9-]+/)"', html)
        if one:
            found.append((f"{name} page", one.group(1)))
    found.append(("open data", "/so-lieu/"))
    return found


def wrk(base: str, path: str, *, seconds: int, connections: int, work: Path) -> dict:
    script = work / "anonymous.lua"
    script.write_text(WRK_SCRIPT)
    host = base.split("//", 1)[1]
    port = host.rsplit(":", 1)[1] if ":" in host else "443"
    out = subprocess.run(
        [need_wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(script), "-H", f"Host: {host}", "-H", "Accept-Language: vi",
         f"https://127.0.0.1:{port}{path}"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result = {"statuses": {}}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            rps, p50, p95, errors, total = line.split()[1:]
            result.update(rps=float(rps), p50=float(p50), p95=float(p95), errors=int(errors),
                          requests=int(total))  # fmt: skip
        elif line.startswith("STATUS "):
            _, name, count = line.split()
            result["statuses"][name] = int(count)
    return result


def measure(topology: Topology, *, seconds: int, connections: int, work: Path) -> None:
    settings = topology.settings()
    base = settings["APP_ORIGIN"]
    cafile = topology.run_dir / "tls" / "cert.pem"
    master = int((topology.run_dir / "pid" / "gunicorn.pid").read_text())
    wait_ready(base, cafile)
    print(machine_line())
    print(f"nginx page cache in front of gunicorn ({settings.get('GUNICORN_WORKERS')} workers), "
          f"TLS, wrk -t2 -c{connections} -d{seconds}s, Accept-Language: vi, no cookie")  # fmt: skip
    print(f"{'page':<18} {'path':<52} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'errors':>6}  cache status            gunicorn CPU s  load")  # fmt: skip
    rates = []
    for name, path in pages(base, cafile):
        status, _, _ = https_get(base, path, cafile)  # the first visitor fills the cache
        assert status == 200, (path, status)
        cpu = workers_cpu(master)
        r = wrk(base, path, seconds=seconds, connections=connections, work=work)
        cpu = workers_cpu(master) - cpu
        mix = " ".join(f"{k}:{v * 100 / max(r['requests'], 1):.1f}%"
                       for k, v in sorted(r["statuses"].items()))  # fmt: skip
        rates.append(r["rps"])
        print(f"{name:<18} {path[:52]:<52} {r['rps']:>8.0f} {r['p50']:>7.2f} {r['p95']:>7.2f} "
              f"{r['errors']:>6}  {mix:<23} {cpu:>14.2f}  {load_average()}")  # fmt: skip
    print(f"slowest page: {min(rates):.0f} req/s (goal >= 2000); {machine_line()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--running", help="the folder of a topology run-local.sh started")
    args = parser.parse_args()
    need_wrk()
    work = temp_work("hocso-bench-anon-")
    if args.running:
        run_dir = Path(args.running).resolve()
        topology = Topology(run_dir, {**os.environ, "HOCSO_RUN_DIR": str(run_dir)})
        measure(topology, seconds=args.seconds, connections=args.connections, work=work)
        return
    database = fresh_postgres(
        os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hocso_bench_anon")
    )
    redis = PrivateRedis().start()
    run_dir = work / "run"
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "HOCSO_")) and key not in ("DEBUG", "SECRET_KEY")
    }  # fmt: skip
    env.update(
        HOCSO_RUN_DIR=str(run_dir), HOCSO_SEED="1", DATABASE_URL=database, REDIS_URL=redis.url,
        HOCSO_HTTPS_PORT=str(free_port()), HOCSO_HTTP_PORT=str(free_port()),
        HOCSO_GUNICORN_PORT=str(free_port()), GUNICORN_WORKERS="3", LOG_LEVEL="WARNING",
    )  # fmt: skip
    topology = Topology(run_dir, env)
    try:
        print("setting up (migrate, demo content, collectstatic)...", file=sys.stderr)
        topology.run("prepare")
        topology.run("start", "gunicorn", "nginx")
        measure(topology, seconds=args.seconds, connections=args.connections, work=work)
    finally:
        subprocess.run([str(RUN_LOCAL), "stop", "nginx", "gunicorn"], cwd=ROOT, env=env,
                       capture_output=True, timeout=120)  # fmt: skip
        redis.stop()


if __name__ == "__main__":
    main()
