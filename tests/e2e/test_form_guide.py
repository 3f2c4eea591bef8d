"""A refused form in the browser: focus lands on the error summary at the top, so a screen
reader reads it and a phone shows it; its link moves focus to the field; what was typed stays.
In Persian (right to left) on a 390 px phone, and in Thai."""
import pytest
from playwright.sync_api import expect

from tests.e2e.pages import check_accessibility, sign_in, switch_language, translated

pytestmark = pytest.mark.e2e

MANAGER = "rm.tehran@cdb.example"
PLACE = {"fa": "ساختمان مرکزی بانک توسعه تعاون، تهران", "th": "สำนักงานใหญ่ กรุงเทพฯ"}


@pytest.mark.parametrize("language", ["fa", "th"])
def test_a_refused_meeting_form_moves_focus_to_the_summary_then_to_the_field(
        page, live_server, demo_accounts, screenshots, language):
    sign_in(page, MANAGER, demo_accounts.password)
    switch_language(page, language)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/meetings/new")
    required = translated(live_server.app, language, "(required)")
    expect(page.locator('label[for="title"]')).to_contain_text(required)
    page.locator("#title").fill("")
    page.locator("#place").fill(PLACE[language])
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(page.locator("#place")).to_have_value(PLACE[language])
    screenshots(page, f"form-guide-refused-{language}-390")
    check_accessibility(page, f"a refused meeting form in {language}")

    summary.locator('a[href="#title"]').click()
    expect(page.locator("#title")).to_be_focused()
