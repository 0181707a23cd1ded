"""SQLite keeps its connection between requests like PostgreSQL (issue 16): opening one
per request, with SQLite reading the schema again, cost a third of a logged-in page's CPU."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_sqlite_site_keeps_its_database_connection_between_requests(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    code = (
        "from django.db import connection; "
        "print(connection.settings_dict['CONN_MAX_AGE'], "
        "connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["60", "IMMEDIATE"]
