"""Issue 20: a crafted workbook (a few kilobytes whose cells sit at row 900,000 and column ZZ)
is refused at once, and the importer reads why in their language, digits included."""
import pytest
from playwright.sync_api import expect

from tests.core.test_tabular_limits import HEAD, HEADER_ROW, TAIL, _workbook
from tests.e2e.pages import PageChecks, sign_in, switch_language

pytestmark = pytest.mark.e2e

CRAFTED = _workbook(HEAD + HEADER_ROW + b'<row r="900000"><c r="ZZ900000"><v>1</v></c></row>'
                    + TAIL)
# "row 900,000" and "50,000 rows", as each language writes its numbers
EXPECTED = {"fa": ("۹۰۰,۰۰۰", "CSV"), "th": ("900,000", "CSV")}


@pytest.mark.parametrize("language", ["fa", "th"])
def test_a_crafted_workbook_is_refused_with_the_reasons_in_the_readers_language(
        page, live_server, admin, screenshots, tmp_path, language):
    check = PageChecks(page, live_server.app, screenshots, "crafted-workbook")
    sign_in(page, admin["email"], admin["password"])
    switch_language(page, language)
    page.goto("/turnover/import")
    (tmp_path / "figures.xlsx").write_bytes(CRAFTED)
    form = page.locator("main form").filter(has=page.locator("input[type=file]"))
    form.locator("input[type=file]").set_input_files(str(tmp_path / "figures.xlsx"))
    with page.expect_response("**/turnover/import") as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 400
    # the upload script sends the form itself (fetch): its 400 is the refusal shown here
    page.log.failed_responses = [r for r in page.log.failed_responses
                                 if not r.startswith("400 ") or "/turnover/import" not in r]
    alert = page.locator("main .alert-danger").first
    for part in EXPECTED[language]:
        expect(alert).to_contain_text(part)
    expect(alert).not_to_contain_text("too large to import")
    check("the import page refusing a crafted workbook")
