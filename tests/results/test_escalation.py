"""An overdue result climbs the chain of the bank whose network it belongs to, as items do:
level by level in that bank's working days, each level told once, never another bank's people.
"""
from datetime import date, datetime

import sqlalchemy as sa

from portal.core.notify import Notification
from portal.extensions import db
from portal.results import services
from portal.results.models import Result, ResultStatus
from tests.feedback.test_escalation_chain import two_banks  # noqa: F401 - the fixture
from tests.results.helpers import make_result


def _escalate(app, at):
    with app.test_request_context(base_url="http://portal.test"):
        steps = services.escalate_overdue(at)
        db.session.commit()
    return steps


def _told(result, user):
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.kind == "result.overdue", Notification.user_id == user.id,
        Notification.link == f"/results/{result.id}")))


def test_an_overdue_result_climbs_its_own_banks_chain_only(app, two_banks):  # noqa: F811
    iran, vietnam = two_banks
    # due Saturday 21 Nov 2026 (a working day in Iran); Tehran's chain
    result = make_result("تسهیلات سرمایه در گردش بافندگان", owner=iran.owner,
                         due_on=date(2026, 11, 21))
    on_time = make_result("Đổi lịch giao dịch", owner=vietnam.owner, country="VN",
                          locale="vi", due_on=date(2026, 12, 31))
    assert _escalate(app, datetime(2026, 11, 21, 12, 0)) == 0        # still its due day
    assert _escalate(app, datetime(2026, 11, 22, 6, 0)) == 1         # Sunday 09:30 Tehran
    assert db.session.get(Result, result.id).escalation_level == 1
    (notice,) = _told(result, iran.chain[1][0])
    assert "تسهیلات سرمایه در گردش بافندگان" in notice.title and notice.locale == "fa"
    assert _told(result, iran.owner)
    # run again: nothing twice
    assert _escalate(app, datetime(2026, 11, 22, 8, 0)) == 0
    assert len(_told(result, iran.chain[1][0])) == 1
    # far later: up to the head office, and nobody of the other bank is ever told
    _escalate(app, datetime(2026, 12, 30, 7, 0))
    assert db.session.get(Result, result.id).escalation_level == 3
    assert _told(result, iran.chain[3][0])
    for people in vietnam.chain.values():
        for person in people:
            assert not _told(result, person)
    assert db.session.get(Result, on_time.id).escalation_level == 0


def test_a_done_result_is_not_escalated(app, two_banks):  # noqa: F811
    iran, _vietnam = two_banks
    result = make_result(owner=iran.owner, due_on=date(2026, 11, 21), status=ResultStatus.DONE)
    assert _escalate(app, datetime(2026, 12, 30, 7, 0)) == 0
    assert db.session.get(Result, result.id).escalation_level == 0
