"""One unit of work per request (portal/core/unit_of_work.py): a successful write request is
committed once, a refused or failed one leaves nothing behind, a read never writes.

The views here are registered on a second app built on the same, migrated database: the
session's app has served requests already and takes no new routes.
"""
import logging

import pytest
import sqlalchemy as sa
from flask import Blueprint, abort, redirect

from portal import create_app
from portal.accounts.models import User
from portal.core import unit_of_work
from portal.extensions import db as _db
from tests import factories

probe = Blueprint("uow_probe", __name__, url_prefix="/uow-probe")
cleaned = []


def _rename(user_id, name):
    _db.session.get(User, user_id).full_name = name
    _db.session.flush()


@probe.route("/ok/<int:user_id>", methods=["POST"])
def renamed(user_id):
    _rename(user_id, "Renamed")
    unit_of_work.on_rollback(lambda: cleaned.append("ok"))
    return redirect("/")


@probe.route("/refused/<int:user_id>", methods=["POST"])
def refused(user_id):
    _rename(user_id, "Renamed")
    unit_of_work.on_rollback(lambda: cleaned.append("refused"))
    abort(400)


@probe.route("/kept/<int:user_id>", methods=["POST"])
def kept(user_id):
    _rename(user_id, "Discarded")
    unit_of_work.discard()
    unit_of_work.keep_on_refusal()
    _rename(user_id, "Counted")  # as a failed sign-in is counted
    return "no", 401


@probe.route("/duplicate/<int:user_id>/<int:other_id>", methods=["POST"])
def duplicate(user_id, other_id):
    _db.session.get(User, user_id).email = _db.session.get(User, other_id).email
    unit_of_work.on_rollback(lambda: cleaned.append("duplicate"))
    return redirect("/")


@probe.route("/read/<int:user_id>")
def read_that_writes(user_id):
    _db.session.get(User, user_id).full_name = "Changed by a read"
    return "read"


@probe.route("/read-flushed/<int:user_id>")
def read_that_flushes(user_id):
    _rename(user_id, "Flushed by a read")
    return "read"


@probe.route("/read-statement/<int:user_id>")
def read_that_updates(user_id):
    _db.session.execute(sa.update(User).where(User.id == user_id).values(full_name="Updated"))
    return "read"


@pytest.fixture()
def probe_app(app, db):
    other = create_app({**{k: app.config[k] for k in (
        "SQLALCHEMY_DATABASE_URI", "UPLOAD_DIR", "DATA_VERSIONS_URL", "REDIS_PREFIX")},
        "TESTING": True, "PROPAGATE_UNEXPECTED": True, "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://", "SERVER_NAME": None,
        "TWO_FACTOR_REQUIRED_ROLES": ()})
    other.register_blueprint(probe)
    cleaned.clear()
    yield other
    with other.app_context():
        _db.engine.dispose()


def _name(user):
    _db.session.expire_all()
    return _db.session.scalar(sa.select(User.full_name).where(User.id == user.id))


def test_a_successful_write_is_committed_once_and_keeps_its_files(probe_app, db):
    user = factories.make_user("relationship_manager", full_name="Before")
    answer = probe_app.test_client().post(f"/uow-probe/ok/{user.id}")
    assert answer.status_code == 302
    assert _name(user) == "Renamed"
    assert cleaned == []


def test_a_refused_write_leaves_nothing_and_runs_the_cleanups(probe_app, db):
    user = factories.make_user("relationship_manager", full_name="Before")
    answer = probe_app.test_client().post(f"/uow-probe/refused/{user.id}")
    assert answer.status_code == 400
    assert _name(user) == "Before"
    assert cleaned == ["refused"]


def test_a_refusal_may_keep_the_record_written_after_discarding(probe_app, db):
    user = factories.make_user("relationship_manager", full_name="Before")
    answer = probe_app.test_client().post(f"/uow-probe/kept/{user.id}")
    assert answer.status_code == 401
    assert _name(user) == "Counted"


def test_a_commit_refused_by_the_database_is_a_409_page_and_cleans_up(probe_app, db):
    user = factories.make_user("relationship_manager", full_name="Before")
    other = factories.make_user("relationship_manager")
    answer = probe_app.test_client().post(f"/uow-probe/duplicate/{user.id}/{other.id}",
                                          headers={"Accept-Language": "fa"})
    assert answer.status_code == 409
    assert cleaned == ["duplicate"]
    _db.session.expire_all()
    assert _db.session.get(User, user.id).email != other.email


def test_a_read_never_writes(probe_app, db, caplog):
    user = factories.make_user("relationship_manager", full_name="Before")
    with caplog.at_level(logging.ERROR, logger="portal"), \
            pytest.raises(RuntimeError, match="changed the database"):
        probe_app.test_client().get(f"/uow-probe/read/{user.id}")
    assert _name(user) == "Before"
    assert any("unsaved changes" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("how", ["read-flushed", "read-statement"])
def test_a_read_that_writes_is_refused_before_the_write_runs(probe_app, db, how):
    """A read runs without a transaction (no BEGIN, no ROLLBACK: extensions._ReadingSession):
    nothing could undo a write, so the statement is refused before it runs."""
    user = factories.make_user("relationship_manager", full_name="Before")
    with pytest.raises(unit_of_work.WriteWhileReading, match="a GET request wrote: UPDATE"):
        probe_app.test_client().get(f"/uow-probe/{how}/{user.id}")
    assert _name(user) == "Before"


def test_a_read_runs_without_a_transaction_and_a_write_with_one(probe_app, db):
    user = factories.make_user("relationship_manager", full_name="Before")
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        options = conn.get_execution_options()
        seen.append((statement.split()[0], options.get("isolation_level")))

    with probe_app.app_context():
        engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        client = probe_app.test_client()
        client.get("/healthz")
        client.get("/readyz")
        reads, seen[:] = list(seen), []
        client.post(f"/uow-probe/ok/{user.id}")
        writes = list(seen)
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert reads and {level for _verb, level in reads} == {"AUTOCOMMIT"}
    assert ("UPDATE", None) in writes and "AUTOCOMMIT" not in {level for _v, level in writes}
    assert _name(user) == "Renamed"
