"""Who may be named at a meeting: which organisations can host and be invited, and in whose
name a statement from the floor may be recorded. The shared scopes (what a person may see)
stay in portal.permissions; these rules build on them."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Membership, Organisation, Role, User


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
    """The organisation a new meeting is hosted by unless the organiser chooses another: the
    organiser's own bank office (where they manage relationships), else their first own
    organisation. Never someone else's: None when they have none."""
    for role in (Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR):
        for organisation in user.organisations_with(role):
            if organisation.is_active:
                return organisation
    return next((o for o in user.organisations if o.is_active), None)


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
