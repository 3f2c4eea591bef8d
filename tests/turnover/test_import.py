"""Importing monthly turnover: all rows or none, every bad row listed, idempotent, locked
periods refuse, and what spreadsheets would run as formulas never gets in."""
import io

import sqlalchemy as sa
from openpyxl import Workbook

from portal.core.audit import AuditEntry
from portal.turnover.models import TurnoverReport, TurnoverRevision, TurnoverSource
from tests.turnover.helpers import AUG, HEADER, close_period, csv_text, report_count, unions


def _upload(client, content, filename="turnover.csv"):
    """Post the file as a browser would (the body built here: the test client would spool a
    large one to a temporary file it never closes)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    boundary = "portal-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/turnover/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _many_orgs(db, n):
    """n cooperatives under one union, inserted in bulk (factories would be slow for 10,000)."""
    from portal.accounts.models import Organisation

    made, _coop = unions(1)
    db.session.execute(sa.insert(Organisation), [
        {"code": f"IR-CO-{i:05d}", "name": f"تعاونی {i}", "kind": "cooperative",
         "parent_id": made[0].id, "country": "IR", "currency": "IRR", "province": "تهران",
         "search_key": "", "version_id": 1} for i in range(n)])
    db.session.commit()


def test_three_bad_rows_among_ten_thousand_change_nothing_and_all_three_are_listed(
        client, login_as, db):
    _many_orgs(db, 10_000)
    login_as("administrator")
    rows = [(f"IR-CO-{i:05d}", "2025-08", 1_000_000 + i, 400_000) for i in range(10_000)]
    text = csv_text(rows).splitlines()
    text[1 + 17] = "IR-CO-00017,2025-08,IRR,1000,5000,0,0,0,1"        # bank above total
    text[1 + 4242] = "IR-CO-NOPE,2025-08,IRR,1000,500,0,0,0,1"        # unknown code
    text[1 + 9998] = "IR-CO-09998,2025-13,IRR,=1+2,500,0,0,0,1"       # month, formula
    response = _upload(client, "\n".join(text) + "\n")
    assert response.status_code == 400
    assert report_count() == 0
    page = response.text
    assert "rows have errors" in page
    assert "<td>19</td>" in page and "larger than the total turnover" in page
    assert "<td>4,244</td>" in page and "IR-CO-NOPE" in page
    assert "<td>10,000</td>" in page and "2025-13" in page and "=1+2" in page


def test_the_same_file_twice_changes_nothing_the_second_time(client, login_as, db):
    made, coop = unions()
    login_as("administrator")
    content = csv_text([(made[0].code, "2025-08", 9_000_000, 3_000_000),
                        (coop.code, "2025-08", 2_000_000, 1_500_000)])
    assert _upload(client, content).status_code == 302
    first = {r.id: (r.version_id, r.updated_at) for r in db.session.scalars(
        sa.select(TurnoverReport))}
    audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert _upload(client, content).status_code == 302
    assert "0 new, 0 corrected, 2 unchanged" in client.get("/turnover/").text
    db.session.expire_all()
    assert {r.id: (r.version_id, r.updated_at) for r in db.session.scalars(
        sa.select(TurnoverReport))} == first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TurnoverRevision)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audits


def test_a_corrected_file_keeps_the_previous_values_and_who_changed_them(client, login_as, db):
    made, _coop = unions()
    admin = login_as("administrator")
    _upload(client, csv_text([(made[0].code, "2025-08", 9_000_000, 3_000_000)]))
    response = _upload(client, csv_text([(made[0].code, "2025-08", 9_000_000, 4_500_000)]))
    assert response.status_code == 302
    report = db.session.scalar(sa.select(TurnoverReport))
    assert report.bank_turnover == 4_500_000 and report.version_id == 2
    (revision,) = report.revisions
    assert revision.bank_turnover == 3_000_000 and revision.changed_by_id == admin.id
    page = client.get(f"/turnover/reports/{report.id}").text
    assert "3,000,000" in page and admin.full_name in page and "50.00%" in page


def test_a_closed_period_refuses_the_import(client, login_as, db):
    made, _coop = unions()
    close_period("IR", AUG)
    login_as("administrator")
    response = _upload(client, csv_text([(made[0].code, "2025-08", 9_000_000, 3_000_000)]))
    assert response.status_code == 400
    assert "the period 2025-08 is closed" in response.text
    assert report_count() == 0


def test_a_union_director_cannot_import_another_unions_figures(client, login_as, db):
    made, coop = unions()
    login_as("union_director", made[0])
    response = _upload(client, csv_text([(coop.code, "2025-08", 100, 50),
                                         (made[1].code, "2025-08", 100, 50)]))
    assert response.status_code == 400
    assert f"you may not report figures for “{made[1].code}”" in response.text
    assert report_count() == 0
    assert _upload(client, csv_text([(coop.code, "2025-08", 100, 50)])).status_code == 302
    assert db.session.scalar(sa.select(TurnoverReport)).source == TurnoverSource.REPORTED


def test_xlsx_imports_like_csv_and_exports_neutralise_formulas(client, login_as, db):
    made, _coop = unions()
    made[0].name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    login_as("administrator")
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append([made[0].code, "2025-08", "IRR", 8_000_000, 2_000_000, 1, 1, 1, 3])
    out = io.BytesIO()
    book.save(out)
    assert _upload(client, out.getvalue(), "figures.xlsx").status_code == 302
    period = db.session.scalar(sa.select(TurnoverReport)).period_id
    export = client.get(f"/turnover/export/reports.csv?period={period}")
    assert export.status_code == 200
    assert "'=HYPERLINK" in export.data.decode("utf-8-sig")


def test_the_template_lists_the_organisations_one_may_report_for(client, login_as, db):
    made, coop = unions()
    login_as("union_director", made[0])
    body = client.get("/turnover/import/template.csv?period=2025-08").data.decode("utf-8-sig")
    assert body.startswith("organisation_code,period,currency")
    assert f"{coop.code},2025-08,IRR" in body and made[1].code not in body


def test_figures_larger_than_the_columns_hold_are_refused_on_their_rows(client, login_as, db):
    made, _coop = unions(2)
    login_as("administrator")
    text = HEADER + (f"{made[0].code},2025-08,IRR,100,50,0,0,0,3000000000\n"
                     f"{made[1].code},2025-08,IRR,1e999999,50,0,0,0,1\n"
                     f"{made[1].code},2025-07,IRR,10,5,0,0,0,1\n")
    response = _upload(client, text)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "2 rows have errors" in page
    assert "“accounts” cannot be larger than 2147483647" in page
    assert "“total_turnover” cannot be larger than 9000000000000000" in page
    assert report_count() == 0


def test_an_import_that_meets_another_one_is_refused_whole_and_theirs_stands(
        client, login_as, db, monkeypatch):
    from portal.turnover import import_writing

    made, coop = unions()
    login_as("administrator")
    assert _upload(client, csv_text([(made[0].code, "2025-08", 100, 10)])).status_code == 302
    # as if the other import had written August after this one looked at the period
    monkeypatch.setattr(import_writing, "_periods_without_reports", lambda conn, ids: set(ids))
    response = _upload(client, csv_text([(coop.code, "2025-08", 500, 50),
                                         (made[0].code, "2025-08", 900, 90)]))
    assert response.status_code == 409
    assert "Another import wrote figures for the same months" in response.text
    db.session.expire_all()
    assert db.session.scalar(sa.select(TurnoverReport.total_turnover)) == 100
    assert report_count() == 1
