"""Progress measured by the figures: a result names an indicator or an organisation's in-bank
share of turnover, with a baseline and a target; its actuals come from what is imported or
reported, month by month, and its progress is how far the latest has come towards the target.
"""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.extensions import db
from portal.indicators.models import IndicatorActual, Unit
from portal.results.models import MeasureKind
from portal.turnover.models import ReportingPeriod, TurnoverReport


def actuals(result):
    """[(month, value)] since the baseline's month, oldest first; values are Decimals as the
    baseline and target are kept (ratios and shares in 0-1, amounts and counts as they are)."""
    if result.measure is None or result.measure_organisation_id is None:
        return []
    since = (result.baseline_on or date.min).replace(day=1)
    if result.measure == MeasureKind.INDICATOR:
        return _indicator_actuals(result, since)
    return _share_actuals(result, since)


def _indicator_actuals(result, since):
    indicator = result.measure_indicator
    if indicator is None:
        return []
    rows = db.session.execute(sa.select(IndicatorActual.period, IndicatorActual.amount,
                                        IndicatorActual.base).where(
        IndicatorActual.indicator_id == indicator.id,
        IndicatorActual.organisation_id == result.measure_organisation_id,
        IndicatorActual.period >= since).order_by(IndicatorActual.period)).all()
    if indicator.unit == Unit.RATIO:
        return [(period, amount / base) for period, amount, base in rows if base]
    return [(period, amount) for period, amount, _base in rows]


def _share_actuals(result, since):
    """The organisation's own reports and those of its members (a union reports through its
    cooperatives), added up per month: a weighted share, not an average of shares."""
    from portal.accounts.models import Organisation

    members = sa.select(Organisation.id).where(sa.or_(
        Organisation.id == result.measure_organisation_id,
        Organisation.parent_id == result.measure_organisation_id))
    rows = db.session.execute(sa.select(
        ReportingPeriod.month, sa.func.sum(TurnoverReport.bank_turnover),
        sa.func.sum(TurnoverReport.total_turnover))
        .join(ReportingPeriod, ReportingPeriod.id == TurnoverReport.period_id)
        .where(TurnoverReport.organisation_id.in_(members), ReportingPeriod.month >= since)
        .group_by(ReportingPeriod.month).order_by(ReportingPeriod.month)).all()
    # PostgreSQL sums big integers as Decimal, SQLite as int: the share is a Decimal either way
    return [(month, Decimal(bank) / Decimal(total)) for month, bank, total in rows if total]


def measured_progress(result, series=None):
    """0-100 from the latest actual, or None when the result has no figure or no actual yet.
    Works both ways: a ratio to bring down (overdue debt) and a share to raise."""
    if result.baseline is None or result.target is None or result.target == result.baseline:
        return None
    series = actuals(result) if series is None else series
    if not series:
        return None
    latest = series[-1][1]
    share = (latest - result.baseline) / (result.target - result.baseline)
    return round(min(max(share, Decimal(0)), Decimal(1)) * 100)


def is_ratio(result):
    """Whether the figure is a share (shown as a percentage) rather than an amount or count."""
    if result.measure == MeasureKind.IN_BANK_SHARE:
        return True
    return result.measure_indicator is not None and \
        result.measure_indicator.unit == Unit.RATIO
