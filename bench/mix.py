"""The mix of issue 19: many signed-in people of every role opening the pages their own pages
link to, while someone commits changes through the portal's forms, beside bare Flask.

    python -m bench.mix                      # data set already loaded in portal_bench_mix
    python -m bench.mix --load-data          # drop, migrate and fill the database first

What it does, every step bounded and on 127.0.0.1 only:

1. (--load-data) drops and creates the database (never portal, portal_test, portal_e2e),
   migrates it and fills it with bench/data.py (timed);
2. picks the people: --people of every role in the shares of ROLE_SHARES (seeded), plus
   writers; gives each an authenticator app (a TOTP secret written to the bench database, as
   if they had enrolled before: four of the five roles must use a second factor);
3. starts the portal as production runs it (gunicorn, --workers sync workers, gunicorn.conf.py
   from the project root, PORTAL_REDIS_URL for the rate limits and the data versions) and
   bench/hello.py (bare Flask), with the same gunicorn settings;
4. signs every person in through the real forms (password, then the six digits of the app,
   CSRF token and all), follows the redirect to their home page, and from there walks the
   links of their own pages, breadth first, to at most --pages-per-person distinct pages
   that answer 200 HTML (no exports, files, feeds or sign-out); timed;
5. writes the (cookie, path) pairs to a file and drives wrk (bench/wrk_mix.lua picks a pair
   at random per request) with --connections connections for --duration seconds, while a
   writer thread commits a change through the portal's forms at each rate of --rates
   (an internal note by a relationship manager, a message in an item's discussion by a
   union director: both POST the form with its CSRF token and expect the redirect that
   follows a commit); bare Flask gets the same wrk settings and the same script;
6. does it --runs times back to back and prints the table; writes --results (JSON).

Load average (os.getloadavg) is recorded before each measurement: the machine may be shared.
"""
import argparse
import http.client
import json
import math
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from html import unescape
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import pyotp

from bench.data import PASSWORD

HERE = Path(__file__).parent
USER_AGENT = "bench-mix/1.0"
ROOT = HERE.parent
FORBIDDEN_DATABASES = {"portal", "portal_test", "portal_e2e"}
# who is signed in at once, by role: union directors are most of the people (19,045 of the
# data set's 20,000 accounts) but the bank's staff use the portal all day; every role is
# present and the rarest (5 administrators in the data set) is there whole
ROLE_SHARES = {"union_director": 0.5, "branch_staff": 0.2, "relationship_manager": 0.15,
               "ministry_official": 0.1, "administrator": 0.05}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"', re.IGNORECASE)
FORM = re.compile(r'<form\b[^>]*\baction="(/feedback/\d+/(?:note|discussion))"', re.IGNORECASE)
# links a reader follows but that are not pages: files, exports, feeds, signing out,
# changing the language (a POST anyway), the sign-in pages
SKIP = re.compile(r"logout|/login|/static/|/export|download|\.(csv|xlsx|ics|pdf|json|svg|png)"
                  r"\b|/attachments/|/files?/|/feed/|/api/|/unsubscribe|/language|"
                  r"two-factor|/account/confirm|/print", re.IGNORECASE)


# --- HTTP as a browser does it -----------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: a cookie jar, no automatic redirects, bounded timeouts."""

    def __init__(self, base):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect)
        # one browser, one agent: wrk_mix.lua sends the same (Flask-Login compares it)
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def open(self, path, data=None, timeout=60):
        """(status, headers, text)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=timeout) as response:
                return response.status, response.headers, response.read().decode("utf-8",
                                                                                  "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode("utf-8", "replace")

    def cookie(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def _location(headers):
    return urllib.parse.urlsplit(headers.get("Location", "")).path


def sign_in(browser, email, secret):
    """The real forms: password, then the app's code; returns the home page's HTML."""
    status, _, html = browser.open("/login")
    token = CSRF.search(html).group(1)
    status, headers, _ = browser.open("/login", {"csrf_token": token, "email": email,
                                                 "password": PASSWORD})
    if status != 302 or _location(headers) != "/login/code":
        raise RuntimeError(f"{email}: password step answered {status} {_location(headers)}")
    for _attempt in range(3):
        status, _, html = browser.open("/login/code")
        token = CSRF.search(html).group(1)
        status, headers, _ = browser.open("/login/code", {"csrf_token": token,
                                                          "code": pyotp.TOTP(secret).now()})
        if status == 302:
            break
        time.sleep(1)  # the 30-second step turned between the two requests: the next code
    else:
        raise RuntimeError(f"{email}: code step answered {status}")
    status, _, html = browser.open(_location(headers) or "/")
    if status != 200:
        raise RuntimeError(f"{email}: home answered {status}")
    return html


def links(html):
    """Same-site page links of a page, in order, without fragments."""
    found = []
    for href in LINK.findall(html):
        href = unescape(href).split("#", 1)[0]
        if not href.startswith("/") or href.startswith("//") or SKIP.search(href):
            continue
        found.append(href)
    return list(dict.fromkeys(found))


def crawl(browser, home_html, limit, rng, max_fetches):
    """Breadth first from the home page: the distinct pages (path -> html) that answer 200
    HTML, at most `limit` of them and `max_fetches` requests."""
    pages = {"/": home_html}
    frontier, seen, fetches = [links(home_html)], {"/"}, 0
    while frontier and len(pages) < limit and fetches < max_fetches:
        level = frontier.pop(0)
        rng.shuffle(level)
        following = []
        for path in level:
            if len(pages) >= limit or fetches >= max_fetches:
                break
            if path in seen:
                continue
            seen.add(path)
            fetches += 1
            status, headers, html = browser.open(path)
            if status == 200 and headers.get_content_type() == "text/html":
                pages[path] = html
                following += links(html)
        if following:
            frontier.append(following)
    return pages


# --- people ------------------------------------------------------------------------------------

def quotas(people):
    """How many of each role for `people` readers, every role at least one."""
    return {role: max(1, round(people * share)) for role, share in ROLE_SHARES.items()}


def choose_people(dsn, wanted, writers, rng):
    """{role: [(user id, email)]} for the readers, and the writers apart from them."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute('SELECT m.role, u.id, u.email FROM "user" u JOIN membership m '
                            "ON m.user_id = u.id WHERE u.is_active ORDER BY u.id").fetchall()
    by_role = {}
    for role, uid, email in rows:
        by_role.setdefault(role, []).append((uid, email))
    readers, writing = {}, []
    for role, count in wanted.items():
        pool = by_role.get(role, [])
        picked = rng.sample(pool, min(len(pool), count + writers.get(role, 0)))
        writing += [(role, *p) for p in picked[count:]]
        readers[role] = picked[:count]
    return readers, writing


def give_authenticators(dsn, user_ids):
    """A TOTP secret per person, on as if they had enrolled before (bench database only)."""
    secrets_by_id = {uid: pyotp.random_base32() for uid in user_ids}
    with psycopg.connect(dsn) as conn:
        with conn.cursor() as cur:
            cur.executemany('UPDATE "user" SET totp_secret = %s, two_factor_since = now(), '
                            "totp_last_step = NULL WHERE id = %s",
                            [(s, uid) for uid, s in secrets_by_id.items()])
        conn.commit()
    return secrets_by_id


# --- servers -----------------------------------------------------------------------------------

class Servers:
    """gunicorn masters started here, each in its own process group, stopped on exit."""

    def __init__(self, logs):
        self.logs = logs
        self.procs = []

    def start(self, name, port, app, env, workers):
        cmd = [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(workers), "--worker-class",
               "sync", "--no-control-socket", "--bind", f"127.0.0.1:{port}",
               "--access-logfile", str(self.logs / f"{name}.access.log"), app]
        err = open(self.logs / f"{name}.err", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=err, stderr=err,  # noqa: S603
                                start_new_session=True)
        self.procs.append((proc, err))
        return proc

    def stop(self):
        for proc, _err in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, err in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            err.close()
        self.procs = []


def wait_answering(url, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 - loopback
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"not answering: {url}")


def wait_idle(base, limit=120):
    """Until what wrk left queued is done: /healthz answers at once, twice in a row."""
    deadline, quick = time.monotonic() + limit, 0
    while quick < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).read()  # noqa: S310
        except urllib.error.HTTPError:
            pass  # an answer all the same (bare Flask has no /healthz): the server is free
        except OSError:
            quick = 0
            time.sleep(0.2)
            continue
        quick = quick + 1 if time.monotonic() - started < 0.02 else 0
        time.sleep(0.2)


# --- the writer --------------------------------------------------------------------------------

def find_write(browser, pages, rng, max_fetches=40, first=()):
    """A form this writer may send on one of their item pages: (action, csrf token). `first`:
    item pages to try before their own, in that order (--write-where-read)."""
    candidates = [p for p in pages if re.fullmatch(r"/feedback/\d+", p)]
    status, _, html = browser.open("/feedback/")
    if status == 200:
        candidates += [p for p in links(html) if re.fullmatch(r"/feedback/\d+", p)]
    rng.shuffle(candidates)
    candidates = list(dict.fromkeys([*first, *candidates]))
    for path in candidates[:max_fetches]:
        html = pages.get(path) or browser.open(path)[2]
        actions = FORM.findall(html)
        token = CSRF.search(html)
        if actions and token:
            # a note where there is one (bank staff), else the discussion
            notes = [a for a in actions if a.endswith("/note")]
            return (notes or actions)[0], token.group(1)
    return None


class Writer:
    """Commits a change through the portal's forms `rate` times a second (a fixed schedule;
    a write that takes longer than the interval delays the next ones, which then go at once)."""

    def __init__(self, base, writers, rate, duration):
        self.host, self.port = urllib.parse.urlsplit(base).netloc.split(":")
        self.writers = writers  # [(cookie, action, token)]
        self.rate, self.duration = rate, duration
        self.latencies, self.failures = [], Counter()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = []

    def _post(self, n, cookie, action, token):
        field = "body" if action.endswith("/note") else "comment-body"  # the forms' names
        body = urllib.parse.urlencode({"csrf_token": token,
                                       field: f"Bench note {n}: checked with the branch."})
        started = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        try:
            conn.request("POST", action, body=body, headers={
                "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": USER_AGENT,
                "Referer": f"http://{self.host}:{self.port}{action.rsplit('/', 1)[0]}"})
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError as exc:
            status = type(exc).__name__
        finally:
            conn.close()
        with self.lock:
            if status == 302:
                self.latencies.append((time.perf_counter() - started) * 1000)
            else:
                self.failures[str(status)] += 1

    def _loop(self, index, lanes, start):
        n = index
        while not self.stop.is_set():
            due = start + n / self.rate
            if due - start >= self.duration:
                return
            if self.stop.wait(max(0.0, due - time.monotonic())):
                return
            cookie, action, token = self.writers[n % len(self.writers)]
            self._post(n, cookie, action, token)
            n += lanes

    def __enter__(self):
        if self.rate > 0:
            # one lane per write a second (up to 10): people writing do not wait for each
            # other, so a slow write does not hold up the next ones
            lanes = min(10, max(1, math.ceil(self.rate)))
            start = time.monotonic()
            for i in range(lanes):
                thread = threading.Thread(target=self._loop, args=(i, lanes, start), daemon=True)
                thread.start()
                self.threads.append(thread)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=40)

    def summary(self):
        done = len(self.latencies)
        lat = sorted(self.latencies)
        return {"rate": self.rate, "committed": done, "failed": sum(self.failures.values()),
                "failures": dict(self.failures),
                "p50_ms": round(statistics.median(lat), 1) if lat else None,
                "p95_ms": round(lat[int(0.95 * (done - 1))], 1) if lat else None}


# --- wrk -----------------------------------------------------------------------------------------

def wrk(base, pairs_file, duration, connections, threads, seed):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
           "--latency", "-s", str(HERE / "wrk_mix.lua"), base, "--", str(pairs_file), str(seed)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60,  # noqa: S603
                         check=True).stdout
    figures = {k: int(v) for k, v in re.findall(r"^BENCH (\w+) (\d+)$", out, re.M)}
    return {"rps": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
            "requests": figures["requests"],
            "p50_ms": figures["p50"] / 1000, "p95_ms": figures["p95"] / 1000,
            "p99_ms": figures["p99"] / 1000,
            "errors": figures["non200"] + figures["socket_errors"] + figures["timeouts"],
            "non200": figures["non200"], "redirects": figures["redirects"],
            "server_errors": figures["server_errors"],
            "socket_errors": figures["socket_errors"], "timeouts": figures["timeouts"]}


def load_avg():
    return round(os.getloadavg()[0], 2)


# --- the whole run -------------------------------------------------------------------------------

def load_data(args, env, dsn):
    started = time.perf_counter()
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]
    subprocess.run(psql + ["-c", f'DROP DATABASE IF EXISTS "{args.database}"',  # noqa: S603
                           "-c", f'CREATE DATABASE "{args.database}"'],
                   check=True, timeout=120, capture_output=True)
    subprocess.run([str(ROOT / ".venv/bin/flask"), "db", "upgrade"], cwd=ROOT, env=env,  # noqa: S603
                   check=True, timeout=300, capture_output=True)
    migrated = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bench.data", dsn, "--context",  # noqa: S603
                    str(HERE / "results" / "context.json")], cwd=ROOT, env=env, check=True,
                   timeout=900)
    return {"migrate_s": round(migrated - started, 1),
            "data_s": round(time.perf_counter() - migrated, 1)}


def prepare_people(args, base, dsn, rng):
    """Sign everyone in and collect their pages; returns (pairs, writers, figures)."""
    wanted = quotas(args.people)
    readers, writing = choose_people(dsn, wanted, {"relationship_manager": args.writers,
                                                   "union_director": args.writers}, rng)
    everyone = [(role, uid, email) for role, people in readers.items()
                for uid, email in people]
    secret = give_authenticators(dsn, [uid for _, uid, _ in everyone + writing])

    def prepare(person):
        role, uid, email = person
        browser = Browser(base)
        home = sign_in(browser, email, secret[uid])
        pages = crawl(browser, home, args.pages_per_person, random.Random(uid),  # noqa: S311
                      args.pages_per_person * 3)
        return role, uid, browser, pages

    started = time.perf_counter()
    with ThreadPoolExecutor(args.prepare_threads) as pool:
        prepared = list(pool.map(prepare, everyone))
        writer_browsers = list(pool.map(prepare, writing))
    elapsed = time.perf_counter() - started
    pairs, per_role = [], Counter()
    for role, _uid, browser, pages in prepared:
        cookie = browser.cookie()
        pairs += [(cookie, path) for path in pages]
        per_role[role] += len(pages)
    writers = []
    # --write-where-read: the item pages the readers open most, each writer its own
    read_items = Counter(path for _, path in pairs if re.fullmatch(r"/feedback/\d+", path))
    hot = [path for path, _ in read_items.most_common()] if args.write_where_read else []
    for role, uid, browser, pages in writer_browsers:
        taken = {w[1].rsplit("/", 1)[0] for w in writers}
        found = find_write(browser, pages, random.Random(uid),  # noqa: S311
                           first=[p for p in hot if p not in taken])
        if found:
            writers.append((browser.cookie(), *found))
            print(f"  writer: {role} {uid} -> {found[0]}", flush=True)
    if not writers:
        raise RuntimeError("no writer found a form to send")
    paths = {path for _, path in pairs}
    kinds = Counter(re.sub(r"\d+", "N", path.split("?")[0]) for path in paths)
    figures = {"people": {r: len(p) for r, p in readers.items()},
               "pages_per_role": dict(per_role), "pairs": len(pairs),
               "distinct_paths": len(paths),
               "prepare_s": round(elapsed, 1), "page_kinds": kinds.most_common(25),
               "writers": [w[1] for w in writers]}
    return pairs, writers, figures


def forget_kept_answers(url):
    """The bench's own data versions only (its prefix), not the rest of that Redis database."""
    import redis

    store = redis.Redis.from_url(url, socket_timeout=2)
    for key in store.scan_iter("benchmix:*", count=1000):
        store.delete(key)


def portal_env(args, dsn_sqlalchemy):
    env = dict(os.environ)
    env.update({"PORTAL_DATABASE_URL": dsn_sqlalchemy,
                "PORTAL_SECRET_KEY": "bench-mix-secret-not-for-production",
                "PORTAL_REDIS_URL": args.redis, "PORTAL_REDIS_PREFIX": "benchmix:",
                "FLASK_APP": "portal:create_app"})
    env.pop("PORTAL_AREAS", None)  # every area, as production runs
    return env


LOG_LINE = re.compile(r'"message": "(GET|POST) (\S+) (\d+) ([\d.]+)ms(?: kept:(\w+))?"')


def server_times(log, offset):
    """Per kind of page (ids as N), from the portal's own request log written since `offset`:
    how many, median and p95 ms inside the worker, the share of all the workers' time, and
    how many were kept pages sent again (core/kept_pages: "hit")."""
    by_kind, hits = {}, Counter()
    with open(log, encoding="utf-8", errors="replace") as fh:
        fh.seek(offset)
        for line in fh:
            match = LOG_LINE.search(line)
            if match:
                method, path, _status, ms, kept = match.groups()
                kind = method + " " + re.sub(r"\d+", "N", path.split("?")[0])
                by_kind.setdefault(kind, []).append(float(ms))
                hits[kind] += kept == "hit"
    total = sum(sum(v) for v in by_kind.values()) or 1
    rows = []
    for kind, times in sorted(by_kind.items(), key=lambda kv: -sum(kv[1])):
        times.sort()
        rows.append({"kind": kind, "count": len(times), "kept": hits[kind],
                     "median_ms": round(statistics.median(times), 1),
                     "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
                     "share": round(sum(times) / total, 3)})
    return rows


def measure(args, label, base, pairs_file, rate, writers, log=None):
    wait_idle(base)
    load = load_avg()
    offset = log.stat().st_size if log else 0
    with Writer(base, writers, rate, args.duration) as writer:
        figures = wrk(base, pairs_file, args.duration, args.connections, args.threads,
                      args.seed)
    row = {"label": label, "writes_per_s": rate, "load_before": load, "load_after": load_avg(),
           **figures, "writer": writer.summary() if rate else None,
           "server_by_kind": server_times(log, offset)[:20] if log else None}
    w = row["writer"]
    print(f"  {label:<40} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:7.1f}  "
          f"p95 {figures['p95_ms']:7.1f}  p99 {figures['p99_ms']:7.1f} ms  errors "
          f"{figures['errors']}  load {load}"
          + (f"  writes {w['committed']}/{w['failed']} failed, p95 {w['p95_ms']} ms" if w
             else ""), flush=True)
    for kind in (row["server_by_kind"] or [])[:6]:
        print(f"      {kind['share']:6.1%} of worker time  {kind['kind']:<45} "
              f"n={kind['count']:<5} kept {kind['kept']:<5} median {kind['median_ms']:7.1f}  "
              f"p95 {kind['p95_ms']:7.1f} ms")
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="portal_bench_mix")
    parser.add_argument("--load-data", action="store_true")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--writers", type=int, default=2,
                        help="writers of each kind (relationship managers, union directors)")
    parser.add_argument("--pages-per-person", type=int, default=12)
    parser.add_argument("--prepare-threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rates", default="1,10", help="writes per second, one run each")
    parser.add_argument("--write-where-read", action="store_true",
                        help="writers post on the item pages the readers open most (their "
                             "pages are then ended by every write), not on their own")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--ports", default="8810,8812", help="portal, bare Flask")
    parser.add_argument("--logs", default="",
                        help="servers' logs and the pairs file (default: a new temp dir)")
    parser.add_argument("--results", default=str(HERE / "results" / "mix.json"))
    args = parser.parse_args(argv)
    if args.database in FORBIDDEN_DATABASES:
        parser.error(f"{args.database} is not the bench's to use")
    logs = Path(args.logs or tempfile.mkdtemp(prefix="bench-mix."))
    logs.mkdir(parents=True, exist_ok=True)
    dsn = f"postgresql://postgres@127.0.0.1:5432/{args.database}"
    dsn_sa = dsn.replace("postgresql://", "postgresql+psycopg://", 1)
    rng = random.Random(args.seed)  # noqa: S311 - repeatable
    report = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "load_at_start": load_avg()},
              "settings": {k: v for k, v in vars(args).items()}, "runs": []}
    if args.load_data:
        report["data"] = load_data(args, portal_env(args, dsn_sa), dsn)
        print(f"  data: {report['data']}", flush=True)
    portal_port, hello_port = args.ports.split(",")
    bases = {p: f"http://127.0.0.1:{p}" for p in (portal_port, hello_port)}
    servers = Servers(logs)
    forget_kept_answers(args.redis)
    try:
        servers.start("portal", portal_port, "portal:create_app()",
                      portal_env(args, dsn_sa), args.workers)
        servers.start("hello", hello_port, "bench.hello:app", dict(os.environ), args.workers)
        wait_answering(bases[portal_port] + "/healthz")
        wait_answering(bases[hello_port] + "/")

        pairs, writers, prep = prepare_people(args, bases[portal_port], dsn, rng)
        report["preparation"] = prep
        print(f"  prepared {sum(prep['people'].values())} people {prep['people']}: "
              f"{prep['pairs']} (cookie, page) pairs, {prep['distinct_paths']} distinct pages "
              f"in {prep['prepare_s']} s", flush=True)
        pairs_file = logs / "pairs.tsv"
        pairs_file.write_text("".join(f"{c}\t{p}\n" for c, p in pairs))
        hello_file = logs / "hello.tsv"
        hello_file.write_text("".join(f"{c}\t/\n" for c, _ in pairs))

        for run in range(1, args.runs + 1):
            print(f"== run {run}", flush=True)
            rows = [measure(args, "bare Flask", bases[hello_port], hello_file, 0, writers)]
            for rate in [float(r) for r in args.rates.split(",") if r.strip()]:
                rows.append(measure(args, f"portal, {rate:g} write/s",
                                    bases[portal_port], pairs_file, rate, writers,
                                    logs / "portal.err"))
            ceiling = rows[0]["rps"]
            for row in rows:
                row["share_of_bare_flask"] = round(row["rps"] / ceiling, 4) if ceiling else None
            report["runs"].append(rows)
    finally:
        servers.stop()
    report["machine"]["load_at_end"] = load_avg()
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    print_table(report)
    return 0


def print_table(report):
    print()
    print("| run | | req/s | p50 | p95 | p99 | errors | share of bare Flask | writes done "
          "(failed), p95 | load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, rows in enumerate(report["runs"], start=1):
        for r in rows:
            w = r["writer"]
            writes = f"{w['committed']} ({w['failed']}), {w['p95_ms']} ms" if w else ""
            share = "" if r["label"] == "bare Flask" else f"{r['share_of_bare_flask']:.1%}"
            print(f"| {n} | {r['label']} | {r['rps']:,.1f} | {r['p50_ms']:.1f} ms | "
                  f"{r['p95_ms']:.1f} ms | {r['p99_ms']:.1f} ms | {r['errors']} | {share} | "
                  f"{writes} | {r['load_before']} |")
    prep = report.get("preparation", {})
    if prep:
        print(f"\npreparation: {sum(prep['people'].values())} people signed in "
              f"({prep['people']}), {prep['pairs']} (cookie, page) pairs, "
              f"{prep['distinct_paths']} distinct pages, {prep['prepare_s']} s")
    if "data" in report:
        print(f"data set: {report['data']}")


if __name__ == "__main__":
    sys.exit(main())
