"""Demo branches: Iran's specialised branches with trained staff and a year of deliveries;
Kim Bang's district office, its commune transaction points and entrustment contracts.

Idempotent: branches by organisation, staff by e-mail, courses by code, sessions by course,
branch and date, contracts by number; deliveries only when the branch has none yet.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.branches.models import (
    Branch,
    BranchKind,
    DeliveryOutcome,
    EntrustmentContract,
    ServiceDelivery,
    TrainingAttendance,
    TrainingCourse,
    TrainingSession,
)
from portal.core.clock import country_zone, local_today
from portal.core.workdays import add_working_days
from portal.demo import data
from portal.extensions import db
from portal.products.models import Product, ServicePackage

IRANIAN_BRANCHES = {
    "CDB-TEH-01": ("خیابان انقلاب، نبش خیابان فلسطین، تهران", date(2024, 5, 4),
                   ["IR-UN-CONS", "IR-UN-HOUS", "IR-UN-CARP", "IR-UN-TRAN", "IR-UN-AGRI"]),
    "CDB-ISF-01": ("خیابان چهارباغ بالا، اصفهان", date(2024, 9, 21), ["IR-CO-ISF-CARP"]),
    "CDB-KHR-01": ("بلوار وکیل‌آباد، مشهد", date(2024, 11, 2), ["IR-CO-KHR-AGRI"]),
}
IR_HOURS = "شنبه تا چهارشنبه ۷:۳۰ تا ۱۴:۳۰، پنجشنبه ۷:۳۰ تا ۱۲"
IR_OFFERS = {
    "CDB-TEH-01": (["WC-LOAN", "CARPET-EXPORT", "HOUSING-COOP", "PERF-GUAR", "COOP-DEPOSIT",
                    "PAYROLL", "POS-CONSUMER"], ["PKG-NATIONAL-UNIONS", "PKG-COOPERATIVES"]),
    "CDB-ISF-01": (["WC-LOAN", "CARPET-EXPORT", "COOP-DEPOSIT", "POS-CONSUMER"],
                   ["PKG-COOPERATIVES"]),
    "CDB-KHR-01": (["WC-LOAN", "COOP-DEPOSIT", "PERF-GUAR"], ["PKG-COOPERATIVES"]),
}
# e-mail, name, branch code
STAFF = [
    ("staff1.tehran@cdb.example", "رضا محمدی", "CDB-TEH-01"),
    ("staff2.tehran@cdb.example", "فاطمه حسینی", "CDB-TEH-01"),
    ("staff3.tehran@cdb.example", "امیر جعفری", "CDB-TEH-01"),
    ("staff4.tehran@cdb.example", "نرگس قاسمی", "CDB-TEH-01"),
    ("staff.isfahan@cdb.example", "علی رضایی", "CDB-ISF-01"),
    ("staff2.isfahan@cdb.example", "مهدی نوری", "CDB-ISF-01"),
    ("staff3.isfahan@cdb.example", "سمیه کاظمی", "CDB-ISF-01"),
    ("staff1.mashhad@cdb.example", "حسن رحیمی", "CDB-KHR-01"),
    ("staff2.mashhad@cdb.example", "لیلا صادقی", "CDB-KHR-01"),
]
COURSES = [
    ("COOP-FIN-101", "مبانی تأمین مالی تعاونی‌ها", "Cooperative finance", 16, True, 24),
    ("COOP-CREDIT-201", "تحلیل اعتباری تعاونی‌ها و اتحادیه‌ها", "Credit analysis", 24, True, 24),
    ("AML-100", "مبارزه با پولشویی", "Compliance", 8, False, 12),
]


def _staff(by_code):
    people = {}
    for email, name, code in STAFF:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, preferred_locale="fa")
            user.memberships.append(Membership(organisation=by_code[code],
                                               role=Role.BRANCH_STAFF))
            db.session.add(user)
        people.setdefault(code, []).append(user)
    db.session.flush()
    return people


def _branch(org, kind, **fields):
    branch = db.session.scalar(sa.select(Branch).where(Branch.organisation_id == org.id))
    if branch is None:
        branch = Branch(organisation=org, kind=kind, **fields)
        db.session.add(branch)
        db.session.flush()
        return branch, True
    return branch, False


def _by_codes(model, codes):
    return list(db.session.scalars(sa.select(model).where(model.code.in_(codes))))


def _training(branch, staff, today):
    courses = {}
    for code, title, topic, hours, coop, months in COURSES:
        course = db.session.scalar(sa.select(TrainingCourse).where(TrainingCourse.code == code))
        if course is None:
            course = TrainingCourse(code=code, title=title, topic=topic, hours=hours,
                                    cooperative_services=coop, certificate_months=months)
            db.session.add(course)
            db.session.flush()
        courses[code] = course
    # Dates count back from today so the demo always looks current: the foundation course
    # 14 months ago (two-year certificates, all but one person trained), the credit course 5
    # months ago, and compliance 11 months ago (one-year certificates, flagged as expiring).
    plan = [("COOP-FIN-101", max(branch.opened_on, today - timedelta(days=420)), staff[:-1]),
            ("AML-100", today - timedelta(days=340), staff),
            ("COOP-CREDIT-201", today - timedelta(days=150), staff[:2])]
    for code, starts_on, attendees in plan:
        if starts_on > today:
            continue
        course = courses[code]
        session = db.session.scalar(sa.select(TrainingSession).where(
            TrainingSession.course_id == course.id, TrainingSession.branch_id == branch.id,
            TrainingSession.starts_on == starts_on))
        if session is not None:
            continue
        session = TrainingSession(course=course, branch=branch, starts_on=starts_on,
                                  ends_on=starts_on + timedelta(days=1),
                                  place=branch.organisation.name, trainer="دانشکده بانکداری")
        db.session.add(session)
        for n, user in enumerate(attendees, start=1):
            expires = session.ends_on + timedelta(days=365 * course.certificate_months // 12)
            db.session.add(TrainingAttendance(
                session=session, user=user, passed=True,
                certificate_no=f"{code}-{branch.organisation.code}-{n:02d}",
                certificate_expires_on=expires))
    db.session.flush()


def _deliveries(branch, staff, today, rng):
    if db.session.scalar(sa.select(ServiceDelivery.id).where(
            ServiceDelivery.branch_id == branch.id).limit(1)):
        return
    orgs = list(branch.served_organisations) or [branch.organisation]
    products = [p for p in branch.products]
    if not products:
        return
    count = {"CDB-TEH-01": 90, "CDB-ISF-01": 45, "CDB-KHR-01": 30}.get(
        branch.organisation.code, 20)
    for _ in range(count):
        product = rng.choice(products)
        requested = today - timedelta(days=rng.randint(1, 365))
        # Most requests take a few working days; some wait for documents or a committee.
        days = max(0, round(rng.lognormvariate(1.6, 0.6)))
        delivered = add_working_days(requested, days, branch.country)
        outcome = DeliveryOutcome.DELIVERED
        if delivered > today:
            delivered, outcome = None, DeliveryOutcome.PENDING
        elif rng.random() < 0.06:
            outcome = DeliveryOutcome.DECLINED
        elif rng.random() < 0.08:
            outcome = DeliveryOutcome.PARTLY_DELIVERED
        amount = None
        if product.min_amount is not None and outcome != DeliveryOutcome.DECLINED:
            top = product.max_amount or product.min_amount * 20
            amount = Decimal(rng.randint(int(product.min_amount), int(top))).quantize(
                Decimal(10) ** 6)
        db.session.add(ServiceDelivery(
            branch=branch, organisation=rng.choice(orgs), product=product,
            requested_on=requested, delivered_on=delivered, amount=amount, outcome=outcome,
            recorded_by=rng.choice(staff) if staff else None))
    db.session.flush()


def _kim_bang(by_code, today):
    office_org = by_code["VBSP-KB"]
    office, created = _branch(office_org, BranchKind.ORDINARY,
                              address="Thị trấn Quế, huyện Kim Bảng, tỉnh Hà Nam",
                              opening_hours="Thứ Hai – Thứ Sáu, 7:30–17:00",
                              opened_on=date(2003, 3, 1))
    if created:
        office.served_organisations = [by_code[c] for (c,) in data.MASS_ORGANISATIONS]
        office.products = _by_codes(Product, ["VN-POOR-HH", "VN-GROUP-SAVINGS"])
        office.packages = _by_codes(ServicePackage, ["PKG-SAVINGS-GROUPS"])
    for n, commune in enumerate(data.KIM_BANG_COMMUNES, start=1):
        code = f"VBSP-KB-DGD{n:02d}"
        org = db.session.scalar(sa.select(Organisation).where(Organisation.code == code))
        if org is None:
            org = Organisation(code=code, name=f"Điểm giao dịch xã {commune}",
                               name_en=f"{commune} commune transaction point",
                               kind=OrgKind.SPECIALISED_BRANCH, parent=office_org,
                               country="VN", currency="VND", province="Hà Nam",
                               district="Kim Bảng", commune=commune)
            db.session.add(org)
            db.session.flush()
        point, created = _branch(
            org, BranchKind.COMMUNE_POINT, served_by=office,
            address=f"Trụ sở UBND xã {commune}", schedule_day=5 + (n - 1) % 18,
            schedule_note="7:30–11:30", opened_on=date(2004, 1, 1))
        if created:
            point.products = list(office.products)
            point.packages = list(office.packages)
    db.session.flush()
    for (code,) in data.MASS_ORGANISATIONS:
        number = f"{code}/UT-2023"
        if db.session.scalar(sa.select(EntrustmentContract.id).where(
                EntrustmentContract.number == number)):
            continue
        org = by_code[code]
        groups = db.session.scalars(sa.select(Organisation).where(
            Organisation.parent_id == org.id,
            Organisation.kind == OrgKind.SAVINGS_GROUP)).all()
        db.session.add(EntrustmentContract(
            number=number, branch=office, organisation=org,
            scope="Ủy thác một số nội dung công việc trong quy trình cho vay hộ nghèo và các "
                  "đối tượng chính sách qua Tổ TK&VV",
            fee_rate_percent=Decimal("0.045"), starts_on=date(2023, 1, 1),
            ends_on=date(2027, 12, 31), groups=list(groups)))
    db.session.flush()


def seed(by_code):
    today = local_today(country_zone("IR"))  # the Iranian branches' date
    rng = random.Random(6)  # noqa: S311 - demo figures, not security  # nosec B311
    staff = _staff(by_code)
    for code, (address, opened_on, served) in IRANIAN_BRANCHES.items():
        products, packages = IR_OFFERS[code]
        branch, created = _branch(by_code[code], BranchKind.SPECIALISED, address=address,
                                  opening_hours=IR_HOURS, opened_on=opened_on)
        if created:
            branch.head = staff[code][0]
            branch.served_organisations = [by_code[c] for c in served]
            branch.products = _by_codes(Product, products)
            branch.packages = _by_codes(ServicePackage, packages)
            db.session.flush()
        _training(branch, staff[code], today)
        _deliveries(branch, staff[code], today, rng)
    _kim_bang(by_code, local_today(country_zone("VN")))
