"""Fixtures shared by every test: the app on a real database, clients, users by role, SMTP.

The database is SQLite (a file in a temporary folder) unless PORTAL_TEST_DATABASE_URL names
another, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/portal_test. The schema is built by
running the real migrations, so every test also exercises them.
"""
import os
import tempfile
import threading
import time

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

os.environ.setdefault("PORTAL_SECRET_KEY", "test-secret-key-not-for-production")

from portal import create_app  # noqa: E402
from portal.core.sessions import stamp  # noqa: E402
from portal.extensions import db as _db  # noqa: E402
from portal.extensions import limiter  # noqa: E402
from tests import factories  # noqa: E402

ROLES = ("union_director", "relationship_manager", "branch_staff", "ministry_official",
         "administrator")


def _database_url(tmp_dir):
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir}/portal-test.sqlite"
    _recreate_postgres_database(url)
    return url


def _recreate_postgres_database(url):
    """Start every run from an empty database of our own."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": target.database})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def give_the_limiter_back(app):
    """The limiter is one object shared by every app a test builds: give the suite's app its
    storage back, and out of the fallback an unreachable Redis put it in (flask-limiter keeps
    that across init_app, and in it a route's own limits, the sign-in ones included, are not
    applied until it happens to check the storage again)."""
    limiter.init_app(app)
    limiter._storage_dead = False  # noqa: SLF001 - no public way to leave the fallback
    limiter.reset()


class RequestPerContextClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Without this, requests would reuse the test's app context, sharing `g` (the signed-in user,
    the chosen locale) and the database session between requests and hiding real bugs.
    Afterwards the test's own session is expired, so it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app():
    tmp_dir = tempfile.mkdtemp(prefix="portal-test-")
    application = create_app({
        "TESTING": True,
        "PROPAGATE_UNEXPECTED": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_dir),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_URL": "http://portal.test",
        "SERVER_NAME": None,
        "PASSWORD_MIN_LENGTH": 10,
        # the second factor is off here; tests/accounts/test_two_factor.py turns it on
        "TWO_FACTOR_REQUIRED_ROLES": (),
        "UPLOAD_DIR": tmp_dir + "/uploads",
        # answers kept per process under data versions (portal/core/versions.py) are on, as
        # in production, so every test that writes and then reads also checks that the write
        # ended what was kept
        "REDIS_PREFIX": f"portal-test-{os.getpid()}-{os.urandom(4).hex()}:",
        "DATA_VERSIONS_URL": os.environ.get("PORTAL_TEST_REDIS_URL",
                                            "redis://127.0.0.1:6379/0"),
    })
    with application.app_context():
        from flask_migrate import upgrade

        # the migrations alone build the schema (tests/core/test_migrations.py checks that
        # they build exactly the models' schema)
        upgrade()
    application.test_client_class = RequestPerContextClient
    yield application
    with application.app_context():
        _db.engine.dispose()


def _empty_all_tables():
    """DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of ~50 tables costs half a second per
    test, a DELETE of the few rows a test wrote a few milliseconds."""
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    statements = "; ".join(f'DELETE FROM "{name}"' for name in tables)  # noqa: S608
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(sa.text(statements))
    else:  # SQLite runs one statement per call
        for statement in statements.split("; "):
            _db.session.execute(sa.text(statement))
    _db.session.commit()


@pytest.fixture()
def db(app):
    """An app context with empty tables; everything written is removed after the test."""
    with app.app_context():
        limiter.reset()
        yield _db
        _db.session.rollback()
        _empty_all_tables()
        _db.session.remove()


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def make_user(db):
    """make_user(role, organisation=None, **fields) -> a saved, active user with a password."""
    return factories.make_user


@pytest.fixture()
def login(client):
    """login(user): sign the test client in as this user (through the session cookie)."""
    def _login(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_auth_at"] = time.time()  # signed in just now: no re-authentication asked
            stamp(session)  # as a sign-in does: begun and seen now
        return user
    return _login


class AuthActions:
    """Sign in and out through the real forms, as a person does (flaskr's AuthActions): the
    sign-in path (password check, delays, session renewal, audit) runs, not a written session.

    login() and logout() follow the redirects and return the page the person lands on.
    """

    def __init__(self, client):
        self._client = client

    def login(self, user, password=factories.PASSWORD):
        email = getattr(user, "email", user)
        return self._client.post("/login", data={"email": email, "password": password},
                                 follow_redirects=True)

    def logout(self):
        return self._client.post("/logout", follow_redirects=True)


@pytest.fixture()
def auth(client):
    return AuthActions(client)


@pytest.fixture()
def login_as(db, login):
    """login_as(role, organisation=None, **fields): create a user with that role, sign in."""
    def _login_as(role, organisation=None, **fields):
        return login(factories.make_user(role, organisation, **fields))
    return _login_as


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.refuse = False
        self._lock = threading.Lock()
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return "451 Try again later"
        from email import message_from_bytes, policy

        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


@pytest.fixture()
def smtp(app):
    sink = SmtpSink().start()
    old = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
    yield sink
    sink.stop()
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old
