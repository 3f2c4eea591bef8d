"""Reporting periods, turnover reports per organisation × period × currency, their revisions,
the administrator's concentration threshold and the bank systems' API tokens."""
import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import LabelledEnum, TimestampMixin, VersionedMixin, enum_column, utcnow
from portal.extensions import db


class WholeUnits(sa.TypeDecorator):
    """An amount of money in whole units of its currency: rial, dong, baht.

    This is the one place that says how turnover is kept. The network reports its turnover in
    whole units (IRR and VND have no minor unit in use; the baht figures come rounded), so the
    database keeps a BIGINT: sums over a million reports stay exact and cheap, and the
    dashboard's index-only scans stay narrow. In Python an amount is a Decimal, read from and
    to the database here, so a report's figure and a sum of figures are the same type on
    PostgreSQL (which sums BIGINT as NUMERIC) and on SQLite (which sums it as an integer).
    Amounts are read the way people type them by portal.i18n.parsing.parse_number (forms and
    files) and shown by the |money filter (portal.i18n.formatting.format_money).
    """

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        whole = int(value)
        if whole != value:
            raise ValueError(f"{value!r} is not a whole amount")
        return whole

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class PeriodStatus(LabelledEnum):
    OPEN = "open", _lp("period status", "Open")
    CLOSED = "closed", _l("Closed")


class TurnoverSource(LabelledEnum):
    # entered or imported by the organisation or the bank
    REPORTED = "reported", _l("Reported")
    # confirmed by the organisation's director
    CONFIRMED = "confirmed", _l("Confirmed by the director")
    # arrived from the bank's core systems through the API
    BANK_SYSTEM = "bank_system", _l("From the bank's systems")


# The figures of a report, in the order of the import file and the exports.
FIGURES = ("total_turnover", "bank_turnover", "deposits", "average_balance", "loans", "accounts")
FIGURE_LABELS = {
    "total_turnover": _l("Total turnover"),
    "bank_turnover": _l("Turnover through the bank"),
    "deposits": _l("Deposits at the bank"),
    "average_balance": _l("Average balance at the bank"),
    "loans": _l("Loans from the bank"),
    "accounts": _l("Accounts at the bank"),
}


class ReportingPeriod(TimestampMixin, db.Model):
    """A month of reporting in one country (its currency context). Closed periods are locked."""

    __tablename__ = "reporting_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    month: Mapped[date] = mapped_column(sa.Date, nullable=False)  # first day of the month
    status: Mapped[PeriodStatus] = mapped_column(enum_column(PeriodStatus), nullable=False,
                                                 default=PeriodStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    closed_by = relationship("User", foreign_keys=[closed_by_id])

    __table_args__ = (sa.UniqueConstraint("country", "month",
                                          name="uq_reporting_period_country_month"),)

    @property
    def is_closed(self):
        return self.status == PeriodStatus.CLOSED

    @property
    def key(self):
        return f"{self.month:%Y-%m}"

    def __repr__(self):
        return f"<ReportingPeriod {self.country} {self.key}>"


class TurnoverReport(TimestampMixin, VersionedMixin, db.Model):
    """What one organisation turned over in one period and currency, and how much of it went
    through the bank, in whole units of its currency (WholeUnits)."""

    __tablename__ = "turnover_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False)
    # no index of its own: ix_turnover_report_period_amounts starts with it (one index less to
    # keep up on every imported row)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_period.id"), nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    total_turnover: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False, default=0)
    bank_turnover: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False, default=0)
    deposits: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False, default=0)
    average_balance: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False, default=0)
    loans: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False, default=0)
    accounts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    source: Mapped[TurnoverSource] = mapped_column(enum_column(TurnoverSource), nullable=False,
                                                   default=TurnoverSource.REPORTED)
    reported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    organisation = relationship("Organisation")
    period = relationship("ReportingPeriod")
    reported_by = relationship("User", foreign_keys=[reported_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
    other_banks = relationship("TurnoverOtherBank", back_populates="report",
                               order_by="TurnoverOtherBank.amount.desc()",
                               cascade="all, delete-orphan")
    revisions = relationship("TurnoverRevision", back_populates="report",
                             order_by="TurnoverRevision.id.desc()",
                             cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "period_id", "currency",
                            name="uq_turnover_report_org_period_currency"),
        sa.CheckConstraint("bank_turnover <= total_turnover", name="bank_within_total"),
        # the concentration dashboard sums one period's figures: an index-only scan
        sa.Index("ix_turnover_report_period_amounts", "period_id", "organisation_id",
                 "total_turnover", "bank_turnover"),
        sa.CheckConstraint("total_turnover >= 0 AND bank_turnover >= 0 AND deposits >= 0 AND "
                           "average_balance >= 0 AND loans >= 0 AND accounts >= 0",
                           name="figures_not_negative"),
    )

    @property
    def in_bank_share(self):
        return self.bank_turnover / self.total_turnover if self.total_turnover else None

    def figures(self):
        return {f: getattr(self, f) for f in FIGURES}


class TurnoverPeriodTotal(db.Model):
    """The whole network's sums for one period and currency, kept up to date by every write
    (services.refresh_period_totals), so that the network's trend over three years reads a
    few dozen rows instead of adding up a million reports on every page view."""

    __tablename__ = "turnover_period_total"

    period_id: Mapped[int] = mapped_column(
        sa.ForeignKey("reporting_period.id", ondelete="CASCADE"), primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    total_turnover: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False)
    bank_turnover: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False)
    organisations: Mapped[int] = mapped_column(sa.Integer, nullable=False)


class TurnoverOtherBank(db.Model):
    """Turnover an organisation ran through another bank in the same period and currency.

    Reported when the organisation knows it; with it the dashboard can tell not only how much
    of the network's turnover is in the bank, but how concentrated the rest is (the
    Herfindahl-Hirschman index over the bank and the others)."""

    __tablename__ = "turnover_other_bank"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("turnover_report.id", ondelete="CASCADE"), nullable=False, index=True)
    bank_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    # the name folded (case, Persian letter variants, accents) so spellings of one bank add up
    bank_key: Mapped[str] = mapped_column(sa.String(120), nullable=False, index=True)
    amount: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False)

    report = relationship("TurnoverReport", back_populates="other_banks")

    __table_args__ = (
        sa.UniqueConstraint("report_id", "bank_key", name="uq_turnover_other_bank_report_bank"),
        sa.CheckConstraint("amount >= 0", name="other_bank_amount_not_negative"),
    )


class TurnoverRevision(db.Model):
    """The values a report had before a correction, and who made the correction."""

    __tablename__ = "turnover_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("turnover_report.id", ondelete="CASCADE"), nullable=False, index=True)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    new_source: Mapped[TurnoverSource] = mapped_column(enum_column(TurnoverSource),
                                                       nullable=False)
    # the report as it was before this change
    total_turnover: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False)
    bank_turnover: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False)
    deposits: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False)
    average_balance: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False)
    loans: Mapped[Decimal] = mapped_column(WholeUnits, nullable=False)
    accounts: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    source: Mapped[TurnoverSource] = mapped_column(enum_column(TurnoverSource), nullable=False)

    report = relationship("TurnoverReport", back_populates="revisions")
    changed_by = relationship("User", foreign_keys=[changed_by_id])


class ConcentrationThreshold(TimestampMixin, db.Model):
    """The in-bank share below which an organisation is listed as lagging (one row)."""

    __tablename__ = "concentration_threshold"

    id: Mapped[int] = mapped_column(primary_key=True)
    # a fraction with the two decimals of a percentage typed on the periods page (47.25%)
    share: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), nullable=False,
                                           default=Decimal("0.5"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))


class ApiScope(enum.StrEnum):
    READ = "turnover:read"
    WRITE = "turnover:write"


class ApiToken(TimestampMixin, db.Model):
    """A token the bank's systems send as `Authorization: Bearer ...`. Only its SHA-256 is
    stored; the token itself is shown once, when an administrator issues it."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    prefix: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    scopes: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def scope_set(self):
        return set(self.scopes.split())

    @property
    def is_active(self):
        return self.revoked_at is None


class ApiSubmission(db.Model):
    """A batch received through the API, kept by the client's idempotency key so that a replay
    returns the first answer instead of applying the batch again."""

    __tablename__ = "api_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_token.id"), nullable=False)
    client_key: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    body_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    status: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    response: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("token_id", "client_key",
                                          name="uq_api_submission_token_key"),)
