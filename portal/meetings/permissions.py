"""Who may see, organise, record, approve and sign off meetings, and update commitments;
which organisations and people a meeting may name, and in whose name a statement from the floor
is recorded; what a meeting's state and date allow. Built on the shared scopes of
portal.permissions."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal import permissions
from portal.accounts.models import Membership, Organisation, User
from portal.core.models import utcnow
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


# --- whom a meeting may name ------------------------------------------------------------------

def meeting_organisations(user):
    """A select() of the organisations the user may name as a meeting's host or invitee: every
    active organisation they may see, whatever its kind (a savings group hosts its own periodic
    meeting; a union, a cooperative or a branch is invited)."""
    return permissions.visible_organisations(user).where(Organisation.is_active)


def meeting_people(user, role=None):
    """A select() of the active people the user may invite, make chair or (role: relationship
    manager) recorder: those who belong to an organisation the user may name, so that the lists
    hold the user's own network, not another country's."""
    membership = Membership.organisation_id.in_(
        meeting_organisations(user).with_only_columns(Organisation.id))
    if role is not None:
        membership = sa.and_(membership, Membership.role == role)
    return sa.select(User).where(User.is_active, User.memberships.any(membership))


def may_name(user, organisation):
    """The organisation is one of meeting_organisations(user)."""
    return organisation.is_active and permissions.can_view_organisation(user, organisation)


def in_portfolio(user, organisation):
    """The organisation, or one above it, is in the user's portfolio: a credit officer serving
    a mass organisation serves the savings groups under it."""
    served = {o.id for o in user.portfolio}
    return organisation.id in served or any(o.id in served for o in organisation.ancestors())


def may_speak_for(user, meeting, organisation):
    """A statement from the floor may be recorded in an organisation's name when it was invited
    to the meeting and, unless the recorder is an administrator, it is in their portfolio."""
    if organisation is None:
        return False
    if organisation.id not in {mo.organisation_id for mo in meeting.organisations}:
        return False
    return permissions.is_admin(user) or in_portfolio(user, organisation)


def speakers(user, meeting):
    """The invited organisations in whose name the user may record a statement, by name."""
    return sorted((mo.organisation for mo in meeting.organisations
                   if may_speak_for(user, meeting, mo.organisation)),
                  key=lambda o: (o.name, o.id))


# --- what the meeting's state and date allow ---------------------------------------------------
#
# The meeting page shows an action only when these say yes, and the view refuses it with the
# same function (and the message below) when a stale page or a hand-made request asks anyway.

NOT_STARTED = _l("A meeting can be marked as held once it has started.")
FIRST_ITEM = _l("The first item is already at the top of the agenda.")
LAST_ITEM = _l("The last item is already at the bottom of the agenda.")
NO_MINUTES = _l("Write the minutes before approving them.")


def has_started(meeting, now=None):
    """The meeting's start has passed. Stored times are UTC instants, so the answer is the same
    for a reader in Tehran, Hanoi or Bangkok; each sees the start in their own clock."""
    return meeting.starts_at <= (now or utcnow())


def may_mark_held(user, meeting, now=None):
    """planned → held: by whoever manages the meeting, once it has started."""
    return can_mark_held(user, meeting) and has_started(meeting, now)


def may_write_minutes(user, meeting, now=None):
    """The recorder writes the minutes once the meeting has started, until they are approved;
    after approval only a correction with a reason (meetings.permissions.can_correct_minutes)."""
    return (can_record_meeting(user, meeting)
            and has_started(meeting, now)) or \
        can_correct_minutes(user, meeting)


def minutes_written(meeting):
    return meeting.minutes is not None and bool(meeting.minutes.body_html)


def may_approve_minutes(user, meeting):
    """held → minutes approved: there must be minutes to approve."""
    return can_approve_minutes(user, meeting) and minutes_written(meeting)


def may_edit_agenda(user, meeting):
    return can_edit_meeting(user, meeting)


def may_move(user, meeting, item, step):
    """An agenda item moves up (step -1) unless it is first, down (+1) unless it is last."""
    if not may_edit_agenda(user, meeting):
        return False
    items = list(meeting.agenda)
    if item not in items:
        return False
    return 0 <= items.index(item) + (1 if step > 0 else -1) < len(items)


def move_refusal(step):
    """Why an item cannot move that way: it is already at that end of the agenda."""
    return LAST_ITEM if step > 0 else FIRST_ITEM


def updatable_commitments(user, meeting, commitments, carried=False):
    """The commitments of one table of the meeting page whose progress the user may record
    there: at this meeting for those carried forward from an earlier one."""
    at_meeting = meeting if carried else None
    return [c for c in commitments
            if can_update_commitment(user, c, at_meeting)]


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
    "has_started": has_started,
    "may_mark_held": may_mark_held,
    "may_approve_minutes": may_approve_minutes,
    "may_edit_agenda": may_edit_agenda,
    "may_move": may_move,
}
