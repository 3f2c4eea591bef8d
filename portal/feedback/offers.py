"""Product requests and the catalogue: linking a request to the product or service package
that answers it, telling the people who asked when it becomes available, and the demand
behind each offer."""
import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import Role
from portal.core import audit, kept_pages
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.extensions import db
from portal.feedback import history
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import Endorsement, FeedbackItem, Kind
from portal.products import permissions as products_permissions
from portal.products import services as products_services
from portal.products.models import Product, ProductStatus, ServicePackage


def link_offer(actor, item, offer):
    """Record that the bank answers this product request with this product or service package
    (new or existing, not withdrawn). Replaces any earlier link.

    Linking to another offer clears the record of the availability notice, so the requesters
    hear of the new offer; if it is already available they are told now, otherwise when it
    becomes available (tell_requesters_offer_available). Raises PermissionDenied unless the
    actor handles the item, ValidationError for an item that is not a product request or a
    withdrawn offer.
    """
    require(feedback_permissions.can_handle_feedback(actor, item))
    if item.kind != Kind.PRODUCT_REQUEST:
        raise ValidationError(_("Only a product request can be linked to a product."))
    # The offer's row is locked so that a status change committing at the same time is either
    # seen here (and the notice sent now) or sees this link (and sends it then): never neither.
    offer = db.session.scalars(sa.select(type(offer)).where(type(offer).id == offer.id)
                               .with_for_update()
                               .execution_options(populate_existing=True)).one()
    if offer is item.offer:
        return
    if offer.is_withdrawn:
        raise ValidationError(_("This offer has been withdrawn. Choose what replaces it."))
    before = {"product_id": item.product_id, "package_id": item.package_id}
    is_package = isinstance(offer, ServicePackage)
    item.product, item.package = (None, offer) if is_package else (offer, None)
    item.offer_notice_sent_at = None
    history.touch(item)
    history.event(item, actor, "package_linked" if is_package else "product_linked", offer.code)
    db.session.flush()
    audit.record(actor, "feedback_product_linked", item, before,
                 {"product_id": item.product_id, "package_id": item.package_id})
    if offer.status == ProductStatus.AVAILABLE:
        _tell_offer_available([item], offer)


def link_product(actor, item, product):
    """link_offer for a product (kept for the callers that only know products)."""
    link_offer(actor, item, product)


def _linked_to(offer):
    """The condition "this item is linked to this offer"."""
    if isinstance(offer, ServicePackage):
        return FeedbackItem.package_id == offer.id
    return FeedbackItem.product_id == offer.id


def tell_requesters_offer_available(offer):
    """Tell the people who asked for this product or package that it is available.

    Called by products.services.set_status whenever an offer becomes available. Each linked
    request is told once: the notice is recorded on the item (offer_notice_sent_at), so a
    status that moves away and back, or a second call, tells nobody again. Returns how many
    people were told.
    """
    items = db.session.scalars(sa.select(FeedbackItem).where(
        _linked_to(offer), FeedbackItem.offer_notice_sent_at.is_(None))
        .order_by(FeedbackItem.id)).all()
    return _tell_offer_available(items, offer)


def _tell_offer_available(items, offer):
    """One notice per person (submitters of record and endorsers of these items), however
    many of the items they asked through; every item is marked as told."""
    is_package = isinstance(offer, ServicePackage)
    told = set()
    for item in items:
        item.offer_notice_sent_at = utcnow()
        history.event(item, None, "package_available" if is_package else "product_available",
               offer.code)
        for person in history.people_to_tell(item):
            if person.id in told:
                continue
            told.add(person.id)
            notify(person, "product_available",
                   lambda p=person, i=item: _offer_available_notice(offer, p, i),
                   link=history.item_link(item))
    db.session.flush()
    return len(told)


def _offer_available_notice(offer, person, item):
    name = offer.name_in(person.preferred_locale or "en")
    if isinstance(offer, ServicePackage):
        title = _("The service package you asked for is available: %(name)s", name=name)
    else:
        title = _("The product you asked for is available: %(name)s", name=name)
    return title, _("Your request: %(title)s", title=item.title)


def asked_for(user, offer):
    """Whether this person asked for this offer: they submitted or endorsed a product request
    linked to it, or direct an organisation that did."""
    if user is None or not user.is_authenticated:
        return False
    directed = {m.organisation_id for m in user.memberships if m.role == Role.UNION_DIRECTOR}
    # every item's endorsements, not those of the item whose page asks (core/kept_pages.about)
    kept_pages.every_share(Endorsement.__tablename__)
    endorsed = sa.select(Endorsement.item_id).where(sa.or_(
        Endorsement.user_id == user.id, Endorsement.organisation_id.in_(directed)))
    return db.session.scalar(sa.select(sa.exists().where(
        _linked_to(offer), sa.or_(FeedbackItem.submitted_by_id == user.id,
                                  FeedbackItem.organisation_id.in_(directed),
                                  FeedbackItem.id.in_(endorsed))))) or False


def link_choices(user, locale):
    """What a product request may be linked to, as [(group label, [(key, label)])]: the
    products and packages this user sees that can still be offered, by name in the reader's
    language.

    Withdrawn offers are left out: nobody can be given them. Drafts and offers in design stay:
    answering a request with the product being designed for it is the usual case, and the link
    is what tells the requesters when it becomes available and puts their demand on the
    roadmap.
    """
    groups = []
    for label, model in ((_("Products"), Product), (_("Service packages"), ServicePackage)):
        options = [(f"{model.OFFER_KIND}:{i}", _offer_label(name, status))
                   for i, name, status in products_services.offers_still_offered(
                       user, model, locale)]
        if options:
            groups.append((label, options))
    return groups


def offer_by_key(user, key):
    """The product or package named by a chooser's key ("product:12", "package:3") among
    those this user sees; None for anything else."""
    kind, _sep, offer_id = (key or "").partition(":")
    found = {"product": (Product, products_permissions.visible_products),
             "package": (ServicePackage, products_permissions.visible_packages)}.get(kind)
    if found is None or not offer_id.isdigit():
        return None
    model, visible = found
    return db.session.scalar(visible(user).where(model.id == int(offer_id)))


def _offer_label(name, status):
    if status == ProductStatus.AVAILABLE:
        return name
    return _("%(name)s (%(status)s)", name=name, status=status.label)


def requests_for_offer(user, offer):
    """The product requests behind a product or package that this user may see, most endorsed
    first."""
    return db.session.scalars(feedback_permissions.visible_feedback(user).where(_linked_to(offer))
                              .options(sa.orm.joinedload(FeedbackItem.organisation))
                              .order_by(FeedbackItem.endorsement_count.desc(),
                                        FeedbackItem.id)).all()


def demand_by_product(product_ids):
    """{product id: (requests, endorsements)}: how widely each product is asked for."""
    if not product_ids:
        return {}
    rows = db.session.execute(sa.select(
        FeedbackItem.product_id, sa.func.count(), sa.func.sum(FeedbackItem.endorsement_count))
        .where(FeedbackItem.product_id.in_(product_ids)).group_by(FeedbackItem.product_id))
    return {pid: (count, endorsed or 0) for pid, count, endorsed in rows}
