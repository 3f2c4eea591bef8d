"""Who may read and change results.

Results are the bank's public account of what it did: everyone signed in reads those of the
network they look at. Bank staff of that network create and move them. The items a result
answers are shown to each reader only as far as the reader may read them, so a confidential
critique never appears on a result's page for someone outside its organisation.
"""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Role
from portal.branches import permissions as branches_permissions
from portal.branches.models import Branch
from portal.core.errors import NotFound
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import FeedbackItem
from portal.meetings import permissions as meetings_permissions
from portal.meetings.models import Commitment, Meeting
from portal.products import permissions as products_permissions
from portal.products.models import Product, ServicePackage
from portal.results.models import Result


def visible_results(user):
    query = sa.select(Result)
    if not permissions.is_signed_in(user):
        return query.where(sa.false())
    scope = permissions.network_scope(user)
    if scope.everything:
        return query
    if scope.network_id is None:
        return query.where(sa.false())
    return query.where(Result.network_id == scope.network_id)


def can_manage_results(user):
    """Relationship managers and administrators answer for results; branch staff may own one
    (a branch's turnaround) but do not set them up."""
    return permissions.is_signed_in(user) and user.has_role(Role.RELATIONSHIP_MANAGER,
                                                            Role.ADMINISTRATOR)


def can_create_result(user):
    """A result belongs to one network: someone looking at every network chooses one first."""
    scope = permissions.network_scope(user)
    return can_manage_results(user) and not scope.everything and scope.network_id is not None


def readable_result(user, result_id):
    result = db.session.scalar(visible_results(user).where(Result.id == result_id))
    if result is None:
        raise NotFound()
    return result


def visible_items(user, result):
    """The linked items this reader may read."""
    ids = [item.id for item in result.items]
    if not ids:
        return []
    query = feedback_permissions.visible_feedback(user).where(FeedbackItem.id.in_(ids))
    return list(db.session.scalars(query.order_by(FeedbackItem.id)))


def visible_commitments(user, result):
    """The linked commitments of meetings this reader may see."""
    ids = [c.id for c in result.commitments]
    if not ids:
        return []
    meetings = meetings_permissions.visible_meetings(user).with_only_columns(Meeting.id)
    return list(db.session.scalars(sa.select(Commitment).where(
        Commitment.id.in_(ids), Commitment.meeting_id.in_(meetings)).order_by(Commitment.id)))


def visible_offers(user, result):
    """{"products", "packages", "branches"}: those the result changes that this reader may
    see (a product still in design is the bank's and the ministry's)."""
    def seen(query, model, records):
        ids = [r.id for r in records]
        if not ids:
            return []
        return list(db.session.scalars(query.where(model.id.in_(ids)).order_by(model.id)))

    return {"products": seen(products_permissions.visible_products(user), Product, result.products),
            "packages": seen(products_permissions.visible_packages(user), ServicePackage,
                             result.packages),
            "branches": seen(branches_permissions.visible_branches(user), Branch, result.branches)}


TEMPLATE_HELPERS = {
    "can_manage_results": can_manage_results,
    "can_create_result": can_create_result,
}
