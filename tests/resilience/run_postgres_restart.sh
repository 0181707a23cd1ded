#!/usr/bin/env bash
# PostgreSQL restart under load, on a private cluster this script creates (never the
# machine's shared server): initdb as the postgres user into a temporary folder, start it on
# its own port, run tests/resilience/test_postgres_restart.py against it (the test restarts
# it with `pg_ctl restart -m fast` while requests are being served), then remove it.
# Usage: tests/resilience/run_postgres_restart.sh [pytest args]   (from the checkout)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PORT=${HOCSO_PG_RESTART_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DIR=$(mktemp -d /tmp/hocso-pg-restart.XXXXXX)
chmod 755 "$DIR"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
as_pg "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 >"$DIR/initdb.log"
as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
cleanup() {
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT
export HOCSO_RESTARTABLE_PGDATA="$DIR/data" HOCSO_PG_BIN="$BIN"
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/hocso_pg_restart"
.venv/bin/pytest tests/resilience/test_postgres_restart.py -p no:cacheprovider "$@"
