"""Browsing and searching the organisation directory, in English, Persian and Thai."""
import pytest
from playwright.sync_api import expect

from tests.e2e.pages import (
    check_accessibility,
    open_nav_link,
    sign_in,
    switch_language,
    translate,
)

pytestmark = pytest.mark.e2e

HEAD_OFFICE = "بانک توسعه تعاون"
HOUSING_UNION = "اتحادیه سراسری تعاونی\u200cهای مسکن"
# typed the way most keyboards make it: without the zero-width non-joiner
HOUSING_QUERY = "تعاونیهای مسکن"


@pytest.mark.parametrize("language", ["en", "fa", "th"])
def test_browse_open_and_search_organisations(page, live_server, admin, language, screenshots):
    app = live_server.app
    sign_in(page, admin["email"], admin["password"])
    if language != "en":
        switch_language(page, language)

    # the directory: a tree from the roots of the network
    open_nav_link(page, "/organisations/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h1")).to_have_text(translate(app, language, "Organisations"))
    tree = page.locator(".org-tree")
    expect(tree.get_by_role("link", name=HEAD_OFFICE, exact=True)).to_be_visible()
    expect(tree.get_by_role("link", name="Ngân hàng Chính sách xã hội", exact=True)).to_be_visible()
    check_accessibility(page, f"the organisations page ({language})")
    screenshots(page, f"organisations-{language}")

    # one organisation: its details, its people and the branches below it
    tree.get_by_role("link", name=HEAD_OFFICE, exact=True).click()
    page.wait_for_url("**/organisations/*")
    page.wait_for_load_state("load")
    expect(page.locator("main h1")).to_have_text(HEAD_OFFICE)
    expect(page.locator("main .breadcrumb")).to_contain_text(
        translate(app, language, "Organisations"))
    expect(page.locator("main dl")).to_contain_text("CDB-HO")
    expect(page.locator("main .list-group")).to_contain_text(admin["name"])
    expect(page.get_by_role("link", name="شعبه ویژه تعاون تهران", exact=True)).to_be_visible()
    check_accessibility(page, f"an organisation page ({language})")
    screenshots(page, f"organisation-{language}")

    # search in Persian without the zero-width non-joiner
    open_nav_link(page, "/organisations/")
    search = page.locator("form[role=search]")
    search.locator("#q").fill(HOUSING_QUERY)
    # Persian runs right to left in the box, whatever the page's language
    assert search.locator("#q").evaluate("box => box.matches(':dir(rtl)')")
    search.locator("button[type=submit]").click()
    page.wait_for_url("**/organisations/?q=*")
    page.wait_for_load_state("load")
    expect(page.locator("#q")).to_have_value(HOUSING_QUERY)
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("IR-UN-HOUS")
    result = rows.first.get_by_role("link", name=HOUSING_UNION, exact=True)
    expect(result).to_be_visible()
    check_accessibility(page, f"organisation search results ({language})")
    if language != "en":
        screenshots(page, f"organisations-search-{language}")

    result.click()
    page.wait_for_url("**/organisations/*")
    expect(page.locator("main h1")).to_have_text(HOUSING_UNION)
    check_accessibility(page, f"the housing union's page ({language})")


@pytest.fixture()
def many_organisations(live_server):
    """Treat the demo network as a large one: its organisations are chosen in a search box."""
    config = live_server.app.config
    before = config["ORG_PICKER_FROM"]
    config["ORG_PICKER_FROM"] = 5
    yield
    config["ORG_PICKER_FROM"] = before


def test_an_administrator_finds_a_union_by_typing_part_of_its_name(
        page, live_server, admin, screenshots, many_organisations):
    from tests.e2e.pages import PageChecks

    check = PageChecks(page, live_server.app, screenshots, "organisation-picker")
    sign_in(page, admin["email"], admin["password"])
    switch_language(page, "th")
    page.goto("/admin/users/new")
    box = page.locator("input#organisation_id")
    expect(box).to_have_attribute("list", "organisation_id-options")
    box.fill(HOUSING_QUERY)  # typed without the zero-width non-joiner
    suggestions = page.locator("#organisation_id-options option")
    expect(suggestions).to_have_count(1)
    expect(suggestions.first).to_have_attribute("value", f"{HOUSING_UNION} (IR-UN-HOUS)")
    check("the new person form with a searched organisation")
    box.fill(suggestions.first.get_attribute("value"))
    page.locator("#full_name").fill("สมหญิง ใจดี")
    page.locator("#email").fill("somying.picker@observer.example")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/admin/users/*")
    expect(page.locator("main")).to_contain_text(HOUSING_UNION)
