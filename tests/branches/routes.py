"""Who gets what from each branches route (checked by tests/test_route_roles.py).

The signed-in users of the role test belong to organisations of their own, so nobody is on the
staff of the world's branch: logging deliveries there is refused to every role.
"""
from datetime import date

from portal.accounts.models import OrgKind
from tests.branches.helpers import (
    make_branch,
    make_contract,
    make_course,
    make_delivery,
    make_session,
)
from tests.factories import make_org
from tests.products.helpers import make_product
from tests.test_route_roles import ANON, SIGNED_IN, admin_only, everyone

NOBODY = {ANON: 302} | {role: 403 for role in SIGNED_IN}
BANK_AND_MINISTRY = everyone(200) | {"union_director": 403}

ROUTES = {
    "branches.index": ("GET", "/branches/", everyone(200), None),
    "branches.show": ("GET", "/branches/{branch}", everyone(200), None),
    "branches.create": ("GET", "/branches/new", admin_only(), None),
    "branches.edit": ("GET", "/branches/{branch}/edit", admin_only(), None),
    "branches.deliveries": ("GET", "/branches/{branch}/deliveries", everyone(200), None),
    "branches.log_delivery": ("GET", "/branches/{branch}/deliveries/new", NOBODY, None),
    "branches.edit_delivery": ("GET", "/branches/{branch}/deliveries/{delivery}/edit", NOBODY,
                               None),
    "branches.training": ("GET", "/branches/training/", BANK_AND_MINISTRY, None),
    "branches.course_create": ("GET", "/branches/training/courses/new", admin_only(), None),
    "branches.session_create": ("GET", "/branches/{branch}/training/new", admin_only(), None),
    "branches.session": ("GET", "/branches/{branch}/training/{session}", BANK_AND_MINISTRY,
                         None),
    # the administrator gets past the permission check and is told the form is incomplete
    "branches.add_attendance": ("POST", "/branches/{branch}/training/{session}/attendance",
                                admin_only(400), None),
    "branches.contracts": ("GET", "/branches/entrustment/", everyone(200), None),
    "branches.contract": ("GET", "/branches/entrustment/{contract}",
                          everyone(200) | {"union_director": 404}, None),
    "branches.contract_create": ("GET", "/branches/entrustment/new", admin_only(), None),
    "branches.contract_edit": ("GET", "/branches/entrustment/{contract}/edit", admin_only(),
                               None),
}


def world():
    branch = make_branch(name="شعبه ویژه تعاون جهان")
    union = make_org(OrgKind.NATIONAL_UNION, name="اتحادیه سراسری تعاونی‌های مسکن جهان")
    product = make_product("WORLD-BRANCH-LOAN")
    branch.products.append(product)
    delivery = make_delivery(branch, union, date(2025, 3, 1), date(2025, 3, 4), product)
    session = make_session(branch, make_course("WORLD-COURSE"))
    # entrusted by the same (Iranian) bank as the branch: one network, which its staff and the
    # ministry overseeing it read
    women = make_org(OrgKind.MASS_ORGANISATION, name="Hội Liên hiệp Phụ nữ thế giới",
                     country="IR", currency="IRR")
    contract = make_contract(branch, women, number="WORLD-HĐ")
    return {"branch": branch.id, "delivery": delivery.id, "session": session.id,
            "contract": contract.id}
