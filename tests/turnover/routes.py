"""Who gets what on every turnover route (see tests/test_route_roles.py)."""
from datetime import date

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.turnover.models import (
    ApiToken,
    ReportingPeriod,
    TurnoverOtherBank,
    TurnoverReport,
)
from tests import factories
from tests.test_route_roles import ANON, SIGNED_IN, admin_only

READERS_OK = {ANON: 302, "union_director": 200, "relationship_manager": 200,
              "branch_staff": 403, "ministry_official": 200, "administrator": 200}
# a report of an organisation nobody in the test belongs to: the network readers see it,
# a union director or relationship manager gets 404 (whether it exists is not their business)
FOREIGN = {ANON: 302, "union_director": 404, "relationship_manager": 404, "branch_staff": 403,
           "ministry_official": 200, "administrator": 200}
IMPORTERS = {ANON: 302, "union_director": 200, "relationship_manager": 200,
             "branch_staff": 403, "ministry_official": 403, "administrator": 200}
API_REFUSED = {ANON: 401} | {role: 401 for role in SIGNED_IN}

ROUTES = {
    "turnover.dashboard": ("GET", "/turnover/", READERS_OK, None),
    "turnover.export": ("GET", "/turnover/export/shares.csv?period={t_period}",
                        FOREIGN, None),
    "turnover.period": ("GET", "/turnover/periods/{t_period}", READERS_OK, None),
    "turnover.report": ("GET", "/turnover/reports/{t_report}", FOREIGN, None),
    "turnover.union_report": ("GET", "/turnover/unions/{t_union}/report", FOREIGN, None),
    "turnover.confirm": ("POST", "/turnover/reports/{t_report}/confirm",
                         FOREIGN | {"ministry_official": 403, "administrator": 403}, None),
    "turnover.save_other_bank": ("POST", "/turnover/reports/{t_report}/other-banks",
                                 FOREIGN | {"ministry_official": 403, "administrator": 302},
                                 {"bank_name": "بانک ملی ایران", "amount": "100000"}),
    "turnover.delete_other_bank": ("POST",
                                   "/turnover/reports/{t_report}/other-banks/{t_other}/delete",
                                   FOREIGN | {"ministry_official": 403, "administrator": 302},
                                   None),
    "turnover.new_report": ("GET", "/turnover/reports/new", IMPORTERS, None),
    "turnover.edit_report": ("GET", "/turnover/reports/{t_report}/edit",
                             FOREIGN | {"ministry_official": 403}, None),
    "turnover.import_file": ("GET", "/turnover/import", IMPORTERS, None),
    "turnover.import_template": ("GET", "/turnover/import/template.csv?period=2025-08",
                                 IMPORTERS, None),
    "turnover.periods": ("GET", "/turnover/periods", admin_only(), None),
    "turnover.period_status": ("POST", "/turnover/periods/{t_period}/close",
                               admin_only(302), None),
    "turnover.threshold": ("POST", "/turnover/threshold", admin_only(302), {"percent": "40"}),
    "turnover.tokens": ("GET", "/turnover/tokens", admin_only(), None),
    "turnover.revoke_token": ("POST", "/turnover/tokens/{t_token}/revoke", admin_only(302),
                              None),
    "turnover_api.list_turnover": ("GET", "/api/v1/turnover?period=2025-08", API_REFUSED,
                                   None),
    "turnover_api.submit_batch": ("POST", "/api/v1/turnover/batches", API_REFUSED, None),
    "turnover_api.openapi": ("GET", "/api/v1/openapi.json",
                             {ANON: 200} | {role: 200 for role in SIGNED_IN}, None),
}


def world():
    union = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه سراسری تعاونی‌های مسکن")
    period = ReportingPeriod(country="IR", month=date(2025, 8, 1))
    db.session.add(period)
    db.session.flush()
    report = TurnoverReport(organisation_id=union.id, period_id=period.id, currency="IRR",
                            total_turnover=1_000_000, bank_turnover=400_000, deposits=0,
                            average_balance=0, loans=0, accounts=1)
    token = ApiToken(name="core banking", prefix="cbp_xxxxxx", token_hash="0" * 64,
                     scopes="turnover:read")
    db.session.add_all([report, token])
    db.session.flush()
    other = TurnoverOtherBank(report_id=report.id, bank_name="Bank Sepah", bank_key="bank sepah",
                              amount=100_000)
    db.session.add(other)
    db.session.flush()
    return {"t_period": period.id, "t_report": report.id, "t_token": token.id,
            "t_other": other.id, "t_union": union.id}
