"""What the turnover pages and the API list: the queries views used to build themselves.

Each starts from what the user may see (portal.turnover.permissions); views parse the request,
check the permission, call one of these and render.
"""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Organisation, Role
from portal.extensions import db
from portal.turnover import permissions as turnover_permissions
from portal.turnover.models import PeriodStatus, ReportingPeriod, TurnoverReport


def periods_with_data(user, country=None):
    """Periods in which the user can read at least one report, newest first (of one country,
    when given)."""
    reports = turnover_permissions.visible_turnover_reports(user).with_only_columns(
        TurnoverReport.period_id)
    query = sa.select(ReportingPeriod).where(ReportingPeriod.id.in_(reports)).order_by(
        ReportingPeriod.month.desc(), ReportingPeriod.country)
    if country is not None:
        query = query.where(ReportingPeriod.country == country)
    return db.session.scalars(query).all()


# what the figures read: reports come in by the month, so a panel or a dashboard is computed
# once per import or correction, not on every request (a sum over a network's month of reports)
FIGURE_TABLES = ("turnover_report", "turnover_period_total", "turnover_other_bank",
                 "reporting_period", "organisation", "membership", "portfolio_entry")


def reader_key(user):
    """Who sees the same figures: everyone reading the whole network (the ministry and the
    administrators of one network) shares one answer; others share it with whoever reads the
    same organisations' turnover in the same network (a union's directors), rather than each
    person building their own on their first view in each worker."""
    scope = permissions.network_scope(user)
    if permissions.is_admin(user) or permissions.is_ministry(user):
        return ("network", scope)
    return ("subtree", scope, turnover_permissions.can_read_turnover(user),
            permissions.subtree_ids(user, "turnover"))


def latest_period_with_data(user):
    """The newest period in which the user can read a report, or None (the home panel).

    Periods newest first, each probed for one report the user may read until one answers: a
    probe is one walk of ix_turnover_report_period_amounts (0.3 ms), and most readers have
    figures in the latest period or the one before. Asked in one statement, PostgreSQL probes
    all ~100 periods before sorting them: 1-2 s for the whole network on the bench data set,
    16 ms for a union's subtree, on every first view of a person's home."""
    # the probe is built once and sent with each period's id: building the reader's scope
    # into a statement cost more than PostgreSQL's answer; the periods are read as ids
    probe = sa.select(sa.exists(turnover_permissions.visible_turnover_reports(user)
                                .with_only_columns(sa.literal(1))
                                .where(TurnoverReport.period_id == sa.bindparam("period"))))
    for period_id in db.session.scalars(sa.select(ReportingPeriod.id).order_by(
            ReportingPeriod.month.desc(), ReportingPeriod.id.desc())):
        if db.session.scalar(probe, {"period": period_id}):
            return db.session.get(ReportingPeriod, period_id)
    return None


def open_periods():
    """The periods that take figures, newest first."""
    return db.session.scalars(sa.select(ReportingPeriod).where(
        ReportingPeriod.status == PeriodStatus.OPEN).order_by(
        ReportingPeriod.month.desc())).all()


def editable_organisations(user):
    """The active organisations whose figures the user may report, as a query (what
    turnover_permissions.can_edit_turnover allows, for a whole list at once)."""
    if permissions.is_admin(user):
        return permissions.visible_organisations(user).where(Organisation.is_active)
    if not user.has_role(Role.UNION_DIRECTOR, Role.RELATIONSHIP_MANAGER):
        return sa.select(Organisation).where(sa.false())
    return turnover_permissions.visible_turnover_organisations(user).where(
        Organisation.is_active)


def visible_organisation(user, org_id):
    """An organisation whose turnover the user may read, or None."""
    return db.session.scalar(turnover_permissions.visible_turnover_organisations(user).where(
        Organisation.id == org_id))


def template_organisations(user, limit=5000):
    """The active organisations the import template lists, by code."""
    return db.session.scalars(turnover_permissions.visible_turnover_organisations(user).where(
        Organisation.is_active).order_by(Organisation.code).limit(limit)).all()


def reports_of_month(month, country, limit, offset):
    """(TurnoverReport, Organisation, ReportingPeriod) of one month (of one country, when
    given), by organisation code: a page of what the API returns."""
    query = sa.select(TurnoverReport, Organisation, ReportingPeriod).join(
        Organisation, Organisation.id == TurnoverReport.organisation_id).join(
        ReportingPeriod, ReportingPeriod.id == TurnoverReport.period_id).where(
        ReportingPeriod.month == month).order_by(Organisation.code, TurnoverReport.currency)
    if country:
        query = query.where(ReportingPeriod.country == country)
    return db.session.execute(query.limit(limit).offset(offset)).all()
