"""planned → held → minutes approved → signed off (consultation sessions), or cancelled:
every transition from every state, for every role, through the real pages."""
import pytest

from portal.extensions import db
from portal.meetings import services
from portal.meetings.models import Meeting, MeetingState
from tests import factories
from tests.meetings import helpers

ROLES = ("recorder", "union_director", "other_manager", "branch_staff", "ministry_official",
         "administrator")
STATES = ("planned", "held", "minutes_approved", "signed_off", "cancelled")
# endpoint: (from state, roles allowed, state after, form)
TRANSITIONS = {
    "held": ("planned", {"recorder", "administrator"}, "held", {}),
    "cancel": ("planned", {"recorder", "administrator"}, "cancelled",
               {"reason": "Postponed to after Cooperative Week"}),
    "approve": ("held", {"recorder", "administrator"}, "minutes_approved", {}),
    "sign-off": ("minutes_approved", {"ministry_official"}, "signed_off", {"comment": "OK"}),
    "send-back": ("minutes_approved", {"ministry_official"}, "held",
                  {"reason": "List the commitments' owners"}),
}


def _meeting_in(cast, state, kind="consultation_session"):
    meeting = helpers.plan(cast, kind=kind)
    if state != "planned":
        services.mark_held(cast.recorder, meeting)
        services.save_minutes(cast.recorder, meeting, "<p>Minutes of the session</p>")
    # put the meeting straight into the state under test
    meeting.state = MeetingState(state)
    db.session.commit()
    return meeting


def _user(cast, role):
    return {"recorder": cast.recorder, "union_director": cast.director,
            "ministry_official": cast.official}.get(role) or factories.make_user(
        {"other_manager": "relationship_manager"}.get(role, role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_transition(action, state, role, client, login):
    from_state, allowed, after, form = TRANSITIONS[action]
    cast = helpers.Cast()
    meeting = _meeting_in(cast, state)
    login(_user(cast, role))
    # the version the page was loaded at, as every form of the page sends it
    response = client.post(f"/meetings/{meeting.id}/{action}",
                           data={**form, "version_id": meeting.version_id})
    now = db.session.get(Meeting, meeting.id).state.value
    if state == from_state and role in allowed:
        assert response.status_code == 302, response.text[:300]
        assert now == after
    else:
        assert response.status_code == 403
        assert now == state


@pytest.mark.parametrize("kind", ["periodic_group_meeting", "ad_hoc"])
def test_only_consultation_sessions_go_to_the_ministry(kind, client, login):
    cast = helpers.Cast()
    meeting = _meeting_in(cast, "minutes_approved", kind=kind)
    login(cast.official)
    assert client.post(f"/meetings/{meeting.id}/sign-off").status_code == 403
    assert db.session.get(Meeting, meeting.id).state == MeetingState.MINUTES_APPROVED
    assert meeting.final_state == MeetingState.MINUTES_APPROVED


def test_the_chair_with_an_account_may_approve_the_minutes(client, login):
    cast = helpers.Cast()
    chair = factories.make_user("union_director", cast.union, full_name="Chair")
    meeting = _meeting_in(cast, "held")
    meeting.chair = chair
    db.session.commit()
    login(chair)
    assert client.post(f"/meetings/{meeting.id}/approve",
                       data={"version_id": meeting.version_id}).status_code == 302


def test_after_sign_off_everything_is_read_only(client, login):
    cast = helpers.Cast()
    meeting = _meeting_in(cast, "signed_off")
    admin = factories.make_user("administrator")
    for user in (cast.recorder, admin):
        login(user)
        for path in ("edit", "minutes"):
            assert client.get(f"/meetings/{meeting.id}/{path}").status_code == 403
        for path, data in (("agenda", {"title": "More"}),
                           ("attendance", {}),
                           ("minutes/autosave", {"body": "x"}),
                           ("commitments", {"description": "x", "due_on": "2031-01-01",
                                            "organisation_id": cast.bank.id}),
                           ("statements", {"organisation_id": cast.union.id,
                                           "kind": "critique", "topic": "other",
                                           "title": "x", "body": "y"})):
            assert client.post(f"/meetings/{meeting.id}/{path}",
                               data=data).status_code == 403, path
