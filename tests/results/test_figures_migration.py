"""The migration that keeps a result's baseline and target as Decimal converts the figures
already typed, on whichever database the suite uses, and can be undone."""
import os
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from portal import create_app
from portal.extensions import db as _db
from tests.conftest import _recreate_postgres_database

BEFORE = "c3d9e1f0a824"   # the figures were floats


def _scratch_url(tmp_path):
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path}/figures.sqlite"
    # beside the suite's own database, so two runs on different test databases never meet
    target = sa.engine.make_url(url)
    scratch = target.set(database=f"{target.database}_figures")
    rendered = scratch.render_as_string(hide_password=False)
    _recreate_postgres_database(rendered)
    return rendered


def _a_result_typed_as_floats(run):
    stamps = {"now": datetime(2026, 1, 1), "yes": True}
    run(sa.text(
        "INSERT INTO organisation (id, code, name, kind, country, currency, is_active, "
        "network_id, search_key, version_id, created_at, updated_at) VALUES (1, 'CDB-HO', "
        "'HO', 'bank_head_office', 'VN', 'VND', :yes, 1, '', 1, :now, :now)"), stamps)
    run(sa.text(
        'INSERT INTO "user" (id, email, full_name, is_active, persian_digits, '
        "email_notifications, session_version, invitation_nonce, search_key, version_id, "
        "created_at, updated_at) VALUES (1, 'a@x', 'A', :yes, :yes, :yes, 1, 0, '', 1, :now, "
        ":now)"), stamps)
    run(sa.text(
        "INSERT INTO result (id, network_id, weight, owner_id, created_by_id, due_on, status, "
        "typed_progress, escalation_level, measure, baseline, target, version_id, created_at, "
        "updated_at) VALUES (1, 1, 1, 1, 1, :now, 'planned', 0, 0, 'in_bank_share', "
        ":baseline, :target, 1, :now, :now)"),
        {**stamps, "baseline": 0.0045, "target": 123.45})


def _figures(run):
    return tuple(run(sa.text("SELECT baseline, target FROM result")).one())


def test_the_figures_typed_as_floats_become_the_decimals_that_were_meant(tmp_path):
    from flask_migrate import downgrade, upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _scratch_url(tmp_path)})
    with app.app_context():
        upgrade(revision=BEFORE)
        run = _db.session.execute
        _a_result_typed_as_floats(run)
        _db.session.commit()
        upgrade()
        baseline, target = _figures(run)
        if _db.engine.dialect.name == "postgresql":   # NUMERIC now, rounded to six places
            assert (baseline, target) == (Decimal("0.004500"), Decimal("123.450000"))
        else:   # SQLite hands back what it keeps; the models' type reads it as a Decimal
            assert (Decimal(str(baseline)), Decimal(str(target))) == (
                Decimal("0.0045"), Decimal("123.45"))
        _db.session.commit()
        downgrade(revision=BEFORE)
        assert _figures(run) == (0.0045, 123.45)
        _db.session.remove()
        _db.engine.dispose()
