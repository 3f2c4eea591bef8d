"""Statements belong to who spoke: a statement from the floor is submitted in the speaking
organisation's name, its directors (not the officer who recorded it) hear of acknowledgement,
answer and escalation, and the item page says who recorded it. Only an invited organisation
in the recorder's portfolio may be named. The meeting's confidentiality carries to its
statements whenever it changes, both ways."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.core.models import utcnow
from portal.core.notify import Notification
from portal.extensions import db
from portal.feedback import services as feedback_services
from portal.feedback.models import FeedbackItem, Visibility
from portal.meetings import services
from portal.meetings.models import Meeting, MeetingStatement
from tests import factories
from tests.meetings.kim_bang import KimBang

WORDS = "giải ngân tại Điểm giao dịch xã"
STATEMENT = {"kind": "proposal", "topic": "processes",
             "title": "Giải ngân tại Điểm giao dịch xã vào ngày 15",
             "body": "Tổ viên đề nghị giải ngân tại Điểm giao dịch xã vào ngày 15 hằng tháng."}


@pytest.fixture()
def kim_bang(db):
    return KimBang()


def _kinds(user):
    return [n.kind for n in db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.id))]


def _record(client, meeting, organisation, **changes):
    return client.post(f"/meetings/{meeting.id}/statements",
                       data={"organisation_id": organisation.id, **STATEMENT, **changes})


def _items():
    return db.session.scalars(sa.select(FeedbackItem).order_by(FeedbackItem.id)).all()


def test_a_statement_is_the_groups_and_its_leader_hears_what_becomes_of_it(
        client, login, kim_bang):
    kb = kim_bang
    meeting = kb.group_meeting(invited=[kb.neighbours])
    login(kb.officer)
    page = client.get(f"/meetings/{meeting.id}").text
    assert 'id="statement-organisation_id"' in page
    assert _record(client, meeting, kb.group).status_code == 302
    [item] = _items()
    assert item.organisation_id == kb.group.id and item.recorded_by_id == kb.officer.id
    assert item.owner_id == kb.officer.id  # the officer serves the group through its union

    # the item page names the group as submitter and the officer as the one who recorded it
    login(kb.leader)
    shown = client.get(f"/feedback/{item.id}").text
    assert "Tổ TK&amp;VV số 1 xã Ba Sao" in shown
    assert "Recorded by" in shown and "Nguyễn Thị Hương" in shown

    feedback_services.acknowledge(kb.officer, item)
    feedback_services.save_draft(kb.officer, item, outcome="accepted",
                                 body_html="<p>Từ tháng 4, giải ngân tại xã vào ngày 15.</p>")
    feedback_services.publish(kb.officer, item)
    db.session.commit()
    assert _kinds(kb.leader) == ["meeting_invitation", "feedback_acknowledged",
                                 "feedback_answered"]
    # the officer recorded it: they are not told their own item was answered
    assert not {"feedback_acknowledged", "feedback_answered"} & set(_kinds(kb.officer))
    # another group's leader, invited to the same meeting, did not speak
    assert "feedback_answered" not in _kinds(kb.neighbour_leader)
    # the group's leader may contest the answer, as any submitter may
    login(kb.leader)
    assert "/reopen" in client.get(f"/feedback/{item.id}").text


def test_the_groups_leader_is_told_when_the_statement_is_escalated(kim_bang):
    kb = kim_bang
    meeting = kb.group_meeting()
    item = services.record_statement(kb.officer, meeting, organisation=kb.group,
                                     kind="critique", topic="speed", title="Chậm giải ngân",
                                     body_html="<p>Hồ sơ vay chờ hơn một tháng.</p>")
    db.session.commit()
    feedback_services.escalate_overdue(utcnow() + timedelta(days=90))
    db.session.commit()
    assert "feedback_escalated" in _kinds(kb.leader)
    assert db.session.get(FeedbackItem, item.id).escalation_level > 0


def test_only_an_invited_organisation_in_the_portfolio_may_be_named(client, login, kim_bang):
    kb = kim_bang
    # the Farmers' Association's group came too, but another officer serves it
    meeting = kb.group_meeting(invited=[kb.elsewhere])
    login(kb.officer)
    page = client.get(f"/meetings/{meeting.id}").text
    offered = page.split('id="statement-organisation_id"')[1].split("</select>")[0]
    assert "Tổ TK&amp;VV số 1 xã Ba Sao" in offered and "Khả Phong" not in offered

    uninvited = _record(client, meeting, kb.neighbours)
    assert uninvited.status_code == 400
    assert "Only an organisation invited to the meeting can speak from the floor." in \
        uninvited.text
    outside = _record(client, meeting, kb.elsewhere)
    assert outside.status_code == 403
    assert "is not in your portfolio" in outside.text
    assert STATEMENT["title"] in outside.text  # what was typed is kept
    assert _items() == []

    # the bank's administrator may record it for any invited organisation
    admin = factories.make_user("administrator", kb.bank)
    login(admin)
    assert _record(client, meeting, kb.elsewhere).status_code == 302
    assert [i.organisation_id for i in _items()] == [kb.elsewhere.id]


def test_refused_in_vietnamese(client, login, kim_bang):
    kb = kim_bang
    meeting = kb.group_meeting(invited=[kb.elsewhere])
    kb.officer.preferred_locale = "vi"
    db.session.commit()
    login(kb.officer)
    outside = _record(client, meeting, kb.elsewhere)
    assert outside.status_code == 403
    assert "danh mục" in outside.text and "is not in your portfolio" not in outside.text


def _found_by(client, user, item):
    """Whether the user finds the item by the statement's words, and may open it."""
    listing = client.get("/feedback/", query_string={"q": WORDS}).text
    found = f'href="/feedback/{item.id}"' in listing
    opened = client.get(f"/feedback/{item.id}").status_code == 200
    assert found == opened
    return found


def _edit(client, meeting, confidential):
    data = {"version_id": meeting.version_id, "kind": meeting.kind.value, "series_id": "",
            "title": meeting.title, "day": "2031-03-05", "start_time": "08:00",
            "end_time": "09:00", "timezone": meeting.timezone, "place": meeting.place,
            "online_link": "", "host_organisation_id": meeting.host_organisation_id,
            "chair_id": "", "chair_name": meeting.chair_name,
            "recorder_id": meeting.recorder_id}
    if confidential:
        data["confidential"] = "y"
    return client.post(f"/meetings/{meeting.id}/edit", data=data)


def test_confidentiality_carries_to_the_statements_both_ways(client, login, kim_bang):
    kb = kim_bang
    meeting = kb.group_meeting()
    spoken = services.record_statement(
        kb.officer, meeting, organisation=kb.group, kind="proposal", topic="processes",
        title=STATEMENT["title"], body_html=STATEMENT["body"])
    # another statement the bank had made confidential on its own (e.g. naming a borrower)
    private = services.record_statement(
        kb.officer, meeting, organisation=kb.group, kind="critique", topic="other",
        title="Hộ vay quá hạn", body_html=f"<p>Một hộ chậm trả; {WORDS}.</p>")
    private.visibility = Visibility.CONFIDENTIAL
    db.session.commit()

    login(kb.farmers_chair)  # a director of another organisation of the network
    assert _found_by(client, kb.farmers_chair, spoken)
    assert not _found_by(client, kb.farmers_chair, private)

    login(kb.officer)
    assert _edit(client, db.session.get(Meeting, meeting.id), True).status_code == 302
    assert db.session.get(FeedbackItem, spoken.id).visibility == Visibility.CONFIDENTIAL
    login(kb.farmers_chair)
    assert not _found_by(client, kb.farmers_chair, spoken)
    login(kb.leader)  # the group that spoke still reads its own statement
    assert _found_by(client, kb.leader, spoken)

    login(kb.officer)
    assert _edit(client, db.session.get(Meeting, meeting.id), False).status_code == 302
    login(kb.farmers_chair)
    assert _found_by(client, kb.farmers_chair, spoken)
    # confidential on its own: stays so when the meeting is public again
    assert db.session.get(FeedbackItem, private.id).visibility == Visibility.CONFIDENTIAL
    assert not _found_by(client, kb.farmers_chair, private)
    history = [e.action for e in db.session.get(FeedbackItem, spoken.id).events]
    assert history[-2:] == ["confidential_with_origin", "public_with_origin"]


def test_a_statement_of_a_confidential_meeting_becomes_public_with_it(kim_bang):
    kb = kim_bang
    meeting = kb.group_meeting(confidential=True)
    item = services.record_statement(kb.officer, meeting, organisation=kb.group,
                                     kind="proposal", topic="processes",
                                     title=STATEMENT["title"], body_html=STATEMENT["body"])
    db.session.commit()
    assert item.visibility == Visibility.CONFIDENTIAL
    assert db.session.scalar(sa.select(MeetingStatement.confidential_by_meeting))
    services.update_meeting(kb.officer, meeting, **_details(meeting, confidential=False))
    db.session.commit()
    assert db.session.get(FeedbackItem, item.id).visibility == Visibility.PUBLIC
    assert not db.session.scalar(sa.select(MeetingStatement.confidential_by_meeting))


def _details(meeting, **changes):
    local = services.in_zone(meeting.starts_at, meeting.timezone).replace(tzinfo=None)
    end = services.in_zone(meeting.ends_at, meeting.timezone).replace(tzinfo=None)
    return dict(title=meeting.title, starts_local=local, ends_local=end,
                timezone=meeting.timezone, place=meeting.place, online_link=None,
                host_organisation=meeting.host_organisation, chair=None,
                chair_name=meeting.chair_name, recorder=meeting.recorder,
                confidential=meeting.confidential) | changes
