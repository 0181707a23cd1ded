#!/usr/bin/env bash
# Print deploy/nginx/hocso.conf.template with its @NAME@ placeholders filled from the
# environment. Production (as root):
#   APP_HOST=hocso.example.vn CONTENT_HOST=hocso-content.example.net \
#   TLS_CERT=/etc/letsencrypt/live/hocso.example.vn/fullchain.pem \
#   TLS_KEY=/etc/letsencrypt/live/hocso.example.vn/privkey.pem \
#   STATIC_ROOT=/srv/hocso/static MEDIA_ROOT=/srv/hocso/media \
#   deploy/nginx/render.sh > /etc/nginx/sites-available/hocso
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${APP_HOST:?APP_HOST is required (the app origin's host name)}"
: "${CONTENT_HOST:?CONTENT_HOST is required (the H5P content origin's host name)}"
: "${TLS_CERT:?TLS_CERT is required (certificate file for both host names)}"
: "${TLS_KEY:?TLS_KEY is required (its private key)}"
: "${STATIC_ROOT:?STATIC_ROOT is required (where collectstatic writes)}"
: "${MEDIA_ROOT:?MEDIA_ROOT is required}"
HTTPS_PORT="${HTTPS_PORT:-443}"
HTTP_PORT="${HTTP_PORT:-80}"
UPSTREAM="${UPSTREAM:-127.0.0.1:8000}"
PROXY_HEADERS="${PROXY_HEADERS:-$here/proxy_headers.conf}"
PAGE_CACHE_DIR="${PAGE_CACHE_DIR:-/var/cache/nginx/hocso}"
if [ "$HTTPS_PORT" = 443 ]; then port_suffix=""; else port_suffix=":$HTTPS_PORT"; fi
sed -e "s|@APP_HOST@|$APP_HOST|g" -e "s|@CONTENT_HOST@|$CONTENT_HOST|g" \
    -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
    -e "s|@PORT_SUFFIX@|$port_suffix|g" -e "s|@TLS_CERT@|$TLS_CERT|g" -e "s|@TLS_KEY@|$TLS_KEY|g" \
    -e "s|@UPSTREAM@|$UPSTREAM|g" -e "s|@STATIC_ROOT@|${STATIC_ROOT%/}|g" \
    -e "s|@MEDIA_ROOT@|${MEDIA_ROOT%/}|g" -e "s|@PROXY_HEADERS@|$PROXY_HEADERS|g" \
    -e "s|@PAGE_CACHE_DIR@|${PAGE_CACHE_DIR%/}|g" \
    "$here/hocso.conf.template"
