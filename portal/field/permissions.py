"""Who works in the field, and which groups they may take with them."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Organisation, OrgKind
from portal.indicators import permissions as indicators_permissions


def may_work_in_field(user):
    """Credit officers (the bank's relationship managers) and administrators."""
    return permissions.is_relationship_manager(user) or permissions.is_admin(user)


def field_groups(user):
    """A select() of the active savings groups the officer may take to the field: in the
    network they look at and, unless an administrator, under their own office or their
    portfolio (a credit officer serving a mass organisation serves the groups under it)."""
    if not may_work_in_field(user):
        return sa.select(Organisation).where(sa.false())
    query = permissions.visible_organisations(user).where(
        Organisation.kind == OrgKind.SAVINGS_GROUP, Organisation.is_active)
    if permissions.is_admin(user):
        return query
    served = permissions.subtree_ids(user, "indicator")
    if not served:
        return query.where(sa.false())
    # literal integers, as permissions does: a large portfolio meets no bound-parameter limit
    return query.where(Organisation.id.in_(sa.bindparam(
        "field_groups", sorted(served), expanding=True, literal_execute=True)))


def may_rate(user):
    """Group ratings come in by import from the same people; the field form is one more way."""
    return indicators_permissions.can_import_indicators(user)
