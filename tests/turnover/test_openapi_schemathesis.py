"""The API does what /api/v1/openapi.json says: schemathesis generates requests from the
document, sends them to the Flask app (in process, through WSGI) with a real read+write token,
and checks that every answer is a documented status code, with a documented content type and
a body that matches the documented schema, and never a server error.

Each test runs all its generated examples inside one test function, so the rows they write
live in the test's database until conftest empties the tables after it. Hypothesis runs
derandomised (the same examples on every run, on SQLite and PostgreSQL alike) and keeps no
example database in the work tree.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from portal.extensions import db
from tests import factories
from tests.turnover.helpers import AUG, JUL, issue_token, make_report, open_period, unions

SETTINGS = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
# What a client relies on. Checks that judge the data rather than the document (e.g. that any
# schema-valid batch is accepted: a batch naming unknown organisations is rightly refused
# with 422) are left out.
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance,
          st_checks.content_type_conformance, st_checks.response_headers_conformance,
          st_checks.response_schema_conformance]


@pytest.fixture()
def api(app, db):
    """(the schema loaded from the running app, the Authorization header of a real token)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    _token, text = issue_token(["turnover:read", "turnover:write"])
    # identity: Flask-Compress gzips large answers when asked to, as real clients do and
    # undo; schemathesis' in-process WSGI transport would read the gzip bytes as the body
    return schema, {"Authorization": f"Bearer {text}", "Accept-Encoding": "identity"}


@pytest.fixture()
def network(db):
    """Unions, a cooperative and a Vietnamese organisation with reports in two months."""
    made, coop = unions(2)
    vn = factories.make_org("mass_organisation", code="VN-HPN-KB")
    aug, jul = open_period("IR", AUG), open_period("IR", JUL)
    make_report(made[0], aug, 9_000_000, 3_000_000, accounts=213)
    make_report(made[1], aug, 5_000_000, 4_000_000)
    make_report(coop, aug, 2_000_000, 1_500_000)
    make_report(made[0], jul, 8_000_000, 1_000_000)
    make_report(vn, open_period("VN", AUG), 700_000_000, 350_000_000)
    return [(org.code, org.currency) for org in (*made, coop, vn)]


def _operation(schema, method, path):
    return schema[path][method]


def _check(case, auth):
    response = case.call(headers=auth)
    case.validate_response(response, checks=CHECKS)
    db.session.rollback()  # the test's own session must not hold anything between examples
    return response


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_reading_a_month_answers_as_documented(api, network, mode):
    schema, auth = api
    operation = _operation(schema, "GET", "/turnover")
    seen = set()

    @SETTINGS
    @given(case=operation.as_strategy(mode, headers=auth))
    def generated(case):
        seen.add(_check(case, auth).status_code)

    generated()
    assert 400 in seen

    @SETTINGS
    @given(case=operation.as_strategy(mode, headers=auth, query={"period": "2025-08"}))
    def a_month_with_reports(case):
        response = _check(case, auth)
        seen.add(response.status_code)
        if response.status_code == 200 and mode is GenerationMode.POSITIVE:
            assert all(row["period"] == "2025-08" for row in response.json()["rows"])

    a_month_with_reports()
    assert 200 in seen


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_submitting_batches_answers_as_documented(api, network, mode):
    schema, auth = api
    operation = _operation(schema, "POST", "/turnover/batches")
    seen = set()

    @SETTINGS
    @given(case=operation.as_strategy(mode, headers=auth))
    def generated(case):
        seen.add(_check(case, auth).status_code)

    generated()
    assert seen & {400, 422}
    if mode is GenerationMode.NEGATIVE:
        return

    # the same, with rows naming real organisations in an open month, so that batches get
    # through validation and are applied (or refused for their figures)
    @SETTINGS
    @given(case=operation.as_strategy(mode, headers=auth), data=st.data())
    def real_organisations(case, data):
        rows = case.body.get("rows") if isinstance(case.body, dict) else None
        for row in rows if isinstance(rows, list) else []:
            code, currency = data.draw(st.sampled_from(network))
            month = data.draw(st.sampled_from(["2025-08", "2025-07", "2025-09"]))
            row.update(organisation_code=code, currency=currency, period=month)
        seen.add(_check(case, auth).status_code)

    real_organisations()
    assert 200 in seen and 422 in seen
