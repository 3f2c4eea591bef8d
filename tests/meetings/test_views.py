"""The meeting pages as people use them: minutes with conflicts and autosave, calendars,
invitations by e-mail, bad input, confidential meetings, languages and calendars."""
import re
from datetime import date, datetime, timedelta

import icalendar
import sqlalchemy as sa

from portal.core import outbox
from portal.extensions import db
from portal.feedback.models import FeedbackItem
from portal.meetings import services
from portal.meetings.feeds import feed_token
from portal.meetings.models import Meeting, MeetingStatement, Minutes, Reply
from tests import factories
from tests.meetings import helpers
from tests.meetings.helpers import FUTURE, Cast


def _held(cast, **kw):
    return helpers.hold(cast, helpers.plan(cast, **kw))


def test_two_recorders_saving_the_same_minutes_the_second_gets_409_and_keeps_their_text(
        client, login):
    cast = Cast()
    meeting = _held(cast)
    admin = factories.make_user("administrator", cast.bank)
    version = meeting.minutes.version_id
    login(cast.recorder)
    first = client.post(f"/meetings/{meeting.id}/minutes", data={
        "version_id": version, "body": "<p>The CEO opened the session.</p>"})
    assert first.status_code == 302
    login(admin)
    second = client.post(f"/meetings/{meeting.id}/minutes", data={
        "version_id": version, "body": "<p>نماینده وزارت درباره محصولات مالی سخن گفت.</p>"})
    assert second.status_code == 409
    assert "نماینده وزارت درباره محصولات مالی سخن گفت" in second.text  # theirs to merge
    assert "The CEO opened the session." in second.text  # the saved text, shown
    minutes = db.session.scalar(sa.select(Minutes))
    assert minutes.body_html == "<p>The CEO opened the session.</p>"
    # merging and saving again, from the version the 409 page carries, succeeds
    merged = client.post(f"/meetings/{meeting.id}/minutes", data={
        "version_id": minutes.version_id,
        "body": "<p>The CEO opened the session.</p><p>نماینده وزارت سخن گفت.</p>"})
    assert merged.status_code == 302
    assert len(db.session.scalar(sa.select(Minutes)).revisions) == 3


def test_autosave_keeps_a_draft_that_the_editor_restores(client, login):
    cast = Cast()
    meeting = _held(cast)
    login(cast.recorder)
    editor = client.get(f"/meetings/{meeting.id}/minutes")
    assert 'data-autosave-url="/meetings/' in editor.text
    assert "js/minutes-autosave.js" in editor.text and "<script>" not in editor.text
    saved = client.post(f"/meetings/{meeting.id}/minutes/autosave", data={
        "body": "<p>Half-written after a timeout</p>",
        "version_id": meeting.minutes.version_id})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    reopened = client.get(f"/meetings/{meeting.id}/minutes")
    assert "Half-written after a timeout" in reopened.text
    assert "restored" in reopened.text
    too_big = client.post(f"/meetings/{meeting.id}/minutes/autosave",
                          data={"body": "x" * 200_001})
    assert too_big.status_code == 400


def test_oversized_minutes_are_refused_and_script_is_removed(client, login):
    cast = Cast()
    meeting = _held(cast)
    login(cast.recorder)
    version = meeting.minutes.version_id
    big = client.post(f"/meetings/{meeting.id}/minutes", data={
        "version_id": version, "body": "<p>" + "م" * 200_001 + "</p>"})
    assert big.status_code == 400 and "too long" in big.text
    client.post(f"/meetings/{meeting.id}/minutes", data={
        "version_id": version, "body": '<p>ok</p><script>alert("x")</script>'})
    body = db.session.scalar(sa.select(Minutes)).body_html
    assert body == "<p>ok</p>"


def test_meeting_form_refuses_an_end_before_the_start(client, login):
    cast = Cast()
    login(cast.recorder)
    response = client.post("/meetings/new", data={
        "kind": "ad_hoc", "series_id": "", "title": "Bad times", "day": "2031-03-10",
        "start_time": "10:00", "end_time": "09:00", "timezone": "Asia/Tehran",
        "place": "Tehran", "host_organisation_id": cast.bank.id, "chair_id": "",
        "recorder_id": cast.recorder.id})
    assert response.status_code == 400
    assert "must end after it starts" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0
    good = client.post("/meetings/new", data={
        "kind": "ad_hoc", "series_id": "", "title": "Good times", "day": "2031-03-10",
        "start_time": "10:00", "end_time": "11:30", "timezone": "Asia/Bangkok",
        "place": "Bangkok", "host_organisation_id": cast.bank.id, "chair_id": "",
        "recorder_id": cast.recorder.id})
    assert good.status_code == 302
    assert db.session.scalar(sa.select(Meeting)).starts_at == datetime(2031, 3, 10, 3, 0)


def test_attendance_for_someone_not_invited_is_refused(client, login):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast), minutes=None)
    outsider = factories.make_org("national_union", name="اتحادیه دیگر")
    db.session.commit()
    login(cast.recorder)
    response = client.post(f"/meetings/{meeting.id}/attendance",
                           data={"organisation_ids": [cast.union.id, outsider.id]})
    assert response.status_code == 400
    assert all(mo.attended is None for mo in db.session.get(Meeting, meeting.id).organisations)
    ok = client.post(f"/meetings/{meeting.id}/attendance",
                     data={"organisation_ids": [cast.union.id], "user_ids": [cast.director.id]})
    assert ok.status_code == 302


def test_sign_off_by_anyone_but_the_ministry_is_403(client, login):
    cast = Cast()
    meeting = helpers.approve(cast, _held(cast))
    for role in ("union_director", "relationship_manager", "branch_staff", "administrator"):
        login(factories.make_user(role))
        assert client.post(f"/meetings/{meeting.id}/sign-off").status_code == 403
    login(cast.recorder)
    assert client.post(f"/meetings/{meeting.id}/sign-off").status_code == 403
    login(cast.official)
    assert client.post(f"/meetings/{meeting.id}/sign-off", data={
        "comment": "تأیید شد", "version_id": meeting.version_id}).status_code == 302


def test_a_confidential_meeting_is_hidden_from_an_uninvited_union(client, login):
    cast = Cast()
    meeting = helpers.plan(cast, confidential=True, title="Closed session on guarantees")
    outsider = factories.make_user("union_director")
    login(outsider)
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/meetings/{meeting.id}/print").status_code == 404
    assert client.get(f"/meetings/{meeting.id}/calendar.ics").status_code == 404
    assert "Closed session on guarantees" not in client.get("/meetings/").text
    login(cast.director)
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    assert "Closed session on guarantees" in client.get("/meetings/").text


def _event(ics_bytes):
    cal = icalendar.Calendar.from_ical(ics_bytes)
    return [c for c in cal.walk("VEVENT")]


def test_icalendar_shows_the_right_times_across_zones(client, login):
    cast = Cast()
    series = services.create_series(cast.recorder, title="Series", host_organisation=cast.bank)
    tehran = helpers.plan(cast, series=series, starts=datetime(2025, 8, 12, 10, 0),
                          title="Tehran session")
    helpers.plan(cast, series=series, starts=datetime(2025, 8, 12, 10, 0),
                 timezone="Asia/Ho_Chi_Minh", title="Hà Nội session")
    services.add_agenda_item(cast.recorder, tehran, title="نقدها و پیشنهادها")
    db.session.commit()
    login(cast.director)
    response = client.get(f"/meetings/{tehran.id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    [event] = _event(response.data)
    start = event.decoded("dtstart")
    assert event["dtstart"].params["TZID"] == "Asia/Tehran"
    assert (start.hour, start.minute) == (10, 0)
    assert start.utcoffset() == timedelta(hours=3, minutes=30)
    assert str(event["summary"]) == "Tehran session"
    assert "نقدها و پیشنهادها" in str(event["description"])
    assert b"BEGIN:VTIMEZONE" in response.data
    feed = client.get(f"/meetings/series/{series.id}/calendar.ics")
    starts = {str(e["summary"]): e.decoded("dtstart") for e in _event(feed.data)}
    assert starts["Hà Nội session"].utcoffset() == timedelta(hours=7)
    # the same wall-clock hour, three and a half hours apart in real time
    assert starts["Tehran session"] - starts["Hà Nội session"] == timedelta(hours=3, minutes=30)


def test_the_calendar_feed_needs_no_session_but_dies_with_the_persons_sessions(client):
    cast = Cast()
    meeting = helpers.plan(cast, starts=FUTURE)
    token = feed_token(cast.director)
    response = client.get(f"/meetings/feed/{token}.ics")
    assert response.status_code == 200
    assert [str(e["summary"]) for e in _event(response.data)] == [meeting.title]
    cast.director.session_version += 1
    db.session.commit()
    assert client.get(f"/meetings/feed/{token}.ics").status_code == 404


def test_invitations_arrive_by_smtp_with_an_ics(client, login, smtp):
    cast = Cast()
    meeting = helpers.plan(cast, starts=FUTURE, invite=False)
    other = factories.make_org("national_union", name="اتحادیه سراسری تعاونی‌های مسکن")
    director = factories.make_user("union_director", other, email="housing@union.example")
    login(cast.recorder)
    response = client.post(f"/meetings/{meeting.id}/invite",
                           data={"organisation_ids": [other.id]})
    assert response.status_code == 302
    sent, failed = outbox.deliver()
    assert (sent, failed) == (1, 0)
    [message] = [m for m in smtp.messages if m["To"] == director.email]
    assert meeting.title in message["Subject"]
    [attachment] = [p for p in message.iter_attachments()]
    assert attachment.get_content_type() == "text/calendar"
    [event] = _event(attachment.get_content() if isinstance(attachment.get_content(), bytes)
                     else attachment.get_content().encode())
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=3, minutes=30)


def test_an_invited_director_accepts(client, login):
    cast = Cast()
    meeting = helpers.plan(cast, starts=FUTURE)
    login(cast.director)
    page = client.get(f"/meetings/{meeting.id}")
    assert "Accept" in page.text
    assert client.post(f"/meetings/{meeting.id}/reply",
                       data={"reply": "accepted"}).status_code == 302
    invitation = next(i for i in db.session.get(Meeting, meeting.id).invitations
                      if i.user_id == cast.director.id)
    assert invitation.reply == Reply.ACCEPTED


def test_a_statement_from_the_floor_is_tracked_in_feedback(client, login):
    cast = Cast()
    meeting = _held(cast)
    login(cast.recorder)
    response = client.post(f"/meetings/{meeting.id}/statements", data={
        "organisation_id": cast.union.id, "kind": "proposal", "topic": "products",
        "title": "محصولات مالی متناسب با بخش تعاون",
        "body": "ابزارها و محصولات مالی متناسب با نیاز بخش تعاون طراحی شود."})
    assert response.status_code == 302
    item = db.session.scalar(sa.select(FeedbackItem))
    assert db.session.scalar(sa.select(MeetingStatement)).feedback_item_id == item.id
    login(cast.director)
    feedback_page = client.get(f"/feedback/{item.id}")
    assert f'href="/meetings/{meeting.id}"' in feedback_page.text
    meeting_page = client.get(f"/meetings/{meeting.id}")
    assert "محصولات مالی متناسب با بخش تعاون" in meeting_page.text


def test_pages_in_persian_and_thai_use_their_calendars(client, login):
    cast = Cast()
    series = services.create_series(cast.recorder, title="سلسله نشست‌ها",
                                    host_organisation=cast.bank)
    meeting = helpers.plan(cast, series=series)
    services.add_commitment(cast.recorder, helpers.hold(cast, meeting, minutes="<p>صورتجلسه</p>"),
                            description="راه‌اندازی شعب ویژه", organisation=cast.bank,
                            due_on=date(2025, 9, 22))
    db.session.commit()
    cast.director.preferred_locale = "fa"
    db.session.commit()
    login(cast.director)
    page = client.get(f"/meetings/{meeting.id}")
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert "۱۴۰۴" in page.text  # 2025-08-12 is 21 Mordad 1404
    printable = client.get(f"/meetings/{meeting.id}/print")
    assert "css/meetings.css" in printable.text and "۱۴۰۴" in printable.text
    thai = factories.make_user("ministry_official", preferred_locale="th")
    login(thai)
    page = client.get(f"/meetings/{meeting.id}")
    assert "2568" in page.text  # Buddhist era


def test_the_list_filters_and_the_series_page(client, login):
    cast = Cast()
    series = services.create_series(cast.recorder, title="Consultation series",
                                    host_organisation=cast.bank,
                                    invited_organisations=[cast.union])
    first = helpers.hold(cast, helpers.plan(cast, series=series, title="First session"))
    services.record_attendance(cast.recorder, first, [cast.union.id], [])
    helpers.plan(cast, kind="periodic_group_meeting", title="Sinh hoạt tổ tháng 9",
                 starts=datetime(2025, 9, 5, 8))
    db.session.commit()
    login(cast.official)
    assert "Sinh hoạt tổ" not in client.get(f"/meetings/?series={series.id}").text
    by_kind = client.get("/meetings/?kind=periodic_group_meeting").text
    assert "Sinh hoạt tổ" in by_kind and "First session" not in by_kind
    assert "First session" in client.get("/meetings/?state=held").text
    assert "First session" not in client.get("/meetings/?from=2025-09-01").text
    assert "First session" in client.get(f"/meetings/?organisation={cast.union.id}").text
    page = client.get(f"/meetings/series/{series.id}")
    assert page.status_code == 200 and "First session" in page.text
    assert cast.union.name in page.text


def test_the_series_filter_names_each_series_in_the_readers_language(client, login):
    cast = Cast()
    series = services.create_series(
        cast.recorder, title="Consultation series", host_organisation=cast.bank,
        invited_organisations=[cast.union],
        titles={"fa": "جلسات مشورتی با اتحادیه‌ها", "th": "การประชุมปรึกษาหารือ"})
    db.session.commit()
    login(factories.make_user("ministry_official", preferred_locale="fa"))
    html = client.get(f"/meetings/?series={series.id}").text
    chooser = re.search(r'<select class="form-select" id="f-series".*?</select>', html, re.S)[0]
    assert f'<option value="{series.id}" selected>جلسات مشورتی با اتحادیه‌ها</option>' in chooser
    login(factories.make_user("ministry_official", preferred_locale="vi"))  # no Vietnamese title
    html = client.get("/meetings/").text
    assert f'<option value="{series.id}">Consultation series</option>' in html


def test_revisions_show_what_changed(client, login):
    cast = Cast()
    meeting = _held(cast)
    services.save_minutes(cast.recorder, meeting, "<p>The bank presented its specialised "
                          "branches.</p><p>Staff training follows.</p>",
                          meeting.minutes.version_id)
    db.session.commit()
    login(cast.official)
    page = client.get(f"/meetings/{meeting.id}/minutes/revisions")
    assert "<ins" in page.text and "Staff training follows." in page.text


def test_home_flags_overdue_commitments_and_the_ministry_queue(client, login):
    cast = Cast()
    meeting = _held(cast)
    services.add_commitment(cast.recorder, meeting, description="Service packages",
                            organisation=cast.bank, due_on=date(2025, 9, 1))
    helpers.approve(cast, meeting)
    login(cast.recorder)
    assert "Service packages" in client.get("/").text
    login(cast.official)
    home = client.get("/").text
    # the queue is an entry of "What comes next", not a panel of its own besides it
    assert 'data-kind="sign_off"' in home and meeting.title in home
    assert f'/meetings/{meeting.id}#review-title' in home
    assert 'id="panel-meeting-review"' not in home


def test_the_remind_command_reminds_once(app):
    cast = Cast()
    meeting = _held(cast)
    services.add_commitment(cast.recorder, meeting, description="Turnover concentration",
                            organisation=cast.union, owner=cast.director,
                            due_on=date(2025, 9, 1))
    db.session.commit()
    runner = app.test_cli_runner()
    assert "reminded: 1" in runner.invoke(args=["meetings", "remind"]).output
    assert "reminded: 0" in runner.invoke(args=["meetings", "remind"]).output
