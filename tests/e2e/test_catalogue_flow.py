"""Issue 6: the catalogue and the branches that deliver it.

A union director in Kim Bang browses the products and service packages in Vietnamese, opens
the package for savings-and-loan groups and finds the commune transaction point that offers
it; a staff member of the Isfahan specialised branch logs, in Persian, a service his branch
delivered.
"""
import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from portal.i18n import calendars
from portal.i18n.formatting import format_money, to_persian_digits
from portal.i18n.parsing import format_date_input
from tests.e2e.pages import (
    PageChecks,
    open_nav_link,
    sign_in,
    translate,
    translated,
    translated_pattern,
)

pytestmark = pytest.mark.e2e

DIRECTOR = "chutich.phunu@kimbang.example"
STAFF = "staff.isfahan@cdb.example"
PACKAGE = "Gói dịch vụ cho Tổ tiết kiệm và vay vốn"
POOR_HOUSEHOLDS = "Cho vay hộ nghèo"
GROUP_SAVINGS = "Tiết kiệm qua Tổ tiết kiệm và vay vốn"
DISTRICT_OFFICE = "Phòng giao dịch NHCSXH huyện Kim Bảng"
COMMUNE_POINT = "Điểm giao dịch xã Ba Sao"
ISFAHAN_BRANCH = "شعبه ویژه تعاون اصفهان"
NAIN_COOPERATIVE = "تعاونی فرش دستباف روستایی نائین"
WORKING_CAPITAL = "تسهیلات سرمایه در گردش تعاونی‌ها"
AMOUNT = 2_500_000_000  # rials
NOTE = "تسهیلات خرید پشم و رنگ برای ۴۰ بافنده عضو؛ مدارک کامل بود."


def test_a_union_director_finds_the_package_and_the_commune_point_that_offers_it(
        page, live_server, demo_accounts, screenshots):
    app = live_server.app

    def vi(message, **values):
        return translated(app, "vi", message, **values)

    check = PageChecks(page, app, screenshots, "catalogue")
    sign_in(page, DIRECTOR, demo_accounts.password, check)
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    # the products: only what is on offer, in her language, with where to get it
    open_nav_link(page, "/products/")
    expect(page.locator("main h1")).to_have_text(vi("Financial products"))
    products = page.locator("main table tbody tr")
    poor = products.filter(has_text=POOR_HOUSEHOLDS)
    expect(poor.locator("td").nth(1)).to_have_text(translate(app, "vi", "Loan"))
    # the branches nearest her (Hà Nam) come first
    expect(poor.locator("td").nth(5).locator("a").first).to_have_text(DISTRICT_OFFICE)
    expect(products.filter(has_text="Tiết kiệm")).not_to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Thấu chi")  # withdrawn: not offered
    check("the product catalogue")
    page.locator("main form[role=search] #kind").select_option("savings_group")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url("**/products/?*kind=savings_group*")
    expect(products).to_have_count(2)
    expect(products.filter(has_text=POOR_HOUSEHOLDS)).to_have_count(1)
    expect(products.filter(has_text=GROUP_SAVINGS)).to_have_count(1)
    check("products for savings-and-loan groups")

    # the service packages, searched without Vietnamese marks
    page.locator("main a[href='/products/packages/']").click()
    page.wait_for_url("**/products/packages/")
    expect(page.locator("main h1")).to_have_text(vi("Service packages"))
    # the Vietnamese bank's package only: the Iranian bank's two are another network's offers
    expect(page.locator("main .card")).to_have_count(1)
    check("the service packages")
    page.locator("main form[role=search] #q").fill("tiet kiem")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url("**/products/packages/?*")
    card = page.locator("main .card")
    expect(card).to_have_count(1)
    expect(card.locator("h2")).to_have_text(PACKAGE)
    expect(card).to_contain_text(vi("%(n)s products", n=2))
    expect(card).to_contain_text(DISTRICT_OFFICE)
    check("the service packages, searched without marks")

    card.get_by_role("link", name=PACKAGE).click()
    page.wait_for_url(re.compile(r".*/products/packages/\d+$"))
    expect(page.locator("main h1")).to_have_text(PACKAGE)
    main = page.locator("main")
    expect(main).to_contain_text(vi("Products in the package"))
    expect(main.get_by_role("link", name=POOR_HOUSEHOLDS)).to_be_visible()
    expect(main.get_by_role("link", name=GROUP_SAVINGS)).to_be_visible()
    expect(main).to_contain_text(vi("At least %(n)s members.", n=20))
    expect(main).to_contain_text(vi("Overdue loans at most %(share)s of outstanding.",
                                    share="2%"))
    branches = main.locator("h2", has_text=vi("Branches that deliver it")).locator(
        "xpath=following-sibling::p[1]")
    expect(branches.get_by_role("link", name=DISTRICT_OFFICE)).to_be_visible()
    # the district office and its eighteen commune points
    expect(branches.get_by_role("link")).to_have_count(19)
    check("the package for savings-and-loan groups")

    branches.get_by_role("link", name=COMMUNE_POINT).click()
    page.wait_for_url(re.compile(r".*/branches/\d+$"))
    expect(page.locator("main h1")).to_have_text(COMMUNE_POINT)
    expect(page.locator("main h1 + p .badge")).to_have_text(
        vi("Commune transaction point"))
    facts = page.locator("main dl")
    expect(facts).to_contain_text(vi("Transaction day"))
    expect(facts.get_by_role("link", name=DISTRICT_OFFICE)).to_be_visible()  # staffed by
    expect(page.locator("main").get_by_role("link", name=PACKAGE)).to_be_visible()
    check("the commune transaction point")


def test_a_branch_staff_member_logs_a_delivery_in_persian(page, live_server, demo_accounts,
                                                          screenshots):
    app = live_server.app

    def fa(message, **values):
        return translated(app, "fa", message, **values)

    check = PageChecks(page, app, screenshots, "delivery")
    # the branch's own day (Tehran), as the form's own default
    today = datetime.now(ZoneInfo("Asia/Tehran")).date()
    requested, delivered = today - timedelta(days=6), today - timedelta(days=1)

    sign_in(page, STAFF, demo_accounts.password, check)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    panel = page.locator("main section[aria-labelledby=panel-my-branch]")
    expect(panel.locator("h2")).to_have_text(fa("Your branch"))
    panel.get_by_role("link", name=ISFAHAN_BRANCH).click()
    page.wait_for_url(re.compile(r".*/branches/\d+$"))
    branch_path = page.url.removeprefix(live_server.url)
    expect(page.locator("main h1")).to_have_text(ISFAHAN_BRANCH)
    requests_before = page.locator("main .stat-number").nth(1)
    count_text = requests_before.inner_text()
    check("the Isfahan branch")

    page.locator(f"main a[href='{branch_path}/deliveries/new']").click()
    page.wait_for_url(f"**{branch_path}/deliveries/new")
    expect(page.locator("main h1")).to_have_text(fa("Log a service delivery"))
    form = page.locator("main form")
    # today, in the Solar Hijri calendar and Persian digits, as a Persian reader writes it
    expect(form.locator("#requested_on")).to_have_value(
        to_persian_digits(format_date_input(today, "jalali", "fa")))
    # the label, then the mark that says the field is required
    expect(form.locator("label[for=organisation_id]")).to_contain_text(fa("Organisation served"))
    # the organisation picker's list (accounts/picker.py): names with their codes
    form.locator("#organisation_id").select_option(label=f"{NAIN_COOPERATIVE} (IR-CO-ISF-CARP)")
    form.locator("#product_id").select_option(label=f"{WORKING_CAPITAL} (WC-LOAN)")
    form.locator("#requested_on").fill(
        to_persian_digits(format_date_input(requested, "jalali", "fa")))
    form.locator("#delivered_on").fill(format_date_input(delivered, "jalali", "fa"))
    form.locator("#amount").fill(to_persian_digits(AMOUNT))  # typed on a Persian keyboard
    form.locator("#outcome").select_option("delivered")
    form.locator("#note").fill(NOTE)
    check("the delivery form, filled in")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**{branch_path}/deliveries")
    expect(page.locator("main .alert-success[role=status]")).to_have_text(fa("Saved."))
    expect(page.locator("main h1")).to_have_text(fa("Service deliveries"))

    # among the latest requests, in Persian: Solar Hijri dates, Persian digits, rials
    money = format_money(Decimal(AMOUNT), "IRR", "fa", native=True)
    row = page.locator("main table").last.locator("tbody tr").filter(has_text=money)
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(NAIN_COOPERATIVE)
    expect(cells.nth(1)).to_have_text(WORKING_CAPITAL)
    expect(cells.nth(2)).to_have_text(
        to_persian_digits(calendars.format_date(requested, "medium", "fa", "jalali")))
    expect(cells.nth(3)).to_have_text(
        to_persian_digits(calendars.format_date(delivered, "medium", "fa", "jalali")))
    expect(cells.nth(4)).to_have_text(money)
    expect(cells.nth(5)).to_have_text(fa("Delivered"))
    count_before = int(count_text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
                       .replace("٬", ""))
    expect(page.locator("main > p").first).to_contain_text(translated_pattern(
        app, "fa", "All requests: %(count)s; median %(median)s, 90th percentile %(p90)s; "
        "target %(target)s.", count=to_persian_digits(count_before + 1)))
    check("the branch's deliveries with the new one")
