"""In-process measurements of each key page against the bench database (Flask test client):
median time of five requests rendered and of a kept page sent again (portal/core/pagecache.py),
SQL statements per request, bytes sent, whether the portal compresses, and the first view
(page + the static files it links) with and without gzip.

    python -m bench.inprocess bench/results/context.json bench/results/inprocess.json
"""
import gzip
import json
import os
import re
import statistics
import sys
import time
from urllib.parse import urlsplit

import sqlalchemy as sa

ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


class QueryCounter:
    """Counts statements sent to the database (SQLAlchemy before_cursor_execute)."""

    def __init__(self, engine):
        self.count = 0
        self.statements = []
        sa.event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self.statements.append(statement)

    def reset(self):
        self.count = 0
        self.statements = []


def gz_size(data):
    return len(gzip.compress(data, compresslevel=6))


def login_client(app, user_id_by_role, role):
    from portal.accounts.models import User
    from portal.extensions import db

    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, user_id_by_role[role])
        ident = user.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = ident
        session["_fresh"] = True
    return client


def first_view(client, html):
    """The static files the page links and what they weigh, raw and gzipped."""
    assets, external = [], []
    for url in sorted(set(ASSET.findall(html))):
        parts = urlsplit(url.replace("&amp;", "&"))
        if parts.netloc:
            external.append(url)
            continue
        if not parts.path.startswith("/static/"):
            continue
        response = client.get(parts.path + ("?" + parts.query if parts.query else ""))
        body = response.get_data()
        assets.append({"url": parts.path, "status": response.status_code, "bytes": len(body),
                       "gzip_bytes": gz_size(body),
                       "cache_control": response.headers.get("Cache-Control", "")})
        response.close()
    return assets, external


def timed(client, path, repeat=5):
    """Median wall time of `repeat` requests, in ms (the machine may be shared: a median)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path, headers={"Accept-Encoding": "gzip"}).close()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def measure(ctx, pages):
    from portal import create_app
    from portal.accounts.models import User
    from portal.extensions import db

    # rendering is measured without kept pages; sending a kept page again, with them
    app = create_app({"RATELIMIT_STORAGE_URI": "memory://", "PAGE_CACHE_URL": ""})
    kept_app = create_app({"RATELIMIT_STORAGE_URI": "memory://",
                           "PAGE_CACHE_URL": os.environ.get("BENCH_REDIS_URL",
                                                            "redis://127.0.0.1:6379/15"),
                           "PAGE_CACHE_PREFIX": "bench-inprocess:"})
    with app.app_context():
        counter = QueryCounter(db.engine)
        ids = {role: db.session.scalar(sa.select(User.id).where(User.email == email))
               for role, email in ctx["login"].items()}
    results = {}
    clients, kept_clients = {}, {}
    for page in pages:
        role = page["role"]
        client = clients.get(role) or clients.setdefault(role, login_client(app, ids, role))
        kept = kept_clients.get(role) or kept_clients.setdefault(
            role, login_client(kept_app, ids, role))
        kept.get(page["path"])  # renders it and keeps it
        client.get(page["path"])  # warm caches (templates, asset hashes)
        counter.reset()
        response = client.get(page["path"], headers={"Accept-Encoding": "gzip, br"})
        body = response.get_data()
        queries, statements = counter.count, list(counter.statements)
        encoding = response.headers.get("Content-Encoding")
        raw = gzip.decompress(body) if encoding == "gzip" else body
        html = raw.decode("utf-8", "replace")
        assets, external = first_view(client, html)
        median_ms = timed(client, page["path"])
        kept_ms = timed(kept, page["path"], repeat=21)
        results[page["name"]] = {
            "median_ms": median_ms,
            "kept_median_ms": kept_ms,
            "status": response.status_code,
            "queries": queries,
            # the first few, shortened: enough to see what repeats, small enough to commit
            "statements": [" ".join(st.split())[:160] for st in statements[:20]],
            "content_encoding": encoding,
            "bytes_sent": len(body),
            "html_bytes": len(raw),
            "html_gzip_bytes": gz_size(raw),
            "first_view_bytes_sent": len(body) + sum(a["bytes"] for a in assets),
            "first_view_gzip_bytes": gz_size(raw) + sum(a["gzip_bytes"] for a in assets),
            "assets": assets,
            "external_requests": external,
        }
        print(f"  {page['name']:<50} {response.status_code} {median_ms:7.1f} ms "
              f"(kept {kept_ms:4.1f} ms) "
              f"{queries:>4} queries "
              f"{len(raw) / 1024:7.1f} KB html, {gz_size(raw) / 1024:6.1f} KB gzipped, "
              f"Content-Encoding: {encoding or 'none'}", flush=True)
    return results


def main(argv=None):
    from bench.pages import pages_for

    argv = argv or sys.argv[1:]
    with open(argv[0]) as fh:
        ctx = json.load(fh)
    pages, _skipped = pages_for(ctx)
    results = measure(ctx, pages)
    with open(argv[1], "w") as fh:
        json.dump(results, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
