#!/usr/bin/env bash
# Back up the portal: a pg_dump custom-format archive of the database plus the uploads folder.
# usage: deploy/backup.sh DATABASE_URL UPLOAD_DIR OUT_DIR
set -euo pipefail
url=${1:?database url (postgresql://...)} uploads=${2:?upload dir} out=${3:?output dir}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
pg_dump --format=custom --no-owner --dbname="${url/+psycopg/}" --file="$out/portal-$stamp.dump"
if [ -d "$uploads" ]; then tar -C "$uploads" -czf "$out/uploads-$stamp.tar.gz" .; fi
echo "$out/portal-$stamp.dump"
