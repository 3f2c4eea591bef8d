"""Persian (mirrored, Solar Hijri, Persian digits), Thai (Buddhist era), no English left."""
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from babel.dates import get_month_names
from playwright.sync_api import expect

from portal.i18n.calendars import JALALI_MONTHS_FA
from portal.i18n.formatting import to_persian_digits
from tests.e2e.pages import (
    check_accessibility,
    english_left,
    sign_in,
    switch_language,
    text_box,
    translated,
)

pytestmark = pytest.mark.e2e

LATIN_DIGIT = re.compile("[0-9]")


def _font_requests(page, family_file):
    return [url for url in page.log.requests if family_file in url]


def test_persian_mirrors_the_page_and_dates_it_in_the_solar_hijri_calendar(
        page, live_server, admin, screenshots):
    app = live_server.app
    sign_in(page, admin["email"], admin["password"])
    switch_language(page, "fa")

    expect(page).to_have_url(f"{live_server.url}/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fa")
    expect(html).to_have_attribute("dir", "rtl")

    # mirrored: the brand on the right, the sign-out button on the left
    brand = page.locator("nav.portal-nav .navbar-brand")
    sign_out = page.locator("nav.portal-nav form[action$='/logout'] button")
    expect(brand).to_have_text(translated(app, "fa", "Cooperative Bank Portal"))
    expect(sign_out).to_have_text(translated(app, "fa", "Sign out"))
    brand_box, sign_out_box = brand.bounding_box(), sign_out.bounding_box()
    assert brand_box["x"] > sign_out_box["x"], (brand_box, sign_out_box)
    assert brand_box["x"] > page.viewport_size["width"] / 2

    # Persian words, right-aligned
    heading = page.locator("main h1")
    expect(heading).to_have_text(translated(app, "fa", "Welcome, %(name)s", name=admin["name"]))
    heading_box, words = heading.bounding_box(), text_box(heading)
    assert abs((heading_box["x"] + heading_box["width"]) - words["right"]) < 2
    assert words["left"] > heading_box["x"] + 50
    nav = page.locator("nav.portal-nav")
    expect(nav.locator("a.nav-link[href='/organisations/']")).to_have_text(
        translated(app, "fa", "Organisations"))

    # today in the Solar Hijri calendar, with Persian digits
    today = page.locator("main h1 + p")
    text = today.inner_text()
    assert any(month in text for month in JALALI_MONTHS_FA), text
    assert not LATIN_DIGIT.search(text), text
    tehran_today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tehran")).date()
    year = jdatetime.date.fromgregorian(date=tehran_today).year
    assert to_persian_digits(year) in text, text

    # Vazirmatn comes from the portal itself
    assert _font_requests(page, "vazirmatn-arabic"), page.log.requests
    assert page.evaluate("document.fonts.check('16px Vazirmatn', 'تعاون')")
    check_accessibility(page, "the home page in Persian")
    screenshots(page, "home-fa")


def test_thai_dates_the_home_page_in_the_buddhist_era(page, live_server, admin, screenshots):
    app = live_server.app
    sign_in(page, admin["email"], admin["password"])
    switch_language(page, "th")

    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("nav.portal-nav a.nav-link[href='/organisations/']")).to_have_text(
        translated(app, "th", "Organisations"))
    expect(page.locator("main h1")).to_have_text(
        translated(app, "th", "Welcome, %(name)s", name=admin["name"]))

    bangkok_today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Bangkok")).date()
    text = page.locator("main h1 + p").inner_text()
    assert str(bangkok_today.year + 543) in text, text
    assert str(bangkok_today.year) not in text, text
    assert get_month_names("wide", locale="th")[bangkok_today.month] in text, text

    assert _font_requests(page, "sarabun-thai"), page.log.requests
    assert page.evaluate("document.fonts.check('16px Sarabun', 'สหกรณ์')")
    check_accessibility(page, "the home page in Thai")
    screenshots(page, "home-th")


@pytest.mark.parametrize("language", ["fa", "th"])
def test_no_english_is_left_on_the_pages(page, live_server, admin, language):
    """Fails while a catalogue lacks a string that these pages show (names the strings)."""
    sign_in(page, admin["email"], admin["password"])
    switch_language(page, language)
    left = {}
    for href in ("/", "/organisations/"):
        page.goto(href)
        left[href] = english_left(page)
    page.locator(".org-tree").get_by_role("link", name="بانک توسعه تعاون", exact=True).click()
    page.wait_for_url("**/organisations/*")
    left[page.url.removeprefix(live_server.url)] = english_left(page)
    left = {href: texts for href, texts in left.items() if texts}
    assert not left, f"English left on {language} pages (missing translations?): {left}"
