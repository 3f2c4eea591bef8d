"""Branches of the bank, their training, the services they deliver and entrustment contracts.

A Branch is the registry entry for one Organisation row of the bank (kind specialised_branch):
its people are the users holding the branch_staff role in that organisation, and its place
(province, district, commune) is the organisation's.
"""
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import LabelledEnum, TimestampMixin, VersionedMixin, enum_column, link_table
from portal.extensions import db


class BranchKind(LabelledEnum):
    SPECIALISED = "specialised", _l("Specialised cooperative branch")
    ORDINARY = "ordinary", _l("Ordinary branch")
    COMMUNE_POINT = "commune_point", _l("Commune transaction point")


class DeliveryOutcome(LabelledEnum):
    PENDING = "pending", _l("Pending")
    DELIVERED = "delivered", _l("Delivered")
    PARTLY_DELIVERED = "partly_delivered", _l("Partly delivered")
    DECLINED = "declined", _l("Declined")
    WITHDRAWN = "withdrawn", _l("Withdrawn by the organisation")


# Outcomes with a delivery date: these count in turnaround statistics.
COMPLETED_OUTCOMES = (DeliveryOutcome.DELIVERED, DeliveryOutcome.PARTLY_DELIVERED)

branch_served_org = link_table("branch_served_organisation", ("branch_id", "branch"),
                               ("organisation_id", "organisation"))
branch_product = link_table("branch_product", ("branch_id", "branch"), ("product_id", "product"))
branch_package = link_table("branch_package", ("branch_id", "branch"),
                            ("package_id", "service_package"))
contract_group = link_table("entrustment_contract_group",
                            ("contract_id", "entrustment_contract"),
                            ("organisation_id", "organisation"))


class Branch(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 unique=True, nullable=False)
    kind: Mapped[BranchKind] = mapped_column(enum_column(BranchKind), nullable=False,
                                             index=True)
    # A commune transaction point is staffed by a branch on its fixed day.
    served_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branch.id"), index=True)
    head_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    address: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    opening_hours: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    # Transaction points open on a fixed day of each month (1-28, so every month has it).
    schedule_day: Mapped[int | None] = mapped_column(sa.Integer)
    schedule_note: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    opened_on: Mapped[date | None] = mapped_column(sa.Date)

    organisation = relationship("Organisation", lazy="joined")
    served_by = relationship("Branch", remote_side=[id])
    head = relationship("User")
    served_organisations = relationship("Organisation", secondary=branch_served_org,
                                        order_by="Organisation.name")
    products = relationship("Product", secondary=branch_product, order_by="Product.code")
    packages = relationship("ServicePackage", secondary=branch_package,
                            order_by="ServicePackage.code")

    @property
    def name(self):
        return self.organisation.name

    @property
    def country(self):
        return self.organisation.country

    @property
    def currency(self):
        return self.organisation.currency

    def next_session(self, today):
        """The next transaction day on or after today, for a point with a monthly schedule."""
        if not self.schedule_day:
            return None
        day = min(self.schedule_day, 28)
        candidate = today.replace(day=day)
        if candidate < today:
            candidate = (today.replace(day=1) + timedelta(days=32)).replace(day=day)
        return candidate

    def __repr__(self):
        return f"<Branch {self.organisation.code}>"


class TrainingCourse(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "training_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    topic: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    hours: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # Whether the certificate counts towards "trained for cooperative services".
    cooperative_services: Mapped[bool] = mapped_column(sa.Boolean, nullable=False,
                                                       default=True)
    certificate_months: Mapped[int | None] = mapped_column(sa.Integer)


class TrainingSession(TimestampMixin, db.Model):
    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("training_course.id"), nullable=False,
                                           index=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branch.id", ondelete="CASCADE"),
                                           nullable=False, index=True)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    place: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    trainer: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")

    course = relationship("TrainingCourse", lazy="joined")
    branch = relationship("Branch")
    attendances = relationship("TrainingAttendance", back_populates="session",
                               cascade="all, delete-orphan")


class TrainingAttendance(TimestampMixin, db.Model):
    __tablename__ = "training_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False, index=True)
    passed: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    certificate_no: Mapped[str] = mapped_column(sa.String(60), nullable=False, default="")
    certificate_expires_on: Mapped[date | None] = mapped_column(sa.Date)

    session = relationship("TrainingSession", back_populates="attendances")
    user = relationship("User")

    __table_args__ = (sa.UniqueConstraint("session_id", "user_id",
                                          name="uq_training_attendance_session_user"),)


class ServiceDelivery(TimestampMixin, VersionedMixin, db.Model):
    """One service a branch delivered (or was asked for) to an organisation."""

    __tablename__ = "service_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branch.id", ondelete="CASCADE"),
                                           nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False, index=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("product.id"), index=True)
    package_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_package.id"))
    requested_on: Mapped[date] = mapped_column(sa.Date, nullable=False, index=True)
    delivered_on: Mapped[date | None] = mapped_column(sa.Date)
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 2))
    outcome: Mapped[DeliveryOutcome] = mapped_column(enum_column(DeliveryOutcome),
                                                     nullable=False,
                                                     default=DeliveryOutcome.PENDING)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    branch = relationship("Branch")
    organisation = relationship("Organisation")
    product = relationship("Product")
    package = relationship("ServicePackage")
    recorded_by = relationship("User")


class EntrustmentContract(TimestampMixin, VersionedMixin, db.Model):
    """A mass organisation runs savings-and-loan groups on the bank's behalf, for a fee."""

    __tablename__ = "entrustment_contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(60), unique=True, nullable=False)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branch.id"), nullable=False,
                                           index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False, index=True)
    scope: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    fee_rate_percent: Mapped[Decimal] = mapped_column(sa.Numeric(7, 3), nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)

    branch = relationship("Branch")
    organisation = relationship("Organisation")
    groups = relationship("Organisation", secondary=contract_group,
                          order_by="Organisation.code")

    def is_current(self, today):
        return self.starts_on <= today and (self.ends_on is None or today <= self.ends_on)
