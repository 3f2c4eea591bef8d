"""Branch operations and figures. Operations check permission, validate, flush (never commit)
and write their audit entry; the view commits once."""
import calendar
import math
import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from portal import permissions
from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.branches import permissions as branches_permissions
from portal.branches.models import (
    COMPLETED_OUTCOMES,
    Branch,
    BranchKind,
    DeliveryOutcome,
    EntrustmentContract,
    ServiceDelivery,
    TrainingAttendance,
    TrainingCourse,
    TrainingSession,
    branch_served_org,
)
from portal.core import audit, clock, workdays
from portal.core.errors import ValidationError, require
from portal.core.models import refuse_taken
from portal.core.sanitize import plain_text
from portal.extensions import db
from portal.products.models import Product, ServicePackage

BRANCH_FIELDS = ("organisation_id", "kind", "served_by_id", "head_id", "address",
                 "opening_hours", "schedule_day", "schedule_note", "opened_on")
DELIVERY_FIELDS = ("organisation_id", "product_id", "package_id", "requested_on",
                   "delivered_on", "amount", "outcome", "note")
CONTRACT_FIELDS = ("number", "branch_id", "organisation_id", "scope", "fee_rate_percent",
                   "starts_on", "ends_on")
# Certificates expiring within this many days are flagged on the branch page.
EXPIRY_WARNING_DAYS = 60
DEFAULT_TARGET_DAYS = 10


def target_days(product=None):
    """The bank's target turnaround in working days: the product's own, else the bank's."""
    if product is not None and product.target_days is not None:
        return product.target_days
    return current_app.config.get("DELIVERY_TARGET_WORKING_DAYS", DEFAULT_TARGET_DAYS)


def branch_staff(branch):
    """The active users holding the branch_staff role in the branch's organisation."""
    return db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == branch.organisation_id,
               Membership.role == Role.BRANCH_STAFF, User.is_active)
        .order_by(User.full_name)).unique().all()


def _objects(model, ids):
    ids = set(ids or ())
    return list(db.session.scalars(sa.select(model).where(model.id.in_(ids)))) if ids else []


def save_branch(actor, data, branch=None, expected_version=None):
    """Create or edit a registry entry. Administrators only.

    Raises ValidationError when the organisation is not a branch of the bank or already has an
    entry, when a schedule day is outside 1-28, or when the head is not one of its people.
    """
    require(branches_permissions.can_edit_branches(actor))
    if branch is not None:
        branch.check_version(expected_version)
    org = db.session.get(Organisation, data["organisation_id"])
    if org is None or org.kind != OrgKind.SPECIALISED_BRANCH:
        raise ValidationError(_("Choose an organisation of the bank of the kind “specialised "
                                "branch”."), field="organisation_id")
    refuse_taken(Branch.organisation_id, org.id, branch,
                 _("This organisation is already in the registry."), "organisation_id")
    day = data.get("schedule_day")
    if day is not None and not 1 <= day <= 28:
        raise ValidationError(_("Choose a day between 1 and 28, so that every month has it."),
                              field="schedule_day")
    head_id = data.get("head_id") or None
    if head_id is not None and not db.session.scalar(sa.select(Membership.id).where(
            Membership.user_id == head_id, Membership.organisation_id == org.id)):
        raise ValidationError(_("The head must be one of the branch's people."),
                              field="head_id")
    served_by_id = data.get("served_by_id") or None
    if branch is not None and served_by_id == branch.id:
        raise ValidationError(_("A branch cannot be served by itself."), field="served_by_id")
    branch, before = audit.edited_or_new(branch, Branch,
                                         lambda row: audit.snapshot(row, BRANCH_FIELDS))
    branch.organisation_id = org.id
    branch.kind = BranchKind(data["kind"])
    branch.served_by_id = served_by_id
    branch.head_id = head_id
    branch.address = plain_text(data.get("address") or "", 1000)
    branch.opening_hours = plain_text(data.get("opening_hours") or "", 300)
    branch.schedule_day = day
    branch.schedule_note = plain_text(data.get("schedule_note") or "", 300)
    branch.opened_on = data.get("opened_on")
    branch.served_organisations = _objects(Organisation, data.get("served_ids"))
    branch.products = _objects(Product, data.get("product_ids"))
    branch.packages = _objects(ServicePackage, data.get("package_ids"))
    db.session.flush()
    audit.record(actor, "branch_updated" if before else "branch_created", branch, before,
                 audit.snapshot(branch, BRANCH_FIELDS))
    return branch


# --- training --------------------------------------------------------------------------------

def save_course(actor, data):
    """Add a training course. Administrators only; the code is unique."""
    require(branches_permissions.can_manage_courses(actor))
    code = (data["code"] or "").strip().upper()
    if db.session.scalar(sa.select(TrainingCourse.id).where(TrainingCourse.code == code)):
        raise ValidationError(_("Another course already has this code."), field="code")
    course = TrainingCourse(code=code, title=plain_text(data["title"], 200),
                            topic=plain_text(data.get("topic") or "", 200), hours=data["hours"],
                            cooperative_services=bool(data.get("cooperative_services")),
                            certificate_months=data.get("certificate_months"))
    db.session.add(course)
    db.session.flush()
    audit.record(actor, "course_created", course,
                 after=audit.snapshot(course, ("code", "title", "hours")))
    return course


def create_session(actor, branch, data):
    """Schedule a training session at a branch: its own staff or an administrator."""
    require(branches_permissions.can_record_training(actor, branch))
    course = db.session.get(TrainingCourse, data["course_id"])
    if course is None:
        raise ValidationError(_("Choose a course."), field="course_id")
    if data["ends_on"] < data["starts_on"]:
        raise ValidationError(_("The session cannot end before it starts."), field="ends_on")
    session = TrainingSession(course=course, branch=branch, starts_on=data["starts_on"],
                              ends_on=data["ends_on"],
                              place=plain_text(data.get("place") or "", 200),
                              trainer=plain_text(data.get("trainer") or "", 200))
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "training_session_created", session,
                 after={"course": course.code, "branch_id": branch.id,
                        "starts_on": session.starts_on.isoformat()})
    return session


def record_attendance(actor, session, user, passed=True, certificate_no="", expires_on=None):
    """Record that one of the branch's staff attended a session, with their certificate.

    The attendee must be on the staff of the session's branch; the certificate's expiry
    defaults to the course's validity after the session ends. Raises PermissionDenied,
    ValidationError (staff of another branch, recorded twice, expiry before the session).
    """
    require(branches_permissions.can_record_training(actor, session.branch))
    if user is None or not branches_permissions.is_staff_of_branch(user, session.branch):
        raise ValidationError(_("Only the staff of this branch can be recorded at its "
                                "sessions."), field="user_id")
    if db.session.scalar(sa.select(TrainingAttendance.id).where(
            TrainingAttendance.session_id == session.id,
            TrainingAttendance.user_id == user.id)):
        raise ValidationError(_("%(name)s is already recorded for this session.",
                                name=user.full_name), field="user_id")
    if expires_on is None and passed and session.course.certificate_months:
        expires_on = _add_months(session.ends_on, session.course.certificate_months)
    if expires_on is not None and expires_on <= session.ends_on:
        raise ValidationError(_("The certificate must expire after the session."),
                              field="certificate_expires_on")
    attendance = TrainingAttendance(session=session, user=user, passed=passed,
                                    certificate_no=plain_text(certificate_no or "", 60),
                                    certificate_expires_on=expires_on if passed else None)
    db.session.add(attendance)
    db.session.flush()
    audit.record(actor, "training_attended", attendance,
                 after={"session_id": session.id, "user_id": user.id, "passed": passed})
    return attendance


def _add_months(day, months):
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def certificate_valid(attendance, today):
    return attendance.passed and (attendance.certificate_expires_on is None
                                  or attendance.certificate_expires_on >= today)


def training_summary(branch, today):
    """Share of the branch's staff holding a valid cooperative-services certificate, and the
    certificates that have expired or expire within EXPIRY_WARNING_DAYS (latest per person
    and course only: a renewed certificate replaces the old one)."""
    staff = branch_staff(branch)
    staff_ids = {u.id for u in staff}
    rows = db.session.scalars(
        sa.select(TrainingAttendance).join(TrainingSession)
        .where(TrainingAttendance.user_id.in_(staff_ids) if staff_ids else sa.false())
        .order_by(TrainingSession.ends_on)).all()
    latest = {}
    for row in rows:
        latest[(row.user_id, row.session.course_id)] = row
    trained = {row.user_id for row in latest.values()
               if row.session.course.cooperative_services and certificate_valid(row, today)}
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    expiring = sorted((row for row in latest.values()
                       if row.passed and row.certificate_expires_on is not None
                       and row.certificate_expires_on <= horizon),
                      key=lambda r: r.certificate_expires_on)
    return {"staff": staff, "trained_ids": trained, "trained": len(trained),
            "share": (len(trained) / len(staff)) if staff else None, "expiring": expiring,
            "today": today}


# --- service deliveries ----------------------------------------------------------------------

# who a delivery is for: the unions, cooperatives, mass organisations and their groups
DELIVERY_ORG_KINDS = (OrgKind.NATIONAL_UNION, OrgKind.COOPERATIVE, OrgKind.MASS_ORGANISATION,
                      OrgKind.SAVINGS_GROUP)


def served_by(branch):
    """A condition on Organisation: the branch serves it (its "organisations served")."""
    return Organisation.id.in_(sa.select(branch_served_org.c.organisation_id).where(
        branch_served_org.c.branch_id == branch.id))


def deliverable_organisations(actor, branch):
    """A select(Organisation) of whom a delivery of this branch may be for: those it serves,
    and the active unions, cooperatives, mass organisations and groups of the actor's network
    in the branch's country. Never loaded whole (thousands in a country): the form's picker
    lists or searches it, and _delivery_values checks a choice against it."""
    # conditions on the row itself, not "id IN (a select)": PostgreSQL then stops at the
    # first rows the picker needs instead of building the set of thousands first
    nearby = sa.and_(Organisation.kind.in_(DELIVERY_ORG_KINDS), Organisation.is_active,
                     Organisation.country == branch.country,
                     *[c for c in (permissions.in_network(actor),) if c is not None])
    return sa.select(Organisation).where(sa.or_(served_by(branch), nearby))


def _delivery_values(actor, branch, data):
    org = db.session.get(Organisation, data.get("organisation_id")) \
        if data.get("organisation_id") else None
    if org is None or not org.is_active or db.session.scalar(
            deliverable_organisations(actor, branch).with_only_columns(Organisation.id)
            .where(Organisation.id == org.id)) is None:
        raise ValidationError(_("Choose the organisation served."), field="organisation_id")
    product = db.session.get(Product, data["product_id"]) if data.get("product_id") else None
    package = db.session.get(ServicePackage, data["package_id"]) \
        if data.get("package_id") else None
    if product is None and package is None:
        raise ValidationError(_("Choose the product or the service package delivered."),
                              field="product_id")
    requested, delivered = data["requested_on"], data.get("delivered_on")
    # "in the future" where the branch is: its date may already be tomorrow's in UTC
    today = clock.local_today(clock.organisation_zone(branch.organisation))
    if requested > today:
        raise ValidationError(_("The request date cannot be in the future."),
                              field="requested_on")
    if delivered is not None and delivered < requested:
        raise ValidationError(_("The delivery date cannot be before the request date."),
                              field="delivered_on")
    if delivered is not None and delivered > today:
        raise ValidationError(_("The delivery date cannot be in the future."),
                              field="delivered_on")
    outcome = DeliveryOutcome(data.get("outcome") or DeliveryOutcome.PENDING)
    if delivered is not None and outcome == DeliveryOutcome.PENDING:
        outcome = DeliveryOutcome.DELIVERED
    if outcome in COMPLETED_OUTCOMES and delivered is None:
        raise ValidationError(_("Give the date it was delivered."), field="delivered_on")
    amount = data.get("amount")
    if amount is not None and amount < 0:
        raise ValidationError(_("The amount cannot be negative."), field="amount")
    return {"organisation_id": org.id, "product_id": product.id if product else None,
            "package_id": package.id if package else None, "requested_on": requested,
            "delivered_on": delivered, "amount": amount, "outcome": outcome,
            "note": plain_text(data.get("note") or "", 2000)}


def log_delivery(actor, branch, data):
    """Record a service the branch delivered (or was asked for). The branch's own staff only.

    Raises PermissionDenied for anyone else, ValidationError when the dates are in the wrong
    order or in the future, nothing was named, or a completed outcome has no date.
    """
    require(branches_permissions.can_log_delivery(actor, branch))
    delivery = ServiceDelivery(branch=branch, recorded_by_id=actor.id,
                               **_delivery_values(actor, branch, data))
    db.session.add(delivery)
    db.session.flush()
    audit.record(actor, "delivery_logged", delivery,
                 after=audit.snapshot(delivery, DELIVERY_FIELDS))
    return delivery


def update_delivery(actor, delivery, data, expected_version=None):
    """Complete or correct a delivery (e.g. add the date it was delivered). Same rules."""
    require(branches_permissions.can_log_delivery(actor, delivery.branch))
    delivery.check_version(expected_version)
    values = _delivery_values(actor, delivery.branch, data)
    before = audit.snapshot(delivery, DELIVERY_FIELDS)
    for key, value in values.items():
        setattr(delivery, key, value)
    db.session.flush()
    audit.record(actor, "delivery_updated", delivery, before,
                 audit.snapshot(delivery, DELIVERY_FIELDS))
    return delivery


def percentile_nearest_rank(values, fraction):
    """The smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


def turnaround(deliveries, country):
    """Figures for a set of deliveries: volume, amount, and for the completed ones the
    turnaround in working days (median, 90th percentile by nearest rank) and the share that
    met its target."""
    completed = [d for d in deliveries if d.outcome in COMPLETED_OUTCOMES and d.delivered_on]
    days = [workdays.working_days_between(d.requested_on, d.delivered_on, country)
            for d in completed]
    on_time = sum(1 for d, n in zip(completed, days, strict=True) if n <= target_days(d.product))
    amount = sum((d.amount for d in deliveries if d.amount is not None), Decimal(0))
    return {
        "count": len(deliveries),
        "completed": len(completed),
        "pending": sum(1 for d in deliveries if d.outcome == DeliveryOutcome.PENDING),
        "amount": amount,
        "median": statistics.median(days) if days else None,
        "p90": percentile_nearest_rank(days, 0.9),
        "on_time_share": (on_time / len(completed)) if completed else None,
    }


GROUPINGS = ("product", "month", "organisation")


def _group_key(delivery, grouping):
    if grouping == "month":
        day = delivery.delivered_on or delivery.requested_on
        return date(day.year, day.month, 1)
    if grouping == "organisation":
        return delivery.organisation
    return delivery.product or delivery.package


def delivery_statistics(branch, query, grouping="product"):
    """Turnaround overall and per group (product or package, month, organisation).

    query: the deliveries the reader may see (a select of ServiceDelivery), already filtered.
    """
    # what the groups and targets read, loaded in one statement each rather than per row
    # (a product and its texts, kinds and sectors per delivery: 0.4 s for one branch's page)
    load = sa.orm.selectinload
    deliveries = db.session.scalars(
        query.where(ServiceDelivery.branch_id == branch.id)
        .options(load(ServiceDelivery.product), load(ServiceDelivery.package),
                 load(ServiceDelivery.organisation))
        .order_by(ServiceDelivery.requested_on)).all()
    groups = defaultdict(list)
    for d in deliveries:
        groups[_group_key(d, grouping)].append(d)
    rows = [(key, turnaround(items, branch.country)) for key, items in groups.items()]
    if grouping == "month":
        rows.sort(key=lambda r: r[0])
    else:
        rows.sort(key=lambda r: -r[1]["count"])
    return {"overall": turnaround(deliveries, branch.country), "rows": rows,
            "grouping": grouping, "target": target_days()}


# --- entrustment -----------------------------------------------------------------------------

def save_contract(actor, data, contract=None, expected_version=None):
    """Create or edit an entrustment contract with a mass organisation. Administrators only.

    The groups covered must be savings-and-loan groups run by that organisation. Raises
    ValidationError for a wrong organisation or group, a fee rate outside 0-100, an end before
    the start, or a duplicate number.
    """
    require(branches_permissions.can_edit_contracts(actor))
    if contract is not None:
        contract.check_version(expected_version)
    org = db.session.get(Organisation, data["organisation_id"])
    if org is None or org.kind != OrgKind.MASS_ORGANISATION:
        raise ValidationError(_("Choose a mass organisation."), field="organisation_id")
    branch = db.session.get(Branch, data["branch_id"])
    if branch is None:
        raise ValidationError(_("Choose the branch."), field="branch_id")
    number = plain_text(data["number"], 60)
    refuse_taken(EntrustmentContract.number, number, contract,
                 _("Another contract already has this number."), "number")
    fee = data["fee_rate_percent"]
    if fee is None or not Decimal(0) <= fee <= Decimal(100):
        raise ValidationError(_("A percentage is between 0 and 100."), field="fee_rate_percent")
    if data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
        raise ValidationError(_("The contract must end after it starts."), field="ends_on")
    groups = _objects(Organisation, data.get("group_ids"))
    strays = [g for g in groups if g.kind != OrgKind.SAVINGS_GROUP or g.parent_id != org.id]
    if strays:
        raise ValidationError(_("%(name)s is not a savings-and-loan group of this "
                                "organisation.", name=strays[0].name), field="group_ids")
    contract, before = audit.edited_or_new(contract, EntrustmentContract,
                                           lambda row: audit.snapshot(row, CONTRACT_FIELDS))
    contract.number, contract.branch_id, contract.organisation_id = number, branch.id, org.id
    contract.scope = plain_text(data.get("scope") or "", 2000)
    contract.fee_rate_percent = fee
    contract.starts_on, contract.ends_on = data["starts_on"], data.get("ends_on")
    contract.groups = groups
    db.session.flush()
    audit.record(actor, "contract_updated" if before else "contract_created", contract,
                 before, audit.snapshot(contract, CONTRACT_FIELDS))
    return contract
