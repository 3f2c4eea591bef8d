"""One unit of work per request, in one place (Indico's ``RH.process`` in Flask terms).

Services flush and never commit; views neither commit nor roll back. When a request that may
write (POST, PUT, PATCH, DELETE) is answered with success (a 2xx or 3xx), everything it did is
committed here, once. When it is answered with a refusal (4xx) or fails (an exception, 5xx),
everything is rolled back, the audit entry included. A GET, HEAD or OPTIONS never commits:
reading a page must not change anything, nor end what other processes keep (core/versions).

Two refusals keep a record on purpose: a failed sign-in is counted and audited even though
its answer is 401. Such a view calls ``keep_on_refusal()``; what it wrote before that call is
discarded with ``discard()``, so only the record it writes afterwards is kept.

A commit can still fail (a unique constraint, a row changed by someone else since the form was
read); the answer then becomes the refusal it is: 409 for a stale row or a duplicate, 503 for a
database that went away, and the cleanups a view registered with ``on_rollback()`` run (files
stored beside rows that were never written).
"""
import logging

import sqlalchemy as sa
from flask import current_app, g, make_response, request
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from portal.core import versions
from portal.extensions import READ_ONLY_METHODS, db

log = logging.getLogger("portal")

__all__ = ["READ_ONLY_METHODS", "discard", "init_app", "keep_on_refusal", "on_rollback"]


class WriteWhileReading(RuntimeError):
    """A GET, HEAD or OPTIONS request tried to write through the request's session."""


def init_app(app):
    # after_request hooks run last-registered-first: create_app registers this one after the
    # others, so the commit happens before headers and compression see the
    # answer, and a commit that fails can still replace it.
    app.after_request(finish)
    app.teardown_request(_cleanup_on_error)
    # first of the before_request hooks, before any of them reads the database
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", refuse_writes_while_reading)


def _begin():
    """A request that only reads runs without a transaction (extensions._ReadingSession)."""
    g.portal_reading = request.method in READ_ONLY_METHODS


def refuse_writes_while_reading(conn, cursor, statement, parameters, context, executemany):
    """A reading request's connection has no transaction to roll back (extensions.
    _ReadingSession): a write through it would stay. It is refused before it runs, in
    production as in the tests. (A write on a connection of its own, as an API token's "last
    used", is not the request's session and goes on.)"""
    if conn.get_execution_options().get("portal_reading") and \
            versions.writes(statement):
        raise WriteWhileReading(f"a {request.method} request wrote: {statement[:80]}")


def discard():
    """Undo what this request has written so far (a refused step), and forget its cleanups."""
    db.session.rollback()
    _run_cleanups()


def keep_on_refusal():
    """Commit this request's writes even though its answer is a refusal (a failed sign-in)."""
    g.unit_of_work_keep = True


def on_rollback(cleanup):
    """Call cleanup() if this request's writes are rolled back (e.g. delete stored files)."""
    g.setdefault("unit_of_work_cleanups", []).append(cleanup)


def finish(response):
    if request.method in READ_ONLY_METHODS:
        _end_read_only()
        return response
    if response.status_code >= 400 and not g.get("unit_of_work_keep"):
        _rollback()
        return response
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError) as error:
        _rollback()
        log.info("commit refused: %s", getattr(error, "orig", error))
        return _refusal(409)
    except OperationalError:
        _rollback()
        log.warning("database unavailable at commit", exc_info=True)
        return _refusal(503)
    g.pop("unit_of_work_cleanups", None)
    return response


def _end_read_only():
    if db.session.new or db.session.dirty or db.session.deleted:
        # a programming error, not a user's: say so loudly (in tests, fail), and write nothing
        log.error("a %s request left unsaved changes behind: %s; rolled back",
                  request.method, request.endpoint)
        db.session.rollback()
        if current_app.testing:
            raise RuntimeError(f"{request.method} {request.endpoint} changed the database")
    db.session.rollback()


def _refusal(status):
    from portal.core.handlers import render_error

    return make_response(render_error(status))


def _rollback():
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already broken; nothing to undo
        db.session.remove()
    _run_cleanups()


def _run_cleanups():
    for cleanup in g.pop("unit_of_work_cleanups", []):
        try:
            cleanup()
        except Exception:  # noqa: BLE001 - one failed cleanup must not hide the others
            log.exception("cleanup after rollback failed")


def _cleanup_on_error(error):
    # the request is over: what runs next in this app context (a test's own writes, a job)
    # is not a reading request, and does not inherit its connection, even after an error
    if g.pop("portal_reading", None):
        db.session.rollback()
    if error is not None:
        _run_cleanups()
