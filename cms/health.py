"""State of the database, the cache and the task broker, for /healthz."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from cms.celery import app


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported by name
        return False, f"{type(exc).__name__}: {exc}"
    return True, connection.vendor


def check_cache() -> tuple[bool, str]:
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return (ok, backend) if ok else (False, "value written was not read back")


def check_broker() -> tuple[bool, str]:
    if app.conf.task_always_eager:
        return True, "eager (in-process tasks)"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"
    return True, app.conf.broker_url.split("://", 1)[0]


def report_for(report: dict, *, detailed: bool) -> dict:
    """The body of /healthz. Anyone: each part's name and "up" or "down". With `detailed`
    (staff, or a request from this machine): also each part's backend or error text, which
    can name hosts and ports."""
    body = {
        "status": report["status"],
        "failing": report["failing"],
        "checks": {name: "up" if part["ok"] else "down" for name, part in report["checks"].items()},
    }
    if detailed:
        body["details"] = {name: part["detail"] for name, part in report["checks"].items()}
    return body


def health_report() -> tuple[bool, dict]:
    parts = {}
    for name, check in (
        ("database", check_database),
        ("cache", check_cache),
        ("broker", check_broker),
    ):
        ok, detail = check()
        parts[name] = {"ok": ok, "detail": detail}
    failing = [name for name, part in parts.items() if not part["ok"]]
    return not failing, {
        "status": "ok" if not failing else "fail",
        "failing": failing,
        "checks": parts,
    }
