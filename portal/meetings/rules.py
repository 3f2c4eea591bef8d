"""Who may be named at a meeting: which organisations can host and be invited, and in whose
name a statement from the floor may be recorded. The shared scopes (what a person may see)
stay in portal.permissions; these rules build on them."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal import permissions
from portal.accounts.models import Membership, Organisation, Role, User
from portal.core.clock import COUNTRY_ZONES
from portal.core.models import utcnow
from portal.extensions import db
from portal.meetings import permissions as meetings_permissions


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


def default_host(user):
    """The organisation a new meeting or series is hosted by unless the organiser chooses
    another, always in the network the organiser looks at: their own bank office there (where
    they manage relationships), else another organisation of theirs there, else that network's
    bank head office. Never another network's, so never another country's: None when the
    network has nothing to offer."""
    scope = permissions.network_scope(user)

    def here(organisation):
        return organisation.is_active and (
            scope.everything or organisation.network_id == scope.network_id)

    for role in (Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR):
        for organisation in user.organisations_with(role):
            if here(organisation):
                return organisation
    own = next((o for o in user.organisations if here(o)), None)
    if own is not None or scope.network_id is None:
        return own
    head_office = db.session.get(Organisation, scope.network_id)
    return head_office if head_office is not None and head_office.is_active else None


def default_zone(organisation):
    """The time zone a meeting hosted by the organisation is planned in: its country's."""
    return COUNTRY_ZONES.get((organisation.country or "").upper()) if organisation else None


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
    return meetings_permissions.can_mark_held(user, meeting) and has_started(meeting, now)


def may_write_minutes(user, meeting, now=None):
    """The recorder writes the minutes once the meeting has started, until they are approved;
    after approval only a correction with a reason (meetings.permissions.can_correct_minutes)."""
    return (meetings_permissions.can_record_meeting(user, meeting)
            and has_started(meeting, now)) or \
        meetings_permissions.can_correct_minutes(user, meeting)


def minutes_written(meeting):
    return meeting.minutes is not None and bool(meeting.minutes.body_html)


def may_approve_minutes(user, meeting):
    """held → minutes approved: there must be minutes to approve."""
    return meetings_permissions.can_approve_minutes(user, meeting) and minutes_written(meeting)


def may_edit_agenda(user, meeting):
    return meetings_permissions.can_edit_meeting(user, meeting)


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
            if meetings_permissions.can_update_commitment(user, c, at_meeting)]
