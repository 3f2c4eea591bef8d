"""Issue 7: the figures everyone watches, in the reader's own language.

The ministry official reads the network's turnover concentration in Persian: a mirrored page
whose chart runs right to left, months of the Solar Hijri calendar, Persian digits. The Kim
Bang district's relationship manager reads the district's indicators against plan in
Vietnamese: decimal commas, and the groups by rating as the district reported them.
"""
import re

import pytest
from playwright.sync_api import expect

from portal.i18n.calendars import JALALI_MONTHS_FA, format_month
from portal.i18n.formatting import format_money, format_percentage, to_persian_digits
from portal.indicators.demo import AUGUST, OUTSTANDING
from portal.turnover.demo import MONTHS
from tests.e2e.pages import PageChecks, open_nav_link, sign_in, translated

pytestmark = pytest.mark.e2e

OFFICIAL = "official@mcls.example"
MANAGER = "canbo.kimbang@vbsp.example"
DISTRICT_OFFICE = "Phòng giao dịch NHCSXH huyện Kim Bảng"
LATIN_DIGIT = re.compile("[0-9]")


def _jalali_month(month):
    return to_persian_digits(format_month(month, "fa", "jalali"))


def test_the_ministry_reads_the_turnover_concentration_in_persian(
        page, live_server, demo_accounts, screenshots):
    app = live_server.app

    def fa(message, **values):
        return translated(app, "fa", message, **values)

    check = PageChecks(page, app, screenshots, "dashboard-turnover")
    sign_in(page, OFFICIAL, demo_accounts.password, check)
    open_nav_link(page, "/turnover/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fa")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("main h1")).to_have_text(fa("Turnover in the bank"))

    # the latest month, named in the Solar Hijri calendar
    latest = _jalali_month(MONTHS[-1])
    expect(page.locator("#window option:checked")).to_contain_text(latest)
    expect(page.locator("#network-title")).to_have_text(
        fa("In-bank share, %(month)s", month=latest))
    share = page.locator("#network-share-IRR").inner_text()
    assert not LATIN_DIGIT.search(share) and re.search("[۰-۹]", share), share

    # the trend: an SVG chart that says what it shows, months running right to left
    chart = page.locator("section[aria-labelledby=trend-title] figure svg")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("> title")).to_have_text(fa("Trend of the in-bank share"))
    expect(chart.locator("> desc")).to_have_text(fa(
        "In-bank share of turnover by month, %(first)s to %(last)s",
        first=_jalali_month(MONTHS[0]), last=latest))
    labels = chart.locator("> text")
    texts = labels.all_text_contents()
    months = [_jalali_month(m) for m in MONTHS]
    shown = [t for t in texts if any(name in t for name in JALALI_MONTHS_FA)]
    assert shown[0] == months[0] and shown[-1] == months[-1], shown  # the whole year spanned
    assert set(shown) <= set(months), shown
    ticks = [t for t in texts if t not in shown]
    assert ticks and all(t.endswith(("%", "٪")) for t in ticks), ticks  # the share axis
    assert not [t for t in texts if LATIN_DIGIT.search(t)], texts
    first = labels.filter(has_text=re.compile(f"^{months[0]}$"))
    last = labels.filter(has_text=re.compile(f"^{months[-1]}$"))
    assert float(first.get_attribute("x")) > float(last.get_attribute("x")), \
        "in Persian the oldest month is on the right"
    # the same figures as a table, every month in the Solar Hijri calendar
    expect(page.locator("#trend-table tbody th")).to_have_text(months)

    # the share by union: the same numbers as a chart and as a table, in Persian digits
    bars = page.locator("section[aria-labelledby=shares-title] figure svg")
    expect(bars.locator("> title")).to_have_text(fa(
        "In-bank share by %(level)s, %(month)s", level=fa("Union"), month=latest))
    rows = page.locator("#shares-table tbody tr")
    expect(rows).to_have_count(5)  # the five national unions of the demo
    expect(rows.filter(has_text="اتحادیه سراسری تعاونی‌های فرش دستباف روستایی")
           ).to_have_count(1)
    figures = page.locator("#shares-table tbody td").all_inner_texts()
    assert figures and not [t for t in figures if LATIN_DIGIT.search(t)], figures
    check("the turnover dashboard in Persian")

    # the carpet union's own monthly report: the union first, then its Nain cooperative
    rows.filter(has_text="اتحادیه سراسری تعاونی‌های فرش دستباف روستایی").locator("a").click()
    page.wait_for_url("**/turnover/unions/**")
    expect(page.locator("main h1")).to_have_text(fa(
        "Turnover in the bank: %(name)s", name="اتحادیه سراسری تعاونی‌های فرش دستباف روستایی"))
    members = page.locator("#members-table tbody th")
    expect(members).to_have_text(["اتحادیه سراسری تعاونی‌های فرش دستباف روستایی",
                                  "تعاونی فرش دستباف روستایی نائین"])
    expect(page.locator("#union-trend-table tbody th")).to_have_text(months)
    check("the carpet union's monthly report in Persian")


def test_the_district_reads_its_indicators_in_vietnamese(page, live_server, demo_accounts,
                                                         screenshots):
    app = live_server.app

    def vi(message, **values):
        return translated(app, "vi", message, **values)

    check = PageChecks(page, app, screenshots, "dashboard-indicators")
    sign_in(page, MANAGER, demo_accounts.password, check)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    open_nav_link(page, "/indicators/")
    expect(page.locator("main h1")).to_have_text(vi("Indicators against plan"))
    check("the indicators list in Vietnamese")
    page.locator("main ul").get_by_role("link", name=DISTRICT_OFFICE, exact=True).click()
    page.wait_for_url(re.compile(r".*/indicators/\d+$"))
    expect(page.locator("main h1")).to_have_text(DISTRICT_OFFICE)

    # August 2023 (seed 003): 98.41% of the outstanding-loans plan, 91.76% of capital
    outstanding = page.locator("#ind-outstanding_loans td")
    expect(outstanding.nth(0)).to_have_text(format_money(OUTSTANDING, "VND", "vi"))
    expect(outstanding.nth(2)).to_have_text("98,41%")
    expect(page.locator("#ind-capital_mobilised td").nth(2)).to_have_text("91,76%")
    # the bad-debt ratio, a ratio with a decimal comma too
    expect(page.locator("#ind-bad_debt_ratio td").nth(0)).to_have_text(
        format_percentage(0.0012, "vi"))
    expect(page.locator("#communes-without-overdue")).to_have_text(
        vi("%(n)s of %(total)s communes have no overdue debt.", n=15, total=18))

    # 213 groups: 206 good, 5 fair, 2 average
    expect(page.locator("#ratings caption")).to_contain_text(
        vi("%(n)s groups rated in %(month)s", n=213,
           month=format_month(AUGUST, "vi", "gregorian")))
    for grade, label, count in (("good", "Good", 206), ("fair", "Fair", 5),
                                ("average", "Average", 2)):
        row = page.locator(f"#grade-{grade}")
        expect(row.locator("th")).to_have_text(vi(label))
        expect(row.locator("td").first).to_have_text(str(count))
    expect(page.locator("#grade-good td").nth(1)).to_have_text(format_percentage(206 / 213, "vi"))
    expect(page.locator("#grade-good td").nth(1)).to_have_text(re.compile(r"^96,71%$"))
    chart = page.locator("section[aria-labelledby=ratings-title] figure svg")
    expect(chart.locator("> title")).to_have_text(vi("Groups by rating"))
    expect(page.locator("#communes tbody tr")).to_have_count(18)
    check("the Kim Bang indicators dashboard in Vietnamese")


def test_the_persian_trend_chart_keeps_every_month_inside_its_plot(page, demo_accounts):
    """Mirrored, the chart keeps its points on the grid and its month labels uncut (the
    oldest month once sat beyond the grid, over the share axis, its name cut at the edge)."""
    sign_in(page, OFFICIAL, demo_accounts.password)
    open_nav_link(page, "/turnover/")
    chart = page.locator("section[aria-labelledby=trend-title] figure svg")
    grid = chart.locator("> line").first
    low, high = sorted(float(grid.get_attribute(end)) for end in ("x1", "x2"))
    points = [float(x) for x in chart.locator("circle").evaluate_all(
        "cs => cs.map(c => c.getAttribute('cx'))")]
    assert points and all(low <= x <= high for x in points), (low, high, points)
    frame = chart.bounding_box()
    for label in chart.locator("> text").all():
        box = label.bounding_box()
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame[
            "width"], (label.text_content(), box, frame)
