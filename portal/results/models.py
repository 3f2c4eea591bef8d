"""A result, its texts in each language, its milestones, and what it answers."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import (
    LabelledEnum,
    TimestampMixin,
    VersionedMixin,
    enum_column,
    link_table,
    text_in,
)
from portal.extensions import db

LOCALES = ("en", "fa", "vi", "th")

# A result's baseline and target are the figure it is measured by, kept exactly (Decimal in
# Python, NUMERIC in the database): an amount or count as indicators keep them (any
# NUMERIC(20, 2)), or a share or ratio as a fraction to six decimals like indicators'
# thresholds (0.45 % is 0.0045).
FIGURE = sa.Numeric(24, 6)


class ResultStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    IN_PROGRESS = "in_progress", _l("In progress")
    DONE = "done", _l("Done")
    DROPPED = "dropped", _l("Dropped")

    @property
    def is_open(self):
        return self in (ResultStatus.PLANNED, ResultStatus.IN_PROGRESS)


class MeasureKind(LabelledEnum):
    """A figure a result can be measured by."""
    # an indicator's actuals for one organisation
    INDICATOR = "indicator", _l("An indicator")
    # the share of an organisation's turnover held in the bank
    IN_BANK_SHARE = "in_bank_share", _l("The share of turnover held in the bank")


# what a result answers and carries out, and the offers and branches it changes
result_feedback_item = link_table("result_feedback_item", ("result_id", "result"),
                                  ("item_id", "feedback_item"))
result_commitment = link_table("result_commitment", ("result_id", "result"),
                               ("commitment_id", "meeting_commitment"))
result_product = link_table("result_product", ("result_id", "result"), ("product_id", "product"))
result_package = link_table("result_package", ("result_id", "result"),
                            ("package_id", "service_package"))
result_branch = link_table("result_branch", ("result_id", "result"), ("branch_id", "branch"))


class Result(TimestampMixin, VersionedMixin, db.Model):
    """Something the bank does because of what it was told. Belongs to one bank's network."""

    __tablename__ = "result"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), nullable=False,
                                            index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("result.id"), index=True)
    # how much this result counts towards its parent's progress
    weight: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False, index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[ResultStatus] = mapped_column(enum_column(ResultStatus), nullable=False,
                                                 default=ResultStatus.PLANNED)
    # typed by the owner; a result with children computes its own from theirs instead
    typed_progress: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    dropped_reason: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # how far up the owning bank's escalation chain an overdue result has been raised
    escalation_level: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # measured by a figure: progress is how far the latest actual has come from the baseline
    # towards the target (a ratio in 0-1 for shares and ratios, as the figures are stored)
    measure: Mapped[MeasureKind | None] = mapped_column(enum_column(MeasureKind))
    measure_indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator.id"))
    measure_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"))
    baseline: Mapped[Decimal | None] = mapped_column(FIGURE)
    baseline_on: Mapped[date | None] = mapped_column(sa.Date)
    target: Mapped[Decimal | None] = mapped_column(FIGURE)
    target_on: Mapped[date | None] = mapped_column(sa.Date)

    owner = relationship("User", foreign_keys=[owner_id])
    measure_indicator = relationship("Indicator")
    measure_organisation = relationship("Organisation", foreign_keys=[measure_organisation_id])
    network = relationship("Organisation", foreign_keys=[network_id])
    parent = relationship("Result", remote_side=[id], back_populates="children")
    children = relationship("Result", back_populates="parent", order_by="Result.due_on")
    texts = relationship("ResultText", cascade="all, delete-orphan", lazy="selectin")
    milestones = relationship("ResultMilestone", cascade="all, delete-orphan",
                              order_by="ResultMilestone.day")
    items = relationship("FeedbackItem", secondary=result_feedback_item,
                         order_by="FeedbackItem.id")
    # the meeting commitments this result carries out
    commitments = relationship("Commitment", secondary=result_commitment,
                               order_by="Commitment.id")
    products = relationship("Product", secondary=result_product, order_by="Product.code")
    packages = relationship("ServicePackage", secondary=result_package,
                            order_by="ServicePackage.code")
    branches = relationship("Branch", secondary=result_branch, order_by="Branch.id")

    def text_in(self, locale):
        """(text, is_fallback): the reader's language, else English, else any language."""
        return text_in(self.texts, locale, "title")

    def title_in(self, locale):
        text, _fallback = self.text_in(locale)
        return text.title if text else ""

    def is_overdue(self, today):
        return self.status.is_open and self.due_on < today


class ResultText(db.Model):
    __tablename__ = "result_text"

    result_id: Mapped[int] = mapped_column(sa.ForeignKey("result.id", ondelete="CASCADE"),
                                           primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    description_html: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")


class ResultMilestone(TimestampMixin, db.Model):
    __tablename__ = "result_milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(sa.ForeignKey("result.id", ondelete="CASCADE"),
                                           nullable=False, index=True)
    day: Mapped[date] = mapped_column(sa.Date, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    reached: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
