"""Issue 7: a large import shows its progress, and its answer is what a plain post would give.

The administrator imports the demo's own August figures in Persian: the file goes up with
upload progress (the request carries X-Upload-Progress), the portal lands on the dashboard
with its message, and nothing changed. A file with two bad rows replaces the page with the
list of bad rows, and the form on it still sends with progress.
"""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.i18n.formatting import to_persian_digits
from portal.turnover.demo import MONTHS
from tests.e2e.pages import PageChecks, sign_in, switch_language, translated

pytestmark = pytest.mark.e2e

HEADER = ("organisation_code,period,currency,total_turnover,bank_turnover,deposits,"
          "average_balance,loans,accounts\n")


def _demo_month_file(app, month):
    """The demo's reports of that month, in the import format (importing them changes
    nothing: the other e2e flows keep the figures they expect)."""
    from portal.accounts.models import Organisation
    from portal.extensions import db
    from portal.turnover.models import ReportingPeriod, TurnoverReport

    with app.app_context():
        rows = db.session.execute(sa.select(TurnoverReport, Organisation.code).join(
            Organisation, Organisation.id == TurnoverReport.organisation_id).join(
            ReportingPeriod, ReportingPeriod.id == TurnoverReport.period_id).where(
            ReportingPeriod.month == month)).all()
    assert rows, "the demo has no turnover for that month"
    return HEADER + "".join(
        f"{code},{month:%Y-%m},{r.currency},{r.total_turnover},{r.bank_turnover},{r.deposits},"
        f"{r.average_balance},{r.loans},{r.accounts}\n" for r, code in rows), len(rows)


def test_an_import_goes_up_with_progress_and_lands_where_a_plain_post_would(
        page, live_server, admin, screenshots, tmp_path):
    app = live_server.app
    check = PageChecks(page, app, screenshots, "import-progress")
    sign_in(page, admin["email"], admin["password"])
    switch_language(page, "fa")
    page.goto("/turnover/import")
    check("the turnover import page")
    form = page.locator("form[data-upload-progress]")
    expect(form.locator("progress")).to_be_hidden()

    sent = []
    page.on("request", lambda request: sent.append(request.headers.get("x-upload-progress"))
            if request.method == "POST" else None)
    good, count = _demo_month_file(app, MONTHS[-1])
    (tmp_path / "august.csv").write_text(good, encoding="utf-8")
    form.locator("input[type=file]").set_input_files(str(tmp_path / "august.csv"))
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/turnover/")
    message = translated(app, "fa", "Imported: %(created)d new, %(updated)d corrected, "
                         "%(unchanged)d unchanged.", created=0, updated=0, unchanged=count)
    expect(page.locator(".alert-success")).to_have_text(to_persian_digits(message))
    assert sent == ["1"], "the file was not sent by the progress script"

    bad = good.replace(f"{MONTHS[-1]:%Y-%m}", "2025-13", 2)
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    page.goto("/turnover/import")
    page.locator("form[data-upload-progress] input[type=file]").set_input_files(
        str(tmp_path / "bad.csv"))
    with page.expect_response("**/turnover/import") as answer:
        page.locator("form[data-upload-progress] button[type=submit]").click()
    assert answer.value.status == 400
    expect(page.locator("#bad-rows tbody tr")).to_have_count(2)
    assert page.url.endswith("/turnover/import")
    check("the import page listing the bad rows")
    # the answer replaced the page: its form sends with progress again
    page.locator("form[data-upload-progress] input[type=file]").set_input_files(
        str(tmp_path / "bad.csv"))
    with page.expect_response("**/turnover/import") as answer:
        page.locator("form[data-upload-progress] button[type=submit]").click()
    assert answer.value.status == 400
    expect(page.locator("#bad-rows tbody tr")).to_have_count(2)
    assert sent == ["1", "1", "1"]
    # a rejected file is answered 400, as a plain post would be: expected here
    page.log.failed_responses = [r for r in page.log.failed_responses
                                 if not (r.startswith("400 ") and r.endswith("/turnover/import"))]


def test_an_import_that_meets_another_one_says_so_in_thai_and_changes_nothing(
        page, live_server, admin, screenshots, tmp_path, monkeypatch):
    from portal.turnover import import_writing

    app = live_server.app
    check = PageChecks(page, app, screenshots, "import-conflict")
    sign_in(page, admin["email"], admin["password"])
    switch_language(page, "th")
    good, _count = _demo_month_file(app, MONTHS[-1])
    (tmp_path / "august.csv").write_text(good, encoding="utf-8")
    # as if another import had written these months after this one looked at them (the live
    # server runs in this process: its import sees the same function)
    monkeypatch.setattr(import_writing, "_periods_without_reports", lambda conn, ids: set(ids))
    page.goto("/turnover/import")
    page.locator("form[data-upload-progress] input[type=file]").set_input_files(
        str(tmp_path / "august.csv"))
    with page.expect_response("**/turnover/import") as answer:
        page.locator("form[data-upload-progress] button[type=submit]").click()
    assert answer.value.status == 409
    message = translated(app, "th", "Another import wrote figures for the same months while "
                         "this file was being imported. Their figures are kept and nothing "
                         "from this file was imported: import it again.")
    expect(page.locator(".alert-danger")).to_have_text(message)
    check("the import page after meeting another import")
    monkeypatch.undo()
    # the figures already there stand, as they were
    assert _demo_month_file(app, MONTHS[-1])[0] == good
    page.log.failed_responses = [r for r in page.log.failed_responses
                                 if not (r.startswith("409 ") and r.endswith("/turnover/import"))]
