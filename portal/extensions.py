"""Flask extensions, created unbound; create_app() binds them to an app."""
import weakref

from flask import g, has_app_context
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Constraint names must be the same on SQLite and PostgreSQL so that migrations written on one
# apply on the other (and batch mode on SQLite can find them again).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# requests that read and never write (core/unit_of_work.py)
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _ReadingSession(Session):
    """The request's session. A request that only reads (GET, HEAD, OPTIONS) runs its
    statements without a transaction: no BEGIN before the first and no ROLLBACK after the last,
    two of a page's eight round trips to the database (under PostgreSQL's READ COMMITTED every
    statement sees its own snapshot either way). Such a connection refuses to write
    (core/unit_of_work.refuse_writes_while_reading): a GET never changes anything."""

    def get_bind(self, *args, **kwargs):
        bind = super().get_bind(*args, **kwargs)
        # set by core/unit_of_work for a reading request it serves; not for a request context
        # a job or the command line makes to build links (it writes, in a transaction)
        if has_app_context() and g.get("portal_reading"):
            return _reading(bind)
        return bind


_READING = weakref.WeakKeyDictionary()  # engine -> its reading engine (the same pool)


def _reading(engine):
    found = _READING.get(engine)
    if found is None:
        found = _READING[engine] = engine.execution_options(isolation_level="AUTOCOMMIT",
                                                            portal_reading=True)
    return found


db = SQLAlchemy(model_class=Base, session_options={"class_": _ReadingSession})
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
# gzip for pages and assets when no proxy in front does it (the first view stays small)
compress = Compress()


def _reader_key():
    """Who is reading: the signed-in person (wherever they connect from), else the address."""
    from flask import session

    user_id = session.get("_user_id")
    return f"user:{str(user_id).split(':')[0]}" if user_id else get_remote_address()


def _read_limit():
    from flask import current_app

    return current_app.config["RATELIMIT_READS"]


# reads with limits of their own (config: RATELIMIT_LOOKUP, RATELIMIT_FEED), not counted
# among the costly reads
OWN_LIMITS = frozenset({"organisations.lookup", "meetings.feed"})


def lookup_limit():
    from flask import current_app

    return current_app.config["RATELIMIT_LOOKUP"]


def feed_limit():
    from flask import current_app

    return current_app.config["RATELIMIT_FEED"]


def feed_key():
    """A calendar feed is counted per feed address: the programs polling it share nothing."""
    from flask import request

    return "feed:" + str((request.view_args or {}).get("token", ""))[:200]


def costly_read():
    """A GET that costs more than a page: an export, a search, a calendar or the API. Only
    these are counted among reads (RATELIMIT_READS per person or address)."""
    from flask import request

    return (request.method == "GET" and request.endpoint not in OWN_LIMITS
            and (request.path.endswith((".csv", ".xlsx", ".ics", ".json"))
                 or "/export" in request.path or bool(request.args.get("q"))))


# Limits are declared per route (signing in, the API per token); one limit shared by every
# route counts costly reads (exports, searches, feeds) per person, generously. The storage
# comes from RATELIMIT_STORAGE_URI (memory:// unless Redis is configured).
limiter = Limiter(key_func=_reader_key, default_limits=[],
                  application_limits=[_read_limit],
                  application_limits_exempt_when=lambda: not costly_read())


@limiter.request_filter
def _plain_reads_are_not_counted():
    """A page view is not counted: checking limits found none and cost about a third of a
    millisecond on every page. Costly reads, the reads with limits of their
    own and the API are counted."""
    from flask import request

    return (request.method in ("GET", "HEAD", "OPTIONS") and not costly_read()
            and request.endpoint not in OWN_LIMITS and not request.path.startswith("/api/"))
