"""Who may read, submit, handle and answer feedback items, built on the shared scopes of
portal.permissions."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Role
from portal.feedback.models import FeedbackItem, State, Visibility


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
