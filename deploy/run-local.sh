#!/usr/bin/env bash
# The production topology of HọcSố on one machine: nginx (TLS, two host names) in front of
# gunicorn, a Celery worker and Celery beat, on PostgreSQL and Redis, with DEBUG=0 and
# collectstatic into the manifest storage. The same files a province runs (deploy/).
#
#   deploy/run-local.sh start [PART...]    prepare, then start the parts (default: all)
#   deploy/run-local.sh stop [PART...]     stop the parts (default: all, nginx first)
#   deploy/run-local.sh restart PART...
#   deploy/run-local.sh status             each part's pid, then /healthz through nginx
#   deploy/run-local.sh prepare            TLS certificate, env file, migrate, collectstatic
#   deploy/run-local.sh configure          only (re)write the env file, print its path
#   deploy/run-local.sh env                the topology's environment as `export` lines
#   deploy/run-local.sh url [PATH]         https URL of the app origin
#   PART: gunicorn worker beat nginx
#
# Needs DATABASE_URL (PostgreSQL) and REDIS_URL; `make install` done (.venv, assets,
# translations). Optional: HOCSO_RUN_DIR (default var/run-local: pids, logs, nginx and TLS
# files, and data/ with static, media and private storage), HOCSO_APP_HOST (hocso.test),
# HOCSO_CONTENT_HOST (content.hocso.test), HOCSO_HTTPS_PORT (8443), HOCSO_HTTP_PORT (8080),
# HOCSO_GUNICORN_PORT (8701), HOCSO_SEED=1 (load the demo after migrating), S3_* (object
# storage, see hocso.env.example). The host names resolve to 127.0.0.1 only in the clients
# that are told so (curl --resolve, Chromium --host-resolver-rules): /etc/hosts is untouched.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN="${HOCSO_RUN_DIR:-$ROOT/var/run-local}"
DATA="$RUN/data"
APP_HOST="${HOCSO_APP_HOST:-hocso.test}"
CONTENT_HOST="${HOCSO_CONTENT_HOST:-content.hocso.test}"
HTTPS_PORT="${HOCSO_HTTPS_PORT:-8443}"
HTTP_PORT="${HOCSO_HTTP_PORT:-8080}"
GUNICORN_PORT="${HOCSO_GUNICORN_PORT:-8701}"
VENV="$ROOT/.venv/bin"
ALL_PARTS=(gunicorn worker beat nginx)

if [ "$HTTPS_PORT" = 443 ]; then port_suffix=""; else port_suffix=":$HTTPS_PORT"; fi
APP_ORIGIN="https://$APP_HOST$port_suffix"
CONTENT_ORIGIN="https://$CONTENT_HOST$port_suffix"

say() { echo "run-local: $*" >&2; }
die() { say "$*"; exit 1; }

write_env() {
    : "${DATABASE_URL:?DATABASE_URL is required (postgres://...)}"
    : "${REDIS_URL:?REDIS_URL is required (redis://...)}"
    mkdir -p "$RUN/log" "$RUN/pid" "$DATA"
    if [ ! -s "$RUN/secret_key" ]; then
        (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$RUN/secret_key")
    fi
    # Written each time from the caller's environment: the file is what every part reads.
    (
        umask 077
        cat > "$RUN/hocso.env" <<EOF
DJANGO_SETTINGS_MODULE=cms.settings
DEBUG=0
SECRET_KEY=$(cat "$RUN/secret_key")
ALLOWED_HOSTS=$APP_HOST,$CONTENT_HOST
APP_ORIGIN=$APP_ORIGIN
CONTENT_ORIGIN=$CONTENT_ORIGIN
CSRF_TRUSTED_ORIGINS=$APP_ORIGIN
TRUSTED_PROXY_COUNT=1
SECURE_SSL_REDIRECT=1
SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-60}
SECURE_HSTS_PRELOAD=0
DATABASE_URL=$DATABASE_URL
REDIS_URL=$REDIS_URL
EMAIL_URL=${EMAIL_URL:-console://}
ACCOUNT_EMAIL_VERIFICATION=${ACCOUNT_EMAIL_VERIFICATION:-optional}
STATIC_ROOT=$DATA/static
MEDIA_ROOT=$DATA/media
H5P_STORAGE_ROOT=$DATA/var/h5p
CERTIFICATE_STORAGE_ROOT=$DATA/var/private/certificates
CAMPAIGNS_IMPORT_DIR=$DATA/var/imports
REPORTS_DIR=$DATA/var/reports
S3_BUCKET=${S3_BUCKET:-}
S3_ENDPOINT_URL=${S3_ENDPOINT_URL:-}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-}
S3_SECRET_KEY=${S3_SECRET_KEY:-}
PAGE_CACHE_URL=https://127.0.0.1:$HTTPS_PORT
PAGE_CACHE_CAFILE=$RUN/tls/cert.pem
GUNICORN_BIND=127.0.0.1:$GUNICORN_PORT
GUNICORN_WORKERS=${GUNICORN_WORKERS:-3}
GUNICORN_PIDFILE=$RUN/pid/gunicorn.pid
GUNICORN_ACCESSLOG=$RUN/log/gunicorn-access.log
GUNICORN_ERRORLOG=$RUN/log/gunicorn.log
EOF
    )
}

load_env() {
    [ -f "$RUN/hocso.env" ] || write_env
    set -a
    # shellcheck disable=SC1091
    . "$RUN/hocso.env"
    set +a
    cd "$ROOT"
}

tls() {
    # A self-signed certificate for both host names, made at run time (never committed).
    mkdir -p "$RUN/tls"
    if [ -s "$RUN/tls/cert.pem" ] && openssl x509 -checkend 86400 -noout -in "$RUN/tls/cert.pem" \
        && openssl x509 -noout -text -in "$RUN/tls/cert.pem" | grep -q "DNS:$CONTENT_HOST"; then
        return
    fi
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=$APP_HOST" \
        -addext "subjectAltName=DNS:$APP_HOST,DNS:$CONTENT_HOST" \
        -keyout "$RUN/tls/key.pem" -out "$RUN/tls/cert.pem" 2>/dev/null
    chmod 600 "$RUN/tls/key.pem"
    say "TLS certificate for $APP_HOST and $CONTENT_HOST: $RUN/tls/cert.pem"
}

prepare() {
    write_env
    load_env
    tls
    mkdir -p "$DATA/media" "$DATA/var"
    "$VENV/python" manage.py migrate --noinput -v0
    "$VENV/python" manage.py collectstatic --noinput -v0
    if [ "${HOCSO_SEED:-0}" = 1 ]; then
        "$VENV/python" manage.py seed_demo >"$RUN/log/seed.log" 2>&1 \
            || { tail -20 "$RUN/log/seed.log"; die "seed_demo failed"; }
    fi
    render_nginx
}

render_nginx() {
    mkdir -p "$RUN/nginx/tmp"
    local user_line=""
    # Run as root (CI): workers as the same user, so they read the data folder wherever it is.
    if [ "$(id -u)" = 0 ]; then user_line="user root root;"; fi
    APP_HOST="$APP_HOST" CONTENT_HOST="$CONTENT_HOST" HTTPS_PORT="$HTTPS_PORT" \
        HTTP_PORT="$HTTP_PORT" TLS_CERT="$RUN/tls/cert.pem" TLS_KEY="$RUN/tls/key.pem" \
        STATIC_ROOT="$DATA/static" MEDIA_ROOT="$DATA/media" UPSTREAM="127.0.0.1:$GUNICORN_PORT" \
        PAGE_CACHE_DIR="$RUN/nginx/cache" "$ROOT/deploy/nginx/render.sh" > "$RUN/nginx/hocso.conf"
    cat > "$RUN/nginx/nginx.conf" <<EOF
$user_line
worker_processes 2;
pid $RUN/pid/nginx.pid;
error_log $RUN/log/nginx-error.log warn;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    server_tokens off;
    access_log $RUN/log/nginx-access.log;
    client_body_temp_path $RUN/nginx/tmp/body;
    proxy_temp_path $RUN/nginx/tmp/proxy;
    fastcgi_temp_path $RUN/nginx/tmp/fastcgi;
    uwsgi_temp_path $RUN/nginx/tmp/uwsgi;
    scgi_temp_path $RUN/nginx/tmp/scgi;
    gzip on;
    gzip_types text/css text/javascript application/javascript application/json image/svg+xml;
    include $RUN/nginx/hocso.conf;
}
EOF
    nginx -t -q -p "$RUN/nginx" -e "$RUN/log/nginx-error.log" -c "$RUN/nginx/nginx.conf"
}

pid_of() {
    local file="$RUN/pid/$1.pid"
    [ -s "$file" ] || return 1
    local pid
    pid="$(cat "$file")"
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

start_part() {
    local part="$1"
    if pid_of "$part" >/dev/null; then say "$part already running"; return; fi
    case "$part" in
    gunicorn)
        "$VENV/gunicorn" -c deploy/gunicorn.conf.py --daemon cms.wsgi ;;
    worker)
        "$VENV/celery" -A cms worker -Q default,media,reports,certificates,mail \
            -c "${CELERY_WORKER_CONCURRENCY:-2}" --without-gossip --without-mingle \
            -n "hocso-local@%h" --pidfile "$RUN/pid/worker.pid" \
            --logfile "$RUN/log/worker.log" --loglevel INFO --detach ;;
    beat)
        "$VENV/celery" -A cms beat --schedule "$RUN/celerybeat-schedule" \
            --pidfile "$RUN/pid/beat.pid" --logfile "$RUN/log/beat.log" --loglevel INFO --detach ;;
    nginx)
        [ -f "$RUN/nginx/nginx.conf" ] || render_nginx
        nginx -p "$RUN/nginx" -e "$RUN/log/nginx-error.log" -c "$RUN/nginx/nginx.conf" ;;
    *) die "unknown part $part (one of: ${ALL_PARTS[*]})" ;;
    esac
    # A loaded machine can take a while to import Django in a detached worker. A part counts
    # as started when its pid file holds a live pid twice, a second apart, in one loop (CI
    # once saw beat "not start" between a loop that saw it and a separate check after it).
    local started="" pid=""
    for _ in $(seq 1500); do
        if pid_of "$part" >/dev/null; then
            sleep 1
            if pid="$(pid_of "$part")"; then started=1; break; fi
        fi
        sleep 0.2
    done
    if [ -z "$started" ]; then
        ls -la "$RUN/pid" >&2 || true
        tail -n 20 "$RUN/log/$part.log" >&2 2>/dev/null || true
        die "$part did not start; see $RUN/log/"
    fi
    say "$part started (pid $pid)"
}

stop_part() {
    local part="$1" pid
    pid="$(pid_of "$part")" || { say "$part not running"; return 0; }
    # TERM: gunicorn and nginx finish their requests, the worker its current task (acks late).
    kill -TERM "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then say "$part still running after 30 s: KILL"; kill -KILL "$pid"; fi
    rm -f "$RUN/pid/$part.pid"
    say "$part stopped"
}

curl_app() {
    # curl with the two host names mapped to this machine and the run's certificate trusted.
    curl --silent --show-error --cacert "$RUN/tls/cert.pem" \
        --resolve "$APP_HOST:$HTTPS_PORT:127.0.0.1" --resolve "$CONTENT_HOST:$HTTPS_PORT:127.0.0.1" \
        "$@"
}

wait_ready() {
    local code=""
    for _ in $(seq 60); do
        code="$(curl_app -o "$RUN/log/healthz.json" -w '%{http_code}' "$APP_ORIGIN/healthz" || true)"
        [ "$code" = 200 ] && break
        sleep 1
    done
    [ "$code" = 200 ] || { cat "$RUN/log/healthz.json" 2>/dev/null; die "/healthz answered $code"; }
    for _ in $(seq 30); do
        "$VENV/celery" -A cms inspect ping -t 2 >/dev/null 2>&1 && break
        sleep 1
    done
    "$VENV/celery" -A cms inspect ping -t 5 >/dev/null 2>&1 || die "the Celery worker does not answer"
    say "up: $APP_ORIGIN (content: $CONTENT_ORIGIN), healthz $(cat "$RUN/log/healthz.json")"
}

status() {
    local rc=0 part pid
    for part in "${ALL_PARTS[@]}"; do
        if pid="$(pid_of "$part")"; then echo "$part: running (pid $pid)"; else echo "$part: stopped"; rc=1; fi
    done
    if [ -f "$RUN/tls/cert.pem" ]; then
        echo "healthz: $(curl_app -w ' %{http_code}' "$APP_ORIGIN/healthz" 2>&1 || true)"
    fi
    return $rc
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
start)
    if [ $# -eq 0 ]; then
        prepare
        for part in "${ALL_PARTS[@]}"; do start_part "$part"; done
        wait_ready
    else
        load_env
        for part in "$@"; do start_part "$part"; done
    fi ;;
stop)
    load_env
    if [ $# -eq 0 ]; then set -- nginx beat worker gunicorn; fi
    for part in "$@"; do stop_part "$part"; done ;;
restart)
    load_env
    [ $# -gt 0 ] || set -- "${ALL_PARTS[@]}"
    for part in "$@"; do stop_part "$part"; start_part "$part"; done ;;
status) load_env; status ;;
prepare) prepare ;;
configure) write_env; echo "$RUN/hocso.env" ;;
env) load_env; sed -e 's/^/export /' -e "s/=\(.*\)$/='\1'/" "$RUN/hocso.env" ;;
url) echo "$APP_ORIGIN${1:-/}" ;;
wait) load_env; wait_ready ;;
*) sed -n '2,22p' "$0"; exit 2 ;;
esac
