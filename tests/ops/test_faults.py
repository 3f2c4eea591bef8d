"""Faults on 127.0.0.1: the database vanishing mid-service, Redis down or shared.

The database outage goes through a small TCP proxy in front of PostgreSQL that the test cuts
and restores, so the real server keeps running for the rest of the suite.
"""
import os
import socket
import threading
import uuid

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db as _db
from tests.factories import PASSWORD, make_user, multipart


class FlakyProxy:
    """Forwards TCP to a target; cut() drops every connection and refuses new ones."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.sockets = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.up = False
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.sockets = []

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


def _postgres_url():
    url = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("the outage test needs PostgreSQL (the suite's second run)")
    return sa.engine.make_url(url)


def test_a_database_outage_gives_503_and_the_portal_recovers_by_itself(db):
    url = _postgres_url()
    user = make_user("union_director")
    proxy = FlakyProxy(url.host or "127.0.0.1", url.port or 5432)
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": url.set(host="127.0.0.1", port=proxy.port)
                      .render_as_string(hide_password=False)})
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200
        assert client.post("/login", data={"email": user.email,
                                           "password": PASSWORD}).status_code == 302
        proxy.cut()
        down = client.get("/organisations/")
        assert down.status_code == 503
        assert "cannot be reached" in down.text and "Traceback" not in down.text
        assert client.get("/readyz").status_code == 503
        proxy.restore()
        assert client.get("/readyz").status_code == 200
        assert client.get("/organisations/").status_code == 200  # still signed in
    finally:
        proxy.close()
        with app.app_context():
            _db.engine.dispose()


def _probe(app, storage, email, attempts):
    """Failed sign-ins from a separate process (a second web worker); returns the statuses,
    the last one being an ordinary page load."""
    import json
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "tests.ops.limits_probe", storage,
         app.config["SQLALCHEMY_DATABASE_URI"], email, str(attempts)],
        capture_output=True, text=True, timeout=120, check=True,
        env=dict(os.environ, PORTAL_SECRET_KEY="probe"))
    return json.loads(result.stdout.strip().splitlines()[-1])


def _fresh_user():
    user = make_user("union_director", email=f"{uuid.uuid4().hex[:8]}@cooperative.example")
    return user.email


def test_with_redis_down_the_portal_serves_and_still_limits_in_memory(app, db):
    # nothing listens on 6399: the limiter falls back to per-process memory
    statuses = _probe(app, "redis://127.0.0.1:6399/0", _fresh_user(), 4)
    assert statuses == [401, 401, 401, 429, 200]


def test_with_redis_up_limits_are_shared_by_every_web_process(app, db):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.fail("Redis is expected on 127.0.0.1:6379 on this machine")
    email = _fresh_user()
    assert _probe(app, "redis://127.0.0.1:6379/15", email, 2)[:2] == [401, 401]
    # a second process: one more failure is allowed, then the shared count says no
    assert _probe(app, "redis://127.0.0.1:6379/15", email, 2)[:2] == [401, 429]


def test_a_worker_killed_mid_import_leaves_nothing_and_the_import_can_run_again(
        app, client, login, db, tmp_path):
    import subprocess
    import sys

    admin = make_user("administrator")
    rows = "\n".join(f"KILL-{n},Tổ TK&VV số {n},,savings_group,,VN,Hà Nam,Kim Bảng,,VND"
                     for n in range(2000))
    path = tmp_path / "organisations.csv"
    path.write_text("code,name,name_en,kind,parent_code,country,province,district,commune,"
                    "currency\n" + rows + "\n", encoding="utf-8")
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.ops.import_worker", app.config["SQLALCHEMY_DATABASE_URI"],
         str(path)], stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, PORTAL_SECRET_KEY="worker"))
    try:
        assert worker.stdout.readline().strip() == "FLUSHED"
    finally:
        worker.kill()
        worker.wait(timeout=30)
        worker.stdout.close()

    def imported():
        from portal.accounts.models import Organisation

        return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation).where(
            Organisation.code.like("KILL-%")))

    assert imported() == 0
    login(admin)
    body, content_type = multipart({}, {"file": ("organisations.csv", path.read_bytes())})
    again = client.post("/organisations/import", data=body, content_type=content_type)
    assert again.status_code == 302
    assert imported() == 2000
