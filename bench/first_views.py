"""First views: what a page costs the first time each person opens it in a worker (issue 19).

    python -m bench.first_views [--people 12] [--only "home|item"]

The mix (bench/mix.py) sends 119 people to 526 pages over four workers for 20 seconds: most
requests are the first of that person, or of that page, in that worker, so what is kept per
process (a person's scopes, next steps, panels) is mostly not yet there. bench/profile_pages.py
measures one person reloading one page (warm); this measures, in process on the bench data
set (PORTAL_DATABASE_URL, default the portal_bench_mix database, data versions on), for each
key page and role: one person opens it to warm what is shared, then --people other people of
that role open it once each (cold for them: median and 90th percentile), then again (warm).
Item pages: each person opens three different public items.
"""
import argparse
import os
import random
import re
import statistics
import sys
import time

import sqlalchemy as sa

DEFAULT_DSN = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_mix"

# (name, role, path or a function of the random generator and the public item ids)
PAGES = [
    ("home", "union_director", "/"),
    ("home", "relationship_manager", "/"),
    ("home", "branch_staff", "/"),
    ("home", "ministry_official", "/"),
    ("organisation list", "union_director", "/organisations/"),
    ("organisation list", "relationship_manager", "/organisations/"),
    ("feedback item", "union_director", "item"),
    ("feedback item", "relationship_manager", "item"),
    ("feedback list", "union_director", "/feedback/"),
    ("meetings list", "union_director", "/meetings/"),
    ("products list", "union_director", "/products/"),
    ("turnover dashboard", "ministry_official", "/turnover/"),
]


def _people(conn, role, count):
    return conn.execute(sa.text(
        'SELECT u.id FROM "user" u JOIN membership m ON m.user_id = u.id WHERE m.role = :role '
        "ORDER BY u.id LIMIT :n"), {"role": role, "n": count}).scalars().all()


def _paths(path, items, rng):
    return [f"/feedback/{i}" for i in rng.sample(items, 3)] if path == "item" else [path]


def _timed(client, paths):
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    return times


def measure(people, only=None):
    from bench.profile_pages import sign_in_client
    from portal import create_app
    from portal.extensions import db

    app = create_app({"RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        conn = db.session.connection()
        items = conn.execute(sa.text("SELECT id FROM feedback_item WHERE visibility = 'public' "
                                     "ORDER BY id DESC LIMIT 300")).scalars().all()
        ids = {role: _people(conn, role, people + 1) for role in {p[1] for p in PAGES}}
    rng = random.Random(19)  # noqa: S311 - which items a person opens, reproducibly
    rows = []
    for name, role, path in PAGES:
        label = f"{name} ({role})"
        if only and not re.search(only, label):
            continue
        clients = [sign_in_client(app, person) for person in ids[role]]
        _timed(clients[0], _paths(path, items, rng))  # what is shared across people: warm
        visits = [(client, _paths(path, items, rng)) for client in clients[1:]]
        cold = [t for client, paths in visits for t in _timed(client, paths)]
        warm = [t for client, paths in visits for t in _timed(client, paths)]
        rows.append((label, len(cold), statistics.median(cold),
                     sorted(cold)[int(len(cold) * 0.9)], statistics.median(warm)))
        print(f"  {label}: first view {rows[-1][2]:.1f} ms", file=sys.stderr)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=12)
    parser.add_argument("--only", default=None, help="a regular expression on page names")
    args = parser.parse_args(argv)
    os.environ.setdefault("PORTAL_DATABASE_URL", DEFAULT_DSN)
    os.environ.setdefault("PORTAL_DATA_VERSIONS_URL", "redis://127.0.0.1:6379/13")
    # a prefix of its own: pages kept by an earlier run (core/kept_pages) are not first views
    os.environ.setdefault("PORTAL_REDIS_PREFIX", f"first-views-{os.urandom(4).hex()}:")
    load_before = os.getloadavg()[0]
    rows = measure(args.people, args.only)
    print(f"\nIn process, ms per request; load average (1 min) {load_before:.2f} → "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs.\n")
    print("| page | views | first view, median | first view, p90 | again, median |")
    print("|---|---|---|---|---|")
    for label, count, median, p90, warm in rows:
        print(f"| {label} | {count} | {median:.1f} | {p90:.1f} | {warm:.1f} |")


if __name__ == "__main__":
    main()
