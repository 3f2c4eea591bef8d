"""Who may read a product or service package beyond what their catalogue lists.

The catalogue itself is scoped by products.permissions.visible_products/visible_packages (the
bank and the ministry see every stage, everyone else what is available). A withdrawn offer
leaves the lists but not the people who asked for it: they keep reading its page, to learn
that it was withdrawn and what replaces it.

This rule stays apart from products.permissions: "who asked for it" is feedback's to answer
(feedback.services.asked_for), and feedback.services builds on products.permissions, so the
rule would close a loop there. Views and templates (can_read_offer) use it from here.
"""
from portal.core.errors import NotFound
from portal.extensions import db
from portal.feedback.services import asked_for
from portal.products import permissions as products_permissions


def can_read_offer(user, offer):
    """The offer is in the user's catalogue, or it is withdrawn and the user asked for it."""
    if offer is None:
        return False
    visible = products_permissions.visible_offers(user, type(offer)).where(
        type(offer).id == offer.id)
    if db.session.scalar(visible.with_only_columns(type(offer).id)) is not None:
        return True
    return offer.is_withdrawn and asked_for(user, offer)


def readable_offer(user, model, offer_id):
    """The product or package with this id if the user may read it; NotFound otherwise (not
    403: a stranger learns nothing, not even that it exists)."""
    offer = db.session.get(model, offer_id)
    if offer is None or not can_read_offer(user, offer):
        raise NotFound()
    return offer


TEMPLATE_HELPERS = {"can_read_offer": can_read_offer}
