"""What the feedback pages read: the scoped, filtered lists, one item with what its page
shows, the owner's queue and drafts, the home panels, and the choices the forms offer. Every
list of items starts from what the reader may see (feedback.permissions.visible_feedback);
views parse the request, call one of these and render."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import BANK_KINDS, Organisation, Role, User
from portal.core import versions
from portal.core.errors import NotFound
from portal.core.models import utcnow
from portal.core.textnorm import matches_all_words
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import (
    OPEN_STATES,
    Attachment,
    Endorsement,
    EscalationContact,
    FeedbackEvent,
    FeedbackItem,
    InternalNote,
    Kind,
    Response,
    State,
    Topic,
)
from portal.i18n.fields import within_filter_days

SORTS = {
    "newest": (FeedbackItem.created_at.desc(), FeedbackItem.id.desc()),
    "endorsements": (FeedbackItem.endorsement_count.desc(), FeedbackItem.id.desc()),
    "deadline": (FeedbackItem.answer_due_at.asc(), FeedbackItem.id.asc()),
}


# --- the list, its exports and its report ----------------------------------------------------

def filtered_items(user, args):
    """The scoped query with the list's filters (the request's args) applied: shared by the
    list, the exports and the report."""
    query = feedback_permissions.visible_feedback(user)
    for name, column, enum in (("kind", FeedbackItem.kind, Kind),
                               ("state", FeedbackItem.state, State),
                               ("topic", FeedbackItem.topic, Topic)):
        value = args.get(name, "")
        if value in {e.value for e in enum}:
            query = query.where(column == enum(value))
    for name, column in (("organisation", FeedbackItem.organisation_id),
                         ("branch", FeedbackItem.branch_id), ("owner", FeedbackItem.owner_id)):
        value = args.get(name, type=int)
        if value:
            query = query.where(column == value)
    if args.get("district"):
        query = query.where(FeedbackItem.organisation.has(
            matches_all_words(Organisation.search_key, args["district"])))
    if args.get("overdue") == "1":
        now = utcnow()
        query = query.where(FeedbackItem.state.in_(OPEN_STATES), sa.or_(
            FeedbackItem.answer_due_at < now,
            sa.and_(FeedbackItem.state == State.SUBMITTED, FeedbackItem.acknowledge_due_at < now)))
    query = query.where(*within_filter_days(FeedbackItem.created_at, args))
    if args.get("q"):
        query = query.where(matches_all_words(FeedbackItem.search_key, args["q"]))
    return query


def listed_items(user, args, sort):
    """filtered_items in the order chosen (newest when unknown), with what each row shows."""
    return filtered_items(user, args).order_by(*SORTS.get(sort, SORTS["newest"])).options(
        sa.orm.joinedload(FeedbackItem.organisation), sa.orm.joinedload(FeedbackItem.owner))


def filter_options(user):
    """Choices for the list's filter form: ids and names only, not whole rows; the offices and
    the managers kept in this process until an organisation, person or membership changes
    (portal/core/versions.py): 10-23 ms a list page on the bench data set otherwise."""
    return {"kinds": list(Kind), "states": list(State), "topics": list(Topic),
            "branches": bank_offices(user),
            "owners": relationship_managers() if permissions.is_bank_staff(user) else ()}


def bank_offices(user):
    """(id, name) of the active bank offices of the person's network, by name: the branch an
    item may be about."""
    scope = tuple(permissions.network_scope(user))
    return versions.remembered("bank_offices", ("organisation",), scope, lambda: tuple(
        db.session.execute(permissions.network_organisations(user).where(
            Organisation.kind.in_(list(BANK_KINDS)), Organisation.is_active)
            .with_only_columns(Organisation.id, Organisation.name)
            .order_by(Organisation.name))))


def relationship_managers():
    """(id, full_name) of the active relationship managers, by name: who may own an item."""
    return versions.remembered("relationship_managers", ("user", "membership"), None,
                               lambda: tuple(db.session.execute(
                                   sa.select(User.id, User.full_name).where(
                                       User.is_active,
                                       User.memberships.any(role=Role.RELATIONSHIP_MANAGER))
                                   .order_by(User.full_name))))


# --- one item --------------------------------------------------------------------------------

def visible_item(user, item_id, full=False):
    """The item if this person may see it; NotFound otherwise (not 403: whether it exists is
    itself information a stranger should not get). full=True also loads everything its page
    shows, in a fixed number of queries (endorsements, history, notes, responses, attachments
    and their people)."""
    query = feedback_permissions.visible_feedback(user).where(FeedbackItem.id == item_id)
    if full:
        query = query.options(*_item_page_loads(user))
    item = db.session.scalar(query)
    if item is None:
        raise NotFound()
    return item


def _item_page_loads(user):
    """What an item's page prints, in a fixed number of statements. Not the endorsers'
    people (the page names their organisations), nor internal notes for a reader outside the
    bank: the page does not show them, and each is a statement and rows to build."""
    load, joined = sa.orm.selectinload, sa.orm.joinedload
    loads = [
        joined(FeedbackItem.organisation), joined(FeedbackItem.owner),
        joined(FeedbackItem.submitted_by), joined(FeedbackItem.branch),
        load(FeedbackItem.endorsements).joinedload(Endorsement.organisation),
        load(FeedbackItem.events).joinedload(FeedbackEvent.actor),
        load(FeedbackItem.responses).joinedload(Response.author),
        load(FeedbackItem.attachments)]
    if feedback_permissions.can_read_internal_notes(user):
        loads.append(load(FeedbackItem.notes).joinedload(InternalNote.author))
    return loads


def item_by_id(item_id):
    """Any item by its number, unscoped: for a value a form field has already checked."""
    return db.session.get(FeedbackItem, item_id) if item_id else None


def shown_duplicate(user, item):
    """The item this one duplicates, when the reader may open it."""
    if item.duplicate_of_id is None:
        return None
    return db.session.scalar(feedback_permissions.visible_feedback(user).where(
        FeedbackItem.id == item.duplicate_of_id))


def row_of_item(model, item, row_id):
    """A row of this item (an attachment, a message: model has item_id); NotFound for another
    item's, whoever asks."""
    found = db.session.scalar(sa.select(model).where(model.id == row_id,
                                                     model.item_id == item.id))
    if found is None:
        raise NotFound()
    return found


def attachment_of(item, attachment_id):
    return row_of_item(Attachment, item, attachment_id)


def organisation_by_id(organisation_id):
    return db.session.get(Organisation, organisation_id) if organisation_id else None


def person_by_id(user_id):
    return db.session.get(User, user_id) if user_id else None


# --- the owner's work ------------------------------------------------------------------------

def drafts_to_publish(user, ids=None):
    """The open items with an unpublished response that this person may publish: their own,
    or every one for an administrator; only those numbered `ids` when given. Deadline first."""
    query = feedback_permissions.visible_feedback(user).where(
        FeedbackItem.state.in_(OPEN_STATES), FeedbackItem.responses.any(published_at=None))
    if not permissions.is_admin(user):
        query = query.where(FeedbackItem.owner_id == user.id)
    if ids is not None:
        query = query.where(FeedbackItem.id.in_(ids))
    return db.session.scalars(query.order_by(FeedbackItem.answer_due_at)).all()


def open_items_of(user, owner_id):
    """The open items this owner holds, among those the reader may see, deadline first."""
    return db.session.scalars(feedback_permissions.visible_feedback(user).where(
        FeedbackItem.owner_id == owner_id, FeedbackItem.state.in_(OPEN_STATES))
        .options(sa.orm.joinedload(FeedbackItem.organisation))
        .order_by(FeedbackItem.answer_due_at)).all()


def latest_of_own_organisations(user, limit=5):
    """The items of the unions this person directs, the latest changed first."""
    own = [o.id for o in user.organisations_with(Role.UNION_DIRECTOR)]
    return db.session.scalars(sa.select(FeedbackItem).where(
        FeedbackItem.organisation_id.in_(own)).order_by(FeedbackItem.updated_at.desc())
        .limit(limit)).all()


# --- the escalation chain --------------------------------------------------------------------

def chain_people(network_id):
    """The people a link of this bank's chain may name, by name."""
    return db.session.scalars(feedback_permissions.network_people(network_id)
                              .order_by(User.full_name, User.id)).all()


def escalation_link(link_id):
    found = db.session.get(EscalationContact, link_id)
    if found is None:
        raise NotFound()
    return found


def critiques_about_branch(user, branch_organisation_id, limit=10):
    """The critiques (and other items) naming a branch that this user may see, newest first."""
    return db.session.scalars(feedback_permissions.visible_feedback(user).where(
        FeedbackItem.branch_id == branch_organisation_id)
        .options(sa.orm.joinedload(FeedbackItem.organisation))
        .order_by(FeedbackItem.created_at.desc()).limit(limit)).all()


# --- what other areas' forms offer -----------------------------------------------------------

def topics():
    """What an item may be about, in the order the forms offer them (a filter's choices)."""
    return list(Topic)


def recommendation_choices():
    """What a recommendation recorded at a group meeting may be (the field app's form, read
    again by field.services): a proposal or a critique, on any of the topics."""
    return {"kinds": [Kind.PROPOSAL, Kind.CRITIQUE], "topics": topics()}
