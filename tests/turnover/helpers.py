"""Builders for turnover tests: the Iranian unions of seed 000 and their monthly figures."""
from datetime import date

import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.turnover import services
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


# --- reports, periods and the API (tests/turnover/test_api.py, test_reports.py) --------------

API = "/api/v1"


def open_period(country, month):
    """The ReportingPeriod of that month (created open when missing), as the portal makes it."""
    period = services.get_or_create_period(country, month)
    db.session.commit()
    return period


def make_report(org, period, total, bank, **figures):
    """A saved report of org for period, as if reported through the portal."""
    report = TurnoverReport(organisation_id=org.id, period_id=period.id, currency=org.currency,
                            total_turnover=total, bank_turnover=bank,
                            deposits=figures.pop("deposits", 0),
                            average_balance=figures.pop("average_balance", 0),
                            loans=figures.pop("loans", 0), accounts=figures.pop("accounts", 1),
                            **figures)
    db.session.add(report)
    db.session.flush()
    services.refresh_period_totals([period.id])  # as every write through the portal does
    db.session.commit()
    return report


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def issue_token(scopes=("turnover:read", "turnover:write"), name="core banking", admin=None):
    """(ApiToken, its text) issued by an administrator through portal.turnover.tokens."""
    from portal.turnover import tokens

    admin = admin or factories.make_user("administrator")
    token, text = tokens.issue_token(admin, name, list(scopes))
    db.session.commit()
    return token, text


def bearer(text, key=None):
    """Headers of an API call with this token (and an Idempotency-Key)."""
    headers = {"Authorization": f"Bearer {text}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def api_row(code, month="2025-08", total=9_000_000, bank=3_000_000, currency="IRR", **more):
    """One row of a batch, as the bank's systems send it."""
    return {"organisation_code": code, "period": month, "currency": currency,
            "total_turnover": total, "bank_turnover": bank, "deposits": more.get("deposits", 1),
            "average_balance": more.get("average_balance", 2), "loans": more.get("loans", 3),
            "accounts": more.get("accounts", 4)}
