#!/usr/bin/env bash
# Restore a backup into an EMPTY database (create it first), then the uploads.
# usage: deploy/restore.sh DUMP_FILE DATABASE_URL [UPLOADS_TARBALL UPLOAD_DIR]
set -euo pipefail
dump=${1:?dump file} url=${2:?database url}
pg_restore --no-owner --exit-on-error --dbname="${url/+psycopg/}" "$dump"
if [ -n "${3:-}" ]; then mkdir -p "$4" && tar -C "$4" -xzf "$3"; fi
echo "restored $dump"
