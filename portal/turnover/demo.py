"""Demo turnover: twelve months (2024-09 to 2025-08) for the Iranian unions and cooperatives
of seed 000, with the in-bank share rising once the consultation series began (2025-08 is
its first session; the rise starts the month before, as unions hear of it). Loaded through
the same merge the import uses, so running it twice changes nothing."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Organisation
from portal.core.textnorm import search_key
from portal.extensions import db
from portal.turnover import import_writing
from portal.turnover.models import (
    ReportingPeriod,
    TurnoverOtherBank,
    TurnoverReport,
    TurnoverSource,
)

MONTHS = [date(2024 + (8 + i) // 12, (8 + i) % 12 + 1, 1) for i in range(12)]
CONSULTATIONS_BEGIN = date(2025, 8, 1)
BILLION = 1_000_000_000
# Where the rest goes, for the last two months: the large state banks the unions also use.
OTHER_BANKS = (("بانک ملی ایران", "0.30"), ("بانک کشاورزی", "0.20"), ("بانک سپه", "0.12"),
               ("بانک ملت", "0.08"))


def _share(code_no, month_no):
    """A share that drifts around 25-40% and climbs from the last two months on."""
    base = 0.22 + 0.04 * (code_no % 4) + 0.005 * ((month_no * (code_no + 3)) % 5)
    if month_no >= 10:
        base += 0.07 * (month_no - 9)
    return min(base, 0.9)


def rows(organisations):
    """(organisation_id, country, month, currency, *figures) for each organisation × month."""
    out = []
    for k, org in enumerate(organisations):
        size = (40 + 17 * k) * BILLION * 10  # rials
        for m, month in enumerate(MONTHS):
            total = size + (m * 13 + k * 7) % 9 * BILLION * 10
            bank = int(total * _share(k, m))
            out.append((org.id, org.country, month, org.currency, total, bank, bank // 3,
                        bank // 5, bank // 4, 20 + 3 * k))
    return out


def seed(by_code):
    organisations = db.session.scalars(sa.select(Organisation).where(sa.or_(
        Organisation.code.like("IR-UN-%"), Organisation.code.like("IR-CO-%")))
        .order_by(Organisation.code)).all()
    if not organisations:
        return
    staged = rows(organisations)
    needed = {(country, month) for _id, country, month, *_rest in staged}
    import_writing.write_rows(None, staged, needed, TurnoverSource.BANK_SYSTEM)
    _seed_other_banks()


def _seed_other_banks():
    """70% of what did not go through the bank, split over four other banks, for the last
    two months, so the dashboard has a Herfindahl-Hirschman index to show."""
    reports = db.session.scalars(sa.select(TurnoverReport).join(
        ReportingPeriod, ReportingPeriod.id == TurnoverReport.period_id).where(
        ReportingPeriod.country == "IR", ReportingPeriod.month.in_(MONTHS[-2:]),
        ~TurnoverReport.other_banks.any())).all()
    for report in reports:
        rest = report.total_turnover - report.bank_turnover
        for name, fraction in OTHER_BANKS:
            db.session.add(TurnoverOtherBank(report_id=report.id, bank_name=name,
                                             bank_key=search_key(name),
                                             amount=int(rest * Decimal(fraction))))
    db.session.flush()
