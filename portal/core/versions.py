"""Data versions per table, shared by every worker and host, and the per-process memo built on
them.

Why: some answers are asked for on every page and change rarely: the organisations a person's
memberships reach (a recursive statement over the organisation tree), the head offices they may
switch between, the choices of a filter. Computing them again on every request cost 6-30 ms a
page under load (bench/README.md, "Profile"). Kept in the worker's memory they cost nothing,
provided that a write anywhere, through any worker or host, is seen at once.

How: every committed statement that writes a table (INSERT/UPDATE/DELETE, from any session or
bare connection) increments that table's counter in Redis after the commit. A memoised answer
is stored under the counters of the tables it reads, read *before* it is computed; it is used
only while those counters are unchanged, and never within a request that has itself written
one of those tables (it must see its own writes). The counters of one request are read once,
in one round trip per set of tables.

Without Redis (a development machine without it, a script outside a request) nothing is
memoised: every answer is computed, as before, so the memo can never be the reason a page is
wrong. A statement whose table cannot be read (a DML hidden in a CTE) counts as a write to
every table.
"""
import logging
import re
import threading
from collections import OrderedDict

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401 - the Session events below; not loaded by sa alone
from flask import current_app, g, has_app_context, has_request_context

log = logging.getLogger("portal")

_TARGET = re.compile(r'\s*(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from)\s+"?(\w+)"?',
                     re.IGNORECASE)
_DML = re.compile(r"\b(insert|update|delete|merge)\b", re.IGNORECASE)
EVERY_TABLE = "*"
MEMO_SIZE = 20_000
_thread = threading.local()


def written_table(statement):
    """The table a statement writes, EVERY_TABLE when it writes one it does not name, None
    when it only reads."""
    head = statement.lstrip()[:12].lower()
    if head.startswith(("insert", "update", "delete")):
        found = _TARGET.match(statement)
        return found.group(1).lower() if found else EVERY_TABLE
    if head.startswith("with") and _DML.search(statement):
        return EVERY_TABLE
    return None


# --- noticing writes --------------------------------------------------------------------------

# the tables a SELECT reads: every word of it, of which while_reading keeps the tables' names.
# Looking only after FROM and JOIN missed tables: SQLAlchemy writes a many-to-many load, and an
# EXISTS over one, as "FROM product, service_package_product", and a subquery's alias may come
# first ("FROM (SELECT ...) AS anon_1, branch"). A table's name that is not read here (a
# column of that name) costs a page that ends sooner, never one that is wrong.
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


def read_tables(statement):
    """The words of a statement that may name a table it reads, lower case."""
    return set(_WORD.findall(statement.lower()))


def _written_tables(statement):
    """Every table a statement writes; several statements in one string (psycopg runs them
    all, e.g. a script of DELETEs) each count."""
    parts = statement.split(";") if ";" in statement else (statement,)
    return {table for table in map(written_table, parts) if table is not None}


# --- columns no page shows, and tables shared out by a parent row ------------------------------

# Bookkeeping a sign-in writes on the person's row, which no kept page shows: an UPDATE that
# sets only these (and the row's version and stamp) counts as a write to "<table>.quiet", not
# to the table, so a sign-in does not end every page that names people. A statement that reads
# one of these columns reads "<table>.quiet" too (they are deferred in the model, so loading a
# person for their name does not).
QUIET_COLUMNS = {"user": frozenset({"last_login_at", "totp_last_step"})}
_ROW_STAMPS = frozenset({"version", "version_id", "updated_at"})
_SET = re.compile(r"\bset\s+(.*?)\s+where\b", re.IGNORECASE | re.DOTALL)

# Tables whose rows each belong to one parent row (an item's messages, a person's
# notifications). A write to one also counts as a write to the parent's share, "<table>#<id>",
# when it is an INSERT whose parameters name the parent, and to "<table>#*" otherwise.
# A page about one parent (core/kept_pages.about) depends on that share instead of the table.
PARTITIONS = {
    "feedback_comment": "item_id", "feedback_event": "item_id", "feedback_note": "item_id",
    "feedback_attachment": "item_id", "feedback_endorsement": "item_id",
    "feedback_response": "item_id", "notification": "user_id",
}
ANY_SHARE = "*"


def quiet_name(table):
    return table + ".quiet"


def share_names(table, parent_id):
    """The counters a page about one parent depends on for this table."""
    return (f"{table}#{parent_id}", f"{table}#{ANY_SHARE}")


def _set_columns(statement):
    found = _SET.search(statement)
    if not found:
        return None
    return {part.split("=", 1)[0].strip().strip('"').rsplit(".", 1)[-1].strip('"').lower()
            for part in found.group(1).split(",")}


def _quiet_update(table, statement):
    quiet = QUIET_COLUMNS.get(table)
    if not quiet or not statement.lstrip()[:6].lower() == "update":
        return False
    columns = _set_columns(statement)
    return bool(columns) and bool(columns & quiet) and columns <= quiet | _ROW_STAMPS


def _shares(table, parameters):
    """The parent shares a write to a partitioned table touches (ANY_SHARE when unknown)."""
    column = PARTITIONS[table]
    rows = parameters if isinstance(parameters, list | tuple) else [parameters]
    ids = set()
    for row in rows:
        if not isinstance(row, dict):
            return {f"{table}#{ANY_SHARE}"}
        # one row's parameters, or a multi-row INSERT's (item_id__0, item_id__1, ...)
        found = [v for k, v in row.items() if k == column or k.startswith(column + "__")]
        if not found:
            return {f"{table}#{ANY_SHARE}"}
        ids.update(found)
    return {f"{table}#{parent}" for parent in ids}


def _publishable(statement, parameters):
    """What a write counts as: its tables (quiet columns apart) and the shares it touched."""
    names = set()
    for table in _written_tables(statement):
        if _quiet_update(table, statement):
            names.add(quiet_name(table))
            continue
        names.add(table)
        if table in PARTITIONS:
            # only an INSERT says whose share it writes: an UPDATE may move a row from one
            # parent to another, a DELETE names rows, not parents
            inserts = statement.lstrip()[:6].lower() == "insert"
            names |= _shares(table, parameters) if inserts else {f"{table}#{ANY_SHARE}"}
    return names


def writes(statement):
    """Whether a statement (or a script of several) writes to any table."""
    return bool(_written_tables(statement))


def _on_statement(conn, cursor, statement, parameters, context, executemany):
    if writes(statement):
        # the parameters by name, whatever the driver's style (SQLite's are positional)
        named = getattr(context, "compiled_parameters", None) or parameters
        _pending_tables().update(_publishable(statement, named))
        return
    reading = getattr(_thread, "reading", None)
    if reading is not None:
        tables = read_tables(statement)
        reading.update(tables)
        for table, columns in QUIET_COLUMNS.items():
            if table in tables and any(column in statement for column in columns):
                reading.add(quiet_name(table))


def note_write(statement, parameters=None):
    """Count a write sent past SQLAlchemy (on the driver's own connection, e.g. psycopg's
    pipeline) as one of this transaction's: published when it commits, like the others."""
    _pending_tables().update(_publishable(statement, parameters or {}))


def _pending_tables():
    tables = getattr(_thread, "writing", None)
    if tables is None:
        tables = _thread.writing = set()
    return tables


def _on_commit(conn):
    # the engine's event comes just before the COMMIT reaches the database: the counters are
    # incremented after it (the session's after_commit, or the end of the request for a bare
    # connection), so that no worker reads a new counter and then the old rows
    written = getattr(_thread, "writing", None)
    if written:
        _thread.writing = set()
        _committed_tables().update(written)


def _committed_tables():
    tables = getattr(_thread, "committed", None)
    if tables is None:
        tables = _thread.committed = set()
    return tables


def _on_rollback(conn):
    _thread.writing = set()


sa.event.listen(sa.engine.Engine, "before_cursor_execute", _on_statement)
sa.event.listen(sa.engine.Engine, "commit", _on_commit)
sa.event.listen(sa.engine.Engine, "rollback", _on_rollback)
sa.event.listen(sa.orm.Session, "after_commit", lambda _session: _publish())


def _publish():
    """Increment the counters of the tables written by the commit that just ended."""
    tables = getattr(_thread, "committed", None)
    store = _store()
    if not tables or store is None:
        return
    if store.increment(tables):
        _thread.committed = set()
        # counters this request read before its own commit are out of date now
        g.pop("data_versions", None)
    # else Redis did not answer: the tables stay pending and are published at the next commit
    # or request of this process; meanwhile nothing is memoised (see current())


def written_in_this_request(tables):
    pending = getattr(_thread, "writing", None) or set()
    unpublished = getattr(_thread, "committed", None) or set()
    touched = pending | unpublished
    return EVERY_TABLE in touched or not touched.isdisjoint(tables)


# --- the counters -------------------------------------------------------------------------------

class RedisVersions:
    def __init__(self, url, prefix):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.errors = redis.RedisError
        self.prefix = prefix + "version:"

    def increment(self, tables):
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                for table in tables:
                    pipe.incr(self.prefix + table)
                pipe.execute()
        except self.errors:
            log.warning("data versions not published: Redis did not answer")
            return False
        return True

    def read(self, tables, beside=None):
        """The counters of these tables (and of EVERY_TABLE), or None if Redis is away. With
        `beside` (a key), (counters, that key's value), read in the same round trip."""
        names = [self.prefix + t for t in (*tables, EVERY_TABLE)]
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                pipe.mget(names)
                if beside is not None:
                    pipe.get(beside)
                answers = pipe.execute()
        except self.errors:
            return None if beside is None else (None, None)
        values = tuple(int(v or 0) for v in answers[0])
        return values if beside is None else (values, answers[1])


def _store():
    if not has_app_context():
        return None
    return current_app.extensions.get("data_versions")


def current(tables):
    """The counters of these tables as a tuple, read once per request; None: do not memoise."""
    store = _store()
    if store is None or not has_request_context() or written_in_this_request(tables):
        return None
    counters = g.get("data_versions")
    if counters is None:
        # every table's counter in one round trip, once per request, rather than one round
        # trip per set of tables asked for (a page asks for five to ten sets)
        counters = _read_every_counter(store)
    if not counters:
        return None  # Redis did not answer: keep nothing
    key = tuple(sorted(tables))
    missing = [t for t in key if t not in counters]
    if missing:  # a table the models do not name: asked for on its own
        values = store.read(missing)
        if values is None:
            return None
        counters.update(zip(missing, values[:-1], strict=True))
    return (*(counters[t] for t in key), counters[EVERY_TABLE])


def _read_every_counter(store, beside=None):
    every = _every_table()
    values = store.read(every, beside)
    if beside is not None:
        values, found = values
    counters = g.data_versions = {} if values is None else dict(
        zip((*every, EVERY_TABLE), values, strict=True))
    return counters if beside is None else (counters, found)


def read_beside_counters(key):
    """The value of one Redis key (unprefixed), read in the same round trip as this request's
    counters when they have not been read yet (a kept page and the versions it is checked
    against); None when absent or Redis is away."""
    store = _store()
    if store is None or not has_request_context():
        return None
    if g.get("data_versions") is None:
        return _read_every_counter(store, beside=key)[1]
    try:
        return store.redis.get(key)
    except store.errors:
        return None


def keep_beside_counters(key, value, seconds):
    """Store a value in the counters' Redis for `seconds` (a kept page); Redis away: nothing."""
    store = _store()
    if store is None:
        return
    try:
        store.redis.set(key, value, ex=seconds)
    except store.errors:
        pass


# --- the memo -----------------------------------------------------------------------------------

_memo = OrderedDict()
_memo_lock = threading.Lock()


def note_read(tables):
    """Tell a remembered_as_read() that is computing that its answer depends on these tables:
    an answer taken from a memo (a person's scopes) sends no statement that would name them,
    and without this a change to a portfolio would not end a home panel built on it."""
    reading = getattr(_thread, "reading", None)
    if reading is not None:
        reading.update(tables)


def remembered(name, tables, key, compute):
    """compute() memoised in this process under the versions of the tables it reads.

    name and key say what is computed and for whom (e.g. "scopes", user id); tables are every
    table the answer depends on. Returns what compute() returns, which must not be mutated.
    """
    note_read(tables)
    versions = current(tables)
    if versions is None:
        return compute()
    full_key = (name, key, versions)
    with _memo_lock:
        if full_key in _memo:
            _memo.move_to_end(full_key)
            return _memo[full_key]
    value = compute()
    with _memo_lock:
        _memo[full_key] = value
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return value


def remembered_as_read(name, key, compute):
    """compute() memoised in this process under the versions of the tables its statements
    actually read: found while it runs rather than listed by hand, for an answer that reads
    many areas' tables (a person's next steps). The counters of every table are read before
    computing (one round trip), so a write committed while it ran ends it at the next request.
    Returns what compute() returns, which must not be mutated."""
    if _store() is None or not has_request_context():
        return compute()
    full_key = (name, key)
    with _memo_lock:
        entry = _memo.get(full_key)
    if entry is not None:
        tables, seen, value = entry
        if current(tables) == seen:
            note_read(tables)
            return value
    value, tables, seen = while_reading(compute)
    if seen is not None:
        with _memo_lock:
            _memo[full_key] = (tables, seen, value)
            _memo.move_to_end(full_key)
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    return value


def while_reading(compute, also=()):
    """(compute(), the tables it read with `also`, their versions as they were before it ran).

    The versions are None when they cannot be known (no Redis): keep nothing then. Nested
    calls (a memo computed while a page renders) each see their own tables, and the outer one
    sees the inner one's too."""
    every = _every_table()
    before = current(every)
    outer = getattr(_thread, "reading", None)
    reads = _thread.reading = set(also)
    try:
        value = compute()
    finally:
        _thread.reading = outer
        if outer is not None:
            outer.update(reads)
    if before is None:
        return value, (), None
    counters = dict(zip((*every, EVERY_TABLE), before, strict=True))
    tables = tuple(sorted(reads & counters.keys()))
    return value, tables, tuple(counters[t] for t in tables) + (counters[EVERY_TABLE],)


def _every_table():
    """Every table's counter, and the quiet columns' (a page may read them)."""
    from portal.extensions import db

    return tuple(sorted((*db.metadata.tables, *map(quiet_name, QUIET_COLUMNS))))


def forget_all():
    """Empty this process's memo (tests that change the database behind the portal's back)."""
    with _memo_lock:
        _memo.clear()


def init_app(app):
    url = app.config.get("DATA_VERSIONS_URL")
    if url and url.startswith("redis"):
        app.extensions["data_versions"] = RedisVersions(url, app.config["REDIS_PREFIX"])

    @app.before_request
    def _publish_left_over():
        if getattr(_thread, "committed", None):
            _publish()

    @app.teardown_appcontext
    def _publish_bare_commits(_exc):
        # a commit made on a bare connection (db.engine.begin()): no Session event follows it
        if getattr(_thread, "committed", None):
            _publish()
