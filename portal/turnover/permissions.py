"""Who may read, report, confirm and import turnover figures, built on the shared scopes of
portal.permissions."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Organisation, Role
from portal.extensions import db
from portal.turnover.models import TurnoverReport, TurnoverSource


def turnover_scope_ids(user):
    """None when the user reads the whole network's turnover (administrators, the ministry);
    otherwise a select() of the organisation ids whose figures the user may read: a union
    director their own organisation and below, a relationship manager their portfolio."""
    if _reads_whole_network(user):
        condition = permissions.in_network(user)
        return None if condition is None else sa.select(Organisation.id).where(condition)
    if not permissions.is_signed_in(user):
        return sa.select(Organisation.id).where(sa.false())
    return permissions.ids_select(permissions.subtree_ids(user, "turnover"), "turnover_scope")


def _in_turnover_scope(user, org_id):
    if permissions.is_admin(user) or permissions.is_ministry(user):
        return permissions.is_signed_in(user) and permissions.in_same_network(
            user, db.session.get(Organisation, org_id))
    if not permissions.is_signed_in(user):
        return False
    return org_id in permissions.subtree_ids(user, "turnover")


def can_read_turnover(user):
    return permissions.is_signed_in(user) and user.has_role(
        Role.ADMINISTRATOR, Role.MINISTRY_OFFICIAL, Role.RELATIONSHIP_MANAGER, Role.UNION_DIRECTOR)


def _reads_whole_network(user):
    return permissions.is_admin(user) or permissions.is_ministry(user)


def visible_turnover_organisations(user):
    if not can_read_turnover(user):
        return sa.select(Organisation).where(sa.false())
    query = permissions.within_network(sa.select(Organisation), user)
    if _reads_whole_network(user):
        return query  # the network condition is the whole scope: not twice
    return query.where(Organisation.id.in_(turnover_scope_ids(user)))


def visible_turnover_reports(user):
    if not can_read_turnover(user):
        return sa.select(TurnoverReport).where(sa.false())
    query = permissions.within_network(sa.select(TurnoverReport), user,
                                       TurnoverReport.organisation_id)
    if _reads_whole_network(user):
        return query
    return query.where(TurnoverReport.organisation_id.in_(turnover_scope_ids(user)))


def can_see_period(user, period):
    """A reporting period (a country's month) is read by those whose network works in that
    country: its status is the network's own business."""
    if period is None or not can_read_turnover(user):
        return False
    condition = permissions.in_network(user)
    if condition is None:
        return True
    return db.session.scalar(sa.select(sa.exists().where(
        condition, Organisation.country == period.country)))


def can_edit_turnover(user, org):
    """Report or correct an organisation's figures: its director, its relationship manager,
    an administrator. The ministry only reads."""
    if org is None or not permissions.is_signed_in(user):
        return False
    if permissions.is_admin(user):
        return True
    return user.has_role(Role.UNION_DIRECTOR, Role.RELATIONSHIP_MANAGER) and \
        _in_turnover_scope(user, org.id)


def can_confirm_turnover(user, report):
    return report is not None and permissions.is_signed_in(user) and \
        user.has_role(Role.UNION_DIRECTOR) and report.source != TurnoverSource.CONFIRMED and \
        _in_turnover_scope(user, report.organisation_id)


def can_import_turnover(user):
    return permissions.is_signed_in(user) and user.has_role(
        Role.ADMINISTRATOR, Role.RELATIONSHIP_MANAGER, Role.UNION_DIRECTOR)


def can_manage_periods(user):
    return permissions.is_admin(user)


def can_manage_api_tokens(user):
    return permissions.is_admin(user)



TEMPLATE_HELPERS = {
    "can_read_turnover": can_read_turnover,
    "can_edit_turnover": can_edit_turnover,
    "can_confirm_turnover": can_confirm_turnover,
    "can_import_turnover": can_import_turnover,
    "can_manage_periods": can_manage_periods,
    "can_manage_api_tokens": can_manage_api_tokens,
}
