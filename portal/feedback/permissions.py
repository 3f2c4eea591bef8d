"""Who may read, submit, handle and answer feedback items, who may name an item as the one
another duplicates, and who may edit a bank's escalation chain and stand in it; built on the
shared scopes of portal.permissions.

The escalation chain belongs to one bank's network (its head office). Its administrators edit
it on the page of the network they look at (permissions.network_scope); someone looking at
every network at once chooses one first, so that nobody edits a chain without seeing whose it
is.
"""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import BANK_KINDS, Membership, Organisation, OrgKind, Role, User
from portal.extensions import db
from portal.feedback.models import FeedbackItem, State, Visibility

# the roles a link of the escalation chain may name: the bank's own people
CHAIN_ROLES = permissions.BANK_ROLES


def _director_org_ids(user):
    return {m.organisation_id for m in user.memberships if m.role == Role.UNION_DIRECTOR}


def visible_feedback(user):
    """The bank and the ministry read every item; a union reads public items and its own."""
    query = permissions.within_network(sa.select(FeedbackItem), user, FeedbackItem.organisation_id)
    if permissions.sees_whole_network(user):
        return query
    if not permissions.is_signed_in(user):
        return query.where(sa.false())
    return query.where(sa.or_(
        FeedbackItem.visibility == Visibility.PUBLIC,
        FeedbackItem.organisation_id.in_(permissions.own_subtree_ids(user)),
    ))


def can_submit_feedback(user):
    return permissions.is_signed_in(user) and user.has_role(
        Role.UNION_DIRECTOR, Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR)


def feedback_submitting_organisations(user):
    """Organisations this user may submit for: their own unions, or an RM's portfolio."""
    orgs = list(user.organisations_with(Role.UNION_DIRECTOR))
    if user.has_role(Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR):
        orgs += [o for o in user.portfolio if o not in orgs]
    return orgs


def is_feedback_submitter(user, item):
    return permissions.is_signed_in(user) and item.organisation_id in _director_org_ids(user)


def can_read_internal_notes(user, item=None):
    return permissions.is_bank_staff(user)


def can_handle_feedback(user, item):
    """Acknowledge, review, note, draft and publish: the owner, or an administrator."""
    return permissions.is_signed_in(user) and (
        item.owner_id == user.id or permissions.is_admin(user))


def can_reassign_feedback(user, item=None):
    return permissions.is_admin(user)


def can_publish_batch(user):
    return permissions.is_relationship_manager(user) or permissions.is_admin(user)


def can_close_feedback(user, item):
    return item.state == State.ANSWERED and (
        can_handle_feedback(user, item) or is_feedback_submitter(user, item))


def can_reopen_feedback(user, item):
    return (item.state in (State.ANSWERED, State.CLOSED)
            and item.reopened_at is None and is_feedback_submitter(user, item))


def can_endorse_feedback(user, item):
    if not (permissions.is_signed_in(user) and user.has_role(Role.UNION_DIRECTOR)):
        return False
    own = _director_org_ids(user)
    return (item.visibility == Visibility.PUBLIC and item.state != State.CLOSED
            and item.organisation_id not in own
            and not any(e.organisation_id in own for e in item.endorsements))


def duplicate_targets(user, item):
    """A select() of the items this person may name as the one `item` duplicates.

    Items the person may see (visible_feedback) of the item's own bank network, never the item
    itself, and none that the item's readers could not open: the answer "duplicate of #12" is
    read by the submitter and, for a public item, by the whole network. So a public item
    points only to public items; a confidential one also to the confidential items of its own
    organisation."""
    readable = FeedbackItem.visibility == Visibility.PUBLIC
    if item.visibility == Visibility.CONFIDENTIAL:
        readable = sa.or_(readable, FeedbackItem.organisation_id == item.organisation_id)
    return visible_feedback(user).where(
        FeedbackItem.id != item.id, readable,
        FeedbackItem.organisation.has(Organisation.network_id == item.organisation.network_id))


# --- the escalation chain --------------------------------------------------------------------

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


TEMPLATE_HELPERS = {
    "can_submit_feedback": can_submit_feedback,
    "can_read_internal_notes": can_read_internal_notes,
    "can_handle_feedback": can_handle_feedback,
    "can_reassign_feedback": can_reassign_feedback,
    "can_close_feedback": can_close_feedback,
    "can_reopen_feedback": can_reopen_feedback,
    "can_endorse_feedback": can_endorse_feedback,
    "can_publish_batch": can_publish_batch,
}
