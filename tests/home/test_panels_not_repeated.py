"""The home page shows each thing once (issue 19): the bank's staff find their open items and
the overdue commitments of meetings they recorded in "What comes next", not again in panels
of their own; the ministry and administrators keep the panel of every overdue commitment of
the network, which "What comes next" does not list."""
from datetime import date, timedelta

import pytest

from portal.core.models import utcnow
from portal.extensions import db
from portal.meetings import services as meetings
from portal.meetings.models import CommitmentStatus
from tests import factories
from tests.feedback import helpers as feedback
from tests.home.test_next_steps import World, _home
from tests.meetings import helpers


@pytest.fixture()
def world():
    return World()


def _overdue(world, description, organisation):
    meeting = helpers.hold(world, helpers.plan(world))
    commitment = meetings.add_commitment(world.recorder, meeting, description=description,
                                         organisation=organisation,
                                         due_on=date.today() + timedelta(days=3))
    db.session.commit()
    commitment.due_on = date.today() - timedelta(days=5)  # agreed, then left to fall due
    db.session.commit()
    return commitment


def test_the_managers_queue_and_recorded_commitments_are_listed_once(client, login, world):
    item = feedback.submit(world.director, title="دیرکرد در پرداخت تسهیلات")
    item.acknowledge_due_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert item.owner_id == world.recorder.id
    # owed by the union, not by the manager: listed because the manager recorded the meeting
    late = _overdue(world, "ارسال فهرست اعضای تعاونی‌ها", world.union)

    login(world.recorder)
    html, parsed = _home(client)
    by_kind = {s["kind"]: s for s in parsed.steps}
    assert "دیرکرد در پرداخت تسهیلات" in by_kind["feedback"]["text"]
    assert by_kind["commitment"]["overdue"]
    assert "ارسال فهرست اعضای تعاونی‌ها" in by_kind["commitment"]["text"]
    assert f"/meetings/{late.meeting_id}#commitments" in by_kind["commitment"]["links"]
    assert 'id="panel-feedback-queue"' not in html
    assert 'id="panel-commitments"' not in html
    assert html.count("ارسال فهرست اعضای تعاونی‌ها") == 1


def test_the_ministry_and_administrators_keep_every_overdue_commitment(client, login, world):
    listed = _overdue(world, "ارسال فهرست اعضای تعاونی‌ها", world.union)
    _overdue(world, "انتشار گزارش شعب ویژه", world.bank)
    for reader in (world.official, factories.make_user("administrator", world.bank)):
        login(reader)
        html, _parsed = _home(client)
        panel = html.split('id="panel-commitments"')[1].split("</section>")[0]
        assert "ارسال فهرست اعضای تعاونی‌ها" in panel and "انتشار گزارش شعب ویژه" in panel
        assert "2 overdue" in panel

    # kept in the process until a commitment changes: the one done leaves the panel at once
    listed.status = CommitmentStatus.DONE
    db.session.commit()
    html, _parsed = _home(client)
    panel = html.split('id="panel-commitments"')[1].split("</section>")[0]
    assert "ارسال فهرست اعضای تعاونی‌ها" not in panel and "1 overdue" in panel
