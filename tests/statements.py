"""Counting the SQL statements a page sends (for the N+1 and "light page" tests)."""
from contextlib import contextmanager

import sqlalchemy as sa

from portal.extensions import db


def page_statements(client, path, empty_session=True):
    """(response, [statements]) of one GET; fails unless the page answers 200.

    The page is requested once before, uncounted, so that what a process keeps across
    requests (compiled templates, answers remembered until the next write: core/versions.py)
    is in the same state however much the test wrote just before. Then the test's session is
    emptied (unless empty_session is false): in the tests the pages share it, and what the
    test made would otherwise be found already loaded, where a real request loads it."""
    db.session.commit()
    client.get(path).close()
    if empty_session:
        db.session.expunge_all()
    with captured() as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response, statements


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
