"""Scale out, proven (#19, point 5): two portal instances behind Debian's nginx.

Two gunicorn masters stand for two hosts: each has its own working directory (its own
instance/ folder) and shares only what deploy/ says hosts share: PostgreSQL (a shared SQLite
file on the SQLite pass), Redis, the upload directory and the settings (PORTAL_*). nginx runs
the proxying directives of deploy/nginx.conf unchanged; only the addresses, TLS and file paths
are swapped for loopback ones. The checks:

- a session begun through nginx is valid on each instance;
- a file uploaded through one instance is served by the other;
- outbox workers on both hosts, running at once, send each message exactly once;
- nothing one instance keeps (a person's scopes, a list's filter choices, under the data
  versions of portal/core/versions.py) outlives a write made through the other.

Everything listens on 127.0.0.1 on ports chosen at run time; every wait has a bound and every
process started here is stopped at the end of the module.
"""
import asyncio
import collections
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.accounts.models import Membership, Role
from tests import factories
from tests.conftest import SmtpSink, _free_port, _recreate_postgres_database, give_the_limiter_back

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_SECONDS = 90  # migrations and four gunicorn workers on a busy two-core machine
MESSAGES = 120  # more than one worker claims in a pass (outbox.deliver's batch of 50)


# --- a small HTTP client: one person's cookies, any instance ------------------------------------

class Person:
    """One browser: its cookies, sent to whichever address a request goes to (as a browser
    would to one host name served by several machines)."""

    def __init__(self):
        self.cookies = {}

    def request(self, port, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            sent = dict(headers or {})
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=sent)
            answer = conn.getresponse()
            data = answer.read()
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Answer(answer.status, answer.headers, data)
        finally:
            conn.close()

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, fields):
        return self.request(port, "POST", path, urllib.parse.urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded"})


class Answer:
    def __init__(self, status, headers, data):
        self.status, self.headers, self.data = status, headers, data
        self.text = data.decode("utf-8", "replace")

    @property
    def location(self):
        return self.headers.get("Location", "")

    def csrf(self):
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.text)
        assert found, f"no CSRF token on the page ({self.status})"
        return found.group(1)


# --- the two hosts, nginx and what they share ----------------------------------------------------

def _database(tmp):
    """The shared database: PostgreSQL of our own beside the suite's, else one SQLite file."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp}/shared.sqlite", None
    target = sa.engine.make_url(url)
    target = target.set(database=f"{target.database}_scale")
    rendered = target.render_as_string(hide_password=False)
    _recreate_postgres_database(rendered)
    return rendered, target


def _drop_database(target):
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": target.database})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}"'))
    finally:
        admin.dispose()


def nginx_site(upstreams, port):
    """deploy/nginx.conf with the addresses swapped for loopback ones: the two gunicorn
    ports upstream, plain HTTP on `port` instead of TLS, the checkout's static folder. Every
    other directive (proxy headers, body size, gzip, caching of static files) is the deployed
    one. Each substitution must apply once: a changed deploy file fails here, not silently."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"server 127.0.0.1:{p};\n    " for p in upstreams).rstrip()
    swaps = [
        (r"server\s+127\.0\.0\.1:8000;", servers),
        (r"listen\s+443\s+ssl[^;]*;", f"listen 127.0.0.1:{port};"),
        (r"\n\s*ssl_certificate\s[^;]*;", ""),
        (r"\n\s*ssl_certificate_key\s[^;]*;", ""),
        (r"alias\s+/srv/portal/app/portal/static/;", f"alias {ROOT}/portal/static/;"),
        (r"\nserver\s*\{\s*listen\s+80;[^}]*\}", ""),  # the redirect to HTTPS
    ]
    for pattern, replacement in swaps:
        site, count = re.subn(pattern, lambda _m, r=replacement: r, site)
        assert count == 1, f"deploy/nginx.conf no longer has {pattern!r}"
    return site


def nginx_conf(site, work):
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp dirs
    temp = "\n".join(f"    {kind}_temp_path {work}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    return (f"{user}daemon off;\nworker_processes 1;\npid {work}/nginx.pid;\n"
            f"error_log {work}/error.log warn;\nevents {{ worker_connections 64; }}\n"
            f"http {{\n    {mime}\n    default_type application/octet-stream;\n"
            f"    access_log {work}/access.log;\n{temp}\n{site}\n}}\n")


class Cluster:
    def __init__(self, tmp, database_url, redis_url, prefix, smtp_port):
        self.tmp = tmp
        self.nginx_port, self.port_a, self.port_b = _free_port(), _free_port(), _free_port()
        self.uploads = tmp / "uploads"  # the shared storage
        self.uploads.mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        self.env |= {
            "PYTHONPATH": str(ROOT), "FLASK_APP": "portal:create_app",
            "PORTAL_SECRET_KEY": os.urandom(24).hex(),
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_REDIS_URL": redis_url,
            "PORTAL_REDIS_PREFIX": prefix,
            "PORTAL_UPLOAD_DIR": str(self.uploads),
            "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{self.nginx_port}",
            "PORTAL_PROXY_COUNT": "1",  # one nginx in front, as deploy/nginx.conf says
            "PORTAL_TWO_FACTOR_REQUIRED_ROLES": "",  # the second factor has its own tests
            "PORTAL_MAIL_SERVER": "127.0.0.1", "PORTAL_MAIL_PORT": str(smtp_port),
            # a worker may wait at BothWorkersSink's gate (below)
            "PORTAL_MAIL_TIMEOUT": "60",
        }
        self.processes, self.logs = [], []

    def host(self, name):
        path = self.tmp / name
        path.mkdir(exist_ok=True)
        return path

    def _log(self, name):
        handle = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.logs.append(handle)
        return handle

    def log_text(self, name):
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def flask(self, host, *args, timeout=120):
        return subprocess.run([sys.executable, "-m", "flask", *args], cwd=self.host(host),
                              env=self.env, capture_output=True, text=True, timeout=timeout,
                              check=False)

    def start(self):
        migrated = self.flask("a", "db", "upgrade")  # as portal-web.service's ExecStartPre
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        for name, port in (("a", self.port_a), ("b", self.port_b)):
            self.processes.append((name, subprocess.Popen(
                # as deploy/portal-web.service starts it (two workers: a two-core machine)
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                 "--workers", "2", "--bind", f"127.0.0.1:{port}",
                 "--access-logfile", str(self.tmp / f"access-{name}.log"),
                 "--access-logformat", '%(m)s %(U)s %(s)s via=%({x-request-id}i)s',
                 "portal:create_app()"],
                cwd=self.host(name), env=self.env, stdout=self._log(name),
                stderr=subprocess.STDOUT)))
        work = self.host("nginx")
        (work / "nginx.conf").write_text(
            nginx_conf(nginx_site((self.port_a, self.port_b), self.nginx_port), work))
        self.processes.append(("nginx", subprocess.Popen(
            [NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-e",
             str(work / "error.log")], stdout=self._log("nginx"), stderr=subprocess.STDOUT)))
        deadline = time.monotonic() + START_SECONDS
        for port in (self.port_a, self.port_b, self.nginx_port):
            self._wait_ready(port, deadline)

    def _wait_ready(self, port, deadline):
        while True:
            for name, process in self.processes:
                if process.poll() is not None:
                    detail = self.log_text(name) + (
                        (self.tmp / "nginx" / "error.log").read_text()
                        if name == "nginx" else "")
                    pytest.fail(f"{name} stopped while starting:\n{detail[-3000:]}")
            try:
                if Person().get(port, "/readyz").status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"127.0.0.1:{port} not ready after {START_SECONDS} s:\n"
                            + "".join(self.log_text(n)[-1500:] for n, _p in self.processes))
            time.sleep(0.2)

    def stop(self):
        for _name, process in self.processes:
            if process.poll() is None:
                # gunicorn: graceful (its idle workers stop at once); nginx: fast
                process.send_signal(signal.SIGTERM)
        for _name, process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for handle in self.logs:
            handle.close()

    def arrivals(self):
        """Per instance, the requests that came through nginx ("GET /login 200"), in order."""
        return {name: [entry.rpartition(" via=")[0] for entry in
                       self.log_text(f"access-{name}").splitlines() if " via=-" not in entry]
                for name in ("a", "b")}

    def arrived_since(self, before, count):
        """The requests through nginx after `before` (an arrivals()), once `count` of them are
        logged: gunicorn writes the line just after the answer, so give it a moment."""
        deadline = time.monotonic() + 10
        while True:
            now = self.arrivals()
            new = {name: now[name][len(before[name]):] for name in now}
            if sum(map(len, new.values())) >= count or time.monotonic() > deadline:
                return new
            time.sleep(0.05)


class BothWorkersSink(SmtpSink):
    """The suite's SMTP sink, holding every delivery until two connections have sent a
    message (or 30 s have passed): the first worker waits with its claimed batch until the
    second has claimed one of its own, so the two certainly deliver at the same time,
    whichever started first."""

    def __init__(self):
        super().__init__()
        self.peers = set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.peers.add(session.peer)
        for _ in range(300):
            if len(self.peers) >= 2:
                break
            await asyncio.sleep(0.1)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture(scope="module")
def cluster(app):
    """Both hosts and nginx, started once for this module. (`app`, the suite's application,
    gets the limiter back afterwards: it is one object, rebound by every create_app.)"""
    import redis

    from portal import create_app
    from portal.extensions import db

    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed (scripts/test.sh installs Debian's nginx)")
    redis_url = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    store = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        store.ping()
    except redis.RedisError as error:
        pytest.fail(f"two instances share Redis, and none answers at {redis_url}: {error}")
    prefix = f"portal-scale-{os.getpid()}-{os.urandom(4).hex()}:"
    tmp = Path(tempfile.mkdtemp(prefix="portal-scale-"))
    postgres = sink = running = local = None
    try:
        database_url, postgres = _database(tmp)
        sink = BothWorkersSink().start()
        running = Cluster(tmp, database_url, redis_url, prefix, sink.port)
        running.start()
        # the test's own view of the shared database, for arranging data and checking rows
        local = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                            "RATELIMIT_STORAGE_URI": "memory://", "DATA_VERSIONS_URL": redis_url,
                            "REDIS_PREFIX": prefix, "UPLOAD_DIR": str(running.uploads)})
        running.app, running.redis, running.prefix, running.smtp = local, store, prefix, sink
        with local.app_context():
            yield running
            db.session.remove()
    finally:
        if running is not None:
            running.stop()
        if sink is not None:
            sink.stop()
        if local is not None:
            with local.app_context():
                db.engine.dispose()
        give_the_limiter_back(app)
        for key in store.scan_iter(match=prefix + "*"):
            store.delete(key)
        store.close()
        if postgres is not None:
            _drop_database(postgres)
        shutil.rmtree(tmp, ignore_errors=True)


def _commit():
    factories.db.session.commit()


def _sign_in(cluster, user):
    """Through nginx, with the real form and its CSRF token."""
    person = Person()
    form = person.get(cluster.nginx_port, "/login")
    assert form.status == 200
    done = person.post(cluster.nginx_port, "/login", {
        "csrf_token": form.csrf(), "email": user.email, "password": factories.PASSWORD})
    assert done.status == 302 and "/login" not in done.location, done.text[:500]
    return person


def _version(cluster, table):
    """The shared data version of a table: what every instance's kept answers are checked
    against before they are used."""
    return int(cluster.redis.get(cluster.prefix + "version:" + table) or 0)


# --- the checks ----------------------------------------------------------------------------------

def test_a_session_begun_through_nginx_is_valid_on_either_instance(cluster):
    director = factories.make_user("union_director", full_name="Parvin Scale-Session")
    _commit()
    before = cluster.arrivals()
    person = _sign_in(cluster, director)
    # nginx sent the form to one instance and the sign-in to the other: the CSRF token one
    # issued was accepted by the other
    arrived = cluster.arrived_since(before, 2)
    assert sorted(arrived.values()) == [["GET /login 200"], ["POST /login 302"]]
    for port in (cluster.port_a, cluster.port_b, cluster.nginx_port):
        home = person.get(port, "/")
        assert home.status == 200 and "Parvin Scale-Session" in home.text
    stranger = Person().get(cluster.port_b, "/feedback/")
    assert stranger.status == 302 and "/login" in stranger.location


def test_a_file_uploaded_through_one_instance_is_served_by_the_other(cluster):
    director = factories.make_user("union_director")
    union = director.organisations[0]
    _commit()
    person = _sign_in(cluster, director)
    form = person.get(cluster.port_a, "/feedback/new/critique")
    assert form.status == 200
    content = b"%PDF-1.7 minutes of the Naein carpet cooperative " + os.urandom(64).hex().encode()
    body, content_type = factories.multipart(
        {"csrf_token": form.csrf(), "organisation_id": union.id, "title": "Scale-out upload",
         "concerns": "Tehran specialised branch", "body": "See the attached minutes.",
         "topic": "speed", "visibility": "public", "branch_id": ""},
        {"attachments": ("minutes.pdf", content)})
    sent = person.request(cluster.port_a, "POST", "/feedback/new/critique", body,
                          {"Content-Type": content_type})
    assert sent.status == 302, sent.text[:1000]
    item_path = urllib.parse.urlsplit(sent.location).path
    page = person.get(cluster.port_b, item_path)
    link = re.search(rf'href="({re.escape(item_path)}/attachments/\d+)"', page.text)
    assert page.status == 200 and link, page.text[:500]
    for port in (cluster.port_b, cluster.nginx_port):
        download = person.get(port, link.group(1))
        assert download.status == 200 and download.data == content


def test_outbox_workers_on_both_hosts_send_each_message_once(cluster):
    from portal.core import outbox

    subjects = [f"Scale-out notice {n}" for n in range(MESSAGES)]
    for n, subject in enumerate(subjects):
        outbox.enqueue(f"member{n}@portal.test", subject, f"Message {n} of the scale-out test.")
    _commit()
    workers = [subprocess.Popen(  # as deploy/portal-outbox.service runs them, but bounded
        [sys.executable, "-m", "flask", "outbox", "deliver", "--loop", "--interval", "0.2",
         "--max-passes", "5"], cwd=cluster.host(host), env=cluster.env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for host in ("a", "b")]
    outputs = []
    try:
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err[-3000:]
            outputs.append(out)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate(timeout=10)
    sent_by = [sum(int(n) for n in re.findall(r"sent (\d+)", out)) for out in outputs]
    assert all(sent_by), f"both hosts' workers delivered: {sent_by}"
    received = collections.Counter(str(m["Subject"]) for m in cluster.smtp.messages)
    assert [received[s] for s in subjects] == [1] * MESSAGES
    rows = factories.db.session.execute(sa.select(
        outbox.OutboxMessage.subject, outbox.OutboxMessage.status)).all()
    assert {status for _s, status in rows} == {outbox.SENT}
    # anything else in the outbox (a sign-in notice) went out once too
    assert received == collections.Counter(subject for subject, _status in rows)
    assert sum(sent_by) == len(rows)


def test_a_list_read_on_one_instance_shows_a_write_through_the_other(cluster):
    director = factories.make_user("union_director")
    union = director.organisations[0]
    _commit()
    person = _sign_in(cluster, director)
    for _ in range(2):  # B computes, then keeps, the reader's scopes and the list's choices
        first = person.get(cluster.port_b, "/feedback/")
        assert first.status == 200 and "Written through instance A" not in first.text
    before = _version(cluster, "feedback_item")
    form = person.get(cluster.port_a, "/feedback/new/proposal")
    sent = person.post(cluster.port_a, "/feedback/new/proposal", {
        "csrf_token": form.csrf(), "organisation_id": union.id,
        "title": "Written through instance A", "expected_benefit": "Faster service",
        "body": "Opening an account takes three weeks.", "topic": "speed",
        "visibility": "public", "branch_id": ""})
    assert sent.status == 302, sent.text[:1000]
    # the browser follows the redirect, where A shows its thank-you (a page with a message
    # waiting is never sent from what was kept, so B's next page is not rendered for it)
    assert "Thank you" in person.get(cluster.port_a, sent.location).text
    assert _version(cluster, "feedback_item") > before  # A published its write
    assert "Written through instance A" in person.get(cluster.port_b, "/feedback/").text


def test_a_membership_or_account_change_through_one_instance_holds_on_the_other(cluster):
    factories.bank()
    second = factories.make_org("national_union", name="Scale-out second union")
    director = factories.make_user("union_director")
    membership = Membership(user=director, organisation=second, role=Role.UNION_DIRECTOR)
    factories.db.session.add(membership)
    admin = factories.make_user("administrator")
    _commit()
    director_id, membership_id, org_page = director.id, membership.id, f"/organisations/{second.id}"
    reader, operator = _sign_in(cluster, director), _sign_in(cluster, admin)
    for _ in range(2):  # B computes, then keeps, the reader's scopes
        assert reader.get(cluster.port_b, org_page).status == 200
        assert "Scale-out second union" in reader.get(cluster.port_b, "/organisations/").text
    before = _version(cluster, "membership")
    edit = operator.get(cluster.port_a, f"/admin/users/{director_id}")
    assert edit.status == 200
    removed = operator.post(
        cluster.port_a, f"/admin/users/{director_id}/memberships/{membership_id}/delete",
        {"csrf_token": edit.csrf()})
    assert removed.status == 302
    assert not factories.db.session.scalar(  # it was written
        sa.select(sa.func.count()).select_from(Membership).where(Membership.id == membership_id))
    assert _version(cluster, "membership") > before  # and published
    assert reader.get(cluster.port_b, org_page).status == 404
    assert "Scale-out second union" not in reader.get(cluster.port_b, "/organisations/").text
    # an account ended through A ends its session on B too
    deactivated = operator.post(cluster.port_a, f"/admin/users/{director_id}/deactivate",
                                {"csrf_token": edit.csrf()})
    assert deactivated.status == 302
    after = reader.get(cluster.port_b, "/organisations/")
    assert after.status == 302 and "/login" in after.location
