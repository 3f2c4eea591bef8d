"""Counting the SQL statements a page sends (for the N+1 and "light page" tests)."""
from contextlib import contextmanager

import sqlalchemy as sa

from portal.extensions import db


def page_statements(client, path, empty_session=True):
    """(response, [statements]) of one GET, rendered (a kept page, core/kept_pages.py, would
    send none); fails unless the page answers 200.

    The page is requested once before, uncounted, so that what a process keeps across
    requests (compiled templates, answers remembered until the next write: core/versions.py)
    is in the same state however much the test wrote just before. Then the test's session is
    emptied (unless empty_session is false): in the tests the pages share it, and what the
    test made would otherwise be found already loaded, where a real request loads it."""
    db.session.commit()
    with rendering_every_time(client.application):
        client.get(path).close()
        if empty_session:
            db.session.expunge_all()
        with captured() as statements:
            response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response, statements


@contextmanager
def rendering_every_time(app):
    """No page kept (core/kept_pages.py) inside the block: what a page costs to render."""
    seconds = app.config["KEPT_PAGE_SECONDS"]
    app.config["KEPT_PAGE_SECONDS"] = 0
    try:
        yield
    finally:
        app.config["KEPT_PAGE_SECONDS"] = seconds


@contextmanager
def captured():
    """The statements sent inside the block, as a list filled while it runs."""
    statements = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)
