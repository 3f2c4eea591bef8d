"""Who may read and edit the catalogue of products and service packages, built on the shared
scopes of portal.permissions."""
import sqlalchemy as sa

from portal import permissions
from portal.products.models import Product, ProductStatus, ServicePackage


def can_edit_catalogue(user):
    """Administrators are the bank's product staff: they alone edit products and packages."""
    return permissions.is_admin(user)


def sees_whole_catalogue(user):
    """The bank and the ministry see every stage; everyone else sees available offers only."""
    return permissions.is_bank_staff(user) or permissions.is_ministry(user)


def visible_offers(user, model):
    """The products or the service packages (model) the user's catalogue shows."""
    query = sa.select(model)
    if not permissions.is_signed_in(user):
        return query.where(sa.false())
    offered = permissions.offered_in_network(user, model)
    if offered is not None:
        query = query.where(offered)
    if sees_whole_catalogue(user):
        return query
    return query.where(model.status == ProductStatus.AVAILABLE)


def shown_offers(user, offers):
    """Of these products or packages (a branch's, say), those the user is shown: the stages
    visible_offers lets them see, for offers already loaded."""
    whole = sees_whole_catalogue(user)
    return [offer for offer in offers if whole or offer.status == ProductStatus.AVAILABLE]


def visible_products(user):
    return visible_offers(user, Product)


def visible_packages(user):
    return visible_offers(user, ServicePackage)


def can_see_roadmap(user):
    return sees_whole_catalogue(user)


TEMPLATE_HELPERS = {
    "can_edit_catalogue": can_edit_catalogue,
    "sees_whole_catalogue": sees_whole_catalogue,
    "can_see_roadmap": can_see_roadmap,
}
