"""Importing plans, actuals and group ratings: the whole file or nothing, every bad row listed
with its line and reason, the same file twice changes nothing, CSV and XLSX, closed periods,
and who may import what."""
import html as html_lib
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.extensions import db
from portal.indicators import importing
from portal.indicators.models import (
    Grade,
    GroupRating,
    Indicator,
    IndicatorActual,
    IndicatorPlan,
)
from portal.turnover.models import PeriodStatus, ReportingPeriod
from tests.indicators.builders import (
    count,
    csv_rows,
    definitions,
    file_rows,
    group,
    office,
    upload,
    xlsx,
    xlsx_rows,
)

GRADES_ALLOWED = "Good (good), Fair (fair), Average (average), and Weak (weak)"
INDICATORS_ALLOWED = (
    "Outstanding loans (outstanding_loans), Borrowing households (borrowing_households), "
    "Growth of outstanding loans since the start of the year (loan_growth_ytd), Capital "
    "mobilised (capital_mobilised), Savings through groups (group_savings), Deposits from "
    "organisations and individuals (deposits), Overdue debt ratio (overdue_ratio), Bad-debt "
    "ratio (bad_debt_ratio), Disbursement rate (disbursement_rate), Collection rate "
    "(collection_rate), and Share of transaction value at commune points "
    "(commune_point_share)")

GOOD_ACTUALS = [
    ("KB-G1", "2023-08", "outstanding_loans", "100000", ""),
    ("KB-G2", "2023-08", "outstanding_loans", "250000", ""),
    ("KB-G1", "2023-08", "borrowing_households", "12", ""),
    ("KB-G2", "2023-08", "borrowing_households", "30", ""),
    ("KB-G1", "2023-08", "bad_debt_ratio", "150", "100000"),
    ("KB-G2", "2023-08", "bad_debt_ratio", "0", "250000"),
    ("KB-G1", "2023-08", "group_savings", "1 500", ""),        # spaces between thousands
    ("KB-OFF", "2023-08", "deposits", "4000.5", ""),
    ("KB-G1", "2023-07", "outstanding_loans", "90000", ""),
    ("KB-G2", "2023-07", "outstanding_loans", "240000", ""),
]


@pytest.fixture()
def district(db):
    definitions()
    kb = office("Hà Nam", "Kim Bảng", code="KB-OFF", name="Kim Bảng district office")
    g1 = group("Hà Nam", "Kim Bảng", "Quế", code="KB-G1", name="Tổ số 1")
    g2 = group("Hà Nam", "Kim Bảng", "Ba Sao", code="KB-G2", name="Tổ số 2")
    ln = group("Hà Nam", "Lý Nhân", "Nhân Hưng", code="LN-G1", name="Tổ Lý Nhân")
    db.session.commit()
    return {"office": kb, "g1": g1, "g2": g2, "elsewhere": ln}


def _amounts():
    return dict(((o, i, p), (a, b)) for o, i, p, a, b in db.session.execute(sa.select(
        IndicatorActual.organisation_id, Indicator.code, IndicatorActual.period,
        IndicatorActual.amount, IndicatorActual.base).join(Indicator)))


def _flash(client):
    """The last import message shown (earlier ones are shown once, too)."""
    found = re.findall(r"Imported: [^<]*", client.get("/indicators/").text)
    return found[-1] if found else None


def _bad_rows(response):
    table = re.search(r'<table[^>]*id="bad-rows".*?</table>', response.text, re.S)
    assert table, response.text[-3000:]
    return [(int(line.replace(",", "")), html_lib.unescape(reason)) for line, reason in
            re.findall(r"<tr><td>([\d,]+)</td><td>(.*?)</td></tr>", table.group(0))]


def test_a_good_file_is_imported_with_its_values(client, login_as, district):
    login_as("administrator")
    response = upload(client, "actuals", file_rows("actuals", GOOD_ACTUALS))
    assert response.status_code == 302
    assert _flash(client) == "Imported: 10 new, 0 updated, 0 unchanged."
    found = _amounts()
    g1, g2, kb = district["g1"].id, district["g2"].id, district["office"].id
    aug, jul = date(2023, 8, 1), date(2023, 7, 1)
    assert found[(g1, "outstanding_loans", aug)] == (100_000, None)
    assert found[(g1, "bad_debt_ratio", aug)] == (150, 100_000)
    assert found[(g2, "bad_debt_ratio", aug)] == (0, 250_000)
    assert found[(g1, "group_savings", aug)] == (1_500, None)
    assert found[(kb, "deposits", aug)] == (4_000.5, None)
    assert found[(g2, "outstanding_loans", jul)] == (240_000, None)
    assert len(found) == 10
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "indicator_actuals_imported"))
    assert entry.after == {"file": "actuals.csv", "created": 10, "updated": 0}


def test_the_same_file_twice_changes_nothing(client, login_as, district):
    login_as("administrator")
    text = file_rows("actuals", GOOD_ACTUALS)
    assert upload(client, "actuals", text).status_code == 302
    stamps = sorted(db.session.execute(sa.select(IndicatorActual.id,
                                                 IndicatorActual.updated_at)).all())
    assert upload(client, "actuals", text).status_code == 302
    assert _flash(client) == "Imported: 0 new, 0 updated, 10 unchanged."
    db.session.expire_all()
    assert sorted(db.session.execute(sa.select(IndicatorActual.id,
                                               IndicatorActual.updated_at)).all()) == stamps
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "indicator_actuals_imported")) == 1


def test_a_corrected_value_updates_only_that_row(client, login_as, district):
    login_as("administrator")
    assert upload(client, "actuals", file_rows("actuals", GOOD_ACTUALS)).status_code \
        == 302
    corrected = list(GOOD_ACTUALS)
    corrected[0] = ("KB-G1", "2023-08", "outstanding_loans", "110000", "")
    corrected[5] = ("KB-G2", "2023-08", "bad_debt_ratio", "0", "260000")   # a new base
    assert upload(client, "actuals", file_rows("actuals", corrected)).status_code \
        == 302
    assert _flash(client) == "Imported: 0 new, 2 updated, 8 unchanged."
    found = _amounts()
    aug = date(2023, 8, 1)
    assert found[(district["g1"].id, "outstanding_loans", aug)] == (110_000, None)
    assert found[(district["g2"].id, "bad_debt_ratio", aug)] == (0, 260_000)
    assert count(IndicatorActual) == 10


def test_plans_are_imported_updated_and_versioned(client, login_as, district):
    login_as("administrator")
    rows = [("KB-OFF", "2023", "outstanding_loans", "520418000000"),
            ("KB-OFF", "2024", "outstanding_loans", "600000000000"),
            ("KB-OFF", "2023", "borrowing_households", "8100")]
    assert upload(client, "plans", file_rows("plans", rows)).status_code == 302
    assert _flash(client) == "Imported: 3 new, 0 updated, 0 unchanged."
    rows[2] = ("KB-OFF", "2023", "borrowing_households", "8200")
    assert upload(client, "plans", file_rows("plans", rows)).status_code == 302
    assert _flash(client) == "Imported: 0 new, 1 updated, 2 unchanged."
    plans = {(p.year, p.indicator.code): (p.value, p.version_id)
             for p in db.session.scalars(sa.select(IndicatorPlan))}
    assert plans == {(2023, "outstanding_loans"): (520_418_000_000, 1),
                     (2024, "outstanding_loans"): (600_000_000_000, 1),
                     (2023, "borrowing_households"): (8_200, 2)}


def test_ratings_are_imported_and_a_regrade_is_an_update(client, login_as, district):
    login_as("administrator")
    rows = [("KB-G1", "2023-08", "good"), ("KB-G2", "2023-08", "Fair")]
    assert upload(client, "ratings", file_rows("ratings", rows)).status_code == 302
    assert upload(client, "ratings", file_rows("ratings", rows)).status_code == 302
    assert _flash(client) == "Imported: 0 new, 0 updated, 2 unchanged."
    rows[1] = ("KB-G2", "2023-08", "weak")
    assert upload(client, "ratings", file_rows("ratings", rows)).status_code == 302
    assert _flash(client) == "Imported: 0 new, 1 updated, 1 unchanged."
    grades = {r.organisation_id: r.grade for r in db.session.scalars(sa.select(GroupRating))}
    assert grades == {district["g1"].id: Grade.GOOD, district["g2"].id: Grade.WEAK}


def test_three_bad_rows_in_ten_thousand_change_nothing_and_are_all_listed(client, login_as,
                                                                         district):
    """10,000 rows over 500 months; the first, a middle and the last row are wrong."""
    login_as("administrator")
    codes = ("outstanding_loans", "borrowing_households", "loan_growth_ytd", "group_savings",
             "deposits")
    rows = [(org, f"{1990 + month // 12}-{month % 12 + 1:02d}", code, str(month), "")
            for month in range(500) for org in ("KB-G1", "KB-G2", "KB-OFF", "LN-G1")
            for code in codes]
    assert len(rows) == 10_000
    rows[0] = ("KB-G1", "2023-13", *rows[0][2:])
    rows[4_999] = (*rows[4_999][:3], "12.5.1", "")
    rows[9_999] = ("KB-NOPE", *rows[9_999][1:])
    response = upload(client, "actuals", file_rows("actuals", rows))
    assert response.status_code == 400
    assert "The file was not imported: 3 rows have errors." in response.text
    assert _bad_rows(response) == [
        (2, "“2023-13” is not a month (write it as 2025-08)"),
        (5_001, "“12.5.1” is not a number"),
        (10_001, "no organisation you may report for has the code “KB-NOPE”")]
    assert count(IndicatorActual) == 0
    assert count(AuditEntry) == 0


@pytest.mark.parametrize(("kind", "row", "reasons"), [
    ("actuals", ("KB-G9", "2023-08", "outstanding_loans", "1", ""),
     ["no organisation you may report for has the code “KB-G9”"]),
    ("actuals", ("KB-G1", "August 2023", "outstanding_loans", "1", ""),
     ["“August 2023” is not a month (write it as 2025-08)"]),
    ("actuals", ("KB-G1", "2023-08", "loans_from_heaven", "1", ""),
     ["“loans_from_heaven” is not an indicator; write one of: " + INDICATORS_ALLOWED]),
    ("actuals", ("KB-G1", "2023-08", "outstanding_loans", "=1+2", ""),
     ["“=1+2” is not a number"]),
    ("actuals", ("KB-G1", "2023-08", "outstanding_loans", "nan", ""),
     ["“nan” is not a number"]),
    ("actuals", ("KB-G1", "2023-08", "outstanding_loans", "", ""), ["“” is not a number"]),
    ("actuals", ("KB-G1", "2023-08", "bad_debt_ratio", "3", ""),
     ["a ratio needs its base (the amount it is a share of)"]),
    ("actuals", ("KB-G1", "2023-08", "bad_debt_ratio", "3", "-100"),
     ["“-100” is not a number"]),
    ("actuals", ("KB-G9", "2023-8x", "nothing", "x", ""),
     ["no organisation you may report for has the code “KB-G9”",
      "“2023-8x” is not a month (write it as 2025-08)",
      "“nothing” is not an indicator; write one of: " + INDICATORS_ALLOWED,
      "“x” is not a number"]),
    ("plans", ("KB-OFF", "23", "outstanding_loans", "1"), ["“23” is not a year"]),
    ("plans", ("KB-OFF", "2023", "outstanding_loans", "lots"), ["“lots” is not a number"]),
    ("ratings", ("KB-G1", "2023-08", "excellent"),
     ["“excellent” is not a grade; write one of: " + GRADES_ALLOWED]),
    ("ratings", ("KB-OFF", "2023-08", "good"), ["“KB-OFF” is not a savings-and-loan group"]),
])
def test_each_bad_row_is_listed_with_its_line_and_reason(client, login_as, district, kind,
                                                         row, reasons):
    login_as("administrator")
    good = {"actuals": ("KB-G2", "2023-08", "outstanding_loans", "5", ""),
            "plans": ("KB-OFF", "2024", "borrowing_households", "5"),
            "ratings": ("KB-G2", "2023-08", "good")}[kind]
    response = upload(client, kind, file_rows(kind, [good, row]))
    assert response.status_code == 400
    assert _bad_rows(response) == [(3, reason) for reason in reasons]
    assert count(IndicatorActual) + count(IndicatorPlan) + count(GroupRating) == 0


def test_the_message_counts_bad_rows_not_reasons(client, login_as, district):
    login_as("administrator")
    rows = [("KB-G9", "2023-8x", "nothing", "x", ""),          # four reasons, one row
            GOOD_ACTUALS[0],
            ("KB-G1", "2023-08", "bad_debt_ratio", "3", "")]  # one reason
    response = upload(client, "actuals", file_rows("actuals", rows))
    assert response.status_code == 400
    assert "The file was not imported: 2 rows have errors." in response.text
    assert [line for line, _reason in _bad_rows(response)] == [2, 2, 2, 2, 4]


def test_a_repeated_row_is_listed(client, login_as, district):
    login_as("administrator")
    rows = [GOOD_ACTUALS[0], GOOD_ACTUALS[1],
            ("KB-G1", "2023-08", "outstanding_loans", "7", "")]
    response = upload(client, "actuals", file_rows("actuals", rows))
    assert _bad_rows(response) == [(4, "this row repeats an earlier one")]
    assert count(IndicatorActual) == 0


def test_a_file_without_a_required_column_is_refused(client, login_as, district):
    login_as("administrator")
    response = upload(client, "actuals", "organisation_code,period,indicator\nKB-G1,2023-08,"
                                         "outstanding_loans\n")
    assert response.status_code == 400
    assert _bad_rows(response) == [(1, "missing columns: value")]


@pytest.mark.parametrize(("filename", "content", "message"), [
    ("actuals.csv", b"", "The file is empty."),
    ("actuals.csv", "organisation_code\nCafé\n".encode("latin-1"),
     "The file must be saved as UTF-8 text."),
    ("actuals.pdf", b"%PDF-1.4", "Upload a CSV or XLSX file."),
    ("actuals.xlsx", b"PK\x03\x04 not really a workbook", "The file is not a valid XLSX workbook."),
])
def test_files_that_cannot_be_read_are_refused(client, login_as, district, filename, content,
                                               message):
    login_as("administrator")
    response = upload(client, "actuals", content, filename)
    assert response.status_code == 400
    assert message in response.text
    assert count(IndicatorActual) == 0


def test_a_missing_file_is_refused(client, login_as, district):
    login_as("administrator")
    response = client.post("/indicators/import/actuals", data={})
    assert response.status_code == 400
    assert count(IndicatorActual) == 0


def test_a_semicolon_csv_with_a_bom_and_capitalised_headers_is_read(client, login_as, district):
    """What Excel saves in a European or Vietnamese locale."""
    login_as("administrator")
    text = "\ufeffOrganisation_Code;Period;Indicator;Value;Base\r\n" \
           "KB-G1;2023-08;outstanding_loans;100000;\r\n"
    assert upload(client, "actuals", text).status_code == 302
    assert _amounts() == {(district["g1"].id, "outstanding_loans", date(2023, 8, 1)):
                          (100_000, None)}


def test_an_xlsx_file_is_imported_like_a_csv(client, login_as, district):
    """Numbers typed as numbers, and months typed as 2023-08 (which Excel stores as a date)."""
    login_as("administrator")
    book = xlsx([importing.KINDS["actuals"],
                 ("KB-G1", "2023-08", "outstanding_loans", 100000, None),
                 ("KB-G2", datetime(2023, 8, 1), "outstanding_loans", 250000.0, None),
                 ("KB-G1", date(2023, 8, 1), "bad_debt_ratio", 150, 100000)])
    response = upload(client, "actuals", book, "actuals.xlsx")
    assert response.status_code == 302, _bad_rows(response)
    aug = date(2023, 8, 1)
    assert _amounts() == {(district["g1"].id, "outstanding_loans", aug): (100_000, None),
                          (district["g2"].id, "outstanding_loans", aug): (250_000, None),
                          (district["g1"].id, "bad_debt_ratio", aug): (150, 100_000)}
    plans = xlsx([importing.KINDS["plans"], ("KB-OFF", 2023, "outstanding_loans", 520418e6)])
    assert upload(client, "plans", plans, "plans.xlsx").status_code == 302
    assert db.session.scalar(sa.select(IndicatorPlan.value)) == 520_418e6
    # the same workbook again changes nothing
    assert upload(client, "actuals", book, "actuals.xlsx").status_code == 302
    assert _flash(client) == "Imported: 0 new, 0 updated, 3 unchanged."


def test_bad_rows_of_an_xlsx_file_are_listed_by_their_sheet_line(client, login_as, district):
    login_as("administrator")
    book = xlsx([importing.KINDS["ratings"], ("KB-G1", "2023-08", "good"),
                 ("KB-G2", "2023-08", "superb"), ("KB-G1", "2023-08", "weak")])
    response = upload(client, "ratings", book, "ratings.xlsx")
    assert response.status_code == 400
    assert _bad_rows(response) == [
        (3, "“superb” is not a grade; write one of: " + GRADES_ALLOWED),
        (4, "this row repeats an earlier one")]
    assert count(GroupRating) == 0


def test_a_closed_period_refuses_changes_but_other_months_and_countries_do_not(
        client, login_as, district):
    db.session.add_all([
        ReportingPeriod(country="VN", month=date(2023, 7, 1), status=PeriodStatus.CLOSED),
        ReportingPeriod(country="IR", month=date(2023, 8, 1), status=PeriodStatus.CLOSED)])
    db.session.commit()
    login_as("administrator")
    response = upload(client, "actuals", file_rows("actuals", GOOD_ACTUALS))
    assert response.status_code == 400
    assert _bad_rows(response) == [(10, "the period 2023-07 is closed"),
                                   (11, "the period 2023-07 is closed")]
    assert count(IndicatorActual) == 0
    assert upload(client, "actuals", file_rows("actuals", GOOD_ACTUALS[:8])) \
        .status_code == 302
    assert count(IndicatorActual) == 8


def test_the_error_page_shows_the_values_as_text(client, login_as, district):
    login_as("administrator")
    row = ("<script>alert(1)</script>", "2023-08", "outstanding_loans", "1", "")
    response = upload(client, "actuals", file_rows("actuals", [row]))
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_a_relationship_manager_imports_for_their_district_only(client, login, make_user,
                                                                district):
    login(make_user("relationship_manager", district["office"]))
    rows = [("KB-G1", "2023-08", "outstanding_loans", "1", ""),
            ("LN-G1", "2023-08", "outstanding_loans", "2", "")]
    response = upload(client, "actuals", file_rows("actuals", rows))
    assert response.status_code == 400
    assert _bad_rows(response) == [
        (3, "no organisation you may report for has the code “LN-G1”")]
    assert upload(client, "actuals", file_rows("actuals", rows[:1])).status_code == 302
    assert upload(client, "ratings", file_rows(
        "ratings", [("KB-G2", "2023-08", "fair")])).status_code == 302
    assert count(IndicatorActual) == 1 and count(GroupRating) == 1
    # plans are the administrator's
    assert client.get("/indicators/import/plans").status_code == 403
    plans = file_rows("plans", [("KB-OFF", "2023", "outstanding_loans", "1")])
    assert upload(client, "plans", plans).status_code == 403
    assert count(IndicatorPlan) == 0


@pytest.mark.parametrize("role", ["branch_staff", "union_director", "ministry_official"])
@pytest.mark.parametrize("kind", ["actuals", "ratings", "plans"])
def test_other_roles_cannot_import(client, login, make_user, district, role, kind):
    login(make_user(role, district["office"] if role == "branch_staff" else None))
    assert client.get(f"/indicators/import/{kind}").status_code == 403
    text = file_rows(kind, [importing.EXAMPLES[kind][0]])
    assert upload(client, kind, text).status_code == 403
    assert count(IndicatorActual) + count(IndicatorPlan) + count(GroupRating) == 0


def test_anonymous_visitors_cannot_import(client, district):
    response = upload(client, "actuals", file_rows("actuals", GOOD_ACTUALS))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert count(IndicatorActual) == 0


@pytest.mark.parametrize("kind", sorted(importing.KINDS))
def test_the_templates_have_the_columns_and_an_example(client, login_as, kind):
    login_as("relationship_manager")
    rows = csv_rows(client.get(f"/indicators/import/{kind}/template.csv"))
    assert rows[0] == list(importing.KINDS[kind])
    assert rows[1:] == [[str(v) for v in row] for row in importing.EXAMPLES[kind]]
    sheet = xlsx_rows(client.get(f"/indicators/import/{kind}/template.xlsx"))
    assert sheet[0] == list(importing.KINDS[kind])
    assert len(sheet) == len(importing.EXAMPLES[kind]) + 1
    assert client.get(f"/indicators/import/{kind}/template.pdf").status_code == 404


def test_the_demo_loader_goes_through_the_same_checks_and_is_idempotent(kim_bang):
    from portal.indicators import demo, services

    office_, _unions, _groups = kim_bang
    demo.seed({"VBSP-KB": office_})
    db.session.commit()
    counts = (count(IndicatorActual), count(IndicatorPlan), count(GroupRating))
    assert counts == (213 * 6 + 1 + 3, 4, 2 * 213)     # + deposits + Thanh Hóa's three
    stamps = sorted(db.session.execute(sa.select(IndicatorActual.id,
                                                 IndicatorActual.updated_at)).all())
    demo.seed({"VBSP-KB": office_})
    db.session.commit()
    assert (count(IndicatorActual), count(IndicatorPlan), count(GroupRating)) == counts
    assert sorted(db.session.execute(sa.select(IndicatorActual.id,
                                               IndicatorActual.updated_at)).all()) == stamps
    rows = {r["indicator"].code: r for r in services.scorecard(office_, date(2023, 8, 1))}
    assert round(rows["outstanding_loans"]["attainment"], 4) == Decimal("0.9841")
    assert round(rows["capital_mobilised"]["attainment"], 4) == Decimal("0.9176")
    assert round(rows["bad_debt_ratio"]["value"], 4) == Decimal("0.0012")
