"""Rendered pages kept per reader, each until a table it read is written (issue 19).

Why: under the mix of bench/mix.py (many people of every role opening the pages their own
pages link to, while others write) a rendered page costs 20-90 ms of Python and SQL, and
people come back to pages: their home, their lists, the item they follow. The page cache this
replaces ended every kept page at any write anywhere, so under one write a second it kept
nothing; this one ends a page only when a table that page read is written.

What keeps it correct:

- **Per reader, as loaded on this request.** The key holds the scheme and host, the whole
  path, the day, the session (its CSRF secret, chosen language and network: everything in it
  but the "last seen" stamp), the browser's languages, and the signed-in person exactly as
  this request loaded them: every column of their row (session version, language, calendar,
  time zone, digits), their memberships with the organisations' columns, and the count of
  their unread notifications. The person is loaded and the session checked on every request,
  kept page or not, so the sign-in checks, timeouts and blueprint guards all run; the view
  itself ran for this same person in this same state.
- **Until a table it read is written.** While the view renders, every statement's tables are
  noted (core.versions), as are the tables of the memos it used (a person's scopes, the
  organisation tree). The entry holds the data versions of those tables as read *before* the
  view ran: a write committed while it rendered makes it out of date at once. It is sent only
  while every one of them is unchanged.
- **Time alone changes little, and is bounded.** A deadline passing and a write made outside
  the portal are seen within KEPT_PAGE_SECONDS (600 s), an entry's lifetime. A page that
  offers something which lapses with time (a message's correction) says until when (until()),
  so that it never offers what would be refused.
- **Never kept:** anonymous requests, answers other than a 200 HTML page, a page that
  flashed a message, a view that changed the session, a POST, and any view without the
  decorator. (A session without its CSRF secret yet, the first page after a sign-in, gets it
  before the key is made, as rendering would have given it.)

The store is Redis (the data versions' server), shared by every worker and host. Without it,
or while it does not answer, pages are rendered every time.
"""
import gzip
import hashlib
from datetime import UTC, date
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g, has_request_context, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.core import clock, versions
from portal.core.models import utcnow

# the tables the person's own load reads are not noted by the view (they are read before it):
# their state is in the key instead, except for the tree their organisations sit in
PERSON_TABLES = ("membership", "organisation", "portfolio_entry")
# the "last seen" stamp, and Flask-Login's freshness (no page shows it; it turns false when
# the browser's address or agent changes, which the session check deals with)
VOLATILE_SESSION_KEYS = frozenset({"_seen", "_fresh"})


def _store():
    """Where pages are kept (the key prefix), or None: keep nothing (no Redis, or
    KEPT_PAGE_SECONDS is 0)."""
    if not current_app.config.get("KEPT_PAGE_SECONDS"):
        return None
    if current_app.extensions.get("data_versions") is None:
        return None
    return current_app.config["REDIS_PREFIX"] + "page:"


def _fetch(prefix, key):
    return versions.read_beside_counters(prefix + key)


def _keep(prefix, key, entry):
    versions.keep_beside_counters(prefix + key, entry, current_app.config["KEPT_PAGE_SECONDS"])


# --- the key --------------------------------------------------------------------------------

def _columns(obj):
    """The values of an object's loaded columns, as this request read them."""
    state = sa.inspect(obj)
    return tuple((attr.key, _text(state.dict.get(attr.key)))
                 for attr in state.mapper.column_attrs if attr.key in state.dict)


def _text(value):
    # a time as its ISO text, not its repr: the same instant must make the same key whatever
    # made the object (a test's frozen clock makes FakeDatetime)
    return value.isoformat() if isinstance(value, date) else repr(value)


def person_state(user):
    """Everything about the signed-in person that this request loaded: the page's header,
    menu, language and formats, and their permissions, follow from it."""
    memberships = sorted((_columns(m), _columns(m.organisation)) for m in user.memberships)
    return repr((_columns(user), memberships))


def page_key():
    """The key of this request's page for this reader; None: do not keep."""
    if not current_user.is_authenticated or "_flashes" in session:
        return None
    if not session.get("csrf_token"):
        # the first page after a sign-in: make the session's CSRF secret now, as rendering
        # would, so that the page can be kept under the session it is sent with
        generate_csrf()
    kept_session = sorted((k, repr(v)) for k, v in session.items()
                          if k not in VOLATILE_SESSION_KEYS)
    parts = (request.host_url, request.full_path, clock.reader_today().isoformat(),
             repr(kept_session), request.headers.get("Accept-Language", ""),
             person_state(current_user))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# --- the entry: "<rendered at> <good until>\n<tables>\n<versions>\n<gzipped page>" ---------------

def _now():
    """The portal's clock (the tests move it): an entry is as old as that clock says."""
    return _seconds(utcnow())


def _seconds(moment):
    """A stored time (naive UTC) as seconds since the epoch, whatever the server's zone."""
    return moment.replace(tzinfo=UTC).timestamp() if moment.tzinfo is None \
        else moment.timestamp()


def _entry(tables, seen, body, until):
    return b"%d %d\n%s\n%s\n%s" % (_now(), until, ",".join(tables).encode(),
                                    ",".join(map(str, seen)).encode(), body)


def _still_current(entry):
    """The gzipped page, if it is young enough and every table it read is unchanged since
    it was rendered."""
    stamps, tables, seen, body = entry.split(b"\n", 3)
    rendered_at, _, until = stamps.partition(b" ")
    age = _now() - int(rendered_at)
    if not 0 <= age <= current_app.config["KEPT_PAGE_SECONDS"]:
        return None  # too old, or rendered in a future the clock has been moved back from
    if 0 < int(until or 0) <= _now():
        return None  # it offered something that has lapsed since (until())
    names = tuple(tables.decode().split(",")) if tables else ()
    now = versions.current(names)
    if now is None or ",".join(map(str, now)).encode() != seen:
        return None
    versions.note_read(names)
    return body


def _send(body, kept):
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = make_response(body)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = make_response(gzip.decompress(body))
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Vary"] = "Accept-Encoding, Cookie"
    g.kept_page = kept
    return response


def _keepable(response, session_before):
    return (response.status_code == 200 and response.mimetype == "text/html"
            and not response.direct_passthrough and "Content-Encoding" not in response.headers
            and "_flashes" not in session
            and _session_items() == session_before)


def _session_items():
    return {k: v for k, v in session.items() if k not in VOLATILE_SESSION_KEYS}


def about(column, parent_id):
    """Say that this page shows, of the tables shared out by `column` (core/versions.
    PARTITIONS), only the rows of one parent: an item's page shows that item's messages,
    events and endorsements, a person's notifications page theirs. The page is then ended by
    a write to that parent's share, not by one to another item's.

    Called before the view reads those rows: the shares' versions are read now (one round
    trip), so that a write committed while the page renders ends it."""
    if _store() is None:
        return
    g.kept_page_about = (column, parent_id)
    versions.current(tuple(name for table, by in versions.PARTITIONS.items() if by == column
                           for name in versions.share_names(table, parent_id)))


def until(moment):
    """Say that this page changes at `moment` (the portal's clock, UTC) without any write: an
    offer that lapses with time, such as correcting a message in its first minutes. The page is
    kept no later than that (only up to KEPT_PAGE_SECONDS otherwise)."""
    if _store() is None or moment is None:
        return
    stamp = int(_seconds(moment))
    g.kept_page_until = min(g.get("kept_page_until", stamp), stamp)


def every_share(table):
    """Say that this page also reads rows of `table` that belong to other parents than the one
    it is about (about()): the page then depends on the whole table. Called where the read is
    made (an item's page asks whether the reader endorsed *other* requests for its product)."""
    if has_request_context():
        g.kept_page_every_share = g.get("kept_page_every_share", frozenset()) | {table}


def _dependencies(tables, seen):
    """The tables a page read, with those it is about narrowed to the parent's share."""
    column, parent_id = g.pop("kept_page_about", (None, None))
    whole = g.pop("kept_page_every_share", frozenset())
    if column is None:
        return tables, seen
    names = set()
    for table in tables:
        if versions.PARTITIONS.get(table) == column and table not in whole:
            names.update(versions.share_names(table, parent_id))
        else:
            names.add(table)
    names = tuple(sorted(names))
    # the request reads each counter once: these are the versions from before the view ran
    return names, versions.current(names)


def kept_page(view):
    """Keep this GET page per reader until a table it read is written (module docstring)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        prefix = _store()
        key = page_key() if prefix is not None and request.method == "GET" else None
        if key is None:
            return view(*args, **kwargs)
        entry = _fetch(prefix, key)
        if entry is not None:
            body = _still_current(entry)
            if body is not None:
                return _send(body, "hit")
        session_before = _session_items()
        rendered, tables, seen = versions.while_reading(lambda: make_response(
            view(*args, **kwargs)), PERSON_TABLES)
        until_then = g.pop("kept_page_until", None)
        if seen is not None:
            tables, seen = _dependencies(tables, seen)
        if seen is None or not _keepable(rendered, session_before) or \
                (until_then is not None and until_then <= _now()):
            return rendered
        body = gzip.compress(rendered.get_data(), compresslevel=5)
        # 0: nothing it shows lapses with time alone
        _keep(prefix, key, _entry(tables, seen, body, until_then or 0))
        return _send(body, "miss")

    return wrapper
