"""Issue 17: every page usable on a 390 px phone, in Persian, Thai and Vietnamese.

On a phone the turnover dashboard was 449 px wide and, mirrored, opened scrolled with its first
words cut off; tables and print buttons ran off the screen; ten feedback filters came before
the first result; chart labels printed at 6 px. Each role walks its everyday pages here at
390 x 844: the page never scrolls sideways, its heading is whole on the screen, wide tables
scroll in their own box, filters fold behind one button that says how many are set, charts
print their labels at a readable size, and figures read as figures.
"""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.i18n.calendars import format_month
from portal.i18n.formatting import to_persian_digits
from portal.turnover.demo import MONTHS
from tests.e2e.pages import check_accessibility, sign_in, translated

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
OFFICIAL = "official@mcls.example"          # ministry, Persian
DIRECTOR = "director@carpet-union.example"  # union director, Persian
MANAGER = "rm.tehran@cdb.example"           # relationship manager, Persian
OBSERVER = "somchai@observer.example"       # branch staff, Thai
KIM_BANG = "canbo.kimbang@vbsp.example"     # relationship manager, Vietnamese
SMALLEST_LABEL_PX = 11


def _reads(app, email, language):
    """The person reads the portal in this language from their next sign-in on."""
    from portal.accounts.models import User
    from portal.extensions import db

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        user.preferred_locale = language
        db.session.commit()


def _on_phone(page, app, email, password, language):
    _reads(app, email, language)
    page.set_viewport_size(PHONE)
    sign_in(page, email, password)
    expect(page.locator("html")).to_have_attribute("lang", language)


def _fits(page, what, screenshots, name):
    """What a phone user notices: no sideways scrolling, the heading whole on the screen (not
    cut at either edge, as the mirrored dashboard's was), nothing axe calls serious."""
    page.evaluate("document.fonts.ready.then(() => true)")
    widths = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
                                      client: document.documentElement.clientWidth,
                                      x: window.scrollX})""")
    assert widths["scroll"] <= widths["client"], \
        f"{what} scrolls sideways on a phone ({page.url}): {widths}\n" + "\n".join(
            _too_wide(page))
    assert widths["x"] == 0, f"{what} opens scrolled sideways: {widths}"
    heading = page.locator("main h1").first
    expect(heading).to_be_visible()
    box = heading.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= widths["client"], (what, box)
    check_accessibility(page, what)
    screenshots(page, f"phone-{name}")


def _too_wide(page):
    """The outermost elements sticking out of the page, to say what to fix."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth, out = [];
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect(), up = el.parentElement.getBoundingClientRect();
            const sticks = box => box.right > width + 1 || box.left < -1;
            if (r.width && sticks(r) && !sticks(up)) out.push(`${el.tagName}.${el.className}`);
        }
        return out.slice(0, 10);
    }""")


def _go(page, url):
    """Open a page the person may see (a refused or missing page has a heading too)."""
    response = page.goto(url)
    assert response.ok, f"{url}: {response.status}"


def _first_link(page, pattern):
    """The first link in the page's content whose address matches pattern."""
    hrefs = page.locator("main a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    found = next((h for h in hrefs if re.fullmatch(pattern, h.split("?")[0])), None)
    assert found, f"no link like {pattern} on {page.url}"
    return found


def _filters_label(app, language, count, shown):
    """The fold button's text for this many filters set, from the catalogue (failing clearly
    when the language lacks it)."""
    from flask_babel import force_locale, get_translations

    def text(lang):
        with app.test_request_context(), force_locale(lang):
            pattern = get_translations().ngettext(
                "Filters (%(num)s active)", "Filters (%(num)s active)", count)
            return pattern % {"num": shown}
    assert text(language) != text("en"), f"no {language} translation of the filter button"
    return text(language)


def _chart_label_px(chart):
    """The size its labels print at: the font size in the chart's units, times the chart's
    drawn width over its width in units."""
    return chart.evaluate("""svg => {
        const units = svg.viewBox.baseVal.width, drawn = svg.getBoundingClientRect().width;
        return parseFloat(svg.getAttribute('font-size')) * drawn / units;
    }""")


def test_the_ministry_reads_the_turnover_dashboard_on_a_phone_in_persian(
        page, live_server, demo_accounts, screenshots):
    app = live_server.app
    _on_phone(page, app, OFFICIAL, demo_accounts.password, "fa")
    _fits(page, "the ministry's home page", screenshots, "official-home-fa")

    _go(page, "/turnover/")
    _fits(page, "the turnover dashboard", screenshots, "official-turnover-fa")
    # the period picker names the month in words: no country code before it
    latest = to_persian_digits(format_month(MONTHS[-1], "fa", "jalali"))
    expect(page.locator("#window option:checked")).to_have_text(latest)
    # a share is a percentage, without a currency; an amount has its unit after it
    expect(page.locator("#network-share-IRR")).to_have_text(re.compile(r"^[۰-۹٫]+٪$"))
    card = page.locator("#network-share-IRR + div").inner_text()
    assert re.search("[۰-۹٬]+\u00a0ریال", card) and "IRR" not in card, card
    # the phone's chart, its labels at a readable size; the wide one hidden
    section = page.locator("section[aria-labelledby=trend-title]")
    expect(section.locator("figure.chart-wide")).to_be_hidden()
    chart = section.locator(".chart-phone svg")
    expect(chart).to_be_visible()
    assert _chart_label_px(chart) >= SMALLEST_LABEL_PX
    bars = page.locator("section[aria-labelledby=shares-title] .chart-phone svg")
    assert _chart_label_px(bars) >= SMALLEST_LABEL_PX
    # the wide table scrolls in its own box, which a keyboard can reach and which says what
    # it holds
    box = page.locator("#shares-table").locator("xpath=..")
    expect(box).to_have_class(re.compile(r"\btable-responsive\b"))
    expect(box).to_have_attribute("tabindex", "0")
    expect(box).to_have_attribute("role", "region")
    expect(box).to_have_accessible_name(re.compile(".+"))

    _go(page, _first_link(page, r"/turnover/unions/\d+/report"))
    _fits(page, "a union's turnover report", screenshots, "official-union-report-fa")
    _go(page, "/organisations/")
    _fits(page, "the organisations", screenshots, "official-organisations-fa")
    _go(page, _first_link(page, r"/organisations/\d+"))
    _fits(page, "an organisation", screenshots, "official-organisation-fa")


def test_feedback_filters_fold_behind_one_button_that_counts_them(
        page, live_server, demo_accounts, screenshots):
    app = live_server.app
    _on_phone(page, app, MANAGER, demo_accounts.password, "fa")
    _go(page, "/feedback/")
    toggle = page.locator("#feedback-filters-toggle")
    filters = page.locator("#feedback-filters")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text(translated(app, "fa", "Filters"))
    expect(filters).to_be_hidden()
    # the first item comes before the end of the first screen
    first = page.locator("main a[href^='/feedback/']").filter(
        has_text=re.compile(".")).nth(0)
    assert first.bounding_box()["y"] < PHONE["height"]
    _fits(page, "the feedback list", screenshots, "manager-feedback-fa")

    # two filters set (a word typed in Persian, a kind): the button says so, in Persian digits
    _go(page, "/feedback/?q=%D9%88%D8%A7%D9%85&kind=critique&sort=newest")
    expect(toggle).to_have_text(_filters_label(app, "fa", 2, to_persian_digits(2)))
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(filters).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#f-q")).to_have_value("وام")
    _fits(page, "the feedback filters, opened", screenshots, "manager-feedback-filters-fa")

    _go(page, "/feedback/")
    _go(page, _first_link(page, r"/feedback/\d+"))
    _fits(page, "a feedback item", screenshots, "manager-feedback-item-fa")

    # on a wide screen the filters are simply there, and the button is not
    page.set_viewport_size({"width": 1280, "height": 860})
    _go(page, "/feedback/?kind=critique")
    expect(page.locator("#feedback-filters")).to_be_visible()
    expect(page.locator("#feedback-filters-toggle")).to_be_hidden()


def test_the_director_on_a_phone_in_persian(page, live_server, demo_accounts, screenshots):
    app = live_server.app
    _on_phone(page, app, DIRECTOR, demo_accounts.password, "fa")
    _fits(page, "the director's home page", screenshots, "director-home-fa")

    # an Indicators page without a dashboard says what it is for and what to do now
    _go(page, "/indicators/")
    empty = page.locator("#indicators-empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text(translated(
        app, "fa", "There is no dashboard for the organisations you can see yet."))
    report = empty.get_by_role("link", name=translated(app, "fa", "Report turnover figures"))
    expect(report).to_have_attribute("href", "/turnover/reports/new")
    _fits(page, "the director's indicators", screenshots, "director-indicators-fa")

    _go(page, "/meetings/")
    expect(page.locator("#meeting-filters-toggle")).to_be_visible()
    expect(page.locator("#meeting-filters")).to_be_hidden()
    _fits(page, "the meetings", screenshots, "director-meetings-fa")
    _go(page, _first_link(page, r"/meetings/\d+"))
    _fits(page, "a meeting", screenshots, "director-meeting-fa")
    _go(page, "/meetings/series")
    _go(page, _first_link(page, r"/meetings/series/\d+"))
    _fits(page, "a consultation series", screenshots, "director-series-fa")
    _go(page, "/turnover/")
    _fits(page, "the director's turnover dashboard", screenshots, "director-turnover-fa")


def test_branch_staff_on_a_phone_in_thai(page, live_server, demo_accounts, screenshots):
    app = live_server.app
    _on_phone(page, app, OBSERVER, demo_accounts.password, "th")
    _fits(page, "the home page", screenshots, "observer-home-th")
    _go(page, "/feedback/")
    expect(page.locator("#feedback-filters-toggle")).to_have_text(
        translated(app, "th", "Filters"))
    _fits(page, "the feedback list", screenshots, "observer-feedback-th")
    _go(page, _first_link(page, r"/feedback/\d+"))
    _fits(page, "a feedback item", screenshots, "observer-feedback-item-th")
    _go(page, "/products/?category=loan")
    expect(page.locator("#catalogue-filters-toggle")).to_have_text(
        _filters_label(app, "th", 1, "1"))
    _fits(page, "the product catalogue", screenshots, "observer-catalogue-th")
    _go(page, "/branches/")
    _fits(page, "the branches", screenshots, "observer-branches-th")
    _go(page, _first_link(page, r"/branches/\d+"))
    _fits(page, "a branch", screenshots, "observer-branch-th")
    _go(page, page.url.split("?")[0] + "/deliveries")
    _fits(page, "a branch's service deliveries", screenshots, "observer-deliveries-th")
    _go(page, "/meetings/")
    _fits(page, "the meetings", screenshots, "observer-meetings-th")


@pytest.mark.parametrize("language", ["th", "vi"])
def test_the_district_indicators_and_turnover_on_a_phone(
        page, live_server, demo_accounts, screenshots, language):
    app = live_server.app
    _on_phone(page, app, KIM_BANG, demo_accounts.password, language)
    _go(page, "/indicators/")
    _fits(page, "the indicators", screenshots, f"kimbang-indicators-{language}")
    _go(page, _first_link(page, r"/indicators/\d+"))
    _fits(page, "a district's indicators", screenshots, f"kimbang-dashboard-{language}")
    # the print button and the scorecard stay on the screen; the scorecard scrolls in its box
    printable = page.locator("main a[href$='/report'], main a[href*='/report?']").first
    box = printable.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    expect(page.locator("#scorecard").locator("xpath=..")).to_have_class(
        re.compile(r"\btable-responsive\b"))
    chart = page.locator("section[aria-labelledby=scorecard-title] .chart-phone svg")
    expect(chart).to_be_visible()
    assert _chart_label_px(chart) >= SMALLEST_LABEL_PX
    _go(page, printable.get_attribute("href"))
    _fits(page, "the printable report", screenshots, f"kimbang-report-{language}")
    _go(page, "/turnover/")
    _fits(page, "the turnover dashboard", screenshots, f"kimbang-turnover-{language}")
