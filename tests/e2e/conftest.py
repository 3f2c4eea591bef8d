"""Browser tests: the real portal on a live server, driven through Debian's Chromium.

One live server and one browser for the whole run; every test gets a fresh browser context (no
cookies) and a page that records what it asked for, what it logged and what failed, so a test
fails when the page reaches beyond the portal, breaks its own Content-Security-Policy or hits a
server error.

The server is its own app (create_app) with CSRF enabled and its own database, seeded with the
demo data: a PostgreSQL database next to PORTAL_TEST_DATABASE_URL when that is set ("portal_e2e"
beside "portal_test", "portal_e2e_x" beside "portal_test_x", "<name>_e2e" beside any other, so
two runs on different test databases never drop each other's), otherwise a SQLite file in a
temporary folder.
"""
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.e2e.pages import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("PORTAL_SECRET_KEY", "test-secret-key-not-for-production")

SCREENSHOTS = Path(__file__).parent / "screenshots"
ADMIN_EMAIL = "admin@cdb.example"
E2E_DATABASE = "portal_e2e"


@dataclass
class LiveServer:
    app: object
    url: str
    demo_password: str


class _QuietHandler(WSGIRequestHandler):
    """No access log on the test output."""

    def log_request(self, *args, **kwargs):
        pass


def _e2e_database_url(tmp_dir):
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir}/portal-e2e.sqlite"
    from tests.conftest import _recreate_postgres_database

    target = sa.engine.make_url(url)
    target = target.set(database=_e2e_database_name(target.database))
    rendered = target.render_as_string(hide_password=False)
    _recreate_postgres_database(rendered)
    return rendered


def _e2e_database_name(test_database):
    if test_database.startswith("portal_test"):
        return E2E_DATABASE + test_database.removeprefix("portal_test")
    return f"{test_database}_e2e"


@pytest.fixture(scope="session")
def live_server():
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo import seed
    from portal.extensions import db

    tmp_dir = tempfile.mkdtemp(prefix="portal-e2e-")
    app = server = thread = None
    try:
        app = create_app({
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": _e2e_database_url(tmp_dir),
            "WTF_CSRF_ENABLED": True,
            # The limiter is one object shared with the unit tests' app: keep it enabled
            # (turning it off here turns it off for them too); just give the browser room.
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_LOGIN_ACCOUNT": "1000 per minute",
            "RATELIMIT_LOGIN_ADDRESS": "1000 per minute",
            # the demo users sign in with their password only; test_signing_in.py enrols one
            "TWO_FACTOR_REQUIRED_ROLES": (),
            "SERVER_NAME": None,
            "UPLOAD_TMP": tmp_dir,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": 9,  # nothing listens: no mail leaves a test run
        })
        with app.app_context():
            upgrade()
            credentials = seed()
            db.session.commit()
        password = next(pw for _role, email, pw in credentials if email == ADMIN_EMAIL)

        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="e2e-live-server",
                                  daemon=True)
        thread.start()
        # passkeys are signed for the origin the browser sees, known once the port is; a
        # browser refuses an IP address as the relying party, so passkey tests use localhost
        # (tests/e2e/test_passkeys.py)
        app.config["WEBAUTHN_RP_ID"] = "localhost"
        app.config["WEBAUTHN_ORIGIN"] = f"http://localhost:{server.server_port}"
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}",
                         demo_password=password)
    finally:
        if thread is not None:
            server.shutdown()
            thread.join(timeout=10)
        if server is not None:
            server.server_close()
        if app is not None:
            with app.app_context():
                db.engine.dispose()
        shutil.rmtree(tmp_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    # Not a skip: a missing browser must fail the run (scripts/test.sh installs it).
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageLog:
    """What a page did besides showing itself."""

    origin: str
    requests: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    failed_responses: list = field(default_factory=list)

    def on_console(self, message):
        # "Failed to load resource" repeats a response status, judged in on_response (a 401
        # page after a wrong password is right; so is Chromium's own 404 for /favicon.ico)
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_response(self, response):
        document = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not document):
            self.failed_responses.append(f"{response.status} {response.url}")

    def foreign_requests(self):
        return [url for url in self.requests
                if not (url == self.origin or url.startswith(self.origin + "/")
                        or url.startswith(("data:", "about:", "blob:")))]


@pytest.fixture()
def page(browser, live_server):
    """A fresh context and page; afterwards: nothing left the origin, nothing broke."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    log = PageLog(origin=live_server.url)
    new_page.on("request", lambda request: log.requests.append(request.url))
    new_page.on("console", log.on_console)
    new_page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    new_page.on("response", log.on_response)
    new_page.log = log
    try:
        yield new_page
    finally:
        context.close()
    assert log.requests, "the page made no request at all"
    assert not log.foreign_requests(), \
        f"requests outside {log.origin}: {log.foreign_requests()}"
    assert not log.failed_responses, f"failed responses: {log.failed_responses}"
    assert not log.page_errors, f"script errors: {log.page_errors}"
    # a blocked inline script or style (the CSP forbids them) shows up here
    assert not log.console_errors, f"console errors: {log.console_errors}"


@pytest.fixture()
def admin(live_server):
    """The demo administrator, back to English between tests (the switcher saves the choice)."""
    from portal.accounts.models import User
    from portal.extensions import db

    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
        user.preferred_locale = "en"
        db.session.commit()
        return {"email": ADMIN_EMAIL, "password": live_server.demo_password,
                "name": user.full_name}


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)

    def shoot(page, name):
        page.evaluate("document.fonts.ready.then(() => true)")
        safe = re.sub(r"[^a-z0-9_-]+", "-", name.lower())
        page.screenshot(path=str(SCREENSHOTS / f"{safe}.png"), full_page=True)

    return shoot


@dataclass
class DemoAccounts:
    """The demo's people (portal/demo/data.py and the feedback escalation contacts)."""

    app: object
    password: str

    def name(self, email):
        from portal.accounts.models import User
        from portal.extensions import db

        with self.app.app_context():
            return db.session.scalar(sa.select(User.full_name).where(User.email == email))


@pytest.fixture()
def demo_accounts(live_server):
    """Every demo account back to the language it was seeded with (the switcher saves a
    choice as the person's preference, and flows sign the same people in more than once)."""
    from portal.accounts.models import User
    from portal.demo import data
    from portal.extensions import db
    from portal.feedback.demo import ESCALATION

    seeded = {email: locale for email, _name, locale, *_rest in data.USERS}
    seeded.update({email: locale for _level, _code, email, _name, locale in ESCALATION})
    with live_server.app.app_context():
        for user in db.session.scalars(sa.select(User).where(User.email.in_(seeded))):
            user.preferred_locale = seeded[user.email]
        db.session.commit()
    return DemoAccounts(app=live_server.app, password=live_server.demo_password)
