"""Who may edit a bank's escalation chain, and who may stand in it.

The chain belongs to one bank's network (its head office). Its administrators edit it on the
page of the network they look at (permissions.network_scope); someone looking at every network
at once chooses one first, so that nobody edits a chain without seeing whose it is.
"""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import BANK_KINDS, Membership, Organisation, OrgKind, User
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import FeedbackItem, Visibility

# the roles a link of the chain may name: the bank's own people
CHAIN_ROLES = permissions.BANK_ROLES


def can_manage_escalation(user):
    """Administrators only (the page and every change)."""
    return permissions.is_admin(user)


def chain_network(user):
    """The head office whose chain this administrator edits now: the network they look at;
    None while they look at every network (or at none)."""
    scope = permissions.network_scope(user)
    if scope.everything or scope.network_id is None:
        return None
    return db.session.scalar(sa.select(Organisation).where(
        Organisation.id == scope.network_id, Organisation.kind == OrgKind.BANK_HEAD_OFFICE))


def in_network(network_id):
    """A condition on User: the person works in an organisation of this network."""
    return User.memberships.any(Membership.organisation.has(
        Organisation.network_id == network_id))


def network_people(network_id):
    """A select() of the active bank staff of this network: who a link may name."""
    return sa.select(User).where(User.is_active, User.memberships.any(sa.and_(
        Membership.role.in_(CHAIN_ROLES),
        Membership.organisation.has(Organisation.network_id == network_id))))


def network_offices(network_id):
    """A select() of this bank's active offices: its head office, provincial offices and
    branches."""
    return sa.select(Organisation).where(Organisation.network_id == network_id,
                                         Organisation.kind.in_(list(BANK_KINDS)),
                                         Organisation.is_active)


def duplicate_targets(user, item):
    """A select() of the items this person may name as the one `item` duplicates.

    Items the person may see (feedback_permissions.visible_feedback) of the item's own bank network,
    never the item itself, and none that the item's readers could not open: the answer
    "duplicate of #12" is read by the submitter and, for a public item, by the whole network.
    So a public item points only to public items; a confidential one also to the confidential
    items of its own organisation."""
    readable = FeedbackItem.visibility == Visibility.PUBLIC
    if item.visibility == Visibility.CONFIDENTIAL:
        readable = sa.or_(readable, FeedbackItem.organisation_id == item.organisation_id)
    return feedback_permissions.visible_feedback(user).where(
        FeedbackItem.id != item.id, readable,
        FeedbackItem.organisation.has(Organisation.network_id == item.organisation.network_id))
