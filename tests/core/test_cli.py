"""The flask commands an operator runs (README, "Operations"), through app.test_cli_runner():
what each prints and what it does. `feedback escalate` and `meetings remind` are tested with
their areas."""
import tempfile
from datetime import date, datetime

import sqlalchemy as sa
from freezegun import freeze_time

from portal import create_app
from portal.accounts.models import OrgKind, Role
from portal.accounts.services import authenticate
from portal.core import digests, outbox
from portal.core.notify import notify
from portal.core.outbox import OutboxMessage
from portal.extensions import db as _db
from tests import factories
from tests.conftest import give_the_limiter_back
from tests.feedback.test_escalation_chain import two_banks  # noqa: F401 - the fixture


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _count(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_admin_prints_a_password_that_signs_in_and_resets_it_when_run_again(app, db):
    printed = _run(app, "create-admin", "--email", "Root@CDB.example",
                   "--name", "Parisa Rahimi").output
    assert printed.startswith("Administrator: root@cdb.example  password: ")
    password = printed.split("password: ")[1].strip()
    admin = authenticate("root@cdb.example", password)
    assert admin is not None and Role.ADMINISTRATOR in admin.roles
    assert admin.full_name == "Parisa Rahimi"
    again = _run(app, "create-admin", "--email", "root@cdb.example",
                 "--password", "a chosen password 2027").output
    assert again.strip().endswith("password: a chosen password 2027")
    assert authenticate("root@cdb.example", password) is None
    assert authenticate("root@cdb.example", "a chosen password 2027") is not None


def test_outbox_deliver_sends_what_is_due_and_says_how_many(app, db, smtp):
    for address in ("a@kimbang.example", "b@kimbang.example"):
        outbox.enqueue(address, "Sinh hoạt tổ định kỳ", "Nội dung")
    db.session.commit()
    assert _run(app, "outbox", "deliver").output == "sent 2, failed 0\n"
    assert sorted(m["To"] for m in smtp.messages) == ["a@kimbang.example", "b@kimbang.example"]
    assert _run(app, "outbox", "deliver").output == "sent 0, failed 0\n"
    # the worker: quiet on passes with nothing to do, stops after --max-passes
    outbox.enqueue("c@kimbang.example", "Nhắc lịch", "Nội dung")
    db.session.commit()
    worker = _run(app, "outbox", "deliver", "--loop", "--max-passes", "2", "--interval", "0")
    assert worker.output == "sent 1, failed 0\n" and len(smtp.messages) == 3


def test_outbox_digests_builds_the_digests_due_at_each_persons_morning_once(app, db):
    union = factories.make_org(OrgKind.NATIONAL_UNION, country="VN", name="Liên minh HTX")
    reader = factories.make_user("union_director", union, preferred_locale="vi")
    with app.test_request_context(base_url="http://portal.test"):
        digests.set_frequency(reader, "feedback", "daily")
        notify(reader, "feedback_answered", lambda: ("Phản hồi chính thức", "Nội dung"),
               link="/feedback/1")
    db.session.commit()
    with freeze_time(datetime(2026, 12, 7, 1, 0)):  # 08:00 in Hanoi
        assert _run(app, "outbox", "digests").output == "digests 1\n"
        assert _run(app, "outbox", "digests").output == "digests 0\n"
    (digest,) = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == reader.email))
    assert "Phản hồi chính thức" in digest.body_text


def test_results_escalate_raises_an_overdue_result_once(app, two_banks):  # noqa: F811
    # imported here: at collection, before the app has imported every area's models, the
    # results models cannot resolve their relationships yet
    from portal.results.models import Result
    from tests.results.helpers import make_result

    iran, _vietnam = two_banks
    result = make_result("تسهیلات سرمایه در گردش بافندگان", owner=iran.owner,
                         due_on=date(2026, 11, 21))
    with freeze_time(datetime(2026, 11, 22, 6, 0)):  # Sunday 09:30 in Tehran
        assert _run(app, "results", "escalate").output == "escalation steps taken: 1\n"
        assert _run(app, "results", "escalate").output == "escalation steps taken: 0\n"
    assert _db.session.get(Result, result.id).escalation_level == 1


def test_wait_for_db_returns_at_once_when_the_database_answers(app, db):
    result = app.test_cli_runner().invoke(args=["wait-for-db", "--seconds", "0"])
    assert result.exit_code == 0 and result.output == ""


def test_wait_for_db_gives_up_on_a_database_that_never_answers(app):
    nowhere = f"sqlite:///{tempfile.gettempdir()}/no-such-folder-for-the-portal/x.sqlite"
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": nowhere,
                        "RATELIMIT_STORAGE_URI": "memory://"})
    try:
        result = other.test_cli_runner().invoke(args=["wait-for-db", "--seconds", "0"])
        assert result.exit_code != 0
        assert isinstance(result.exception, sa.exc.OperationalError)
    finally:
        with other.app_context():
            _db.engine.dispose()
        give_the_limiter_back(app)


def test_seed_demo_prints_accounts_that_sign_in_and_a_second_run_changes_nothing(app, db):
    printed = _run(app, "seed-demo").output.splitlines()
    assert printed[0] == "Demo data is loaded. Sign in with any of these accounts:"
    accounts = [line.split() for line in printed[1:]]
    roles = {fields[0] for fields in accounts}
    assert {"union_director", "relationship_manager", "administrator"} <= roles
    role, email, password = accounts[0]
    assert authenticate(email, password) is not None
    counts = {table.name: _count(table) for table in _db.metadata.sorted_tables}
    _run(app, "seed-demo")
    assert {table.name: _count(table) for table in _db.metadata.sorted_tables} == counts
