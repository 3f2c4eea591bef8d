"""A commitment is overdue once its due date has ended where the committing organisation is."""
from datetime import date

import sqlalchemy as sa
from freezegun import freeze_time

from portal.core.notify import Notification
from portal.meetings import services
from tests import factories
from tests.meetings import helpers
from tests.meetings.helpers import Cast

DUE = date(2026, 5, 17)  # a Sunday


def _reminded(db, user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.kind == "meeting_commitment_overdue"))


def _commitments():
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast))
    tehran = services.add_commitment(cast.recorder, meeting, description="Open accounts in "
                                     "three days", organisation=cast.union, owner=cast.director,
                                     due_on=DUE)
    vietnam = factories.make_org("mass_organisation")
    officer = factories.make_user("union_director", vietnam)
    hanoi = services.add_commitment(cast.recorder, meeting, description="Báo cáo số hộ vay",
                                    organisation=vietnam, owner=officer, due_on=DUE)
    factories.db.session.commit()
    return cast, officer, tehran, hanoi


def test_each_commitment_turns_overdue_at_its_own_midnight(db):
    cast, officer, tehran, hanoi = _commitments()
    with freeze_time("2026-05-17 16:59"):  # 23:59 in Hà Nội, 20:29 in Tehran: Sunday in both
        assert not hanoi.overdue() and not tehran.overdue()
        assert services.remind_overdue() == 0
    with freeze_time("2026-05-17 17:01"):  # Monday 00:01 in Hà Nội, still Sunday in Tehran
        assert hanoi.overdue() and not tehran.overdue()
        assert services.remind_overdue() == 1
    assert _reminded(db, officer) == 1 and _reminded(db, cast.director) == 0
    with freeze_time("2026-05-17 20:31"):  # Monday 00:01 in Tehran (still Sunday in UTC)
        assert tehran.overdue()
        assert services.remind_overdue() == 1
    assert _reminded(db, cast.director) == 1 and _reminded(db, officer) == 1


def test_the_meeting_page_flags_them_by_its_readers_date(client, login, db):
    """A page counts with its reader's date (the zone it shows times in): at Sunday 23:59 in
    Tehran a reader there sees nothing overdue; two minutes later, both commitments."""
    cast, _officer, _tehran, _hanoi = _commitments()
    cast.recorder.timezone, cast.recorder.preferred_locale = "Asia/Tehran", "en"
    db.session.commit()
    meeting_page = f"/meetings/{_tehran.meeting_id}"
    badge = ">Overdue</span>"
    with freeze_time("2026-05-17 20:29"):
        login(cast.recorder)
        page = client.get(meeting_page)
        assert page.status_code == 200 and "Báo cáo số hộ vay" in page.text
        assert page.text.count(badge) == 0
    with freeze_time("2026-05-17 20:31"):
        login(cast.recorder)
        assert client.get(meeting_page).text.count(badge) == 2
