"""Issue 22: what a credit officer prepares for the field and sends back.

The Kim Bảng officer serves the district's Women's Union; the savings groups under it are
hers to take to the field. Entries come back as the page sends them (JSON), with the day
written as she writes it."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.feedback.models import FeedbackItem
from portal.field.models import FieldSubmission
from portal.indicators.models import GroupRating
from portal.meetings import services as meetings
from portal.meetings.models import Meeting, MeetingState, MeetingStatement
from tests import factories
from tests.e2e.pages import translate

RECOMMENDATION = "Đề nghị đổi ngày giao dịch tại xã để không trùng chợ phiên"


class Trip:
    def __init__(self, locale="vi"):
        self.office = factories.bank("VN")
        self.union = factories.make_org(OrgKind.MASS_ORGANISATION, parent=self.office)
        self.group = factories.make_org(OrgKind.SAVINGS_GROUP, parent=self.union,
                                        name="Tổ TK&VV số 5 xã Quế", commune="Quế")
        self.other_group = factories.make_org(OrgKind.SAVINGS_GROUP, parent=self.office,
                                              name="Tổ TK&VV số 2 xã Ba Sao")
        self.leader = factories.make_user("union_director", self.group,
                                          full_name="Vũ Thị Thu")
        self.district = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=self.office,
                                           name="Phòng giao dịch NHCSXH huyện Kim Bảng",
                                           country="VN", currency="VND")
        self.officer = factories.make_user("relationship_manager", self.district,
                                           full_name="Nguyễn Thị Hương",
                                           preferred_locale=locale)
        self.officer.portfolio = [self.union]
        db.session.commit()

    def entry(self, **changes):
        return {"client_id": "5b0f7f4e-8f59-4c8e-9d51-0d3c1f2a7e11", "group_id": self.group.id,
                "group_version": self.group.version_id, "day": "12/08/2025", "start": "08:00",
                "end": "09:30", "place": "Nhà văn hóa thôn Quế Sơn", "members_present": "23",
                "present": [self.leader.id], "notes": "Thu lãi tháng 8\nBình xét hộ vay mới",
                "grade": "good", "recommendations": [
                    {"kind": "proposal", "topic": "processes", "title": RECOMMENDATION,
                     "body": "Ngày 15 trùng chợ phiên, tổ viên khó đến trả lãi."}]} | changes


@pytest.fixture()
def trip(db):
    return Trip()


def _sync(client, *entries):
    return client.post("/field/api/sync", json={"entries": list(entries)})


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_preparing_gives_the_officers_groups_with_their_members(client, login, trip):
    login(trip.officer)
    answer = client.get(f"/field/api/groups?ids={trip.group.id}").get_json()
    assert [g["name"] for g in answer["groups"]] == ["Tổ TK&VV số 5 xã Quế"]
    assert answer["groups"][0]["members"] == [{"id": trip.leader.id, "name": "Vũ Thị Thu"}]
    page = client.get("/field/").get_data(as_text=True)
    assert "Tổ TK&amp;VV số 5 xã Quế" in page
    assert "Tổ TK&amp;VV số 2 xã Ba Sao" not in page  # not under her portfolio


def test_a_group_outside_the_portfolio_cannot_be_prepared(client, login, trip):
    login(trip.officer)
    response = client.get(f"/field/api/groups?ids={trip.group.id},{trip.other_group.id}")
    assert response.status_code == 404


def test_a_meeting_recorded_offline_is_recorded_once(client, login, trip):
    login(trip.officer)
    first = _sync(client, trip.entry()).get_json()["results"][0]
    assert first["status"] == "recorded"
    meeting = db.session.get(Meeting, first["meeting_id"])
    assert meeting.host_organisation_id == trip.group.id
    assert meeting.state == MeetingState.HELD
    assert meeting.starts_at == datetime(2025, 8, 12, 1, 0)  # 08:00 in Hà Nội
    assert [i.user_id for i in meeting.invitations if i.attended] == [trip.leader.id]
    assert "Bình xét hộ vay mới" in meeting.minutes.body_html
    assert "23" in meeting.minutes.body_html
    item = db.session.get(FeedbackItem, first["feedback_ids"][0])
    assert item.title == RECOMMENDATION and item.organisation_id == trip.group.id
    assert db.session.scalar(sa.select(GroupRating.grade).where(
        GroupRating.organisation_id == trip.group.id,
        GroupRating.period == date(2025, 8, 1))).value == "good"

    again = _sync(client, trip.entry()).get_json()["results"][0]
    assert again["meeting_id"] == first["meeting_id"] and again["replayed"]
    assert _count(Meeting, Meeting.host_organisation_id == trip.group.id) == 1
    assert _count(MeetingStatement) == 1
    assert _count(FieldSubmission) == 1


def test_the_day_is_read_in_the_officers_calendar_and_digits(client, login, db):
    trip = Trip(locale="fa")
    login(trip.officer)
    result = _sync(client, trip.entry(day="۱۴۰۴/۰۵/۲۱", members_present="۲۳")).get_json()
    meeting = db.session.get(Meeting, result["results"][0]["meeting_id"])
    assert meeting.starts_at.date() == date(2025, 8, 12)


def test_a_thai_officer_writes_the_buddhist_era_year(client, login, db):
    trip = Trip(locale="th")
    login(trip.officer)
    result = _sync(client, trip.entry(day="12/08/2568")).get_json()
    meeting = db.session.get(Meeting, result["results"][0]["meeting_id"])
    assert meeting.starts_at.date() == date(2025, 8, 12)
    assert "สมาชิกที่มาประชุม" in meeting.minutes.body_html  # "members present", in Thai


def test_a_refused_entry_says_why_in_her_language_and_writes_nothing(client, login, app, trip):
    login(trip.officer)
    result = _sync(client, trip.entry(recommendations=[{"title": ""}])).get_json()["results"][0]
    assert result["status"] == "refused"
    assert result["reasons"] == [translate(app, "vi", "Give each recommendation a short title.")]
    assert _count(Meeting) == 0 and _count(FieldSubmission) == 0
    # corrected on the phone, the same entry goes through
    assert _sync(client, trip.entry()).get_json()["results"][0]["status"] == "recorded"


def test_an_unreadable_day_is_refused(client, login, trip):
    login(trip.officer)
    result = _sync(client, trip.entry(day="12/08/0825")).get_json()["results"][0]
    assert result["status"] == "refused" and "0825" in result["reasons"][0]


def _online_meeting(trip):
    with db.session.no_autoflush:
        meeting = meetings.plan_meeting(
            trip.officer, kind="periodic_group_meeting", title="Sinh hoạt tổ tháng 8",
            starts_local=datetime(2025, 8, 12, 14, 0), ends_local=datetime(2025, 8, 12, 15, 0),
            timezone="Asia/Ho_Chi_Minh", place="Nhà tổ trưởng", online_link=None,
            host_organisation=trip.group, chair=None, chair_name=None, recorder=trip.officer,
            confidential=False)
    db.session.commit()
    return meeting


def test_a_meeting_recorded_online_meanwhile_is_a_conflict_settled_by_the_officer(
        client, login, trip):
    online = _online_meeting(trip)
    login(trip.officer)
    result = _sync(client, trip.entry()).get_json()["results"][0]
    assert result["status"] == "conflict"
    assert result["theirs"]["title"] == "Sinh hoạt tổ tháng 8"
    assert _count(Meeting) == 1 and _count(FieldSubmission) == 0

    kept = _sync(client, trip.entry(resolution="keep_mine")).get_json()["results"][0]
    assert kept["status"] == "recorded" and kept["meeting_id"] == online.id
    assert _count(Meeting) == 1
    db.session.expire_all()
    assert [s.item.title for s in db.session.get(Meeting, online.id).statements] == [
        RECOMMENDATION]


def test_keeping_theirs_drops_the_entry_without_writing(client, login, trip):
    _online_meeting(trip)
    login(trip.officer)
    result = _sync(client, trip.entry(resolution="keep_theirs")).get_json()["results"][0]
    assert result["status"] == "dropped"
    assert _count(MeetingStatement) == 0
    assert _sync(client, trip.entry()).get_json()["results"][0]["status"] == "dropped"


def test_a_group_changed_since_preparation_is_a_conflict(client, login, trip):
    login(trip.officer)
    prepared = trip.group.version_id
    trip.group.name = "Tổ TK&VV số 5 thôn Quế Sơn"
    db.session.commit()
    result = _sync(client, trip.entry(group_version=prepared)).get_json()["results"][0]
    assert result["status"] == "conflict"
    assert result["theirs"]["name"] == "Tổ TK&VV số 5 thôn Quế Sơn"


def test_another_officers_group_is_refused(client, login, trip):
    login(trip.officer)
    result = _sync(client, trip.entry(group_id=trip.other_group.id)).get_json()["results"][0]
    assert result["status"] == "refused" and _count(Meeting) == 0


def test_an_ended_session_answers_401_and_records_nothing(client, login, trip):
    login(trip.officer)
    with client.session_transaction() as session:
        session["_seen"] -= 3 * 3600
    response = _sync(client, trip.entry())
    assert response.status_code == 401
    assert _count(Meeting) == 0
    assert client.get("/field/api/session").status_code == 401


def test_only_credit_officers_and_administrators_work_in_the_field(client, login_as, db):
    login_as("union_director")
    assert client.get("/field/").status_code == 403
    assert client.post("/field/api/sync", json={"entries": []}).status_code == 403


def test_the_service_worker_is_scoped_to_the_field_pages(client):
    response = client.get("/field/sw.js")
    assert response.headers["Service-Worker-Allowed"] == "/field/"
    assert response.mimetype == "text/javascript"
    manifest = client.get("/field/manifest.webmanifest").get_json()
    assert manifest["scope"] == "/field/" and manifest["start_url"] == "/field/"


def test_the_prepared_data_expires_after_the_configured_days(client, login, app, trip):
    app.config["FIELD_KEEP_DAYS"] = 3
    try:
        login(trip.officer)
        assert client.get("/field/api/session").get_json()["keep_days"] == 3
        assert 'data-keep-days="3"' in client.get("/field/").get_data(as_text=True)
    finally:
        app.config.pop("FIELD_KEEP_DAYS")


def test_the_field_page_needs_no_inline_script(client, login, trip):
    login(trip.officer)
    page = client.get("/field/").get_data(as_text=True)
    assert "<script>" not in page and " onclick=" not in page
