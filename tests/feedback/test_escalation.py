"""Deadlines in working days and escalation level by level, with a frozen clock."""
from datetime import datetime

import sqlalchemy as sa
from freezegun import freeze_time

from portal.core.notify import Notification
from portal.feedback import escalation
from portal.feedback.models import EscalationContact, FeedbackItem
from tests import factories
from tests.feedback import helpers


def _titles(db, user):
    return [n.title for n in db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "feedback_escalated"))]


def test_deadlines_skip_the_iranian_friday(app, db):
    _union, director, _manager = helpers.union_with_manager()
    with freeze_time("2026-11-18 09:00"), app.test_request_context():  # a Wednesday
        item = helpers.submit(director)
    # acknowledge in 2 working days: Thursday 19, (Friday off), Saturday 21, to the end of
    # Saturday in Tehran (23:59:59 there, 20:29:59 UTC)
    assert item.acknowledge_due_at == datetime(2026, 11, 21, 20, 29, 59)


def test_deadlines_skip_the_vietnamese_weekend_and_public_holidays(app, db):
    union = factories.make_org("mass_organisation", country="VN", currency="VND")
    director = factories.make_user("union_director", union)
    with freeze_time("2026-02-13 08:00"), app.test_request_context():  # Friday before Tết
        item = helpers.submit(director, organisation=union)
    # Sat-Sun off, then Tết 16-20 Feb: Monday 23 and Tuesday 24, to the end of Tuesday in Hà Nội
    assert item.acknowledge_due_at == datetime(2026, 2, 24, 16, 59, 59)


def test_each_level_is_reached_in_turn_and_announced_once(app, db):
    union, director, manager = helpers.union_with_manager()
    branch = manager.memberships[0].organisation
    head = factories.make_user("relationship_manager", branch, full_name="Branch head")
    department = factories.make_user("relationship_manager", full_name="Head-office department")
    leadership = factories.make_user("administrator", full_name="Bank leadership")
    bank = leadership.memberships[0].organisation  # the head office: every office joins it
    for level, user, org in ((1, head, branch), (2, department, None), (3, leadership, None)):
        db.session.add(EscalationContact(network_id=bank.id, level=level, user_id=user.id,
                                         organisation_id=org and org.id))
    db.session.commit()
    with freeze_time("2026-11-18 09:00"), app.test_request_context():
        item = helpers.submit(director)
    with app.test_request_context():
        with freeze_time("2026-11-20 12:00"):  # Friday: not yet late
            assert escalation.escalate_overdue() == 0
        with freeze_time("2026-11-22 09:30"):  # past the acknowledgement deadline
            assert escalation.escalate_overdue() == 1
            assert escalation.escalate_overdue() == 0  # idempotent
        with freeze_time("2026-11-28 10:00"):  # 5 working days late (Fri 27 off)
            assert escalation.escalate_overdue() == 1
        with freeze_time("2026-12-30 10:00"):  # long overdue: level 3, once
            assert escalation.escalate_overdue() == 1
            assert escalation.escalate_overdue() == 0
        db.session.commit()
    assert db.session.get(FeedbackItem, item.id).escalation_level == 3
    assert len(_titles(db, head)) == 1
    assert len(_titles(db, department)) == 1
    assert len(_titles(db, leadership)) == 1
    assert len(_titles(db, manager)) == 3  # the owner hears of every level, one run each
    assert len(_titles(db, director)) == 3


def test_an_item_answered_in_time_never_escalates(app, db):
    _union, director, manager = helpers.union_with_manager()
    with freeze_time("2026-11-18 09:00"), app.test_request_context():
        item = helpers.submit(director)
        helpers.answer(manager, item)
    with freeze_time("2027-01-30"), app.test_request_context():
        assert escalation.escalate_overdue() == 0


def test_the_cli_command_escalates(app, db):
    _union, director, _manager = helpers.union_with_manager()
    with freeze_time("2026-11-18 09:00"), app.test_request_context():
        helpers.submit(director)
    with freeze_time("2026-12-01"):
        result = app.test_cli_runner().invoke(args=["feedback", "escalate"])
    assert "escalation steps taken: 2" in result.output
