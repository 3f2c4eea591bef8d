"""Profile: where the time of a rendered page goes, per key page of every role (issue 19).

    python -m bench.profile_pages --context bench/results/context.json [--repeat 5]
    python -m bench.profile_pages ... --markdown       # the table of bench/README.md

In process (Flask test client: every request renders), on the bench data
set in PostgreSQL (PORTAL_DATABASE_URL, default the portal_bench_mix database), signed in as
one person of the page's role. Each page is requested once to warm the process, then
`--repeat` times under pyinstrument (sampling every 0.2 ms) and SQLAlchemy's cursor events.

Columns, in ms per request (medians of wall time; the rest averaged over the repeats):

- total: the request's wall time in the test client (median);
- SQL n / SQL ms: statements sent and the time inside cursor.execute (driver, network and
  PostgreSQL), from before/after_cursor_execute; "tpl" the statements issued while a
  template was rendering (lazy loads and per-row helpers reaching the database);
- then every sample of the profile goes to exactly one bucket, by the innermost frame that
  belongs to one: db driver (psycopg), SQLAlchemy (ORM loading, statement compilation,
  result rows), Jinja (templates and markupsafe), i18n (Babel, flask_babel, portal/i18n,
  calendars), compress (gzip/zlib, Flask-Compress), Flask/forms (flask, werkzeug,
  flask_login, WTForms, itsdangerous), portal (the portal's own Python), other;
- and inclusive spans that overlap the buckets: perms (under any permissions module:
  visible_* scopes, can_* checks, with their SQL), user (loading the signed-in person and
  their memberships, Flask-Login's loader), render (under render_template).
"""
import argparse
import gc
import json
import os
import re
import statistics
import sys
import time
from collections import Counter, defaultdict

import sqlalchemy as sa

DEFAULT_DSN = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_mix"
BUCKETS = ("driver", "sqlalchemy", "jinja", "i18n", "compress", "flask", "portal", "other")
RULES = (  # (bucket, substring of a frame's file path); checked in order for each frame
    ("driver", "/psycopg"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("jinja", "/jinja2/"), ("jinja", "/markupsafe/"), ("jinja", ".html"),
    ("i18n", "/babel/"), ("i18n", "/flask_babel/"), ("i18n", "/portal/i18n/"),
    ("i18n", "/jdatetime/"), ("i18n", "/zoneinfo/"), ("i18n", "/pytz/"),
    ("compress", "/flask_compress/"), ("compress", "/gzip.py"), ("compress", "zlib"),
    ("flask", "/flask/"), ("flask", "/werkzeug/"), ("flask", "/flask_login/"),
    ("flask", "/flask_wtf/"), ("flask", "/wtforms/"), ("flask", "/itsdangerous/"),
    ("flask", "/flask_limiter/"), ("flask", "/limits/"), ("flask", "/flask_sqlalchemy/"),
    ("portal", "/portal/"),
)
SPANS = {
    "perms": lambda f: f.file_path and (f.file_path.endswith("permissions.py")
                                         or "/permissions/" in f.file_path),
    "user": lambda f: f.function in ("load_session_user", "_load_user", "reload_user"),
    "render": lambda f: f.function == "render_template" and "flask" in (f.file_path or ""),
}

# the key pages of issue 19, beyond bench/pages.py: lists and forms the mix showed to be costly
EXTRA_PAGES = [
    ("feedback queue (relationship_manager)", "relationship_manager",
     lambda ctx: "/feedback/queue"),
    ("meetings list (union_director)", "union_director", lambda ctx: "/meetings/"),
    ("products list (union_director)", "union_director", lambda ctx: "/products/"),
    ("branches list (branch_staff)", "branch_staff", lambda ctx: "/branches/"),
    ("delivery form (branch_staff)", "branch_staff", lambda ctx: ctx.get("delivery_edit")),
    ("indicators index (relationship_manager)", "relationship_manager",
     lambda ctx: "/indicators/"),
    ("notifications (union_director)", "union_director", lambda ctx: "/notifications"),
]


class SQLClock:
    """Statements, their time, and which were sent while a template rendered."""

    def __init__(self, engine):
        self.reset()
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def reset(self):
        self.count, self.seconds, self.in_template = 0, 0.0, 0
        self.by_statement = defaultdict(lambda: [0, 0.0])

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - conn.info["bench_started"].pop()
        self.count += 1
        self.seconds += elapsed
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename.endswith(".html"):
                self.in_template += 1
                break
            frame = frame.f_back
        key = " ".join(statement.split())[:200]
        self.by_statement[key][0] += 1
        self.by_statement[key][1] += elapsed


class GCClock:
    """Time spent in Python's cyclic garbage collector (gc.callbacks)."""

    def __init__(self):
        self.reset()
        self._started = None
        gc.callbacks.append(self._callback)

    def reset(self):
        self.seconds = 0.0

    def _callback(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self._started = None


def classify(frame_path):
    for bucket, needle in RULES:
        if needle in frame_path:
            return bucket
    return None


def attribute(root):
    """Seconds per bucket (exclusive) and per span (inclusive), and hot portal functions."""
    buckets, spans, hot = Counter(), Counter(), Counter()

    def walk(frame, bucket, open_spans, portal_fn):
        path = frame.file_path or ""
        here = classify(path)
        bucket = here or bucket
        if "/portal/" in path or path.endswith(".html"):
            portal_fn = f"{_short(path)}:{frame.function}"
        entered = [name for name, test in SPANS.items()
                   if name not in open_spans and test(frame)]
        for name in entered:
            spans[name] += frame.time
        buckets[bucket or "other"] += frame.total_self_time
        if portal_fn:
            hot[portal_fn] += frame.total_self_time
        for child in frame.children:
            if not child.is_synthetic:  # "[self]" time is in total_self_time already
                walk(child, bucket, open_spans | set(entered), portal_fn)

    if root is not None:
        walk(root, None, frozenset(), None)
    return buckets, spans, hot


def _short(path):
    for marker in ("/portal/", "/templates/"):
        if marker in path:
            return "portal/" + path.split("/portal/", 1)[1] if marker == "/portal/" else path
    return path


def sign_in_client(app, user_id):
    """A test client whose session is a signed-in one (as the sign-in leaves it)."""
    from portal.accounts.models import User
    from portal.core import sessions
    from portal.extensions import db

    client = app.test_client()
    with app.app_context():
        ident = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = ident
        session["_fresh"] = True
        session.permanent = True
        sessions.stamp(session)
    return client


def pages(ctx):
    from bench.pages import PAGES

    found = [(name, role, path(ctx)) for name, role, _area, path in PAGES]
    found += [(name, role, path(ctx)) for name, role, path in EXTRA_PAGES]
    return [p for p in found if p[2]]


def extend_context(ctx, engine):
    """Ids the extra pages need: a delivery of the branch of the first branch staff."""
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            'SELECT d.branch_id, d.id FROM "user" u JOIN membership m ON m.user_id = u.id '
            "JOIN branch b ON b.organisation_id = m.organisation_id "
            "JOIN service_delivery d ON d.branch_id = b.id WHERE u.email = :email "
            "ORDER BY d.id LIMIT 1"), {"email": ctx["login"]["branch_staff"]}).first()
    if row:
        ctx["delivery_edit"] = f"/branches/{row[0]}/deliveries/{row[1]}/edit"


def profile(ctx, repeat, only=None, interval=0.0002):
    from pyinstrument import Profiler

    from portal import create_app
    from portal.accounts.models import User
    from portal.extensions import db

    app = create_app({"RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        clock = SQLClock(db.engine)
        gc_clock = GCClock()
        extend_context(ctx, db.engine)
        ids = {role: db.session.scalar(sa.select(User.id).where(User.email == email))
               for role, email in ctx["login"].items()}
    clients, results = {}, []
    for name, role, path in pages(ctx):
        if only and not re.search(only, name):
            continue
        client = clients.get(role) or clients.setdefault(role, sign_in_client(app, ids[role]))
        headers = {"Accept-Encoding": "gzip"}
        warm = client.get(path, headers=headers)
        status, size = warm.status_code, len(warm.get_data())
        warm.close()
        # first without the profiler: the wall time, the statements and the collector
        clock.reset()
        gc_clock.reset()
        walls = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path, headers=headers).close()
            walls.append((time.perf_counter() - started) * 1000)
        sql_count, sql_seconds, in_template = clock.count, clock.seconds, clock.in_template
        top_sql = [(st, tuple(nt)) for st, nt in  # a copy: the profiled pass counts on
                   sorted(clock.by_statement.items(), key=lambda kv: -kv[1][1])[:5]]
        gc_seconds = gc_clock.seconds
        # then under it: the shares of each bucket, scaled to the unprofiled wall time
        profiler = Profiler(interval=interval, async_mode="disabled")
        profiler.start()
        for _ in range(repeat):
            client.get(path, headers=headers).close()
        session = profiler.stop()
        root = session.root_frame()
        buckets, spans, hot = attribute(root)
        total = statistics.median(walls)
        scale = total / (root.time * 1000 / repeat) if root is not None and root.time else 0
        per = 1000 / repeat * scale
        results.append({
            "page": name, "role": role, "path": path, "status": status, "bytes_sent": size,
            "total_ms": round(total, 1),
            "sql_count": round(sql_count / repeat, 1),
            "sql_ms": round(sql_seconds * 1000 / repeat, 1),
            "sql_in_templates": round(in_template / repeat, 1),
            "gc_ms": round(gc_seconds * 1000 / repeat, 1),
            "buckets_ms": {b: round(buckets.get(b, 0) * per, 1) for b in BUCKETS},
            "spans_ms": {s: round(spans.get(s, 0) * per, 1) for s in SPANS},
            "hot_portal": [(fn, round(t * per, 1)) for fn, t in hot.most_common(8)],
            "top_sql": [(st, round(n / repeat, 1), round(t * 1000 / repeat, 1))
                        for st, (n, t) in top_sql],
        })
        print(f"  {name}: {results[-1]['total_ms']} ms", file=sys.stderr, flush=True)
    return results


def table(results, load):
    cols = ("page", "total", "SQL n", "tpl", "SQL ms", "driver", "SQLA", "Jinja", "i18n",
            "gzip", "Flask", "portal", "other", "perms", "user", "render", "gc")
    out = [f"Rendered in process, ms per request; load average (1 min) {load} on "
           f"{os.cpu_count()} CPUs (shared machine).", "",
           "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        b, s = r["buckets_ms"], r["spans_ms"]
        flag = "" if r["status"] == 200 else f" ({r['status']})"
        out.append("| " + " | ".join(str(v) for v in (
            r["page"] + flag, r["total_ms"], r["sql_count"], r["sql_in_templates"],
            r["sql_ms"], b["driver"], b["sqlalchemy"], b["jinja"], b["i18n"], b["compress"],
            b["flask"], b["portal"], b["other"], s["perms"], s["user"], s["render"],
            r["gc_ms"])) + " |")
    return "\n".join(out)


def details(results):
    out = []
    for r in results:
        out.append(f"\n{r['page']} ({r['path']}): {r['total_ms']} ms, {r['sql_count']} "
                   f"statements, {r['sql_ms']} ms in SQL")
        for fn, ms in r["hot_portal"]:
            out.append(f"   {ms:7.1f} ms  under {fn} (innermost portal frame or template)")
        for st, n, ms in r["top_sql"]:
            out.append(f"   {ms:7.1f} ms  {n:g}x  {st[:150]}")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--context", default="bench/results/context.json")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default=None, help="a regular expression on page names")
    parser.add_argument("--json", default=None, help="also write the figures here")
    parser.add_argument("--markdown", action="store_true", help="the table only")
    args = parser.parse_args(argv)
    os.environ.setdefault("PORTAL_DATABASE_URL", DEFAULT_DSN)
    os.environ.pop("PORTAL_AREAS", None)
    with open(args.context) as fh:
        ctx = json.load(fh)
    before = round(os.getloadavg()[0], 2)
    results = profile(ctx, args.repeat, args.only)
    load = f"{before} → {round(os.getloadavg()[0], 2)}"
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"load": load, "pages": results}, fh, ensure_ascii=False, indent=1)
    print(table(results, load))
    if not args.markdown:
        print(details(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
