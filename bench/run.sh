#!/usr/bin/env bash
# The benchmark of issue 9, in one command: bash bench/run.sh
# Creates and fills the portal_bench PostgreSQL database, measures every key page in-process
# (SQL statements, bytes) and under load (wrk against gunicorn, next to a bare Flask ceiling),
# times the demo seed, the migration and the outbox, and writes bench/results/.
# Knobs: BENCH_WORKERS (4), BENCH_DURATION (10 s per page), BENCH_CONNECTIONS (8),
# BENCH_THREADS (2),
# BENCH_IMPORT_ROWS (0: skip; e.g. 1000000 times bench/turnover_import.py on its own database).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DB=portal_bench
DSN=postgresql://postgres@127.0.0.1:5432/$DB
export PORTAL_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/$DB
export PORTAL_SECRET_KEY=${PORTAL_SECRET_KEY:-bench-secret-not-for-production}
export FLASK_APP=portal:create_app
WORKERS=${BENCH_WORKERS:-4}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
THREADS=${BENCH_THREADS:-2}
PORTAL_PORT=8800
HELLO_PORT=8801
RENDERED_PORT=8802
# Redis database 15 for the bench's kept pages (flushed before the load run)
export BENCH_REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}
RESULTS=bench/results
LOGS=$(mktemp -d /tmp/portal-bench.XXXXXX)
mkdir -p "$RESULTS"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "tools"
if ! command -v wrk >/dev/null; then
    apt-get update
    apt-get install -y wrk
fi
[ -x .venv/bin/gunicorn ] || .venv/bin/pip install -q gunicorn
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1; }

step "database $DB: create and migrate from empty"
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
start=$(date +%s.%N)
timeout 300 .venv/bin/flask db upgrade 2>"$LOGS/migrate.log"
echo "  migration: $(echo "$(date +%s.%N) - $start" | bc) s"

step "data set (seeded, COPY)"
timeout 900 $PY -m bench.data "$DSN" --context "$RESULTS/context.json"

step "in-process: SQL statements and bytes per page"
timeout 600 $PY -m bench.inprocess "$RESULTS/context.json" "$RESULTS/inprocess.json" \
    2>"$LOGS/inprocess.log"

step "timings: migration, demo seed, outbox (10,000 messages)"
timeout 900 $PY -m bench.timings "$RESULTS/timings.json" 2>"$LOGS/timings.log"

IMPORT_ROWS=${BENCH_IMPORT_ROWS:-0}
if [ "$IMPORT_ROWS" -gt 0 ]; then
    step "turnover import: $IMPORT_ROWS rows (database ${DB}_import)"
    psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS ${DB}_import" \
        -c "CREATE DATABASE ${DB}_import" >/dev/null
    PORTAL_DATABASE_URL=${PORTAL_DATABASE_URL}_import timeout 300 .venv/bin/flask db upgrade \
        2>>"$LOGS/migrate.log"
    PORTAL_DATABASE_URL=${PORTAL_DATABASE_URL}_import timeout 1200 $PY bench/turnover_import.py \
        --rows "$IMPORT_ROWS" 2>"$LOGS/turnover_import.log" | tee "$RESULTS/turnover_import.txt"
fi

step "gunicorn: portal on :$PORTAL_PORT (kept pages), :$RENDERED_PORT (none) and bare Flask on :$HELLO_PORT, $WORKERS workers each"
GUNICORN=(.venv/bin/gunicorn --workers "$WORKERS" --worker-class sync --timeout 60)
# as production runs it: pages kept per reader in Redis until the next write
redis-cli -u "$BENCH_REDIS_URL" FLUSHDB >/dev/null 2>&1 || true
PORTAL_PAGE_CACHE_URL=$BENCH_REDIS_URL "${GUNICORN[@]}" --bind 127.0.0.1:$PORTAL_PORT \
    "portal:create_app()" >"$LOGS/portal.out" 2>"$LOGS/portal.err" &
PIDS+=($!)
# the same portal keeping no page: every request rendered (the first view after a write)
PORTAL_PAGE_CACHE_URL= "${GUNICORN[@]}" --bind 127.0.0.1:$RENDERED_PORT "portal:create_app()" \
    >"$LOGS/rendered.out" 2>"$LOGS/rendered.err" &
PIDS+=($!)
"${GUNICORN[@]}" --bind 127.0.0.1:$HELLO_PORT "bench.hello:app" \
    >"$LOGS/hello.out" 2>"$LOGS/hello.err" &
PIDS+=($!)
for url in "http://127.0.0.1:$PORTAL_PORT/healthz" "http://127.0.0.1:$RENDERED_PORT/healthz" \
        "http://127.0.0.1:$HELLO_PORT/"; do
    for _ in $(seq 1 60); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && break
        sleep 0.5
    done
    curl -fsS -o /dev/null "$url" || { echo "not answering: $url (logs in $LOGS)"; exit 1; }
done

step "load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s per page"
timeout 1800 $PY -m bench.load --portal "http://127.0.0.1:$PORTAL_PORT" \
    --hello "http://127.0.0.1:$HELLO_PORT" --rendered "http://127.0.0.1:$RENDERED_PORT" \
    --redis "$BENCH_REDIS_URL" \
    --results "$RESULTS" --duration "$DURATION" \
    --threads "$THREADS" --connections "$CONNECTIONS" --workers "$WORKERS"

echo
echo "results: $RESULTS/results.json, $RESULTS/results.svg (server logs: $LOGS)"
