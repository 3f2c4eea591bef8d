"""Rendered pages kept per reader until anything is written.

Why: a page spends 30-60 ms of Python in templates, the ORM and number formatting, while
readers mostly come back to pages nobody has changed since (the dashboard between two
imports, a meeting after its sign-off). A kept page is sent again in about a millisecond.

What keeps it correct:

- **Per reader.** An entry is only ever sent to the session that rendered it: the key holds
  the signed-in user with their session version, the session's CSRF secret (forms on the page
  stay valid), the language, the day and the whole URL, host and scheme included.
  Permissions were checked when the page was rendered for that same person, so sending it
  back to them needs no new check; a
  change of role, membership or scope is a write, and a write ends every entry (below).
- **Any write ends every entry.** Each database statement that is not a read (nor a write
  to a table no page shows, UNSEEN_TABLES) marks the thread; when that transaction commits,
  the shared *generation* is replaced by a new random token. An entry is sent only while the
  generation it was rendered at is still current, so no page shows data older than the last
  committed write, wherever it came from (form, import, API, CLI, background worker). The
  bump happens after the commit: a page rendered from the old data while the commit ran is
  stored under the old generation and never sent.
- **Time alone changes little, and is bounded.** Deadlines that pass and writes made outside
  the portal (a database administrator's SQL) are seen within PAGE_CACHE_SECONDS (120 s), the
  entries' lifetime.
- **Never kept:** anonymous pages, responses other than a 200 HTML page, a page with a message
  waiting to be flashed, and any route without the decorator (forms that take a POST, exports,
  files).

The store is Redis (PAGE_CACHE_URL, by default REDIS_URL), shared by every worker and host.
Without it pages are rendered every time. If Redis stops answering, pages are rendered as
before; a bump that could not be written is retried on the next request of this process.
"""
import gzip
import hashlib
import os
import re
import threading
from datetime import UTC, datetime
from functools import wraps

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401 - the Session events below; not loaded by sa alone
from flask import current_app, make_response, request, session

_READS = re.compile(r"\s*(select|show|savepoint|release|rollback|begin|commit|set|pragma|"
                    r"explain|values)\b", re.IGNORECASE)
_DML = re.compile(r"\b(insert|update|delete|merge)\b", re.IGNORECASE)
_TARGET = re.compile(r'\s*(?:insert\s+into|update|delete\s+from)\s+"?(\w+)"?[\s(]',
                     re.IGNORECASE)
# tables no page shows: writing only these ends no kept page. The mail outbox commits once per
# message it delivers (so that a crash resends at most that one); a pass over the fifty messages
# of a meeting's sign-off would otherwise end every kept page fifty times more.
UNSEEN_TABLES = frozenset({"outbox_message"})
_thread = threading.local()


def writes(statement):
    """Whether a SQL statement may change what a page shows. Unknown statements count as
    writes."""
    if statement[:30].lstrip()[:4].lower() == "with":  # a CTE reads unless it holds DML
        return bool(_DML.search(statement))
    if _READS.match(statement):
        return False
    target = _TARGET.match(statement)
    return not (target and target.group(1).lower() in UNSEEN_TABLES)


# --- noticing writes ----------------------------------------------------------------------------

def _on_statement(conn, cursor, statement, parameters, context, executemany):
    if not getattr(_thread, "dirty", False) and writes(statement):
        _thread.dirty = True


def _on_commit(conn):
    if getattr(_thread, "dirty", False):
        _thread.dirty = False
        _thread.pending = True


def _on_rollback(conn):
    _thread.dirty = False


def _after_session_commit(session_):
    if getattr(_thread, "pending", False):
        bump()


def bump():
    """A write has committed: every kept page is out of date."""
    store = _store()
    _thread.pending = False
    if store is None:
        return
    if not store.new_generation():
        _thread.pending = True  # Redis did not answer: try again at the next request


sa.event.listen(sa.engine.Engine, "before_cursor_execute", _on_statement)
sa.event.listen(sa.engine.Engine, "commit", _on_commit)
sa.event.listen(sa.engine.Engine, "rollback", _on_rollback)
sa.event.listen(sa.orm.Session, "after_commit", _after_session_commit)


# --- the store -----------------------------------------------------------------------------------

class RedisPages:
    """Entries are `<generation>\\n<gzipped html>`; the generation is one key beside them."""

    def __init__(self, url, prefix, seconds):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.errors = redis.RedisError
        self.generation_key = prefix + "generation"
        self.prefix = prefix + "page:"
        self.seconds = seconds

    def fetch(self, key):
        """(current generation, entry or None); (None, None) when Redis does not answer."""
        try:
            generation, entry = self.redis.mget(self.generation_key, self.prefix + key)
        except self.errors:
            return None, None
        if generation is None:
            # first use, or the key was evicted: start from a token no entry can hold
            generation = os.urandom(12).hex().encode()
            try:
                if not self.redis.set(self.generation_key, generation, nx=True):
                    return None, None
            except self.errors:
                return None, None
            return generation, None
        return generation, entry

    def keep(self, key, generation, body):
        try:
            self.redis.set(self.prefix + key, generation + b"\n" + body, ex=self.seconds)
        except self.errors:
            pass

    def new_generation(self):
        try:
            self.redis.set(self.generation_key, os.urandom(12).hex().encode())
        except self.errors:
            return False
        return True


def _store():
    try:
        app = current_app._get_current_object()
    except RuntimeError:  # no application: a script outside the portal
        return None
    return app.extensions.get("page_cache")


def init_app(app):
    url = app.config.get("PAGE_CACHE_URL")
    if url and url.startswith("redis"):
        app.extensions["page_cache"] = RedisPages(
            url, app.config["PAGE_CACHE_PREFIX"], app.config["PAGE_CACHE_SECONDS"])

    @app.before_request
    def _retry_bump():
        if getattr(_thread, "pending", False):
            bump()

    @app.teardown_appcontext
    def _bump_unsessioned_writes(_exc):
        # a commit made on a bare connection (no Session event follows it)
        if getattr(_thread, "pending", False):
            bump()


# --- the decorator ------------------------------------------------------------------------------

def _key():
    """The reader, their session, language and day, and the URL; None: do not keep.

    Built from the session alone, so that a kept page is sent without loading the person:
    the session's user id carries their session version (signing out everywhere changes it),
    and everything else a page depends on about them (roles, scope, language, time zone,
    calendar, digits) is in the database, where changing it is a write. The language comes
    from the same three places select_locale() reads: the person's saved choice (database),
    the switcher (session) and the browser (Accept-Language), and the network looked at.
    """
    user_id = session.get("_user_id")
    if not user_id or "_flashes" in session:
        return None
    secret = session.get("csrf_token", "")
    if not secret:
        return None  # the page would create the session's CSRF secret: render it once
    day = datetime.now(UTC).date().isoformat()
    # the scheme and host too: pages print absolute addresses built from them (a calendar
    # feed's secret link), so a page rendered for a forged Host header must never be sent to
    # a request that came by the real one
    parts = (user_id, secret, session.get("locale") or "", str(session.get("network", "")),
             request.headers.get("Accept-Language", ""), day, request.host_url,
             request.full_path)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _send(body):
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = make_response(body)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = make_response(gzip.decompress(body))
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Vary"] = "Accept-Encoding, Cookie"
    return response


def _keepable(response):
    return (response.status_code == 200 and response.mimetype == "text/html"
            and not response.direct_passthrough and "Content-Encoding" not in response.headers
            and "_flashes" not in session)  # a message flashed while rendering: show it once


def cached_page(view):
    """Keep this GET page per reader until the next write (see the module's docstring)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        store = _store()
        key = _key() if store is not None and request.method == "GET" else None
        if key is None:
            return view(*args, **kwargs)
        generation, entry = store.fetch(key)
        if entry is not None:
            kept_at, _, body = entry.partition(b"\n")
            if kept_at == generation:
                return _send(body)
        response = make_response(view(*args, **kwargs))
        if generation is not None and _keepable(response):
            body = gzip.compress(response.get_data(), compresslevel=6)
            store.keep(key, generation, body)
            return _send(body)
        return response

    return wrapper

