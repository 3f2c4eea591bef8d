"""The monthly (or quarterly) report of one union: its members' figures and shares, and the
union's totals and trend, each in one or two statements over the scoped reports."""
import sqlalchemy as sa

from portal.accounts.models import Organisation
from portal.extensions import db
from portal.turnover.models import ReportingPeriod, TurnoverReport
from portal.turnover.services import org_shares, scoped_reports, share_ratio


def union_members(union):
    """The union and the organisations directly under it (the union level of shares())."""
    return sa.select(Organisation.id).where(sa.or_(Organisation.id == union.id,
                                                   Organisation.parent_id == union.id))


def union_report(user, union, window):
    """Each member's figures in the window, its share then and in the window before, and the
    union's totals, in two statements. Returns (members, totals) with totals a row of
    currency, total, bank, share, organisations (one per currency)."""
    members = union_members(union)
    now = org_shares(user, window.period_ids(), "now")
    before = org_shares(user, window.previous().period_ids(), "before")
    sums = scoped_reports(user).add_columns(
        TurnoverReport.organisation_id.label("organisation_id"),
        sa.func.sum(TurnoverReport.total_turnover).label("total"),
        sa.func.sum(TurnoverReport.bank_turnover).label("bank"),
    ).where(TurnoverReport.period_id.in_(window.period_ids()),
            TurnoverReport.organisation_id.in_(members)).group_by(
        TurnoverReport.organisation_id).subquery("sums")
    rows = db.session.execute(sa.select(
        Organisation.id, Organisation.name, Organisation.code, Organisation.currency,
        sums.c.total, sums.c.bank, now.c.share, before.c.share.label("previous"),
        (now.c.share - before.c.share).label("change"),
    ).join(sums, sums.c.organisation_id == Organisation.id).join(
        now, now.c.organisation_id == Organisation.id).outerjoin(
        before, before.c.organisation_id == Organisation.id).order_by(
        Organisation.id != union.id, now.c.share.desc(), Organisation.id)).all()
    totals = db.session.execute(scoped_reports(user).add_columns(
        TurnoverReport.currency,
        sa.func.sum(TurnoverReport.total_turnover).label("total"),
        sa.func.sum(TurnoverReport.bank_turnover).label("bank"),
        share_ratio(TurnoverReport.bank_turnover, TurnoverReport.total_turnover).label("share"),
        sa.func.count(sa.distinct(TurnoverReport.organisation_id)).label("organisations"),
    ).where(TurnoverReport.period_id.in_(window.period_ids()),
            TurnoverReport.organisation_id.in_(members)).group_by(
        TurnoverReport.currency)).all()
    return rows, totals


def union_trend(user, union, country):
    """The union's in-bank share per month (its members added up)."""
    return db.session.execute(scoped_reports(user).add_columns(
        ReportingPeriod.month.label("month"), TurnoverReport.currency,
        sa.func.sum(TurnoverReport.total_turnover).label("total"),
        sa.func.sum(TurnoverReport.bank_turnover).label("bank"),
        share_ratio(TurnoverReport.bank_turnover, TurnoverReport.total_turnover).label("share"),
    ).where(TurnoverReport.organisation_id.in_(union_members(union)),
            ReportingPeriod.country == country).group_by(
        ReportingPeriod.month, TurnoverReport.currency).order_by(
        TurnoverReport.currency, ReportingPeriod.month)).all()
