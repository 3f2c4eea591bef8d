"""The whole database as plain values, to prove that a refused request changed nothing.

Every row of every table the models declare, compared as text: row counts, updated_at,
version_id and every other column at once. The tests' worlds are small, so this is cheap.
"""
import sqlalchemy as sa

from portal.extensions import db


def snapshot():
    """{table name: sorted rows as text} for every table of the models."""
    db.session.commit()  # end the test's own transaction: read what requests committed
    state = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        state[table.name] = sorted(repr(tuple(row)) for row in rows)
    db.session.commit()
    return state


def changed_tables(before, after):
    """Names of the tables whose rows differ between two snapshots."""
    return sorted(name for name in before.keys() | after.keys()
                  if before.get(name) != after.get(name))
