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


def test_without_the_check_the_dropped_connection_fails_the_request(db):
    """What the check saves: the same drop, a connection used just before (no check), and the
    request gets the database's 503 page; the one after it succeeds on a renewed pool."""
    url = _postgres_url()
    app = _app(url, idle_seconds=60)
    try:
        _terminate_the_pooled_connection(app, url)
        client = app.test_client()
        assert client.get("/readyz").status_code == 503
        assert client.get("/readyz").status_code == 200
    finally:
        with app.app_context():
            _db.engine.dispose()
