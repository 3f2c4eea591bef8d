"""Every organisation can meet: a savings group hosts its own periodic meeting and another is
invited, both chosen with the organisation picker among what the organiser may see; the
meetings list finds the meeting by either group; the host proposed is the organiser's own
office, never another country's branch."""
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.core.notify import Notification
from portal.extensions import db
from portal.meetings.models import Meeting
from tests import factories
from tests.meetings.kim_bang import KimBang


@pytest.fixture()
def kim_bang(db):
    return KimBang()


@pytest.fixture()
def iran(db):
    """The other network: the Iranian bank and its Tehran branch, whose name sorts first, so
    that a host proposed by the list's order rather than by the organiser would be it."""
    bank = factories.make_org(OrgKind.BANK_HEAD_OFFICE, name="Bank Tose'e Ta'avon", code="CDB-HO")
    branch = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=bank, code="CDB-TEH-01",
                                name="Branch A Tehran")
    db.session.commit()
    return branch


@pytest.fixture()
def many(app):
    """A large network: more organisations than a select should carry."""
    before = app.config["ORG_PICKER_FROM"]
    app.config["ORG_PICKER_FROM"] = 3
    yield
    app.config["ORG_PICKER_FROM"] = before


def _plan(client, kb, host):
    return client.post("/meetings/new", data={
        "kind": "periodic_group_meeting", "series_id": "", "day": "2031-03-05",
        "title": "Sinh hoạt tổ định kỳ tháng 3", "start_time": "08:00", "end_time": "09:30",
        "timezone": "Asia/Ho_Chi_Minh", "place": "Nhà văn hóa thôn Ba Sao",
        "host_organisation_id": host, "chair_id": "", "chair_name": "Tổ trưởng",
        "recorder_id": kb.officer.id})


def _selected(page, field):
    select = re.search(rf'<select[^>]*id="{field}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option selected value="(\d+)"|<option value="(\d+)" selected', select)


def _options(page, field):
    select = re.search(rf'<select[^>]*id="{field}".*?</select>', page, re.S).group(0)
    return set(re.findall(r'value="(\d+)"', select))


def test_a_credit_officer_plans_a_group_meeting_hosted_by_the_group_and_invites_another(
        client, login, kim_bang, iran):
    kb = kim_bang
    login(kb.officer)
    form = client.get("/meetings/new").text
    offered = _options(form, "host_organisation_id")
    assert {str(kb.group.id), str(kb.neighbours.id), str(kb.office.id)} <= offered
    assert str(iran.id) not in offered  # another country's branch is not offered at all
    assert re.search(rf'<option selected value="{kb.office.id}"|'
                     rf'<option value="{kb.office.id}" selected', form)  # their own office
    assert _plan(client, kb, kb.group.id).status_code == 302
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.host_organisation_id == kb.group.id
    page = client.get(f"/meetings/{meeting.id}").text
    assert str(kb.neighbours.id) in _options(page, "organisation_ids")
    invited = client.post(f"/meetings/{meeting.id}/invite",
                          data={"organisation_ids": [kb.group.id, kb.neighbours.id]})
    assert invited.status_code == 302
    meeting = db.session.get(Meeting, meeting.id)
    assert {o.id for o in meeting.invited_organisations} == {kb.group.id, kb.neighbours.id}
    # the other group's leader is invited by name and told
    assert db.session.scalar(sa.select(Notification).where(
        Notification.user_id == kb.neighbour_leader.id,
        Notification.kind == "meeting_invitation")) is not None


def test_the_filter_finds_a_meeting_by_either_group(client, login, kim_bang):
    kb = kim_bang
    meeting = kb.group_meeting(invited=[kb.neighbours])
    login(kb.officer)
    listing = client.get("/meetings/").text
    assert str(kb.group.id) in _options(listing, "f-org")  # groups are in the filter
    for group in (kb.group, kb.neighbours):
        found = client.get(f"/meetings/?organisation={group.id}").text
        assert f'href="/meetings/{meeting.id}"' in found
    missed = client.get(f"/meetings/?organisation={kb.elsewhere.id}").text
    assert f'href="/meetings/{meeting.id}"' not in missed


def test_among_thousands_the_host_invitees_and_filter_are_search_boxes(
        client, login, kim_bang, many):
    kb = kim_bang
    login(kb.officer)
    form = client.get("/meetings/new").text
    assert re.search(r'<input[^>]*id="host_organisation_id"[^>]*data-org-lookup', form) or \
        re.search(r'<input[^>]*data-org-lookup[^>]*id="host_organisation_id"', form)
    assert "Tổ TK&amp;VV số 2" not in form  # no list of the network is sent
    assert "Phòng giao dịch NHCSXH huyện Kim Bảng (VBSP-KB)" in form  # the default, typed
    assert _plan(client, kb, "Tổ TK&VV số 1 xã Ba Sao (VN-KB-G0101)").status_code == 302
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.host_organisation_id == kb.group.id
    page = client.get(f"/meetings/{meeting.id}").text
    assert 'name="organisation_ids"' in page and "data-org-lookup" in page
    invited = client.post(f"/meetings/{meeting.id}/invite", data={"organisation_ids": [
        "Tổ TK&VV số 1 xã Ba Sao (VN-KB-G0101)", "VN-KB-G0102", ""]})
    assert invited.status_code == 302
    meeting = db.session.get(Meeting, meeting.id)
    assert {o.id for o in meeting.invited_organisations} == {kb.group.id, kb.neighbours.id}
    found = client.get("/meetings/", query_string={
        "organisation": "Tổ TK&VV số 2 xã Ba Sao (VN-KB-G0102)"}).text
    assert f'href="/meetings/{meeting.id}"' in found
    assert 'value="Tổ TK&amp;VV số 2 xã Ba Sao (VN-KB-G0102)"' in found  # kept in the box
    missed = client.get("/meetings/", query_string={"organisation": "VN-KB-G0201"}).text
    assert f'href="/meetings/{meeting.id}"' not in missed


def test_an_organisation_not_offered_is_refused_and_the_typed_text_kept(
        client, login, kim_bang, iran, many):
    kb = kim_bang
    login(kb.officer)
    refused = _plan(client, kb, "Branch A Tehran (CDB-TEH-01)")  # another network
    assert refused.status_code == 400
    assert "No organisation you may choose has this name or code" in refused.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0
    meeting = kb.group_meeting(held=False)
    login(kb.officer)
    refused = client.post(f"/meetings/{meeting.id}/invite",
                          data={"organisation_ids": ["VN-KB-G0102", "Tổ không có (XX-1)"]})
    assert refused.status_code == 400
    assert "Tổ không có (XX-1)" in refused.text  # what was typed stays in its box
    assert "No organisation you may choose is called" in refused.text
    assert [o.id for o in db.session.get(Meeting, meeting.id).invited_organisations] == [
        kb.group.id]  # nothing half-done


def test_the_series_form_offers_groups_and_proposes_the_organisers_office(
        client, login, kim_bang, iran):
    kb = kim_bang
    login(kb.officer)
    form = client.get("/meetings/series/new").text
    assert str(kb.group.id) in _options(form, "organisation_ids")
    assert str(iran.id) not in _options(form, "host_organisation_id")
    assert re.search(rf'<option selected value="{kb.office.id}"|'
                     rf'<option value="{kb.office.id}" selected', form)
