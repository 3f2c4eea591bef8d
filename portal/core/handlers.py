"""One error handler: typed errors and HTTP errors become translated pages (or JSON)."""
import logging

from flask import Request, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import IntegerConverter

from portal.core.errors import PortalError
from portal.extensions import db

log = logging.getLogger("portal")

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You may not do this"),
    404: _l("Not found"),
    405: _l("Not allowed"),
    409: _l("Someone else changed this first"),
    413: _l("The file is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The portal is briefly unavailable"),
}
EXPLANATIONS = {
    400: _l("Check what you entered and try again."),
    401: _l("Sign in to continue."),
    403: _l("Your role does not allow this. If you think it should, ask an administrator."),
    404: _l("This page does not exist, or you may not see it."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Another person saved a change while you were working. Their change is kept. "
            "Reload the page, then apply your change again."),
    413: _l("Upload a smaller file. The portal accepts files of up to %(mb)d MB."),
    429: _l("Too many attempts in a short time. Wait a minute and try again."),
    500: _l("The error has been logged. Try again in a moment."),
    503: _l("The database cannot be reached just now. Nothing was saved. Try again in a "
            "minute."),
}


def _wants_json():
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def render_error(status, message=None):
    from flask import current_app

    title = TITLES.get(status, TITLES[500])
    explanation = message or EXPLANATIONS.get(status, EXPLANATIONS[500])
    if status == 413:
        explanation = str(explanation) % {
            "mb": current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)}
    if _wants_json():
        return jsonify(error=str(title), message=str(explanation)), status
    if status == 503:
        _render_as_nobody()
    return render_template("errors/error.html", status=status, title=title,
                           explanation=explanation), status


def _render_as_nobody():
    """The database is out of reach: draw the page as for a visitor, whose navigation asks
    nothing of the database (a person's menu, unread count and scopes all would)."""
    from flask import current_app, g

    g._login_user = current_app.login_manager.anonymous_user()


# Ids are the database's INTEGER (PostgreSQL's int4): a larger number in an address or a filter
# names nothing, and sent to PostgreSQL it fails the statement ("integer out of range").
MAX_ID = 2**31 - 1
UNREADABLE = _l("The request held characters that cannot be part of any text.")


class BoundedIntegerConverter(IntegerConverter):
    """<int:...> in every route: a number beyond any id matches no page (404), as "abc" does."""

    def __init__(self, map, *args, max=MAX_ID, **kwargs):  # noqa: A002 - werkzeug's name
        super().__init__(map, *args, max=max, **kwargs)


def bounded_int(value):
    """int() for request values: a number no id or page can be is unreadable, as "abc" is."""
    number = int(value)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError(value)
    return number


class BoundedParameters(ImmutableMultiDict):
    """request.args and request.form: `.get(name, type=int)` (every filter, page number and
    picked id) treats an out-of-range number like any other unreadable value and falls back
    to the default, instead of sending it to the database."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's name
        return super().get(key, default, bounded_int if type is int else type)

    def getlist(self, key, type=None):  # noqa: A002 - werkzeug's name
        return super().getlist(key, bounded_int if type is int else type)


class PortalRequest(Request):
    parameter_storage_class = BoundedParameters


def _holds_nul(values):
    return any("\x00" in key or any("\x00" in v for v in vs if isinstance(v, str))
               for key, vs in values.lists())


def guard_input(app):
    """Refuse input no person types before any view sees it, instead of a server error.

    Must run before the blueprints are registered: a route takes its converters then.
    NUL is refused in the address, the query string and form fields (PostgreSQL's text cannot
    hold it); numbers beyond any id are handled by the converter and parameters above.
    """
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = PortalRequest

    @app.before_request
    def _refuse_nul():
        if ("\x00" in request.path or _holds_nul(request.args)
                or (request.mimetype in ("application/x-www-form-urlencoded",
                                         "multipart/form-data") and _holds_nul(request.form))):
            raise BadRequest(UNREADABLE)


# How long a client is asked to wait before trying again when the database is out of reach.
RETRY_AFTER_SECONDS = 60
# SQLite's words for a database it cannot open or cannot write just now
_SQLITE_UNREACHABLE = ("unable to open database", "database is locked", "database is busy")
# PostgreSQL's SQLSTATE classes of a server that cannot serve now: connection exception,
# insufficient resources (too many connections), operator intervention (shutting down,
# starting up), and a lock or statement timeout; the same statement can succeed later
_PG_UNREACHABLE = ("08", "53", "57P", "55P03", "57014")


def database_unreachable(error):
    """True when an OperationalError means the database cannot be reached or is busy (retry
    later), False when it is the portal's own fault (a missing table or column, bad SQL)."""
    if isinstance(error, PoolTimeout) or getattr(error, "connection_invalidated", False):
        return True  # every pooled connection busy, or the connection broke under the statement
    orig = getattr(error, "orig", None)
    state = getattr(orig, "sqlstate", None)
    if state is not None:
        return state.startswith(_PG_UNREACHABLE)
    if type(orig).__module__.startswith("psycopg"):
        # no SQLSTATE: libpq failed on the client side, before or between statements
        # (connection refused, host unknown, server closed the connection)
        return True
    return any(words in str(orig or error).lower() for words in _SQLITE_UNREACHABLE)


def _rollback():
    """Roll back whatever the request began; with the database gone even that may fail."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already broken; nothing to undo
        db.session.remove()


def register_error_handlers(app):
    @app.errorhandler(PortalError)
    def portal_error(error):
        _rollback()
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("The form had expired or did not come from this site. "
                                    "Reload the page and try again."))

    @app.errorhandler(StaleDataError)
    def stale(error):
        _rollback()
        return render_error(409)

    @app.errorhandler(OverflowError)  # SQLite's driver, given a number beyond 64 bits
    @app.errorhandler(DataError)
    def unreadable_value(error):
        # a value the database cannot hold (a number out of range, NUL in text) that no check
        # before it caught: the request was at fault, not the portal
        _rollback()
        log.warning("value refused by the database: %s", getattr(error, "orig", error))
        return render_error(400)

    @app.errorhandler(PoolTimeout)
    @app.errorhandler(OperationalError)
    def database_error(error):
        if not database_unreachable(error):
            # "no such column" on SQLite is an OperationalError too: a schema or programming
            # error is the portal's fault, not an outage, and must be seen
            return unexpected(error)
        _rollback()
        # the page must not ask the database who is signed in: show it as to a visitor
        from flask import g

        from portal.extensions import login_manager

        g._login_user = login_manager.anonymous_user()
        log.warning("database unavailable", exc_info=error)
        response = make_response(render_error(503))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:  # routing redirects pass through
            return error
        return render_error(error.code, UNREADABLE if error.description is UNREADABLE
                            else None)

    @app.errorhandler(Exception)
    def unexpected(error):
        _rollback()
        if app.config.get("PROPAGATE_UNEXPECTED"):  # tests want the traceback, not a page
            raise error
        log.exception("unhandled error", exc_info=error)
        return render_error(500)
