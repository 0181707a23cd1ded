"""Certificate rendering throughput through the real task code.

    .venv/bin/python bench/certificates.py [N] [--signed M] [--rounds R] [--postgres URL]

Builds a throw-away database (a temporary SQLite file; or DATABASE_URL if set: use a
database of your own, e.g. postgres://postgres@127.0.0.1:5432/hocso_bench; or with
--postgres postgres://.../name, that database made afresh and dropped after: production's
database, where the commit's fsync is the server's, not this process's), the demo's
default template (logo and signature images), one course and N learners with certificates
issued; then runs `certificates.render` (the Celery task, eagerly, in this one process:
one worker on one core) for each and stores the PDFs in a temporary private folder.
Prints certificates per second per worker by wall clock and by CPU time (the machine may be
shared: the load average is printed before and after; --rounds repeats the unsigned run with
new certificates and prints the median), the PDF size, and optionally the same for M signed
(PAdES) certificates. Target (issue 16): 150 unsigned certificates per CPU-second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(tmp: Path) -> None:
    os.environ.setdefault("DEBUG", "1")
    os.environ["CERTIFICATE_STORAGE_ROOT"] = str(tmp / "private")
    os.environ.pop("REDIS_URL", None)  # eager tasks, in this process
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # the task's "succeeded" log line per certificate
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_course():
    from cms.demo import ensure_home_page
    from courses.demo import ensure_catalogue
    from courses.models import CoursePage

    index = ensure_catalogue(ensure_home_page())
    course = CoursePage(
        title="Nhận diện lừa đảo trực tuyến và bảo vệ dữ liệu cá nhân",
        slug=f"bench-{int(time.time())}",
        summary="Khoá học dùng để đo tốc độ tạo chứng chỉ.",
        topic=CoursePage._meta.get_field("topic").choices[0][0],
    )
    index.add_child(instance=course)
    return course


RUN = f"{time.time_ns():x}"
NAMES = ["Nguyễn Thị Hồng Nhung", "Đặng Văn Lâm", "Hoàng Thị Thuỷ", "Lò Thị Ửng",
         "Trần Quốc Bảo", "Phạm Ngọc Ánh", "Vi Văn Quyết", "Hà Thị Mỹ Duyên"]  # fmt: skip


def issue(course, n: int, offset: int) -> list[int]:
    from django.db import transaction

    from accounts.models import User
    from cms.celery import app
    from courses.certificates.models import Certificate
    from courses.certificates.services import certificate_issue

    ids = []
    # Leave rendering to the timed loop below: the renders enqueued on commit go to the
    # in-memory broker (no worker), not eagerly into this process.
    app.conf.task_always_eager = False
    try:
        with transaction.atomic():
            for i in range(n):
                user = User.objects.create_user(
                    email=f"bench{offset + i}-{RUN}@example.vn",  # a reused DATABASE_URL
                    password=None,
                    full_name=f"{NAMES[i % len(NAMES)]} {offset + i}",
                )
                ids.append(certificate_issue(user=user, course=course).pk)
    finally:
        app.conf.task_always_eager = True
    assert Certificate.objects.filter(pk__in=ids, render_key="").count() == n
    return ids


def run(ids: list[int]) -> tuple[float, float, int]:
    from courses.certificates.models import Certificate
    from courses.certificates.tasks import certificate_render_task

    wall, cpu = time.perf_counter(), time.process_time()
    for certificate_id in ids:
        result = certificate_render_task.apply(args=[certificate_id], throw=True).get()
        assert result["result"] == "rendered", result
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    last = Certificate.objects.get(pk=ids[-1])
    return wall, cpu, last.pdf.size


def make_signing_key(tmp: Path) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID
    from django.conf import settings

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "HọcSố bench signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    path = tmp / "bench.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"bench", key, cert, None, serialization.NoEncryption()
        )
    )
    settings.CERTIFICATE_SIGNING_PKCS12_PATH = str(path)
    settings.CERTIFICATE_SIGNING_PKCS12_PASSWORD = ""


def report(label: str, n: int, wall: float, cpu: float, size: int) -> float:
    print(
        f"{label}: {n} certificates in {wall:.2f} s wall ({cpu:.2f} s CPU): "
        f"{n / wall:.0f}/s per worker by wall clock, {n / cpu:.0f}/s per core by CPU time; "
        f"PDF {size / 1024:.1f} KB",
        flush=True,
    )
    return n / cpu


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=500)
    parser.add_argument("--signed", type=int, default=50, help="signed certificates (0: skip)")
    parser.add_argument("--rounds", type=int, default=1, help="unsigned runs (median printed)")
    parser.add_argument("--postgres", metavar="URL", help="a database of its own (made, dropped)")
    args = parser.parse_args()
    if args.postgres:
        from _hocso import fresh_postgres

        os.environ["DATABASE_URL"] = fresh_postgres(args.postgres)
        try:
            bench(args)
        finally:
            from django.db import connections

            connections.close_all()
            drop_postgres(args.postgres)
    else:
        bench(args)


def drop_postgres(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def bench(args) -> None:
    with tempfile.TemporaryDirectory(prefix="hocso-bench-cert-") as tmp_name:
        tmp = Path(tmp_name)
        started = time.perf_counter()
        setup(tmp)
        from django.db import connection

        from courses.certificates import demo

        template = demo.ensure_default_template()
        course = make_course()
        print(
            f"setup ({connection.vendor}, template “{template.name}” with logo and signature "
            f"images): {time.perf_counter() - started:.1f} s; load average {load()}"
        )
        # Warm-up: fonts registered and template images prepared once per process.
        run(issue(course, 5, offset=0))
        rates = []
        for round_ in range(args.rounds):
            ids = issue(course, args.n, offset=5 + round_ * args.n)
            rates.append(report("unsigned", args.n, *run(ids)))
        if args.rounds > 1:
            print(f"unsigned, median of {args.rounds} rounds: "
                  f"{statistics.median(rates):.0f}/s per core by CPU time")  # fmt: skip
        if args.signed:
            make_signing_key(tmp)
            report("signed (PAdES)", args.signed, *run(issue(course, args.signed, offset=10**6)))
        print(f"load average after: {load()}")
        print("target: 150 unsigned certificates per CPU-second (issue 16)")


if __name__ == "__main__":
    main()
