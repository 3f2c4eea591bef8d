"""An unreachable database is a 503 (try again later); a schema or programming error is a 500,
logged at error level: the two must not look alike to the reader or to whoever reads the logs.

Each test builds its own app (the suite's app lets unexpected errors through to the test), on
a database that is really unreachable or with a statement the real database refuses.
"""
import logging
import tempfile

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from portal import create_app
from portal.extensions import db as _db
from tests.conftest import give_the_limiter_back

PERSIAN = {"Accept-Language": "fa"}


def _app_on(url, statement, **config):
    """An app on `url` with one page, /probe, that runs `statement` on the database."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_STORAGE_URI": "memory://"} | config)

    def probe():
        _db.session.execute(sa.text(statement))
        return "answered"

    app.add_url_rule("/probe", "probe", probe)
    return app


@pytest.fixture()
def own_app(app):
    """Builds apps of a test's own; afterwards their connections are closed and the shared
    limiter is given back to the suite's app."""
    built = []

    def _build(url, statement, **config):
        built.append(_app_on(url, statement, **config))
        return built[-1]

    yield _build
    for other in built:
        with other.app_context():
            _db.engine.dispose()
    give_the_limiter_back(app)


def _in_persian(app, text):
    with app.test_request_context(), force_locale("fa"):
        return _(text)


def _records(caplog, level):
    return [r for r in caplog.records if r.name == "portal" and r.levelno == level]


UNREACHABLE = {
    # nothing listens on port 1: the connection is refused
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/portal_nowhere?connect_timeout=5",
    # a folder that does not exist: SQLite cannot open the file
    "sqlite": f"sqlite:///{tempfile.gettempdir()}/no-such-folder-for-the-portal/portal.sqlite",
}


@pytest.mark.parametrize("database", sorted(UNREACHABLE))
def test_an_unreachable_database_is_a_503_with_retry_after(own_app, caplog, database):
    app = own_app(UNREACHABLE[database], "SELECT 1")
    with caplog.at_level(logging.WARNING, logger="portal"):
        response = app.test_client().get("/probe", headers=PERSIAN)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert _in_persian(app, "The portal is briefly unavailable") in page
    assert 'lang="fa"' in page and "Traceback" not in page
    assert _records(caplog, logging.WARNING) and not _records(caplog, logging.ERROR)


@pytest.mark.parametrize("statement", [
    # unquoted: SQLite reads a double-quoted name it does not know as a string
    'SELECT no_such_column FROM "user"',
    'SELECT * FROM "no_such_table"',
])
def test_a_schema_or_programming_error_is_a_500_logged_as_an_error(own_app, app, db, caplog,
                                                                   statement):
    broken = own_app(app.config["SQLALCHEMY_DATABASE_URI"], statement)
    with caplog.at_level(logging.WARNING, logger="portal"):
        response = broken.test_client().get("/probe", headers=PERSIAN)
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    page = response.get_data(as_text=True)
    assert _in_persian(broken, "Something went wrong on our side") in page
    assert _in_persian(broken, "The portal is briefly unavailable") not in page
    errors = _records(caplog, logging.ERROR)
    assert errors and errors[0].exc_info is not None  # with the traceback, for whoever reads
    assert not _records(caplog, logging.WARNING)


def test_every_connection_busy_is_a_503_too(own_app, app, db, caplog):
    """The pool has one connection and a page holds it while asking for another: the wait
    for a free connection runs out, which is a busy database, not the portal's fault."""
    busy = own_app(app.config["SQLALCHEMY_DATABASE_URI"], "SELECT 1",
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0,
                                              "pool_timeout": 0.2})

    def hold_and_ask():
        with _db.engine.connect():
            _db.session.execute(sa.text("SELECT 1"))
        return "answered"

    busy.add_url_rule("/hold", "hold", hold_and_ask)
    with caplog.at_level(logging.WARNING, logger="portal"):
        response = busy.test_client().get("/hold", headers=PERSIAN)
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert not _records(caplog, logging.ERROR)
