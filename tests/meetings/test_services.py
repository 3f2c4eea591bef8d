"""The meetings services, one by one, as the people using them would notice."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.core.errors import PermissionDenied, ValidationError
from portal.core.notify import Notification
from portal.core.outbox import OutboxMessage
from portal.feedback.models import FeedbackItem, Visibility
from portal.meetings import queries, services
from portal.meetings.models import CommitmentStatus, MeetingState, MeetingStatement, Reply
from portal.meetings.permissions import visible_meetings
from tests import factories
from tests.meetings import helpers
from tests.meetings.helpers import FUTURE, PAST, Cast


def _titles(db, user, kind=None):
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return [n.title for n in db.session.scalars(query)]


def test_a_series_keeps_its_titles_and_invited_organisations(db):
    cast = Cast()
    series = services.create_series(
        cast.recorder, title="سلسله نشست‌های هم‌اندیشی", host_organisation=cast.bank,
        titles={"en": "Consultation sessions with national unions", "vi": ""},
        purpose="Hear critiques and proposals", invited_organisations=[cast.union, cast.union])
    assert series.invited_organisations == [cast.union]
    assert series.display_title("en") == "Consultation sessions with national unions"
    assert series.display_title("vi") == "سلسله نشست‌های هم‌اندیشی"
    with pytest.raises(PermissionDenied):
        services.create_series(cast.director, title="x", host_organisation=cast.bank)


def test_times_are_stored_in_utc_and_kept_in_the_meetings_zone(db):
    cast = Cast()
    meeting = helpers.plan(cast, starts=datetime(2025, 8, 12, 10, 0))
    assert meeting.starts_at == datetime(2025, 8, 12, 6, 30)  # Tehran is UTC+03:30
    assert meeting.timezone == "Asia/Tehran"
    hanoi = helpers.plan(cast, starts=datetime(2025, 8, 12, 10, 0), timezone="Asia/Ho_Chi_Minh")
    assert hanoi.starts_at == datetime(2025, 8, 12, 3, 0)
    assert "10:00" in services.format_in_zone(meeting.starts_at, meeting.timezone,
                                              locale="en", calendar="gregorian", native=False)


def test_a_meeting_must_end_after_it_starts_and_have_a_real_zone(db):
    cast = Cast()
    common = dict(kind="ad_hoc", title="Ad hoc", place="Tehran", online_link=None,
                  host_organisation=cast.bank, chair=None, chair_name=None,
                  recorder=cast.recorder, confidential=False)
    with pytest.raises(ValidationError) as refused:
        services.plan_meeting(cast.recorder, starts_local=FUTURE,
                              ends_local=FUTURE - timedelta(minutes=30),
                              timezone="Asia/Tehran", **common)
    assert refused.value.details["field"] == "end_time"
    with pytest.raises(ValidationError):
        services.plan_meeting(cast.recorder, starts_local=FUTURE, ends_local=FUTURE,
                              timezone="Asia/Tehran", **common)
    with pytest.raises(ValidationError):
        services.plan_meeting(cast.recorder, starts_local=FUTURE,
                              ends_local=FUTURE + timedelta(hours=1), timezone="Mars/Olympus",
                              **common)
    with pytest.raises(ValidationError):  # the recorder must be a relationship manager
        services.plan_meeting(cast.recorder, starts_local=FUTURE,
                              ends_local=FUTURE + timedelta(hours=1), timezone="UTC",
                              **common | {"recorder": cast.director})


def test_invitations_reach_directors_and_people_with_an_ics(db):
    cast = Cast()
    meeting = helpers.plan(cast, starts=FUTURE)
    people = {i.user_id: i for i in meeting.invitations}
    assert set(people) == {cast.director.id, cast.official.id}
    assert people[cast.director.id].organisation_id == cast.union.id
    assert _titles(db, cast.director, "meeting_invitation")
    mails = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == cast.director.email)).all()
    assert mails and mails[0].attachments[0]["content_type"] == "text/calendar"
    # inviting again does not invite twice
    services.invite(cast.recorder, meeting, [cast.union])
    assert len(meeting.invitations) == 2
    services.reply(cast.director, meeting, "declined")
    assert people[cast.director.id].reply == Reply.DECLINED
    stranger = factories.make_user("union_director")
    with pytest.raises(PermissionDenied):
        services.reply(stranger, meeting, "accepted")


def test_attendance_only_for_invitees(db):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast), minutes=None)
    outsider_org = factories.make_org("national_union", name="اتحادیه دعوت‌نشده")
    outsider = factories.make_user("union_director", outsider_org)
    with pytest.raises(ValidationError):
        services.record_attendance(cast.recorder, meeting, [outsider_org.id], [])
    with pytest.raises(ValidationError):
        services.record_attendance(cast.recorder, meeting, [], [outsider.id])
    services.record_attendance(cast.recorder, meeting, [cast.ministry.id], [cast.director.id])
    present = {mo.organisation_id: mo.attended for mo in meeting.organisations}
    # the director came, so the union was there too
    assert present == {cast.union.id: True, cast.ministry.id: True}
    attended = {i.user_id: i.attended for i in meeting.invitations}
    assert attended == {cast.director.id: True, cast.official.id: False}


def test_agenda_is_ordered_and_can_be_reordered(db):
    cast = Cast()
    meeting = helpers.plan(cast, starts=FUTURE)
    first = services.add_agenda_item(cast.recorder, meeting, title="Opening", presenter="CEO")
    second = services.add_agenda_item(cast.recorder, meeting, title="Critiques", duration=45)
    services.move_agenda_item(cast.recorder, meeting, second, -1)
    assert [a.title for a in sorted(meeting.agenda, key=lambda a: a.position)] == \
        ["Critiques", "Opening"]
    services.remove_agenda_item(cast.recorder, meeting, second)
    assert [(a.title, a.position) for a in meeting.agenda] == [("Opening", 1)]
    assert first.presenter == "CEO"
    with pytest.raises(ValidationError):
        services.add_agenda_item(cast.recorder, meeting, title="Long", duration=900)


def test_minutes_keep_every_revision_and_remove_script(db):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast), minutes=None)
    services.save_minutes(cast.recorder, meeting,
                          '<p>First</p><script>alert(1)</script><img src=x onerror="x()">')
    assert "<script" not in meeting.minutes.body_html
    assert "onerror" not in meeting.minutes.body_html
    version = meeting.minutes.version_id
    services.save_minutes(cast.recorder, meeting, "<p>First</p><p>Second</p>", version)
    assert [r.number for r in meeting.minutes.revisions] == [1, 2]
    assert services.diff(meeting.minutes.revisions[0].body_html,
                         meeting.minutes.revisions[1].body_html) == [
        ("same", "First"), ("added", "Second")]
    with pytest.raises(ValidationError):
        services.save_minutes(cast.recorder, meeting, "<p>" + "x" * 200_001 + "</p>")
    with pytest.raises(ValidationError):
        services.save_minutes(cast.recorder, meeting, "<p> </p>")
    with pytest.raises(PermissionDenied):
        services.save_minutes(cast.director, meeting, "<p>Mine</p>")


def test_a_correction_after_approval_needs_a_reason(db):
    cast = Cast()
    meeting = helpers.approve(cast, helpers.hold(cast, helpers.plan(cast)))
    with pytest.raises(ValidationError):
        services.save_minutes(cast.recorder, meeting, "<p>Corrected</p>")
    services.save_minutes(cast.recorder, meeting, "<p>Corrected</p>", reason="Wrong name")
    assert meeting.minutes.revisions[-1].reason == "Wrong name"
    assert meeting.state == MeetingState.MINUTES_APPROVED
    helpers.sign(cast, meeting)
    with pytest.raises(PermissionDenied):
        services.save_minutes(cast.recorder, meeting, "<p>Late</p>", reason="late")


def test_the_autosaved_draft_is_personal_and_dropped_on_save(db):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast), minutes=None)
    services.autosave(cast.recorder, meeting, "<p>Half</p>", "")
    services.autosave(cast.recorder, meeting, "<p>Half written</p>", "")
    draft = services.draft_for(cast.recorder, meeting)
    assert draft.body == "<p>Half written</p>"
    assert services.draft_for(cast.official, meeting) is None
    with pytest.raises(PermissionDenied):
        services.autosave(cast.director, meeting, "x")
    services.save_minutes(cast.recorder, meeting, draft.body)
    db.session.flush()
    assert services.draft_for(cast.recorder, meeting) is None


def test_statements_become_feedback_items_linked_to_the_meeting(db):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast))
    item = services.record_statement(
        cast.recorder, meeting, organisation=cast.union, kind="product_request",
        title="تسهیلات سرمایه در گردش", body_html="<p>برای بافندگان</p>", topic="products",
        sector="فرش")
    assert item.origin_title == meeting.title
    assert item.origin_link == f"/meetings/{meeting.id}"
    assert item.organisation_id == cast.union.id and item.sector == "فرش"
    assert item.recorded_by_id == cast.recorder.id  # the union spoke; the manager recorded
    link = db.session.scalar(sa.select(MeetingStatement))
    assert (link.meeting_id, link.feedback_item_id) == (meeting.id, item.id)
    stranger = factories.make_org("national_union", name="اتحادیه غایب")
    with pytest.raises(ValidationError):
        services.record_statement(cast.recorder, meeting, organisation=stranger,
                                  kind="critique", title="x", body_html="y", topic="other")
    with pytest.raises(PermissionDenied):
        services.record_statement(cast.director, meeting, organisation=cast.union,
                                  kind="critique", title="x", body_html="y", topic="other")


def test_a_confidential_meeting_gives_confidential_feedback(db):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast, confidential=True))
    item = services.record_statement(cast.recorder, meeting, organisation=cast.union,
                                     kind="critique", title="x", body_html="y", topic="other")
    assert db.session.get(FeedbackItem, item.id).visibility == Visibility.CONFIDENTIAL


def test_commitments_keep_a_history_and_dropping_needs_a_reason(db):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast))
    commitment = services.add_commitment(
        cast.recorder, meeting, description="Specialised branches in the provinces",
        organisation=cast.union, owner=cast.director, due_on=date(2031, 1, 1))
    assert _titles(db, cast.director, "meeting_commitment")
    with pytest.raises(ValidationError):
        services.add_commitment(cast.recorder, meeting, description="x",
                                organisation=cast.bank, owner=cast.director,
                                due_on=date(2031, 1, 1))
    services.set_commitment_status(cast.director, commitment, "in_progress", "Started")
    with pytest.raises(ValidationError):
        services.set_commitment_status(cast.recorder, commitment, "dropped")
    services.set_commitment_status(cast.recorder, commitment, "dropped", "No budget")
    assert commitment.drop_reason == "No budget" and commitment.closed_at is not None
    assert [e.status for e in commitment.events] == [
        CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS, CommitmentStatus.DROPPED]
    outsider = factories.make_user("union_director")
    with pytest.raises(PermissionDenied):
        services.set_commitment_status(outsider, commitment, "done")


def test_open_commitments_carry_forward_across_three_meetings_until_closed(db):
    cast = Cast()
    series = services.create_series(cast.recorder, title="Series", host_organisation=cast.bank)
    first = helpers.hold(cast, helpers.plan(cast, series=series, starts=datetime(2025, 8, 12, 10)))
    second = helpers.plan(cast, series=series, starts=datetime(2025, 9, 9, 10))
    third = helpers.plan(cast, series=series, starts=datetime(2025, 10, 7, 10))
    branches = services.add_commitment(cast.recorder, first, description="Branches",
                                       organisation=cast.bank, due_on=date(2025, 12, 1))
    training = services.add_commitment(cast.recorder, first, description="Staff training",
                                       organisation=cast.bank, due_on=date(2025, 12, 1))
    db.session.commit()
    assert services.carried_commitments(first) == []
    assert services.carried_commitments(second) == [branches, training]
    assert services.carried_commitments(third) == [branches, training]
    # training is done (recorded now, after the second and third dates): from now on it no
    # longer shows on any meeting planned after today
    services.set_commitment_status(cast.recorder, training, "done")
    fourth = helpers.plan(cast, series=series, starts=FUTURE)
    assert services.carried_commitments(fourth) == [branches]
    assert training in services.carried_commitments(third)  # the record of that day
    # a meeting outside the series carries nothing
    assert services.carried_commitments(helpers.plan(cast, starts=FUTURE)) == []
    assert services.series_open_commitments(series) == [branches]


def test_carried_commitments_of_a_signed_off_meeting_move_on_only_at_a_later_meeting(db):
    cast = Cast()
    series = services.create_series(cast.recorder, title="Series", host_organisation=cast.bank)
    first = helpers.hold(cast, helpers.plan(cast, series=series))
    commitment = services.add_commitment(cast.recorder, first, description="Packages",
                                         organisation=cast.bank, due_on=date(2031, 1, 1))
    helpers.sign(cast, helpers.approve(cast, first))
    second = helpers.plan(cast, series=series, starts=FUTURE)
    with pytest.raises(PermissionDenied):
        services.set_commitment_status(cast.recorder, commitment, "done")
    services.set_commitment_status(cast.recorder, commitment, "done", at_meeting=second)
    assert commitment.events[-1].meeting_id == second.id


def test_overdue_commitments_are_reminded_once_per_due_date(db):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast))
    commitment = services.add_commitment(cast.recorder, meeting, description="Packages",
                                         organisation=cast.union, owner=cast.director,
                                         due_on=date(2025, 9, 1))
    assert services.remind_overdue(date(2025, 8, 30)) == 0
    assert services.remind_overdue(date(2025, 9, 2)) == 1
    assert services.remind_overdue(date(2025, 9, 3)) == 0
    assert len(_titles(db, cast.director, "meeting_commitment_overdue")) == 1
    assert len(_titles(db, cast.recorder, "meeting_commitment_overdue")) == 1
    commitment.due_on = date(2025, 10, 1)
    assert services.remind_overdue(date(2025, 10, 2)) == 1
    services.set_commitment_status(cast.recorder, commitment, "done")
    commitment.due_on = date(2025, 10, 5)
    assert services.remind_overdue(date(2025, 11, 1)) == 0


def test_every_step_is_audited(db):
    cast = Cast()
    meeting = helpers.sign(cast, helpers.approve(cast, helpers.hold(cast, helpers.plan(cast))))
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "Meeting", AuditEntry.object_id == meeting.id)))
    assert {"meeting_planned", "meeting_invited", "meeting_held", "meeting_minutes_saved",
            "meeting_minutes_approved", "meeting_signed_off"} <= actions


def test_the_ministry_sends_back_with_a_reason_and_sees_its_queue(db):
    cast = Cast()
    meeting = helpers.approve(cast, helpers.hold(cast, helpers.plan(cast)))
    group = helpers.approve(cast, helpers.hold(cast, helpers.plan(
        cast, kind="periodic_group_meeting", title="Sinh hoạt tổ")))
    assert queries.review_queue(cast.official) == [meeting]
    assert group.state == MeetingState.MINUTES_APPROVED  # its final state
    with pytest.raises(ValidationError):
        services.send_back(cast.official, meeting, "")
    services.send_back(cast.official, meeting, "Name the deputies present")
    assert meeting.state == MeetingState.HELD
    assert _titles(db, cast.recorder, "meeting_sent_back")
    assert queries.review_queue(cast.official) == []


def test_a_meeting_cannot_be_held_before_it_starts_and_cancelling_needs_a_reason(db):
    cast = Cast()
    meeting = helpers.plan(cast, starts=FUTURE)
    with pytest.raises(ValidationError):
        services.mark_held(cast.recorder, meeting)
    with pytest.raises(ValidationError):
        services.cancel(cast.recorder, meeting, " ")
    services.cancel(cast.recorder, meeting, "The hall is not free")
    assert meeting.state == MeetingState.CANCELLED
    assert _titles(db, cast.director, "meeting_cancelled")


def test_confidential_meetings_are_seen_by_invitees_the_bank_and_the_ministry(db):
    cast = Cast()
    secret = helpers.plan(cast, confidential=True, starts=PAST)
    public = helpers.plan(cast, starts=PAST, invite=False)
    outsider = factories.make_user("union_director")
    stranger_official = factories.make_user("ministry_official")
    staff = factories.make_user("branch_staff")

    def seen(user):
        return set(db.session.scalars(visible_meetings(user)))
    assert seen(outsider) == {public}
    assert seen(cast.director) == {secret, public}
    assert seen(stranger_official) == {secret, public}
    assert seen(staff) == {secret, public}
