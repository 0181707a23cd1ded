#!/usr/bin/env bash
# Restore a deploy/backup.sh folder into an EMPTY database and empty folders (a new machine,
# or a fresh database after a loss). Stop the web, worker and beat first.
#
#   deploy/restore.sh [--env-file /etc/hocso/hocso.env] [--force] BACKUP_FOLDER
#
# DATABASE_URL must name a database with no tables (createdb it first); the folders of
# MEDIA_ROOT, H5P_STORAGE_ROOT, CERTIFICATE_STORAGE_ROOT, CAMPAIGNS_IMPORT_DIR and REPORTS_DIR
# must be missing or empty (--force: files in them are kept and overwritten by the backup's).
# Then start the services: `manage.py migrate` finds nothing to do on a backup of the same
# release, and applies newer migrations on an older backup.
set -euo pipefail

env_file="" force=0
while [ $# -gt 1 ]; do
    case "$1" in
    --env-file) env_file="$2"; shift 2 ;;
    --force) force=1; shift ;;
    *) break ;;
    esac
done
if [ -n "$env_file" ]; then set -a; . "$env_file"; set +a; fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
backup="${1:?usage: deploy/restore.sh [--env-file FILE] [--force] BACKUP_FOLDER}"
: "${DATABASE_URL:?DATABASE_URL is required (postgres://...)}"
die() { echo "restore: $*" >&2; exit 1; }

[ -f "$backup/database.dump" ] || die "$backup has no database.dump"
(cd "$backup" && sha256sum --quiet --check SHA256SUMS) || die "$backup does not match its SHA256SUMS"
tables="$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
[ "$tables" = 0 ] || die "the database already has $tables tables: restore into a new, empty one"

specs=("media=${MEDIA_ROOT:-$ROOT/media}" "h5p=${H5P_STORAGE_ROOT:-$ROOT/var/h5p}"
    "certificates=${CERTIFICATE_STORAGE_ROOT:-$ROOT/var/private/certificates}"
    "imports=${CAMPAIGNS_IMPORT_DIR:-$ROOT/var/imports}" "reports=${REPORTS_DIR:-$ROOT/var/reports}")
for spec in "${specs[@]}"; do
    dir="${spec#*=}"
    if [ "$force" = 0 ] && [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
        die "$dir is not empty (--force to restore over it)"
    fi
done

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname "$DATABASE_URL" "$backup/database.dump"
for spec in "${specs[@]}"; do
    name="${spec%%=*}" dir="${spec#*=}"
    mkdir -p "$dir"
    tar --extract --gzip --file "$backup/$name.tar.gz" --directory "$dir" --no-same-owner
done
echo "restore: database and files from $backup" >&2
