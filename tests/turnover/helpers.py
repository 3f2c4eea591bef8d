"""Builders for turnover tests: the Iranian unions of seed 000 and their monthly figures."""
from datetime import date

import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.turnover.models import PeriodStatus, ReportingPeriod, TurnoverReport
from tests import factories

HEADER = ("organisation_code,period,currency,total_turnover,bank_turnover,deposits,"
          "average_balance,loans,accounts\n")


def unions(count=3):
    """National unions with a cooperative under the first, like IR-UN-CARP and Nain."""
    made = [factories.make_org(OrgKind.NATIONAL_UNION, code=f"IR-UN-T{i:02d}",
                               province="تهران") for i in range(count)]
    coop = factories.make_org(OrgKind.COOPERATIVE, parent=made[0], code="IR-CO-ISF-T",
                              province="اصفهان")
    db.session.commit()
    return made, coop


def csv_text(rows):
    """rows: (code, 'YYYY-MM', total, bank) -> a CSV in the import format."""
    return HEADER + "".join(f"{code},{month},IRR,{total},{bank},{total // 10},{total // 20},"
                            f"{total // 5},12\n" for code, month, total, bank in rows)


def report_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(TurnoverReport))


def close_period(country, month):
    period = db.session.scalar(sa.select(ReportingPeriod).where(
        ReportingPeriod.country == country, ReportingPeriod.month == month))
    if period is None:
        period = ReportingPeriod(country=country, month=month)
        db.session.add(period)
    period.status = PeriodStatus.CLOSED
    db.session.commit()
    return period


AUG = date(2025, 8, 1)
JUL = date(2025, 7, 1)
