"""The migrations alone build exactly the models' schema, on whichever database the suite uses.

A database of its own is migrated from empty, so the question is answered whatever the suite's
own database went through.
"""
import os

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal import create_app
from portal.extensions import db as _db
from tests.conftest import _recreate_postgres_database


def _scratch_url(tmp_path):
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path}/migrated.sqlite"
    # beside the suite's own database ("portal_test_x" -> "portal_test_x_migrations"), so two
    # runs on different test databases never drop each other's scratch database
    target = sa.engine.make_url(url)
    scratch = target.set(database=f"{target.database}_migrations")
    rendered = scratch.render_as_string(hide_password=False)
    _recreate_postgres_database(rendered)
    return rendered


def test_migrations_produce_exactly_the_models_schema(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _scratch_url(tmp_path)})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        with _db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, _db.metadata)
        _db.engine.dispose()
    assert differences == []
