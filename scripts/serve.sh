#!/usr/bin/env bash
# One command from a clean clone to a running portal on http://127.0.0.1:5000 with demo data:
# install, migrate the SQLite database in instance/, load the demo data (idempotent), print the
# accounts, and serve with gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
export FLASK_APP="portal:create_app"
# The demo offers the second factor to everyone but requires it of nobody, so its accounts can
# be tried at once; a bank's deployment leaves this unset (administrators, bank staff and the
# ministry must then set up an authenticator at their first sign-in).
export PORTAL_TWO_FACTOR_REQUIRED_ROLES="${PORTAL_TWO_FACTOR_REQUIRED_ROLES-}"
.venv/bin/flask db upgrade
.venv/bin/flask seed-demo
echo
if [ -z "${PORTAL_TWO_FACTOR_REQUIRED_ROLES}" ]; then
  echo "Demo: a second factor is offered (Account > Security), not required."
fi
echo "Serving the portal on http://127.0.0.1:${PORT:-5000} (Ctrl-C to stop)"
# gunicorn.conf.py (read from here) trusts no X-Forwarded-* header: the application decides
# from PORTAL_PROXY_COUNT, so a local program cannot pass for HTTPS
exec .venv/bin/gunicorn --config gunicorn.conf.py --workers "${WORKERS:-2}" \
  --bind "127.0.0.1:${PORT:-5000}" --access-logfile - "portal:create_app()"
