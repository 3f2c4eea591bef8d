"""Branches, staff, deliveries and contracts for tests, after the demo network."""
from datetime import date

from portal.accounts.models import OrgKind
from portal.branches.models import (
    Branch,
    BranchKind,
    DeliveryOutcome,
    EntrustmentContract,
    ServiceDelivery,
    TrainingCourse,
    TrainingSession,
)
from portal.extensions import db
from tests.factories import make_org, make_user


def make_branch(name="شعبه ویژه تعاون تهران", kind=BranchKind.SPECIALISED, country="IR",
                **fields):
    org = make_org(OrgKind.SPECIALISED_BRANCH, name=name, country=country,
                   currency="VND" if country == "VN" else "IRR",
                   province=fields.pop("province", "تهران" if country == "IR" else "Hà Nam"),
                   district=fields.pop("district", None))
    branch = Branch(organisation=org, kind=kind, opening_hours="7:30–14:30", **fields)
    db.session.add(branch)
    db.session.flush()
    return branch


def make_staff(branch, **fields):
    return make_user("branch_staff", branch.organisation, **fields)


def make_course(code="COOP-101", months=24, cooperative=True):
    course = TrainingCourse(code=code, title="Cooperative finance basics", topic="cooperatives",
                            hours=16, cooperative_services=cooperative,
                            certificate_months=months)
    db.session.add(course)
    db.session.flush()
    return course


def make_session(branch, course, starts_on=date(2025, 1, 11), ends_on=date(2025, 1, 12)):
    session = TrainingSession(course=course, branch=branch, starts_on=starts_on,
                              ends_on=ends_on)
    db.session.add(session)
    db.session.flush()
    return session


def make_delivery(branch, organisation, requested_on, delivered_on=None, product=None,
                  amount=None, outcome=None):
    delivery = ServiceDelivery(
        branch=branch, organisation=organisation, product=product, requested_on=requested_on,
        delivered_on=delivered_on, amount=amount,
        outcome=outcome or (DeliveryOutcome.DELIVERED if delivered_on
                            else DeliveryOutcome.PENDING))
    db.session.add(delivery)
    db.session.flush()
    return delivery


def make_contract(branch, organisation, number="HĐ-01/2023", groups=()):
    contract = EntrustmentContract(number=number, branch=branch, organisation=organisation,
                                   scope="Uỷ thác cho vay hộ nghèo", fee_rate_percent=0.5,
                                   starts_on=date(2023, 1, 1), ends_on=date(2027, 12, 31),
                                   groups=list(groups))
    db.session.add(contract)
    db.session.flush()
    return contract
