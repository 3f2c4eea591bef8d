"""Results in the browser: the Tehran relationship manager records a milestone on the
weavers' facility in Persian digits; a Thai observer of the Vietnamese network reads that
network's results and none of Iran's. Checked with axe, at 390 px too."""
import pytest
from playwright.sync_api import expect

from tests.e2e.pages import check_accessibility, sign_in, translated

pytestmark = pytest.mark.e2e

MANAGER = "rm.tehran@cdb.example"
OBSERVER = "somchai@observer.example"
WEAVERS = "تسهیلات سرمایه در گردش بافندگان روستایی"
MARKET_DAYS = "Đổi lịch giao dịch tại xã tránh ngày chợ phiên"


def test_a_persian_manager_records_a_milestone_reached(page, live_server, demo_accounts,
                                                        screenshots):
    sign_in(page, MANAGER, demo_accounts.password)
    page.goto("/results/")
    expect(page.locator("h1")).to_have_text(
        translated(live_server.app, "fa", "Results: you said, we did"))
    page.get_by_role("link", name=WEAVERS).click()
    expect(page.locator("#result-title")).to_have_text(WEAVERS)
    page.locator("#day").fill("۱۴۰۵/۰۱/۲۰")
    page.locator("#title").fill("ارسال پیش‌نویس نهایی به کمیته")
    page.locator("#reached").check()
    page.get_by_role("button", name=translated(live_server.app, "fa", "Record")).click()
    page.wait_for_load_state("load")
    milestone = page.locator(".milestones li", has_text="ارسال پیش‌نویس نهایی به کمیته")
    expect(milestone).to_contain_text("۲۰ فروردین ۱۴۰۵")
    screenshots(page, "results-show-fa")
    check_accessibility(page, "a result's page in Persian")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/results/")
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")
    screenshots(page, "results-index-fa-390")
    page.goto("/results/said-and-done")
    expect(page.get_by_role("link", name=WEAVERS)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")
    screenshots(page, "said-and-done-fa-390")
    check_accessibility(page, "you said, we did in Persian on a phone")


def test_a_thai_observer_reads_his_networks_results_only(page, live_server, demo_accounts,
                                                         screenshots):
    sign_in(page, OBSERVER, demo_accounts.password)
    page.goto("/results/")
    expect(page.get_by_role("link", name=MARKET_DAYS)).to_be_visible()
    expect(page.get_by_role("link", name=WEAVERS)).to_have_count(0)
    expect(page.get_by_role("link", name=translated(live_server.app, "th", "New result"))
           ).to_have_count(0)
    screenshots(page, "results-index-th")
    check_accessibility(page, "the results list in Thai")
    page.get_by_role("link", name=translated(live_server.app, "th", "You said, we did")).click()
    expect(page.get_by_role("link", name=MARKET_DAYS)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(WEAVERS)
    screenshots(page, "said-and-done-th")
    check_accessibility(page, "you said, we did in Thai")
