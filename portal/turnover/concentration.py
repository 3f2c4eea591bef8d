"""Where the network's turnover goes besides the bank, and how concentrated it is.

Organisations may report the turnover they ran through other banks. Over the reports that
did, the Herfindahl-Hirschman index is the sum of the squared market shares in percent
(0-10,000): 10,000 when everything goes through one bank, low when it is spread thinly. The
shares are added up in SQL per bank; Python squares a handful of bank totals.
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.sanitize import plain_text
from portal.core.textnorm import search_key
from portal.extensions import db
from portal.turnover import permissions as turnover_permissions
from portal.turnover import services
from portal.turnover.models import TurnoverOtherBank, TurnoverReport

# The bands of the US merger guidelines (2010), the ones most banking supervisors quote.
MODERATE_FROM, HIGH_FROM = 1500, 2500
THIS_BANK = "__this_bank__"  # the key of the bank's own turnover among the other banks


# --- other banks -----------------------------------------------------------------------------

def save_other_bank(actor, report, bank_name, amount):
    """Record (or replace) what the organisation ran through another bank that period."""
    require(turnover_permissions.can_edit_turnover(actor, report.organisation))
    services.ensure_open(report.period)
    name = " ".join(plain_text(bank_name or "", 120).split())
    key = search_key(name)[:120]
    if not key:
        raise ValidationError(_("Enter the other bank's name."), field="bank_name")
    if key == search_key(THIS_BANK):
        raise ValidationError(_("Enter the other bank's name."), field="bank_name")
    if amount is None or amount < 0:
        raise ValidationError(_("A figure cannot be negative."), field="amount")
    row = next((r for r in report.other_banks if r.bank_key == key), None)
    others = sum(r.amount for r in report.other_banks if r is not row)
    if report.bank_turnover + others + amount > report.total_turnover:
        raise ValidationError(_("The bank's and the other banks' turnover together cannot "
                                "exceed the total turnover."), field="amount")
    row, before = audit.edited_or_new(row, lambda: TurnoverOtherBank(report=report, bank_key=key),
                                      lambda r: {"bank": r.bank_name, "amount": r.amount})
    row.bank_name, row.amount = name, amount
    db.session.flush()
    audit.record(actor, "turnover_other_bank_saved", report, before,
                 {"bank": name, "amount": amount})
    return row


def delete_other_bank(actor, row):
    require(turnover_permissions.can_edit_turnover(actor, row.report.organisation))
    services.ensure_open(row.report.period)
    audit.record(actor, "turnover_other_bank_deleted", row.report,
                 {"bank": row.bank_name, "amount": row.amount}, None)
    db.session.delete(row)
    db.session.flush()


# --- the index -------------------------------------------------------------------------------

@dataclass
class BankShare:
    key: str
    name: str
    amount: Decimal
    share: float


@dataclass
class Concentration:
    currency: str
    banks: list
    hhi: float
    organisations: int  # how many reported their other banks: the index covers only them

    @property
    def band(self):
        if self.hhi >= HIGH_FROM:
            return "high"
        return "moderate" if self.hhi >= MODERATE_FROM else "low"


def _reports_with_other_banks(user, window):
    """The scoped reports of the window for which at least one other bank was reported."""
    reports = turnover_permissions.visible_turnover_reports(user).with_only_columns(
        TurnoverReport.id)
    return reports.where(TurnoverReport.period_id.in_(window.period_ids()),
                         sa.exists().where(TurnoverOtherBank.report_id == TurnoverReport.id))


def bank_totals(user, window):
    """Rows (currency, key, name, amount, organisations): the bank's own turnover and each
    other bank's, over the reports that named their other banks, in one statement."""
    covered = _reports_with_other_banks(user, window).subquery()
    ours = sa.select(TurnoverReport.currency, sa.literal(THIS_BANK).label("key"),
                     sa.literal("").label("name"),
                     sa.func.sum(TurnoverReport.bank_turnover).label("amount"),
                     sa.func.count(sa.distinct(TurnoverReport.organisation_id))
                     .label("organisations")).where(
        TurnoverReport.id.in_(sa.select(covered.c.id))).group_by(TurnoverReport.currency)
    theirs = sa.select(TurnoverReport.currency, TurnoverOtherBank.bank_key.label("key"),
                       sa.func.min(TurnoverOtherBank.bank_name).label("name"),
                       sa.func.sum(TurnoverOtherBank.amount).label("amount"),
                       sa.func.count(sa.distinct(TurnoverReport.organisation_id))
                       .label("organisations")).join(
        TurnoverReport, TurnoverReport.id == TurnoverOtherBank.report_id).where(
        TurnoverReport.id.in_(sa.select(covered.c.id))).group_by(
        TurnoverReport.currency, TurnoverOtherBank.bank_key)
    both = sa.union_all(ours, theirs).subquery()
    return db.session.execute(sa.select(both).order_by(both.c.currency,
                                                       both.c.amount.desc())).all()


def concentration(user, window):
    """One Concentration per currency in the window, or [] when no one reported other banks."""
    by_currency = {}
    for row in bank_totals(user, window):
        by_currency.setdefault(row.currency, []).append(row)
    result = []
    for currency, rows in by_currency.items():
        total = sum(r.amount for r in rows)  # Decimals on every database (WholeUnits)
        if not total:
            continue
        banks = [BankShare(r.key, r.name, r.amount, float(r.amount / total)) for r in rows]
        ours = next((r.organisations for r in rows if r.key == THIS_BANK), 0)
        result.append(Concentration(currency, banks,
                                    round(sum((100 * b.share) ** 2 for b in banks), 1), ours))
    return result
