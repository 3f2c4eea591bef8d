"""What a change to a feedback item leaves behind besides the change itself: a line in the
item's history, a new version (so a form read before it is refused as stale), and a notice to
the people who follow the item. Shared by the operations of services, escalation and offers."""
import sqlalchemy as sa
from flask import url_for

from portal.accounts.models import Membership, Role, User
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.extensions import db
from portal.feedback.models import FeedbackEvent


def event(item, actor, action, detail=None):
    item.events.append(FeedbackEvent(actor_id=getattr(actor, "id", None), action=action,
                                     detail=detail))


def touch(item):
    """Bump the item's version even when only a related row changed: a stale form is refused."""
    item.updated_at = utcnow()


def item_link(item):
    return url_for("feedback.show", item_id=item.id)


def submitters_of_record(item):
    """Who hears of the item as its submitter: the person who submitted it, or, when the
    organisation spoke and someone else recorded it (a statement from the floor), the
    organisation's directors."""
    if item.recorded_by_id is None:
        return [item.submitted_by]
    return db.session.scalars(sa.select(User).join(Membership).where(
        Membership.organisation_id == item.organisation_id,
        Membership.role == Role.UNION_DIRECTOR, User.is_active).order_by(User.id)).all()


def people_to_tell(item):
    """The submitter of record and everyone who endorsed the item."""
    people = {p.id: p for p in submitters_of_record(item) if p is not None}
    for endorsement in item.endorsements:
        people.setdefault(endorsement.user_id, endorsement.user)
    return [p for p in people.values() if p is not None]


def tell(people, item, kind, title_fn):
    for person in people:
        notify(person, kind, lambda: (title_fn(), item.title), link=item_link(item))
