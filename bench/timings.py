"""Timings besides the pages: the demo seed, the migration from empty, the outbox.

    python -m bench.timings bench/results/timings.json

- demo seed: `flask seed-demo` on an empty (migrated) SQLite database;
- migration: `flask db upgrade` from empty, on a fresh PostgreSQL database and on SQLite;
- outbox: 10,000 messages delivered by portal.core.outbox.deliver in a loop to a local SMTP
  server (aiosmtpd on 127.0.0.1), against the bench PostgreSQL database.
Everything bounded by timeouts.
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).parent.parent
FLASK = str(ROOT / ".venv" / "bin" / "flask")
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
N_MESSAGES = 10_000


def _flask(args, url, timeout=600):
    env = dict(os.environ, FLASK_APP="portal:create_app", PORTAL_DATABASE_URL=url)
    start = time.perf_counter()
    done = subprocess.run([FLASK, *args], env=env, cwd=ROOT,  # noqa: S603 - our flask
                          capture_output=True, text=True,
                          timeout=timeout)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return elapsed


def _recreate(name):
    engine = sa.create_engine(PG + "postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def time_migrations():
    _recreate("portal_bench_migrate")
    pg = _flask(["db", "upgrade"], PG + "portal_bench_migrate")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = _flask(["db", "upgrade"], f"sqlite:///{tmp}/migrate.sqlite")
    return {"migration_from_empty_postgresql_s": round(pg, 2),
            "migration_from_empty_sqlite_s": round(sqlite, 2)}


def time_demo_seed():
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.sqlite"
        _flask(["db", "upgrade"], url)
        seconds = _flask(["seed-demo"], url)
        again = _flask(["seed-demo"], url)
    return {"demo_seed_empty_sqlite_s": round(seconds, 2),
            "demo_seed_second_run_s": round(again, 2)}


class _Sink:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.count += 1
        return "250 OK"


def time_outbox(url, deadline_s=300):
    import socket

    from aiosmtpd.controller import Controller

    from portal import create_app
    from portal.core import outbox
    from portal.core.models import utcnow
    from portal.extensions import db

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": port, "MAIL_USE_TLS": False, "MAIL_USERNAME": None})
    try:
        with app.app_context():
            db.session.execute(sa.delete(outbox.OutboxMessage))
            now = utcnow()
            db.session.execute(sa.insert(outbox.OutboxMessage), [
                {"to_address": f"member{i}@bench.test", "subject": f"Answer to item {i}",
                 "body_text": "Your feedback was answered.\n\nپاسخ شما آماده است.",
                 "status": outbox.PENDING, "attempts": 0, "next_attempt_at": now,
                 "created_at": now, "updated_at": now} for i in range(N_MESSAGES)])
            db.session.commit()
            start = time.perf_counter()
            sent = failed = passes = 0
            while sent + failed < N_MESSAGES and time.perf_counter() - start < deadline_s:
                s, f = outbox.deliver(batch_size=200)
                sent, failed, passes = sent + s, failed + f, passes + 1
                if not s and not f:
                    break
            elapsed = time.perf_counter() - start
            db.session.execute(sa.delete(outbox.OutboxMessage))
            db.session.commit()
    finally:
        controller.stop()
    return {"outbox_messages": N_MESSAGES, "outbox_sent": sent, "outbox_failed": failed,
            "outbox_received_by_smtp": sink.count, "outbox_passes": passes,
            "outbox_seconds": round(elapsed, 2),
            "outbox_messages_per_s": round(sent / elapsed, 1) if elapsed else None}


def main(argv=None):
    argv = argv or sys.argv[1:]
    out = Path(argv[0])
    url = os.environ["PORTAL_DATABASE_URL"]
    results = {}
    for name, func in (("migrations", time_migrations), ("demo seed", time_demo_seed),
                       ("outbox", lambda: time_outbox(url))):
        try:
            figures = func()
        except Exception as exc:  # noqa: BLE001 - report and go on with the other timings
            figures = {f"{name}_error": str(exc)[-500:]}
        print(f"  {name}: {figures}", flush=True)
        results.update(figures)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
