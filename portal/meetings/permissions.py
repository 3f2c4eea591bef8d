"""Who may see, organise, record, approve and sign off meetings, and update commitments,
built on the shared scopes of portal.permissions."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Membership
from portal.meetings.models import ConsultationSeries, Invitation, Meeting, MeetingOrganisation


def visible_meetings(user):
    """The bank and the ministry see every meeting; everyone else the meetings that are not
    confidential, and confidential ones only when their organisation or they were invited."""
    query = permissions.within_network(sa.select(Meeting), user, Meeting.host_organisation_id)
    if permissions.sees_whole_network(user):
        return query
    if not permissions.is_signed_in(user):
        return query.where(sa.false())
    own = sa.select(Membership.organisation_id).where(Membership.user_id == user.id)
    return query.where(sa.or_(
        Meeting.confidential.is_(False),
        Meeting.organisations.any(MeetingOrganisation.organisation_id.in_(own)),
        Meeting.invitations.any(Invitation.user_id == user.id),
    ))


def visible_series(user):
    query = permissions.within_network(sa.select(ConsultationSeries), user,
                                       ConsultationSeries.host_organisation_id)
    return query if permissions.is_signed_in(user) else query.where(sa.false())


def can_organise_meetings(user):
    """Create series and plan meetings: relationship managers and administrators."""
    return permissions.is_relationship_manager(user) or permissions.is_admin(user)


def _meeting_manager(user, meeting):
    """The meeting's recorder, whoever planned it, or an administrator."""
    return permissions.is_signed_in(user) and meeting is not None and (
        permissions.is_admin(user) or (permissions.is_relationship_manager(user) and user.id in (
            meeting.recorder_id, meeting.created_by_id)))


def _in_state(meeting, *states):
    return meeting is not None and meeting.state.value in states


def can_edit_meeting(user, meeting):
    """Details, agenda and invitations, until the minutes are approved."""
    return _in_state(meeting, "planned", "held") and _meeting_manager(user, meeting)


def can_record_meeting(user, meeting):
    """Minutes, statements from the floor, commitments: the recorder (or an administrator),
    before the minutes are approved."""
    return _in_state(meeting, "planned", "held") and _meeting_manager(user, meeting)


def can_record_attendance(user, meeting):
    return _in_state(meeting, "held") and _meeting_manager(user, meeting)


def can_correct_minutes(user, meeting):
    """After approval the minutes change only by a correction with a reason."""
    return _in_state(meeting, "minutes_approved") and _meeting_manager(user, meeting)


def can_mark_held(user, meeting):
    return _in_state(meeting, "planned") and _meeting_manager(user, meeting)


def can_cancel_meeting(user, meeting):
    return _in_state(meeting, "planned") and _meeting_manager(user, meeting)


def can_approve_minutes(user, meeting):
    return _in_state(meeting, "held") and (
        _meeting_manager(user, meeting)
        or (permissions.is_signed_in(user) and meeting.chair_id is not None
            and meeting.chair_id == user.id))


def _awaits_ministry(meeting):
    return _in_state(meeting, "minutes_approved") and \
        meeting.kind.value == "consultation_session"


def can_sign_off(user, meeting):
    """Only a ministry official signs off a consultation session's outcome."""
    return _awaits_ministry(meeting) and permissions.is_ministry(user)


def can_send_back(user, meeting):
    return _awaits_ministry(meeting) and permissions.is_ministry(user)


def can_review_meetings(user):
    return permissions.is_ministry(user)


def can_reply_to_invitation(user, meeting):
    return _in_state(meeting, "planned") and permissions.is_signed_in(user) and any(
        i.user_id == user.id for i in meeting.invitations)


def can_update_commitment(user, commitment, at_meeting=None):
    """Progress on a commitment: its owner, the bank's relationship managers, administrators.
    The terms agreed never change; only the status moves, with history. Once the meeting that
    made it is signed off, that meeting is read-only: progress is then recorded at a later
    meeting of the same series, by someone who may record that meeting."""
    if commitment is None or not permissions.is_signed_in(user):
        return False
    if commitment.meeting.is_signed_off:
        return at_meeting is not None and at_meeting.id != commitment.meeting_id and \
            commitment.series_id is not None and at_meeting.series_id == commitment.series_id \
            and can_record_meeting(user, at_meeting)
    if not _in_state(commitment.meeting, "planned", "held", "minutes_approved"):
        return False
    return (permissions.is_admin(user) or permissions.is_relationship_manager(user)
            or commitment.owner_id == user.id)


def can_see_minutes_history(user, meeting):
    return permissions.is_bank_staff(user) or permissions.is_ministry(user)


TEMPLATE_HELPERS = {
    "can_organise_meetings": can_organise_meetings,
    "can_edit_meeting": can_edit_meeting,
    "can_record_meeting": can_record_meeting,
    "can_record_attendance": can_record_attendance,
    "can_correct_minutes": can_correct_minutes,
    "can_mark_held": can_mark_held,
    "can_cancel_meeting": can_cancel_meeting,
    "can_approve_minutes": can_approve_minutes,
    "can_sign_off": can_sign_off,
    "can_send_back": can_send_back,
    "can_review_meetings": can_review_meetings,
    "can_reply_to_invitation": can_reply_to_invitation,
    "can_update_commitment": can_update_commitment,
    "can_see_minutes_history": can_see_minutes_history,
}
