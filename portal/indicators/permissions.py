"""Who may read, manage and import indicators, and over which organisations, built on the
shared scopes of portal.permissions."""
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal import permissions
from portal.accounts.models import BANK_KINDS, Membership, Organisation


def indicator_scope(user):
    """None for the whole network (administrators, the ministry); otherwise a condition on
    Organisation: the user's organisations and portfolio with everything below them, and for
    bank staff of a district office every organisation in that district."""
    if permissions.is_admin(user) or permissions.is_ministry(user):
        return permissions.in_network(user)
    if not permissions.is_signed_in(user):
        return sa.false()
    home = aliased(Organisation)
    district = sa.exists().where(
        Membership.user_id == user.id, Membership.organisation_id == home.id,
        home.kind.in_(BANK_KINDS), home.district.is_not(None),
        home.country == Organisation.country, home.province == Organisation.province,
        home.district == Organisation.district)
    return sa.or_(Organisation.id.in_(permissions.ids_select(
        permissions.subtree_ids(user, "indicator"), "indicator_scope")), district)


def can_view_indicators_of(user, org):
    """Whether org is among visible_indicator_organisations(user), decided in Python from the
    person's kept scopes and memberships, without a statement: an organisation's page asks it
    for the organisation and for its district's office. org needs id, network_id, country,
    province and district (an Organisation or a row). tests/indicators/test_scope_in_python.py
    holds the two rules to the same answer."""
    return indicator_viewer(user)(org)


def indicator_viewer(user):
    """can_view_indicators_of(user, ·) as a function of the organisation alone, the person's
    part worked out once: the home panel sifts hundreds of offices with it."""
    if not permissions.is_signed_in(user):
        return lambda org: False
    scope = permissions.network_scope(user)
    whole = permissions.is_admin(user) or permissions.is_ministry(user)
    subtree = permissions.subtree_ids(user, "indicator")
    places = {_district_of(m.organisation) for m in user.memberships
              if m.organisation.kind in BANK_KINDS} - {None}

    def can_view(org):
        if org is None or not (scope.everything or org.network_id == scope.network_id):
            return False
        return whole or org.id in subtree or _district_of(org) in places

    return can_view


def _district_of(org):
    """(country, province, district), or None where one is missing: SQL's equality never
    matches a NULL, so neither does this."""
    place = (org.country, org.province, org.district)
    return None if None in place else place


def visible_indicator_organisations(user):
    scope = indicator_scope(user)
    query = permissions.within_network(sa.select(Organisation), user)
    return query if scope is None else query.where(scope)


def can_view_indicators(user):
    return permissions.is_signed_in(user)


def can_manage_indicators(user):
    """Definitions, thresholds and plans."""
    return permissions.is_admin(user)


def can_import_indicators(user):
    return permissions.is_admin(user) or permissions.is_relationship_manager(user)


TEMPLATE_HELPERS = {
    "can_view_indicators": can_view_indicators,
    "can_manage_indicators": can_manage_indicators,
    "can_import_indicators": can_import_indicators,
}
