"""gunicorn for HọcSố: `gunicorn -c deploy/gunicorn.conf.py cms.wsgi`.

Every value can be changed from the environment (deploy/hocso.env.example), so the systemd
unit, deploy/run-local.sh and a container all use this one file.
"""

import multiprocessing
import os

# nginx talks to gunicorn on loopback or a unix socket ("unix:/run/hocso/gunicorn.sock").
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request is short (pages, JSON posts); uploads are buffered by nginx.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A report or a certificate is built by Celery, never in a request: 60 s is already generous.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory growth of long-lived processes), not all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's own heartbeat files, not data
# Only nginx on this machine may say which scheme and client address a request came with
# (Django reads X-Forwarded-Proto through SECURE_PROXY_SSL_HEADER and X-Forwarded-For
# through TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "hocso-web"
# Limits on the request line and headers (nginx enforces the body size).
limit_request_line = 8190
limit_request_fields = 100
