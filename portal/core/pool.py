"""Checking a pooled database connection before use only when it may have gone stale.

Why: SQLAlchemy's pool_pre_ping sends a round trip before every request's first statement.
Under the mix (bench/README.md) that was 12 % of the workers' time on a kept page, for a
connection used a few milliseconds earlier. A connection goes stale when the server restarts or
a proxy drops it. So a connection is pinged before use only when it sat unused for longer
than DB_PING_AFTER_IDLE_SECONDS, or when its socket says the server has spoken (a restart or a
dropped connection closes it: one system call, no round trip). A restart between two requests
therefore costs no request (tests/ops/test_outage.py). Only a connection whose end has not
reached this host yet can still fail its request: that one gets the 503 page with
Retry-After, and SQLAlchemy renews the whole pool.
"""
import select
import time

import sqlalchemy as sa

from portal.extensions import db


def init_app(app):
    limit = app.config.get("DB_PING_AFTER_IDLE_SECONDS")
    if limit is None or not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgres"):
        return
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "checkin", _note_checkin)
    sa.event.listen(engine, "checkout", _pinger(float(limit)))


def _note_checkin(dbapi_connection, record):
    record.info["checked_in_at"] = time.monotonic()


def _server_spoke(dbapi_connection):
    """Whether the server sent something to a connection nobody is using: a restart or a
    dropped connection closes its socket (readable, at end of file). Asked of the operating
    system with no wait and no round trip; anything else it may send (a notice) only costs the
    ping that follows."""
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError, AttributeError):
        return True  # no socket to ask: ping
    return bool(readable)


def _pinger(limit):
    def ping_if_idle(dbapi_connection, record, _proxy):
        idle = time.monotonic() - record.info.get("checked_in_at", float("-inf"))
        if idle <= limit and not _server_spoke(dbapi_connection):
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            # the driver opened a transaction for it: end it, so the connection is handed out
            # idle (a reading request switches it to autocommit, which needs that)
            dbapi_connection.rollback()
        except Exception as error:  # noqa: BLE001 - any failure: take another connection
            # the pool drops this connection and checks out a new one (up to three times)
            raise sa.exc.DisconnectionError(str(error)) from error
    return ping_if_idle
