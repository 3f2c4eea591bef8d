"""What a result's form offers and what it names: the offers, branches and indicators to
choose from, and the items, commitments, offers and figure a form names, each one the person
may see. Other areas are read through their permissions (their scoped queries); the view
parses the form, calls these and renders."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Organisation
from portal.branches import permissions as branches_permissions
from portal.branches.models import Branch
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import FeedbackItem
from portal.indicators.models import Indicator, Unit
from portal.meetings import permissions as meetings_permissions
from portal.meetings.models import Commitment, Meeting
from portal.products import permissions as products_permissions
from portal.products.models import Product, ServicePackage
from portal.results.models import MeasureKind


def _offers(user):
    """{kind: (scoped query, model, order)} of what a result may change."""
    return {"products": (products_permissions.visible_products(user), Product, Product.code),
            "packages": (products_permissions.visible_packages(user), ServicePackage,
                         ServicePackage.code),
            "branches": (branches_permissions.visible_branches(user), Branch, Branch.id)}


def offer_choices(user, locale):
    """{"products" | "packages" | "branches": [(id, name in the reader's language)]}."""
    found = {}
    for kind, (query, _model, order) in _offers(user).items():
        rows = db.session.scalars(query.order_by(order))
        found[kind] = [(row.id, row.name if kind == "branches" else row.name_in(locale))
                       for row in rows]
    return found


def chosen_offers(user, chosen):
    """chosen: {kind: [id]} as the form sent them; the records among them the user may see."""
    offers = {}
    for kind, (query, model, _order) in _offers(user).items():
        ids = chosen.get(kind) or []
        offers[kind] = list(db.session.scalars(query.where(model.id.in_(ids)))) if ids else []
    return offers


def indicators():
    """The indicators a result may be measured by, in their order on the dashboards."""
    return list(db.session.scalars(sa.select(Indicator).order_by(Indicator.position,
                                                                 Indicator.id)))


def _named(query, model, numbers):
    found = list(db.session.scalars(query.where(model.id.in_(numbers)))) if numbers else []
    return found, sorted(set(numbers) - {record.id for record in found})


def named_items(user, numbers):
    """(the feedback items with these numbers that the user may read, the numbers of none)."""
    return _named(feedback_permissions.visible_feedback(user), FeedbackItem, numbers)


def named_commitments(user, numbers):
    """(the commitments with these numbers, of meetings the user may see; the others)."""
    meetings = meetings_permissions.visible_meetings(user).with_only_columns(Meeting.id)
    return _named(sa.select(Commitment).where(Commitment.meeting_id.in_(meetings)), Commitment,
                  numbers)


def measure(user, kind, indicator_id, organisation_id):
    """(indicator or None, organisation or None, whether the figure is a share or ratio) of
    the figure a form names: the organisation only if it is of the user's network."""
    indicator = db.session.get(Indicator, indicator_id) if indicator_id else None
    organisation = None
    if organisation_id:
        organisation = db.session.scalar(permissions.network_organisations(user).where(
            Organisation.id == organisation_id))
    ratio = kind == MeasureKind.IN_BANK_SHARE.value or (
        indicator is not None and indicator.unit == Unit.RATIO)
    return indicator, organisation, ratio
