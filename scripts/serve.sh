#!/usr/bin/env bash
# One command from a clean clone to a running portal on http://127.0.0.1:5000 with demo data:
# install, migrate the SQLite database in instance/, load the demo data (idempotent), print the
# accounts, and serve with gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
export FLASK_APP="portal:create_app"
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo
echo
echo "Serving the portal on http://127.0.0.1:${PORT:-5000} (Ctrl-C to stop)"
exec .venv/bin/gunicorn --workers "${WORKERS:-2}" --bind "127.0.0.1:${PORT:-5000}" \
  --access-logfile - "portal:create_app()"
