"""Who gets what on every indicators route (see tests/test_route_roles.py)."""
from datetime import date

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.indicators import services
from portal.indicators.models import IndicatorActual, IndicatorPlan
from tests import factories
from tests.test_route_roles import ANON, admin_only, everyone

# a district office nobody in the test belongs to: network readers see it, others get 404
FOREIGN = {ANON: 302, "union_director": 404, "relationship_manager": 404,
           "branch_staff": 404, "ministry_official": 200, "administrator": 200}
IMPORTERS = {ANON: 302, "union_director": 403, "relationship_manager": 200,
             "branch_staff": 403, "ministry_official": 403, "administrator": 200}

ROUTES = {
    "indicators.index": ("GET", "/indicators/", everyone(200), None),
    "indicators.dashboard": ("GET", "/indicators/{i_org}", FOREIGN, None),
    "indicators.report": ("GET", "/indicators/{i_org}/report", FOREIGN, None),
    "indicators.export": ("GET", "/indicators/{i_org}/export/scorecard.csv", FOREIGN, None),
    "indicators.import_file": ("GET", "/indicators/import/actuals", IMPORTERS, None),
    "indicators.import_template": ("GET", "/indicators/import/ratings/template.csv",
                                   IMPORTERS, None),
    "indicators.definitions": ("GET", "/indicators/definitions", admin_only(), None),
}


def world():
    # in the network of the ministry official the route table signs in (the Iranian bank's):
    # a Vietnamese office would be in another network, which that official does not read
    office = factories.make_org(OrgKind.SPECIALISED_BRANCH, code="T-VBSP-KB",
                                name="Phòng giao dịch NHCSXH huyện Kim Bảng", country="IR",
                                currency="VND", province="Hà Nam", district="Kim Bảng")
    found = services.ensure_definitions()
    db.session.add_all([
        IndicatorPlan(organisation_id=office.id, indicator_id=found["outstanding_loans"].id,
                      year=2023, value=520_418e6),
        IndicatorActual(organisation_id=office.id, indicator_id=found["outstanding_loans"].id,
                        period=date(2023, 8, 1), amount=512_143e6)])
    db.session.flush()
    return {"i_org": office.id}
