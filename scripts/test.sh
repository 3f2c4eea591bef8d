#!/usr/bin/env bash
# One command from a clean clone to the whole test suite: installs what the tests need (the
# Python packages, Debian's Chromium, the Thai and Arabic-script fonts and Redis), lints, then runs the
# suite twice: on SQLite and on the PostgreSQL running on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "vazirmatn\|noto sans arabic\|Noto Naskh"; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-thai-tlwg fonts-noto-core >/dev/null
fi
# tests/ops/test_scale_out.py runs two portal instances behind Debian's nginx
if [ ! -x /usr/sbin/nginx ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx >/dev/null
fi

PG_URL=${PORTAL_PG_TEST_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/portal_test}
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# the data versions and the rate limits of the suite run on Redis (tests/conftest.py)
if ! command -v redis-server >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq redis-server >/dev/null
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi

echo "== ruff"
.venv/bin/ruff check portal tests
echo "== bandit (every finding reviewed: accepted ones carry a # nosec with the reason)"
.venv/bin/bandit -q -r portal

run_suite() {
  local label=$1; shift
  echo "== pytest on ${label}"
  set +e
  "$@" .venv/bin/python -m pytest -q -p no:cacheprovider "${PYTEST_ARGS[@]}"
  local rc=$?
  set -e
  if [ $rc -eq 5 ]; then echo "no tests ran on ${label}: that is a failure"; return 1; fi
  return $rc
}
PYTEST_ARGS=("$@")
run_suite SQLite env -u PORTAL_TEST_DATABASE_URL
run_suite PostgreSQL env PORTAL_TEST_DATABASE_URL="$PG_URL"
