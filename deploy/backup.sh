#!/usr/bin/env bash
# Back up HọcSố: the database (pg_dump, custom format) and the files only this machine holds
# (MEDIA_ROOT, H5P_STORAGE_ROOT, CERTIFICATE_STORAGE_ROOT, CAMPAIGNS_IMPORT_DIR, REPORTS_DIR).
#
#   deploy/backup.sh [--env-file /etc/hocso/hocso.env] [DEST]     (DEST: ./backups)
#
# Writes DEST/hocso-<UTC time>/ with database.dump, one <name>.tar.gz per folder and
# SHA256SUMS, and prints that folder's path last. Restore with deploy/restore.sh. The dump is
# consistent on its own (one snapshot); files written during the backup may be newer than the
# dump, never older, which a restore tolerates (an unreferenced file is only unused).
# With S3_BUCKET set, media, H5P content, exports and certificates live in the object store:
# back that up with the store's own versioning or replication; this script then saves the
# database and the local folders that remain (imports).
set -euo pipefail
umask 077

env_file=""
if [ "${1:-}" = "--env-file" ]; then env_file="$2"; shift 2; fi
if [ -n "$env_file" ]; then set -a; . "$env_file"; set +a; fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$ROOT/backups}"
: "${DATABASE_URL:?DATABASE_URL is required (postgres://...)}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "backup: DATABASE_URL must be PostgreSQL" >&2; exit 1 ;; esac

folder="$dest/hocso-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$folder"
pg_dump --format=custom --no-owner --no-privileges --file "$folder/database.dump" "$DATABASE_URL"

# name=folder, in the settings' defaults when a variable is not set.
for spec in "media=${MEDIA_ROOT:-$ROOT/media}" "h5p=${H5P_STORAGE_ROOT:-$ROOT/var/h5p}" \
    "certificates=${CERTIFICATE_STORAGE_ROOT:-$ROOT/var/private/certificates}" \
    "imports=${CAMPAIGNS_IMPORT_DIR:-$ROOT/var/imports}" "reports=${REPORTS_DIR:-$ROOT/var/reports}"; do
    name="${spec%%=*}" dir="${spec#*=}"
    if [ -d "$dir" ]; then
        # H5P's tmp/ is work space (half-extracted packages): never part of a backup.
        tar --create --gzip --file "$folder/$name.tar.gz" --directory "$dir" --exclude ./tmp .
    else
        tar --create --gzip --file "$folder/$name.tar.gz" --files-from /dev/null
    fi
done
(cd "$folder" && sha256sum database.dump ./*.tar.gz > SHA256SUMS)
echo "backup: $(du -sh "$folder" | cut -f1) in" >&2
echo "$folder"
