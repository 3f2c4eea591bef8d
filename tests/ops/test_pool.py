"""A pooled connection the server dropped while it sat unused is replaced before a request
uses it (portal/core/pool.py), without pinging on every request."""
import os
import time

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db as _db


def _postgres_url():
    url = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("server-side connections are PostgreSQL's (the suite's second run)")
    return url


def _app(url, idle_seconds):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                       "DB_PING_AFTER_IDLE_SECONDS": idle_seconds})


def _terminate_the_pooled_connection(app, url):
    """Ends, from another connection, the server process behind the app's pooled one."""
    with app.app_context():
        with _db.engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    killer = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with killer.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")  # noqa: S608
    killer.dispose()


def test_a_connection_dropped_while_unused_is_replaced_before_use(db):
    url = _postgres_url()
    app = _app(url, idle_seconds=0.2)
    try:
        _terminate_the_pooled_connection(app, url)
        time.sleep(0.3)  # unused for longer than the limit: checked before the next request
        assert app.test_client().get("/readyz").status_code == 200
    finally:
        with app.app_context():
            _db.engine.dispose()


def test_a_connection_in_use_is_not_pinged_until_the_server_drops_it(db):
    """No round trip for a healthy connection used a moment ago; its socket tells at once when
    the server ended it (tests/ops/test_outage.py: a restart between requests costs none)."""
    import psycopg

    from portal.core import pool

    url = _postgres_url().replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as conn, \
            psycopg.connect(url, autocommit=True) as killer:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        assert not pool._server_spoke(conn)  # healthy: nothing to read, no ping
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 5
        while not pool._server_spoke(conn) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool._server_spoke(conn)
