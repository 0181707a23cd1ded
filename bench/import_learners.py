"""Bench: bulk import of learners (campaigns.agencies.imports), CSV and XLSX, at two file sizes.

Prints the seconds and rows per second for the dry run (stream + stage + check) and the
import (batches of CAMPAIGNS_IMPORT_BATCH with a checkpoint each), by wall clock and per CPU
second of this process, the PostgreSQL backend's own CPU seconds (a server on this machine),
and the peak memory of each phase above what the process held before it (resident memory,
its high-water mark reset first; `--tracemalloc`: Python allocations, which slows the timed
runs several times), to show memory stays flat as the file grows: the reader streams rows
and the checks run in the database, so the peak depends on the batch size, not the file size.

    .venv/bin/python bench/import_learners.py                 # 10,000 and 100,000 rows
    .venv/bin/python bench/import_learners.py --sizes 5000 50000 --formats csv
    .venv/bin/python bench/import_learners.py --method python   # the ORM path on PostgreSQL too

The import runs with `import_run(method=...)`: "auto" (the default) is the set-based path on
PostgreSQL and the ORM path elsewhere.

Runs on a throw-away SQLite database in a temporary folder unless DATABASE_URL is set
(then that database is used: point it at an empty PostgreSQL database, never production).
"""

import argparse
import csv
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = Path(tempfile.mkdtemp(prefix="hocso-bench-import-"))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORKDIR / 'bench.sqlite3'}")
os.environ.setdefault("CAMPAIGNS_IMPORT_DIR", str(WORKDIR / "imports"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
os.environ.pop("REDIS_URL", None)  # tasks run in-process: we time the service, not a broker

import django  # noqa: E402 - settings must be chosen first

django.setup()

import logging  # noqa: E402

logging.getLogger("celery").setLevel(logging.WARNING)  # eager tasks log every run at INFO

from django.conf import settings  # noqa: E402

# DEBUG=1 lets the settings start without production secrets; but DEBUG also keeps every SQL
# statement in memory (connection.queries), which would hide the importer's own footprint.
settings.DEBUG = False

from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402

AGENCIES = 200
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hải", "Hương", "Lan", "Long", "Nhung"]
AUDIENCES = ["Công chức", "Viên chức", "Lãnh đạo", "Người lao động"]


def row(i: int, prefix: str, offset: int) -> list:
    name = f"{FAMILY[i % 10]} {MIDDLE[(i // 10) % 8]} {GIVEN[(i // 80) % 10]}"
    email = f"{prefix}{i}@bench.example.vn"
    phone = f"09{offset + i:08d}" if i % 3 else ""  # a third of the rows: e-mail only
    code = f"BENCH-{i % AGENCIES:03d}"
    return [name, email, phone, code, AUDIENCES[i % 4], "Chuyên viên", f"{prefix.upper()}{i:07d}"]


def write_file(fmt: str, rows: int, prefix: str, offset: int) -> Path:
    from campaigns.agencies.imports import COLUMNS

    header = [vi for _f, vi, _en in COLUMNS]
    path = WORKDIR / f"{prefix}.{fmt}"
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for i in range(rows):
                writer.writerow(row(i, prefix, offset))
    else:
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("Hoc vien")
        sheet.append(header)
        for i in range(rows):
            sheet.append(row(i, prefix, offset))
        book.save(path)
    return path


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _server_cpu() -> float | None:
    """CPU seconds of the PostgreSQL backend serving this connection (a server on this
    machine: its /proc), or None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(fn, *, traced: bool = False):
    """(result, wall s, CPU s, peak MiB, server CPU s). The peak is the process's resident
    memory above what it held at the start (its high-water mark reset first: Linux's
    /proc/self/clear_refs), so the timed run pays nothing for it; with `traced`,
    tracemalloc's peak of Python allocations instead, which slows the run down several
    times (the figures of 2026-12-05 and 2026-12-06 before 'rss' were measured so)."""
    if traced:
        tracemalloc.start()
        tracemalloc.reset_peak()
    else:
        try:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")  # reset VmHWM to the current RSS
        except OSError:
            pass
    rss = _status_kib("VmRSS")
    server = _server_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if traced:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak /= 2**20
    else:
        top = _status_kib("VmHWM")
        peak = (top - rss) / 1024 if top is not None and rss is not None else float("nan")
    after = _server_cpu()
    return result, elapsed, cpu, peak, (after - server if server is not None else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--method", choices=["auto", "sql", "python"], default="auto")
    parser.add_argument(
        "--tracemalloc", action="store_true",
        help="peak of Python allocations by tracemalloc (slows the timed runs several times)",
    )  # fmt: skip
    args = parser.parse_args()

    from accounts.models import User
    from campaigns import services
    from campaigns.agencies import imports
    from campaigns.models import Agency, ImportJob

    call_command("migrate", verbosity=0)
    root = Agency.objects.filter(code="BENCH").first() or services.agency_create(
        name="Tỉnh thử tải", code="BENCH", kind="province"
    )
    for i in range(AGENCIES):
        if not Agency.objects.filter(code=f"BENCH-{i:03d}").exists():
            services.agency_create(
                name=f"Cơ quan thử {i}", code=f"BENCH-{i:03d}", kind="unit", parent=root
            )
    admin = User.objects.filter(email="bench-admin@example.vn").first()
    admin = admin or User.objects.create_superuser(
        "bench-admin@example.vn", None, full_name="Bench"
    )

    # Only the bench's own people and jobs from an earlier run: every run creates anew.
    ImportJob.objects.filter(created_by=admin).delete()
    User.objects.filter(email__endswith="@bench.example.vn").delete()

    from django.conf import settings

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
          f"batch: {settings.CAMPAIGNS_IMPORT_BATCH} rows, method: {args.method}, "
          f"workdir: {WORKDIR}")  # fmt: skip
    # rows/s on the wall clock (what a user waits) and per CPU second of this process (less
    # sensitive to a busy machine; the database server's time is not in it).
    memory = "tracemalloc" if args.tracemalloc else "rss"
    print(f"peak MiB: {memory}; server CPU: the PostgreSQL backend's own CPU seconds; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"{'format':<6} {'rows':>7} | {'check s':>7} {'rows/s':>7} {'(CPU)':>7} {'server':>6} "
          f"{'peak MiB':>8} | {'import s':>8} {'rows/s':>7} {'(CPU)':>7} {'server':>6} "
          f"{'peak MiB':>8} | result")  # fmt: skip
    runs = [(fmt, size) for fmt in args.formats for size in args.sizes]
    for n, (fmt, size) in enumerate(runs):
        prefix = f"{fmt}{size}x"
        path = write_file(fmt, size, prefix, offset=n * 10_000_000)  # unique phones
        with open(path, "rb") as handle:
            job = imports.import_job_create(
                user=admin, uploaded_file=File(handle, name=path.name), send_invitations=False
            )
        checked, t_check, c_check, m_check, s_check = measure(
            lambda job=job: imports.import_check(job_id=job.pk), traced=args.tracemalloc
        )
        if checked.status != ImportJob.Status.READY:
            print(f"{fmt:<6} {size:>8}  check failed: {checked.message}")
            continue
        done, t_run, c_run, m_run, s_run = measure(
            lambda job=job: imports.import_run(job_id=job.pk, method=args.method),
            traced=args.tracemalloc,
        )

        def server(seconds):
            return f"{seconds:>6.1f}" if seconds is not None else f"{'-':>6}"

        print(f"{fmt:<6} {size:>7} | {t_check:>7.1f} {size / t_check:>7,.0f} "
              f"{size / c_check:>7,.0f} {server(s_check)} {m_check:>8.1f} | {t_run:>8.1f} "
              f"{size / t_run:>7,.0f} {size / c_run:>7,.0f} {server(s_run)} {m_run:>8.1f} | "
              f"{done.status}: {done.created_count} created; check + import "
              f"{t_check + t_run:.1f} s", flush=True)  # fmt: skip
    print(
        f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        "goal (issue 16): 100,000 CSV rows checked and imported in under 60 s on PostgreSQL"
    )


if __name__ == "__main__":
    main()
