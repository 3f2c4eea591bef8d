"""What the feedback pages read: the scoped, filtered lists, one item with what its page
shows, the owner's queue and the home panels. Every query starts from what the reader may see
(feedback.permissions.visible_feedback); views parse the request, call one of these and
render."""
import sqlalchemy as sa

from portal.accounts.models import Organisation
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import FeedbackItem


def organisation_by_id(organisation_id):
    return db.session.get(Organisation, organisation_id) if organisation_id else None


def critiques_about_branch(user, branch_organisation_id, limit=10):
    """The critiques (and other items) naming a branch that this user may see, newest first."""
    return db.session.scalars(feedback_permissions.visible_feedback(user).where(
        FeedbackItem.branch_id == branch_organisation_id)
        .options(sa.orm.joinedload(FeedbackItem.organisation))
        .order_by(FeedbackItem.created_at.desc()).limit(limit)).all()
