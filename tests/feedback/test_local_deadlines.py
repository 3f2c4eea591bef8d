"""Feedback deadlines in the submitting organisation's own days: its date, its weekend, its
public holidays (any year), ending at its midnight.

With the SLA of portal/config.py: a critique is acknowledged within 2 working days and
answered within 15; a proposal within 2 and 20. Times below are the UTC instants a user in
the named city lives as the local time in the comment.
"""
from datetime import datetime

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from portal.feedback import escalation, services
from portal.feedback.models import FeedbackItem
from tests import factories
from tests.feedback import helpers

# 23:59:59 local time, stored in UTC
END_OF_DAY_HANOI = (16, 59, 59)      # UTC+7, as Bangkok
END_OF_DAY_TEHRAN = (20, 29, 59)     # UTC+3:30


def _organisation(country):
    if country == "VN":
        union = factories.make_org("mass_organisation", country="VN", currency="VND")
    else:
        union = factories.make_org("national_union", country=country,
                                   currency={"IR": "IRR", "TH": "THB"}[country])
    director = factories.make_user("union_director", union, preferred_locale="en")
    return union, director


def _submit_at(app, utc, country, kind="critique"):
    union, director = _organisation(country)
    with freeze_time(utc), app.test_request_context():
        return helpers.submit(director, organisation=union, kind=kind)


def _title_in_overdue_list(client, login, reader, title):
    login(reader)  # signed in at the frozen time, so the session is fresh then
    page = client.get("/feedback/?overdue=1")
    assert page.status_code == 200
    return title in page.text


def test_a_saturday_morning_critique_in_hanoi_is_acknowledged_by_tuesday(
        app, client, login, db):
    """Sent through the form on Saturday 16 May 2026 at 05:00 in Hà Nội (Friday 22:00 UTC):
    Monday and Tuesday are the two working days. Counting from the UTC Friday gave Tuesday
    22:00 UTC, which people in Hà Nội read as Wednesday."""
    union, director = _organisation("VN")
    manager = factories.make_user("relationship_manager", timezone="Asia/Tehran",
                                  preferred_locale="en")
    manager.portfolio = [union]
    db.session.commit()
    with freeze_time("2026-05-15 22:00"):
        login(director)
        response = client.post("/feedback/new/critique", data={
            "organisation_id": union.id, "title": "Chậm mở tài khoản cho tổ tiết kiệm",
            "body": "Three weeks to open an account.", "topic": "speed",
            "visibility": "public", "concerns": "Kim Bảng office", "branch_id": ""})
        assert response.status_code == 302, response.text
        item = db.session.scalar(sa.select(FeedbackItem))
        assert item.acknowledge_due_at == datetime(2026, 5, 19, *END_OF_DAY_HANOI)
        # 15 working days from Saturday: the third Friday, 5 June
        assert item.answer_due_at == datetime(2026, 6, 5, *END_OF_DAY_HANOI)
        page = client.get(response.headers["Location"]).text
        # the director (in Hà Nội) and the manager (in Tehran) both read Tuesday
        assert "May 19, 2026" in page and "May 20, 2026" not in page
        login(manager)
        page = client.get(response.headers["Location"]).text
        assert "May 19, 2026" in page and "May 20, 2026" not in page


def test_a_friday_night_critique_in_tehran_is_acknowledged_by_sunday(app, db):
    # Friday 15 May 2026, 02:00 in Tehran (Thursday 22:30 UTC): the Friday is not worked,
    # Saturday and Sunday are. From the UTC Thursday it came out as Monday 02:00 in Tehran.
    item = _submit_at(app, "2026-05-14 22:30", "IR")
    assert item.acknowledge_due_at == datetime(2026, 5, 17, *END_OF_DAY_TEHRAN)


@pytest.mark.parametrize(("country", "submitted", "kind", "acknowledge_by", "answer_by"), [
    # Wednesday 27 Esfand 1404 (18 March 2026), 10:00 in Tehran. Thursday 19 is worked; then
    # Friday 20 (29 Esfand), Nowruz 21-24 March; Wednesday 25 (5 Farvardin) is the second day.
    # The answer skips 12 and 13 Farvardin (1-2 April) too: Sunday 12 April.
    ("IR", "2026-03-18 06:30", "critique", (2026, 3, 25), (2026, 4, 12)),
    # Thursday 18 March 2027 in Tehran, a year the old configuration did not have: Friday,
    # 29 Esfand (Saturday 20) and Nowruz 21-24 are off: Thursday 25 and Saturday 27.
    ("IR", "2027-03-18 06:30", "critique", (2027, 3, 27), None),
    # A proposal on Thursday 12 February 2026, 10:00 in Hà Nội: Friday 13, then the weekend
    # and Tết (16-20 February): Monday 23. Twenty working days: Thursday 19 March.
    ("VN", "2026-02-12 03:00", "proposal", (2026, 2, 23), (2026, 3, 19)),
    # Wednesday 3 February 2027 in Hà Nội: Tết runs 4-10 February: Thursday 11, Friday 12.
    ("VN", "2027-02-03 03:00", "critique", (2027, 2, 12), None),
    # Friday 10 April 2026, 14:00 in Bangkok: Songkran 13-15 April: Thursday 16, Friday 17.
    ("TH", "2026-04-10 07:00", "critique", (2026, 4, 17), None),
    # Friday 12 April 2030 in Bangkok: Songkran falls on the weekend and Monday 15, with
    # Tuesday 16 in lieu: Wednesday 17 and Thursday 18.
    ("TH", "2030-04-12 07:00", "critique", (2030, 4, 18), None),
])
def test_deadlines_cross_the_national_holidays(app, db, country, submitted, kind,
                                               acknowledge_by, answer_by):
    end = END_OF_DAY_TEHRAN if country == "IR" else END_OF_DAY_HANOI
    item = _submit_at(app, submitted, country, kind)
    assert item.acknowledge_due_at == datetime(*acknowledge_by, *end)
    if answer_by:
        assert item.answer_due_at == datetime(*answer_by, *end)


def test_a_day_off_the_operator_adds_moves_the_deadline(app, db, monkeypatch):
    # a closure declared at short notice on Monday 18 May 2026 in Vietnam
    monkeypatch.setitem(app.config, "HOLIDAYS", ["VN:2026-05-18"])
    item = _submit_at(app, "2026-05-15 22:00", "VN")
    assert item.acknowledge_due_at == datetime(2026, 5, 20, *END_OF_DAY_HANOI)


def test_a_published_holiday_the_operator_removes_is_worked(app, db, monkeypatch):
    # the bank opens on the last day of Songkran 2026
    monkeypatch.setitem(app.config, "HOLIDAYS_REMOVED", ["TH:2026-04-15"])
    item = _submit_at(app, "2026-04-10 07:00", "TH")
    assert item.acknowledge_due_at == datetime(2026, 4, 16, *END_OF_DAY_HANOI)


def test_overdue_begins_at_midnight_in_hanoi(app, client, login, db):
    item = _submit_at(app, "2026-05-15 22:00", "VN")  # due by the end of Tuesday 19 May
    director = item.submitted_by
    with freeze_time("2026-05-19 16:59:00"):  # Tuesday 23:59 in Hà Nội
        assert not item.overdue()
        assert not _title_in_overdue_list(client, login, director, item.title)
        with app.test_request_context():
            assert escalation.escalate_overdue() == 0
    with freeze_time("2026-05-19 17:01:00"):  # Wednesday 00:01 in Hà Nội
        assert item.overdue()
        assert _title_in_overdue_list(client, login, director, item.title)
        with app.test_request_context():
            assert escalation.escalate_overdue() == 1
            db.session.commit()
    assert db.session.get(FeedbackItem, item.id).escalation_level == 1


def test_lateness_is_counted_in_the_organisations_working_days(app, db):
    item = _submit_at(app, "2026-05-14 22:30", "IR")  # due by the end of Sunday 17 May
    # Saturday 23 May, 00:30 in Tehran (Friday 21:00 UTC): Monday to Thursday and Saturday,
    # five working days late: level 2. By the UTC date (Friday) it would be four: level 1.
    with freeze_time("2026-05-22 21:00"), app.test_request_context():
        escalation.escalate_overdue()
        db.session.commit()
    assert db.session.get(FeedbackItem, item.id).escalation_level == 2


def test_a_reopened_item_gets_a_new_answer_deadline_from_the_local_date(app, db):
    union, director, manager = helpers.union_with_manager()
    with freeze_time("2026-05-02 08:00"), app.test_request_context():
        item = helpers.submit(director, organisation=union)
        helpers.answer(manager, item)
    # reopened on Friday 15 May 2026 at 02:00 in Tehran (Thursday 22:30 UTC): 15 working
    # days from the Friday run from Saturday 16 May to Tuesday 2 June, Fridays and Eid
    # al-Adha (Wednesday 27 May) left out
    with freeze_time("2026-05-14 22:30"), app.test_request_context():
        services.reopen(director, item, "The branch still asks for three weeks.")
        db.session.commit()
    assert item.answer_due_at == datetime(2026, 6, 2, *END_OF_DAY_TEHRAN)
