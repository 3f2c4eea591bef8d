"""Indicator definitions with traffic-light thresholds, yearly plans, monthly actuals and the
ratings of savings-and-loan groups."""
import enum
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import LabelledEnum, TimestampMixin, VersionedMixin, enum_column
from portal.extensions import db

# How figures are kept (Decimal in Python, NUMERIC in the database, so sums and ratios are
# exact and the same on PostgreSQL and SQLite): amounts and counts to two decimals, which holds
# every currency's minor unit; thresholds as fractions to six decimals (0.12% is 0.0012).
AMOUNT = sa.Numeric(20, 2)
FRACTION = sa.Numeric(9, 6)


class Unit(LabelledEnum):
    MONEY = "money", _l("Amount")        # an amount in the organisation's currency
    COUNT = "count", _l("Count")         # households, members ...
    RATIO = "ratio", _l("Ratio")         # amount ÷ base, shown as a percentage


class Direction(enum.StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Light(LabelledEnum):
    GREEN = "green", _l("On track")
    AMBER = "amber", _l("Watch")
    RED = "red", _l("Off track")


# The indicators of seeds 001-003. Names live here (translatable), not in the database.
INDICATOR_LABELS = {
    "outstanding_loans": _l("Outstanding loans"),
    "borrowing_households": _l("Borrowing households"),
    "loan_growth_ytd": _l("Growth of outstanding loans since the start of the year"),
    "capital_mobilised": _l("Capital mobilised"),
    "group_savings": _l("Savings through groups"),
    "deposits": _l("Deposits from organisations and individuals"),
    "overdue_ratio": _l("Overdue debt ratio"),
    "bad_debt_ratio": _l("Bad-debt ratio"),
    "disbursement_rate": _l("Disbursement rate"),
    "collection_rate": _l("Collection rate"),
    "commune_point_share": _l("Share of transaction value at commune points"),
}


class Indicator(TimestampMixin, VersionedMixin, db.Model):
    """What is measured and how it is judged.

    Plan-based indicators are judged on attainment (actual ÷ plan); the others (ratios such as
    bad debt) on their value. A component (part_of) adds to its parent: capital mobilised is
    savings through groups plus deposits.
    """

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    unit: Mapped[Unit] = mapped_column(enum_column(Unit), nullable=False)
    direction: Mapped[Direction] = mapped_column(enum_column(Direction), nullable=False,
                                                 default=Direction.HIGHER_IS_BETTER)
    plan_based: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    green_at: Mapped[Decimal] = mapped_column(FRACTION, nullable=False)
    amber_at: Mapped[Decimal] = mapped_column(FRACTION, nullable=False)
    part_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator.id"))
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    part_of = relationship("Indicator", remote_side=[id])

    @property
    def label(self):
        return INDICATOR_LABELS.get(self.code, self.code)

    def light(self, score):
        """The traffic light for a score (attainment or value, see plan_based)."""
        if score is None:
            return None
        if self.direction == Direction.HIGHER_IS_BETTER:
            if score >= self.green_at:
                return Light.GREEN
            return Light.AMBER if score >= self.amber_at else Light.RED
        if score <= self.green_at:
            return Light.GREEN
        return Light.AMBER if score <= self.amber_at else Light.RED


class IndicatorPlan(TimestampMixin, VersionedMixin, db.Model):
    """The planned value of an indicator for an organisation (its area) and a year."""

    __tablename__ = "indicator_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id"), nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    value: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)

    organisation = relationship("Organisation")
    indicator = relationship("Indicator")

    __table_args__ = (sa.UniqueConstraint("organisation_id", "indicator_id", "year",
                                          name="uq_indicator_plan_org_indicator_year"),)


class IndicatorActual(TimestampMixin, db.Model):
    """A measured value for one organisation and month. For a ratio, amount ÷ base (both are
    kept so that communes roll up into districts as weighted, not averaged, ratios)."""

    __tablename__ = "indicator_actual"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id"), nullable=False,
                                              index=True)
    period: Mapped[date] = mapped_column(sa.Date, nullable=False, index=True)
    amount: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    base: Mapped[Decimal | None] = mapped_column(AMOUNT)

    organisation = relationship("Organisation")
    indicator = relationship("Indicator")

    __table_args__ = (sa.UniqueConstraint("organisation_id", "indicator_id", "period",
                                          name="uq_indicator_actual_org_indicator_period"),)


class Grade(LabelledEnum):
    GOOD = "good", _l("Good")
    FAIR = "fair", _l("Fair")
    AVERAGE = "average", _l("Average")
    WEAK = "weak", _l("Weak")

    @property
    def rank(self):
        return GRADE_RANKS[self]


GRADE_RANKS = {Grade.GOOD: 1, Grade.FAIR: 2, Grade.AVERAGE: 3, Grade.WEAK: 4}


class GroupRating(TimestampMixin, db.Model):
    """How a savings-and-loan group was rated in a month."""

    __tablename__ = "group_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False)
    period: Mapped[date] = mapped_column(sa.Date, nullable=False, index=True)
    grade: Mapped[Grade] = mapped_column(enum_column(Grade), nullable=False)

    organisation = relationship("Organisation")

    __table_args__ = (sa.UniqueConstraint("organisation_id", "period",
                                          name="uq_group_rating_org_period"),)
