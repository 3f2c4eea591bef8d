"""Turnover operations and concentration analytics.

Operations flush (never commit) and write their audit entry. Analytics are single SQL
statements (GROUP BY over the scoped reports): the database adds up, Python only formats.
Shares are sums of turnover through the bank over sums of total turnover, so an organisation
with a large turnover weighs more than a small one, and currencies are never mixed.
"""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import Organisation
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import get_visible, utcnow
from portal.extensions import db
from portal.turnover import permissions as turnover_permissions
from portal.turnover.models import (
    FIGURES,
    ConcentrationThreshold,
    PeriodStatus,
    ReportingPeriod,
    TurnoverPeriodTotal,
    TurnoverReport,
    TurnoverRevision,
    TurnoverSource,
)
from portal.turnover.windows import as_window

DEFAULT_THRESHOLD = Decimal("0.5")


# --- periods ---------------------------------------------------------------------------------

def month_start(value):
    return date(value.year, value.month, 1)


def parse_month(text):
    """'2025-08' (or '2025-08-31') -> date(2025, 8, 1); None when it is not a month."""
    text = (text or "").strip()
    try:
        year, month = int(text[:4]), int(text[5:7])
        if text[4] not in "-/" or not 1 <= month <= 12 or not 1900 < year < 2200:
            return None
        if len(text) > 7 and not (text[7] in "-/" and text[8:].isdigit()):
            return None
        return date(year, month, 1)
    except (ValueError, IndexError):
        return None


def get_or_create_period(country, month):
    month = month_start(month)
    period = db.session.scalar(sa.select(ReportingPeriod).where(
        ReportingPeriod.country == country, ReportingPeriod.month == month))
    if period is None:
        period = ReportingPeriod(country=country, month=month, status=PeriodStatus.OPEN)
        db.session.add(period)
        db.session.flush()
    return period


def open_period(actor, country, month):
    """Open (or find) the period of this month for this country. Administrators only."""
    require(turnover_permissions.can_manage_periods(actor))
    if not country or len(country) != 2:
        raise ValidationError(_("Choose a country."), field="country")
    period = get_or_create_period(country.upper(), month)
    audit.record(actor, "period_opened", period, after={"country": period.country,
                                                        "month": period.key})
    return period


def set_period_status(actor, period, status):
    """Close (lock) or reopen a period. Administrators only."""
    require(turnover_permissions.can_manage_periods(actor))
    before = {"status": period.status.value}
    period.status = PeriodStatus(status)
    period.closed_at = utcnow() if period.status == PeriodStatus.CLOSED else None
    period.closed_by_id = actor.id if period.status == PeriodStatus.CLOSED else None
    db.session.flush()
    audit.record(actor, "period_" + period.status.value, period, before,
                 {"status": period.status.value})
    return period


def ensure_open(period):
    if period.is_closed:
        raise ValidationError(_("The period %(month)s is closed; its figures can no longer be "
                                "changed.", month=period.key))


def is_locked(country, month):
    """Whether the period of this month is closed for this country (used by indicators)."""
    status = db.session.scalar(sa.select(ReportingPeriod.status).where(
        ReportingPeriod.country == country, ReportingPeriod.month == month_start(month)))
    return status == PeriodStatus.CLOSED


def periods(country=None):
    query = sa.select(ReportingPeriod).order_by(ReportingPeriod.month.desc(),
                                                ReportingPeriod.country)
    if country:
        query = query.where(ReportingPeriod.country == country)
    return db.session.scalars(query).all()


# --- reports ---------------------------------------------------------------------------------

def _validate_figures(values):
    """The figures as kept: money as Decimal whole units (WholeUnits), accounts as a count.
    Forms and files have already read what people typed (portal.i18n.parsing.parse_number);
    this refuses what is not a whole, non-negative figure."""
    clean = {}
    for field in FIGURES:
        value = values.get(field)
        if value is None or value == "":
            raise ValidationError(_("Enter a value."), field=field)
        try:
            number = Decimal(str(value).strip())
        except ArithmeticError as exc:  # decimal.InvalidOperation: not a number at all
            raise ValidationError(_("Enter a whole number."), field=field) from exc
        if not number.is_finite() or number != number.to_integral_value():
            raise ValidationError(_("Enter a whole number."), field=field)
        if number < 0:
            raise ValidationError(_("A figure cannot be negative."), field=field)
        clean[field] = int(number) if field == "accounts" else number.quantize(1)
    if clean["bank_turnover"] > clean["total_turnover"]:
        raise ValidationError(_("Turnover through the bank cannot exceed the total turnover."),
                              field="bank_turnover")
    return clean


def _keep_revision(report, actor, new_source):
    db.session.add(TurnoverRevision(
        report_id=report.id, changed_by_id=getattr(actor, "id", None), new_source=new_source,
        source=report.source, **report.figures()))


def save_report(actor, organisation, period, values, currency=None, expected_version=None,
                source=TurnoverSource.REPORTED):
    """Report an organisation's figures for a period, or correct them.

    A correction keeps the previous values and who changed them (TurnoverRevision). Refused
    when the period is closed (ValidationError), when the actor may not report for this
    organisation (PermissionDenied), or when someone saved first (Conflict).
    """
    if source != TurnoverSource.BANK_SYSTEM:
        require(turnover_permissions.can_edit_turnover(actor, organisation))
    ensure_open(period)
    if period.country != organisation.country:
        raise ValidationError(_("This period belongs to another country."), field="period_id")
    clean = _validate_figures(values)
    currency = (currency or organisation.currency).upper()
    report = db.session.scalar(sa.select(TurnoverReport).where(
        TurnoverReport.organisation_id == organisation.id, TurnoverReport.period_id == period.id,
        TurnoverReport.currency == currency))
    if report is None:
        report = TurnoverReport(organisation_id=organisation.id, period_id=period.id,
                                currency=currency, source=source,
                                reported_by_id=getattr(actor, "id", None), **clean)
        db.session.add(report)
        db.session.flush()
        refresh_period_totals([period.id])
        audit.record(actor, "turnover_reported", report, None, clean)
        return report
    report.check_version(expected_version)
    before = report.figures()
    if before == clean and report.source == source:
        return report
    _keep_revision(report, actor, source)
    for field, value in clean.items():
        setattr(report, field, value)
    report.source = source
    report.reported_by_id = getattr(actor, "id", None)
    report.confirmed_by_id = report.confirmed_at = None
    db.session.flush()
    refresh_period_totals([period.id])
    audit.record(actor, "turnover_corrected", report, before, clean)
    return report


def confirm_report(actor, report):
    """The organisation's director confirms the figures as they stand."""
    require(turnover_permissions.can_confirm_turnover(actor, report))
    ensure_open(report.period)
    _keep_revision(report, actor, TurnoverSource.CONFIRMED)
    report.source = TurnoverSource.CONFIRMED
    report.confirmed_by_id = actor.id
    report.confirmed_at = utcnow()
    db.session.flush()
    audit.record(actor, "turnover_confirmed", report)
    return report


def get_report(user, report_id):
    return get_visible(turnover_permissions.visible_turnover_reports(user), TurnoverReport,
                       report_id)


def refresh_period_totals(period_ids):
    """Add up the network's figures of these periods again (two set-based statements, in the
    writer's transaction, so the totals never disagree with the reports)."""
    period_ids = list(period_ids)
    if not period_ids:
        return
    table, report = TurnoverPeriodTotal.__table__, TurnoverReport.__table__
    db.session.execute(table.delete().where(table.c.period_id.in_(period_ids)))
    db.session.execute(table.insert().from_select(
        ["period_id", "currency", "total_turnover", "bank_turnover", "organisations"],
        sa.select(report.c.period_id, report.c.currency, sa.func.sum(report.c.total_turnover),
                  sa.func.sum(report.c.bank_turnover),
                  sa.func.count(sa.distinct(report.c.organisation_id)))
        .where(report.c.period_id.in_(period_ids))
        .group_by(report.c.period_id, report.c.currency)))


# --- threshold -------------------------------------------------------------------------------

def threshold():
    value = db.session.scalar(sa.select(ConcentrationThreshold.share).order_by(
        ConcentrationThreshold.id).limit(1))
    return DEFAULT_THRESHOLD if value is None else value


def set_threshold(actor, share):
    """Set the in-bank share below which organisations are listed (a fraction, 0-1)."""
    require(turnover_permissions.can_manage_periods(actor))
    if share is None or not 0 <= share <= 1:
        raise ValidationError(_("Enter a percentage between 0 and 100."), field="percent")
    row = db.session.scalar(sa.select(ConcentrationThreshold).order_by(
        ConcentrationThreshold.id).limit(1))
    before = {"share": row.share if row else DEFAULT_THRESHOLD}
    if row is None:
        row = ConcentrationThreshold()
        db.session.add(row)
    row.share, row.updated_by_id = share, actor.id
    db.session.flush()
    audit.record(actor, "concentration_threshold_set", row, before, {"share": share})
    return row


# --- analytics -------------------------------------------------------------------------------

LEVELS = ("organisation", "union", "sector", "province", "network")


def share_ratio(bank, total):
    """sum(bank) / sum(total) as a float, NULL when nothing was turned over."""
    return sa.cast(sa.func.sum(bank), sa.Float) / sa.func.nullif(
        sa.cast(sa.func.sum(total), sa.Float), 0)


def scoped_reports(user):
    """(TurnoverReport, Organisation, ReportingPeriod) joined and limited to what user reads."""
    query = sa.select().select_from(TurnoverReport).join(
        Organisation, Organisation.id == TurnoverReport.organisation_id).join(
        ReportingPeriod, ReportingPeriod.id == TurnoverReport.period_id)
    if not turnover_permissions.can_read_turnover(user):
        return query.where(sa.false())
    scope = turnover_permissions.turnover_scope_ids(user)
    if scope is not None:
        query = query.where(TurnoverReport.organisation_id.in_(scope))
    return query


def _level_columns(level):
    parent = sa.orm.aliased(Organisation)
    if level == "organisation":
        return [Organisation.id.label("key"), Organisation.name.label("name")], None
    if level == "union":
        key = sa.func.coalesce(Organisation.parent_id, Organisation.id)
        return [key.label("key"), sa.func.coalesce(parent.name, Organisation.name)
                .label("name")], parent
    if level == "sector":
        # a cooperative without a sector of its own works in its union's
        key = sa.func.coalesce(Organisation.sector, parent.sector)
        return [key.label("key"), key.label("name")], parent
    if level == "province":
        return [Organisation.province.label("key"), Organisation.province.label("name")], None
    return [sa.literal("network").label("key"), sa.literal("").label("name")], None


def network_shares(user, period_ids):
    """The network level of shares(): from the kept period totals for those who read the
    whole network. Rows: key, name, currency, total, bank, share, organisations (the largest
    number reporting in any one of the periods, when several)."""
    if not _reads_whole_network(user):
        return shares(user, period_ids, "network")
    totals = TurnoverPeriodTotal
    return db.session.execute(sa.select(
        sa.literal("network").label("key"), sa.literal("").label("name"), totals.currency,
        sa.func.sum(totals.total_turnover).label("total"),
        sa.func.sum(totals.bank_turnover).label("bank"),
        share_ratio(totals.bank_turnover, totals.total_turnover).label("share"),
        sa.func.max(totals.organisations).label("organisations"),
    ).where(totals.period_id.in_(period_ids)).group_by(totals.currency)
        .order_by(totals.currency)).all()


def shares(user, period_ids, level="organisation"):
    """In-bank share per organisation, union (the parent, or the organisation itself at the
    top), sector, province or the network, for the given periods (ids or a subquery), one
    row per currency. At the sector level `name` is the Sector value, or None.

    Rows: key, name, currency, total, bank, share, organisations.
    """
    columns, parent = _level_columns(level)
    query = scoped_reports(user)
    if parent is not None:
        query = query.outerjoin(parent, parent.id == Organisation.parent_id)
    key, name = columns
    # grouped by the key alone and the name taken with min(): grouping by names would sort
    # thousands of them by the locale's collation
    grouping = [] if level == "network" else [key.element]
    query = query.add_columns(
        key, sa.func.min(name.element).label("name") if grouping else name,
        TurnoverReport.currency,
        sa.func.sum(TurnoverReport.total_turnover).label("total"),
        sa.func.sum(TurnoverReport.bank_turnover).label("bank"),
        share_ratio(TurnoverReport.bank_turnover, TurnoverReport.total_turnover).label("share"),
        sa.func.count(sa.distinct(TurnoverReport.organisation_id)).label("organisations"),
    ).where(TurnoverReport.period_id.in_(period_ids)).group_by(
        *grouping, TurnoverReport.currency).order_by(sa.text("share DESC"), sa.text("key"))
    return db.session.execute(query).all()


def _network_trend(country):
    """The trend of the whole network, from the kept period totals."""
    totals = TurnoverPeriodTotal
    query = sa.select(
        ReportingPeriod.month.label("month"), totals.currency,
        sa.func.sum(totals.total_turnover).label("total"),
        sa.func.sum(totals.bank_turnover).label("bank"),
        share_ratio(totals.bank_turnover, totals.total_turnover).label("share"),
    ).join(ReportingPeriod, ReportingPeriod.id == totals.period_id).group_by(
        ReportingPeriod.month, totals.currency).order_by(totals.currency, ReportingPeriod.month)
    if country:
        query = query.where(ReportingPeriod.country == country)
    return db.session.execute(query).all()


def _reads_whole_network(user):
    return turnover_permissions.can_read_turnover(user) and \
        turnover_permissions.turnover_scope_ids(user) is None


def trend(user, country=None, organisation_id=None):
    """The in-bank share per month (and currency) over all periods the user can read."""
    if organisation_id is None and _reads_whole_network(user):
        return _network_trend(country)
    query = scoped_reports(user).add_columns(
        ReportingPeriod.month.label("month"), TurnoverReport.currency,
        sa.func.sum(TurnoverReport.total_turnover).label("total"),
        sa.func.sum(TurnoverReport.bank_turnover).label("bank"),
        share_ratio(TurnoverReport.bank_turnover, TurnoverReport.total_turnover).label("share"),
    ).group_by(ReportingPeriod.month, TurnoverReport.currency).order_by(
        TurnoverReport.currency, ReportingPeriod.month)
    if country:
        query = query.where(ReportingPeriod.country == country)
    if organisation_id:
        query = query.where(TurnoverReport.organisation_id == organisation_id)
    return db.session.execute(query).all()


def org_shares(user, period_ids, name):
    """Each organisation's share over some periods, from the reports alone (no joins: the
    period/organisation index answers it without reading the table)."""
    query = sa.select(
        TurnoverReport.organisation_id.label("organisation_id"),
        share_ratio(TurnoverReport.bank_turnover, TurnoverReport.total_turnover).label("share"),
    ).where(TurnoverReport.period_id.in_(period_ids)).group_by(TurnoverReport.organisation_id)
    if not turnover_permissions.can_read_turnover(user):
        query = query.where(sa.false())
    scope = turnover_permissions.turnover_scope_ids(user)
    if scope is not None:
        query = query.where(TurnoverReport.organisation_id.in_(scope))
    return query.subquery(name)


def changes(user, window):
    """Each organisation's share in the window (a month or a quarter, or a period) and in the
    window before it, in one statement (a self-join)."""
    window = as_window(window)
    now = org_shares(user, window.period_ids(), "now")
    before = org_shares(user, window.previous().period_ids(), "before")
    return sa.select(
        Organisation.id, Organisation.name, Organisation.currency,
        now.c.share.label("share"), before.c.share.label("previous"),
        (now.c.share - before.c.share).label("change"),
    ).join(now, now.c.organisation_id == Organisation.id).outerjoin(
        before, before.c.organisation_id == Organisation.id)


def laggards(user, window, below=None):
    """Organisations whose in-bank share is below the threshold in the window; `fell` marks
    those that were at or above it in the window before."""
    below = threshold() if below is None else below
    query = changes(user, window).subquery()
    rows = db.session.execute(sa.select(
        query, (query.c.previous >= below).label("fell")).where(query.c.share < below)
        .order_by(query.c.share, query.c.name)).all()
    return rows


def movers(user, window, limit=5):
    """(up, down): the organisations whose share rose most and fell most since the window
    before."""
    query = changes(user, window).subquery()
    base = sa.select(query).where(query.c.change.is_not(None))
    up = db.session.execute(base.where(query.c.change > 0).order_by(
        query.c.change.desc(), query.c.name).limit(limit)).all()
    down = db.session.execute(base.where(query.c.change < 0).order_by(
        query.c.change, query.c.name).limit(limit)).all()
    return up, down


def comparison(user, window, below, shown=50, top=5):
    """What the dashboard shows of the organisations' change, from one pass over their shares
    now and before (window functions rank within each list):
    (laggards: the first `shown` below the threshold, how many are below it in all,
     up: the `top` that rose most, down: the `top` that fell most)."""
    base = changes(user, window).subquery()
    lagging, rose, fell = base.c.share < below, base.c.change > 0, base.c.change < 0

    def rank(partition, *order):
        return sa.func.row_number().over(partition_by=partition, order_by=order)

    # ties broken by id, not name: sorting thousands of names by the locale's collation three
    # times over cost more than the rest of the statement
    ranked = sa.select(
        base, (base.c.previous >= below).label("fell"),
        rank(lagging, base.c.share, base.c.id).label("lag_rank"),
        sa.func.count().over(partition_by=lagging).label("lag_count"),
        rank(rose, base.c.change.desc(), base.c.id).label("up_rank"),
        rank(fell, base.c.change, base.c.id).label("down_rank"),
    ).subquery()
    rows = db.session.execute(sa.select(ranked).where(sa.or_(
        sa.and_(ranked.c.share < below, ranked.c.lag_rank <= shown),
        sa.and_(ranked.c.change > 0, ranked.c.up_rank <= top),
        sa.and_(ranked.c.change < 0, ranked.c.down_rank <= top)))).all()
    laggards = sorted((r for r in rows if r.share is not None and r.share < below),
                      key=lambda r: r.lag_rank)
    up = sorted((r for r in rows if r.change is not None and r.change > 0),
                key=lambda r: r.up_rank)[:top]
    down = sorted((r for r in rows if r.change is not None and r.change < 0),
                  key=lambda r: r.down_rank)[:top]
    return laggards, (laggards[0].lag_count if laggards else 0), up, down


def reports_for(user, period_ids):
    """The scoped reports of some periods (ids or a subquery), with their organisation and
    period, for the tables and exports."""
    return db.session.execute(
        turnover_permissions.visible_turnover_reports(user)
        .add_columns(Organisation, ReportingPeriod)
        .join(Organisation, Organisation.id == TurnoverReport.organisation_id)
        .join(ReportingPeriod, ReportingPeriod.id == TurnoverReport.period_id)
        .where(TurnoverReport.period_id.in_(period_ids))
        .order_by(ReportingPeriod.month, Organisation.name, TurnoverReport.currency)).all()
