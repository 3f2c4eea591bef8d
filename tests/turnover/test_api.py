"""The JSON API the bank's core systems use: tokens (hashed, scoped, revocable), batches that
are applied whole or not at all, idempotent replays, locked periods, and reading a month."""
import hashlib
import json

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.core.errors import PermissionDenied, ValidationError
from portal.extensions import db
from portal.turnover import tokens
from portal.turnover.models import (
    ApiSubmission,
    ApiToken,
    TurnoverReport,
    TurnoverRevision,
    TurnoverSource,
)
from tests import factories
from tests.turnover.helpers import (
    API,
    AUG,
    JUL,
    api_row,
    bearer,
    close_period,
    count,
    issue_token,
    make_report,
    open_period,
    report_count,
    unions,
)

BATCHES = f"{API}/turnover/batches"


def _submit(client, text, rows, key="batch-2025-08-1"):
    """POST a batch exactly as serialised here (the replay must send the same bytes)."""
    return client.post(BATCHES, data=json.dumps({"rows": rows}), headers=bearer(text, key),
                       content_type="application/json")


def _reports():
    return {r.organisation.code: r for r in db.session.scalars(sa.select(TurnoverReport))}


# --- tokens ----------------------------------------------------------------------------------

def test_an_issued_token_is_stored_only_as_its_sha256(db):
    admin = factories.make_user("administrator")
    token, text = tokens.issue_token(admin, "  core banking  ", ["turnover:read", "bogus"])
    db.session.commit()
    assert text.startswith("cbp_") and len(text) > 40
    assert token.name == "core banking" and token.scopes == "turnover:read"
    assert token.token_hash == hashlib.sha256(text.encode()).hexdigest()
    assert token.prefix == text[:10]
    # the token itself is nowhere in the database: not in the token row, not in the audit log
    stored = [tuple(row) for row in db.session.execute(sa.select(ApiToken.__table__))]
    stored += [tuple(row) for row in db.session.execute(sa.select(AuditEntry.__table__))]
    assert stored and not any(text in str(value) for row in stored for value in row)
    # a second token is a different secret
    _other, second = tokens.issue_token(admin, "data warehouse", ["turnover:write"])
    assert second != text


def test_only_administrators_issue_tokens_and_a_token_needs_a_scope(db):
    director = factories.make_user("union_director")
    with pytest.raises(PermissionDenied):
        tokens.issue_token(director, "mine", ["turnover:read", "turnover:write"])
    admin = factories.make_user("administrator")
    with pytest.raises(ValidationError):
        tokens.issue_token(admin, "nothing", ["turnover:delete"])
    db.session.rollback()
    assert count(ApiToken) == 0


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "cbp_no_bearer_word"},
    {"Authorization": "Basic YWRtaW46YWRtaW4="},
    {"Authorization": "Bearer cbp_this-token-was-never-issued"},
    {"Authorization": "Bearer "},
], ids=["missing", "no-scheme", "basic", "unknown", "empty"])
def test_without_a_valid_token_both_operations_answer_401_and_change_nothing(
        client, db, headers):
    made, _coop = unions(1)
    issue_token()  # a real token exists; the request does not carry it
    listed = client.get(f"{API}/turnover?period=2025-08", headers=headers)
    assert listed.status_code == 401 and listed.is_json and listed.get_json()["error"]
    submitted = client.post(BATCHES, json={"rows": [api_row(made[0].code)]},
                            headers=headers | {"Idempotency-Key": "k1"})
    assert submitted.status_code == 401 and submitted.get_json()["error"]
    assert report_count() == 0 and count(ApiSubmission) == 0


def test_a_revoked_token_is_refused(client, db):
    made, _coop = unions(1)
    token, text = issue_token()
    assert client.get(f"{API}/turnover?period=2025-08", headers=bearer(text)).status_code == 200
    tokens.revoke_token(factories.make_user("administrator"), token)
    db.session.commit()
    assert client.get(f"{API}/turnover?period=2025-08", headers=bearer(text)).status_code == 401
    response = _submit(client, text, [api_row(made[0].code)])
    assert response.status_code == 401
    assert "revoked" in response.get_json()["error"]
    assert report_count() == 0


def test_a_read_only_token_cannot_submit_and_a_write_only_token_cannot_read(client, db):
    made, _coop = unions(1)
    _reader, read_only = issue_token(["turnover:read"], name="warehouse")
    _writer, write_only = issue_token(["turnover:write"], name="core banking")
    refused = _submit(client, read_only, [api_row(made[0].code)])
    assert refused.status_code == 403 and refused.get_json()["error"]
    assert report_count() == 0 and count(ApiSubmission) == 0
    assert client.get(f"{API}/turnover?period=2025-08",
                      headers=bearer(write_only)).status_code == 403
    # each may do what it was issued for
    assert _submit(client, write_only, [api_row(made[0].code)]).status_code == 200
    listed = client.get(f"{API}/turnover?period=2025-08", headers=bearer(read_only))
    assert listed.status_code == 200 and len(listed.get_json()["rows"]) == 1


def test_using_a_token_records_when_it_was_last_used(client, db):
    token, text = issue_token(["turnover:read"])
    assert token.last_used_at is None
    client.get(f"{API}/turnover?period=2025-08", headers=bearer(text))
    assert db.session.get(ApiToken, token.id).last_used_at is not None


# --- batches ---------------------------------------------------------------------------------

def test_a_batch_is_applied_and_marked_as_coming_from_the_bank_systems(client, db):
    made, coop = unions(2)
    _token, text = issue_token()
    response = _submit(client, text, [api_row(made[0].code, total=9_000_000, bank=3_000_000),
                                      api_row(coop.code, total=2_000_000, bank=1_500_000,
                                              accounts=12)])
    assert response.status_code == 200
    assert response.get_json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert "Idempotent-Replayed" not in response.headers
    reports = _reports()
    assert set(reports) == {made[0].code, coop.code}
    assert reports[made[0].code].total_turnover == 9_000_000
    assert reports[made[0].code].bank_turnover == 3_000_000
    assert reports[coop.code].accounts == 12
    assert reports[coop.code].period.key == "2025-08"
    assert {r.source for r in reports.values()} == {TurnoverSource.BANK_SYSTEM}
    assert {r.reported_by_id for r in reports.values()} == {None}


def test_a_batch_correcting_figures_keeps_the_earlier_values(client, login_as, db):
    made, _coop = unions(1)
    period = open_period("IR", AUG)
    report = make_report(made[0], period, 9_000_000, 3_000_000)
    _token, text = issue_token()
    response = _submit(client, text, [api_row(made[0].code, total=9_000_000, bank=4_500_000),
                                      api_row(made[0].code, month="2025-07")])
    assert response.get_json() == {"created": 1, "updated": 1, "unchanged": 0}
    db.session.expire_all()
    report = db.session.get(TurnoverReport, report.id)
    assert report.bank_turnover == 4_500_000 and report.version_id == 2
    assert report.source == TurnoverSource.BANK_SYSTEM
    (revision,) = report.revisions
    assert revision.bank_turnover == 3_000_000 and revision.changed_by_id is None
    assert revision.source == TurnoverSource.REPORTED
    login_as("administrator")
    page = client.get(f"/turnover/reports/{report.id}").text
    assert "The bank&#39;s systems" in page or "The bank's systems" in page
    assert "3,000,000" in page


def test_replaying_a_batch_returns_the_first_answer_and_changes_nothing(client, db):
    made, coop = unions(2)
    _token, text = issue_token()
    rows = [api_row(made[0].code), api_row(coop.code, total=100, bank=50)]
    first = _submit(client, text, rows, key="2025-08-run-17")
    assert first.status_code == 200
    before = {code: (r.version_id, r.updated_at) for code, r in _reports().items()}
    audits, submissions = count(AuditEntry), count(ApiSubmission)
    # someone corrects a figure in the portal; a late replay must not undo it
    report = _reports()[coop.code]
    report.bank_turnover = 60
    db.session.commit()
    before[coop.code] = (report.version_id, report.updated_at)
    replay = _submit(client, text, rows, key="2025-08-run-17")
    assert replay.status_code == first.status_code
    assert replay.get_json() == first.get_json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    db.session.expire_all()
    reports = _reports()
    assert {code: (r.version_id, r.updated_at) for code, r in reports.items()} == before
    assert reports[coop.code].bank_turnover == 60
    assert report_count() == 2 and count(TurnoverRevision) == 0
    assert count(AuditEntry) == audits and count(ApiSubmission) == submissions


def test_the_same_key_with_another_body_is_refused_with_409_and_not_applied(client, db):
    made, coop = unions(2)
    _token, text = issue_token()
    assert _submit(client, text, [api_row(made[0].code)], key="k-42").status_code == 200
    other = _submit(client, text, [api_row(made[0].code, bank=1),
                                   api_row(coop.code)], key="k-42")
    assert other.status_code == 409 and other.get_json()["error"]
    assert "Idempotent-Replayed" not in other.headers
    reports = _reports()
    assert set(reports) == {made[0].code}
    assert reports[made[0].code].bank_turnover == 3_000_000
    assert count(TurnoverRevision) == 0 and count(ApiSubmission) == 1
    # a new key applies it
    assert _submit(client, text, [api_row(made[0].code, bank=1),
                                  api_row(coop.code)], key="k-43").status_code == 200
    assert _reports()[made[0].code].bank_turnover == 1


def test_a_batch_without_an_idempotency_key_is_refused(client, db):
    made, _coop = unions(1)
    _token, text = issue_token()
    for headers in (bearer(text), bearer(text, "   "), bearer(text, "k" * 101)):
        response = client.post(BATCHES, json={"rows": [api_row(made[0].code)]},
                               headers=headers)
        assert response.status_code == 400, headers
        assert "Idempotency-Key" in response.get_json()["error"]
    assert report_count() == 0 and count(ApiSubmission) == 0


@pytest.mark.parametrize("body", [b"{not json", b'{"rows": []}', b'{"rows": "all"}',
                                  b"[1, 2]", b""])
def test_a_malformed_body_is_refused_with_400_and_nothing_applied(client, db, body):
    unions(1)
    _token, text = issue_token()
    response = client.post(BATCHES, data=body, headers=bearer(text, "k"),
                           content_type="application/json")
    assert response.status_code == 400
    assert response.is_json and response.get_json()["error"]
    assert report_count() == 0


def test_a_batch_with_bad_rows_lists_every_one_and_applies_nothing(client, db):
    made, coop = unions(2)
    _token, text = issue_token()
    rows = [api_row(made[0].code),                                   # 1: fine
            api_row("IR-NOPE"),                                      # 2: unknown code
            api_row(coop.code, total=1_000, bank=5_000),             # 3: bank above total
            api_row(made[1].code, month="2025-13"),                  # 4: not a month
            api_row(coop.code, month="2025-07", currency="VND"),     # 5: wrong currency
            api_row(made[1].code, total="=1+2"),                     # 6: a formula
            api_row(made[0].code, deposits=-5),                      # 7: negative, twice
            api_row(made[1].code, month="2025-07")]                  # 8: fine
    response = _submit(client, text, rows)
    assert response.status_code == 422
    answer = response.get_json()
    assert "6 rows have errors" in answer["error"]
    by_row = {}
    for error in answer["errors"]:
        by_row.setdefault(error["row"], []).append(error["reason"])
    assert set(by_row) == {2, 3, 4, 5, 6, 7}
    assert "IR-NOPE" in by_row[2][0]
    assert "larger than the total turnover" in by_row[3][0]
    assert "2025-13" in by_row[4][0]
    assert "VND" in by_row[5][0]
    assert "=1+2" in by_row[6][0]
    assert "negative" in by_row[7][0] and "appears twice" in by_row[7][1]
    assert len(answer["errors"]) == 7  # every reason of every row, counted as six rows
    assert report_count() == 0 and count(TurnoverRevision) == 0
    # the refusal is the answer for this key: a replay gets it again, still nothing applied
    replay = _submit(client, text, rows)
    assert replay.status_code == 422 and replay.get_json() == answer
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert report_count() == 0


def test_figures_larger_than_the_database_holds_are_refused_row_by_row(client, db):
    """Before: accounts above 2,147,483,647 (an INTEGER column) or any figure above a BIGINT
    failed the whole request in the database (500 on PostgreSQL)."""
    made, coop = unions(2)
    _token, text = issue_token()
    rows = [api_row(made[0].code, accounts=2_147_483_647),                # 1: the largest
            api_row(coop.code, accounts=2_147_483_648),                   # 2: one more
            api_row(made[1].code, total=10**19, bank=1),                  # 3: above BIGINT
            api_row(coop.code, month="2025-07", deposits=9 * 10**18 + 1)]  # 4
    response = _submit(client, text, rows)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [e["row"] for e in errors] == [2, 3, 4]
    assert "“accounts” cannot be larger than 2147483647" in errors[0]["reason"]
    assert "“total_turnover” cannot be larger than" in errors[1]["reason"]
    assert "“deposits” cannot be larger than" in errors[2]["reason"]
    assert report_count() == 0
    assert _submit(client, text, rows[:1], key="the-largest").status_code == 200
    assert _reports()[made[0].code].accounts == 2_147_483_647


def test_an_exponent_in_a_figure_is_refused_at_once(client, db):
    """"1e400000" as a whole number has 400,001 digits: expanding it took seconds of CPU per
    value (minutes for "1e9999999"), a cheap way to tie up the server."""
    made, _coop = unions(1)
    _token, text = issue_token()
    response = _submit(client, text, [api_row(made[0].code, total="1e400000"),
                                      api_row(made[0].code, month="2025-07",
                                              loans="-1e400000")])
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [(e["row"], "larger than" in e["reason"]) for e in errors] == [(1, True),
                                                                         (2, False)]
    assert "negative" in errors[1]["reason"]
    assert report_count() == 0


def test_a_closed_period_refuses_the_batch(client, db):
    made, coop = unions(2)
    period = open_period("IR", AUG)
    report = make_report(made[0], period, 9_000_000, 3_000_000)
    close_period("IR", AUG)
    _token, text = issue_token()
    response = _submit(client, text, [api_row(made[0].code, bank=1),
                                      api_row(coop.code, month="2025-07")])
    assert response.status_code == 422
    (error,) = response.get_json()["errors"]
    assert error["row"] == 1 and "the period 2025-08 is closed" in error["reason"]
    db.session.expire_all()
    assert db.session.get(TurnoverReport, report.id).bank_turnover == 3_000_000
    assert report_count() == 1 and count(TurnoverRevision) == 0


# --- reading ---------------------------------------------------------------------------------

def _listing(db):
    made, coop = unions(2)
    vn = factories.make_org("mass_organisation", code="VN-HPN-KB")
    aug, jul = open_period("IR", AUG), open_period("IR", JUL)
    vn_aug = open_period("VN", AUG)
    make_report(made[0], aug, 9_000_000, 3_000_000)
    make_report(made[1], aug, 5_000_000, 4_000_000, accounts=7)
    make_report(coop, aug, 2_000_000, 1_500_000)
    make_report(made[0], jul, 8_000_000, 1_000_000)
    make_report(vn, vn_aug, 700_000_000, 350_000_000)
    _token, text = issue_token(["turnover:read"])
    return made, coop, vn, text


def test_reading_a_month_returns_its_reports(client, db):
    made, coop, vn, text = _listing(db)
    response = client.get(f"{API}/turnover?period=2025-08", headers=bearer(text))
    assert response.status_code == 200 and response.is_json
    answer = response.get_json()
    codes = [row["organisation_code"] for row in answer["rows"]]
    assert codes == sorted([made[0].code, made[1].code, coop.code, vn.code])
    row = next(r for r in answer["rows"] if r["organisation_code"] == made[1].code)
    assert row == {"organisation_code": made[1].code, "period": "2025-08", "currency": "IRR",
                   "total_turnover": 5_000_000, "bank_turnover": 4_000_000, "deposits": 0,
                   "average_balance": 0, "loans": 0, "accounts": 7, "source": "reported",
                   "version": 1}
    july = client.get(f"{API}/turnover?period=2025-07", headers=bearer(text)).get_json()
    assert [(r["organisation_code"], r["bank_turnover"]) for r in july["rows"]] == [
        (made[0].code, 1_000_000)]
    assert client.get(f"{API}/turnover?period=2024-01",
                      headers=bearer(text)).get_json()["rows"] == []


def test_reading_filters_by_country_and_pages_with_limit_and_offset(client, db):
    made, coop, vn, text = _listing(db)
    iran = sorted([made[0].code, made[1].code, coop.code])

    def codes(query):
        response = client.get(f"{API}/turnover?period=2025-08&{query}", headers=bearer(text))
        assert response.status_code == 200
        return [r["organisation_code"] for r in response.get_json()["rows"]]

    assert codes("country=IR") == iran
    assert codes("country=vn") == [vn.code]
    assert codes("country=IR&limit=2") == iran[:2]
    assert codes("country=IR&limit=2&offset=2") == iran[2:]
    assert codes("country=IR&offset=3") == []
    answer = client.get(f"{API}/turnover?period=2025-08&limit=2&offset=1",
                        headers=bearer(text)).get_json()
    assert answer["limit"] == 2 and answer["offset"] == 1 and len(answer["rows"]) == 2


@pytest.mark.parametrize(("query", "limit", "offset", "count"), [
    ("limit=-1", 1, 0, 1),
    ("limit=-9223372036854775809", 1, 0, 1),
    ("limit=999999", 10_000, 0, 4),
    ("limit=0", 1000, 0, 4),
    ("limit=many", 1000, 0, 4),
    ("offset=-5", 1000, 0, 4),
    ("offset=100000000000000000000", 1000, 2_147_483_647, 0),
])
def test_limit_and_offset_out_of_range_are_brought_into_range(client, db, query, limit,
                                                                offset, count):
    """Before: a negative or huge limit/offset failed in the database (500 on PostgreSQL;
    on SQLite a negative limit returned every row)."""
    _made, _coop, _vn, text = _listing(db)
    response = client.get(f"{API}/turnover?period=2025-08&{query}", headers=bearer(text))
    assert response.status_code == 200
    answer = response.get_json()
    assert (answer["limit"], answer["offset"], len(answer["rows"])) == (limit, offset, count)


@pytest.mark.parametrize("query", ["", "?period=", "?period=August", "?period=2025-13",
                                   "?country=IR"])
def test_reading_without_a_valid_period_is_refused_with_400(client, db, query):
    _token, text = issue_token(["turnover:read"])
    response = client.get(f"{API}/turnover{query}", headers=bearer(text))
    assert response.status_code == 400
    assert "period" in response.get_json()["error"]


def test_the_openapi_document_describes_both_operations(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/turnover", "/turnover/batches"}
    assert document["servers"] == [{"url": "http://portal.test/api/v1"}]
    # what the columns hold
    row = document["components"]["schemas"]["Row"]["properties"]
    assert row["accounts"]["maximum"] == 2_147_483_647
    assert row["total_turnover"]["maximum"] < 2**63


# --- the administrators' page ----------------------------------------------------------------

def test_an_administrator_issues_and_revokes_a_token_through_the_page(client, login_as, db):
    made, _coop = unions(1)
    login_as("administrator")
    page = client.post("/turnover/tokens", data={"name": "Core banking (Tehran)",
                                                 "scopes": "turnover:write turnover:read"})
    assert page.status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    assert token.name == "Core banking (Tehran)"
    assert token.scope_set == {"turnover:read", "turnover:write"}
    start = page.text.index('id="issued-token">') + len('id="issued-token">')
    text = page.text[start:page.text.index("</code>", start)]
    assert text.startswith(token.prefix) and token.token_hash == tokens.token_hash(text)
    # shown once: the list shows only the prefix afterwards
    listing = client.get("/turnover/tokens").text
    assert token.prefix in listing and text not in listing
    assert _submit(client, text, [api_row(made[0].code)]).status_code == 200

    revoked = client.post(f"/turnover/tokens/{token.id}/revoke")
    assert revoked.status_code == 302
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert "Revoked" in client.get("/turnover/tokens").text
    refused = _submit(client, text, [api_row(made[0].code, bank=1)], key="after-revoke")
    assert refused.status_code == 401
    assert client.get(f"{API}/turnover?period=2025-08", headers=bearer(text)).status_code == 401
    assert _reports()[made[0].code].bank_turnover == 3_000_000


def test_an_issue_without_a_name_is_refused_and_nothing_is_issued(client, login_as, db):
    login_as("administrator")
    page = client.post("/turnover/tokens", data={"name": "", "scopes": "turnover:read"})
    assert page.status_code == 400 and 'id="issued-token"' not in page.text
    assert count(ApiToken) == 0


@pytest.mark.parametrize("role", ["union_director", "relationship_manager", "branch_staff",
                                  "ministry_official"])
def test_others_are_refused_the_tokens_page_and_cannot_issue_or_revoke(client, login_as, db,
                                                                       role):
    token, text = issue_token(["turnover:read"])
    login_as(role)
    assert client.get("/turnover/tokens").status_code == 403
    issued = client.post("/turnover/tokens", data={"name": "mine",
                                                   "scopes": "turnover:write turnover:read"})
    assert issued.status_code == 403
    assert client.post(f"/turnover/tokens/{token.id}/revoke").status_code == 403
    assert count(ApiToken) == 1
    assert db.session.get(ApiToken, token.id).revoked_at is None
    assert client.get(f"{API}/turnover?period=2025-08", headers=bearer(text)).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    token, _text = issue_token(["turnover:read"])
    response = client.get("/turnover/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/turnover/tokens/{token.id}/revoke").status_code == 302
    assert db.session.get(ApiToken, token.id).revoked_at is None
