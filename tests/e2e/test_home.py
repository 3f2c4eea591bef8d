"""The home page on a 390 px phone, in Persian (right to left) and in Thai: "What comes next"
comes first, fits the screen, is translated, passes axe, and its first action opens; "My queue"
is in the navigation of the bank's relationship manager and not of a union director."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.pages import (
    check_accessibility,
    english_left,
    sign_in,
    switch_language,
    translated,
)

pytestmark = pytest.mark.e2e

DIRECTOR = "director@carpet-union.example"
MANAGER = "rm.tehran@cdb.example"
QUEUE_LINK = 'nav.portal-nav a.nav-link[href="/feedback/queue"]'


def _open_home(page, live_server, password, email, language):
    sign_in(page, email, password)
    switch_language(page, language)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.wait_for_load_state("load")
    heading = page.locator("#next-steps-title")
    expect(heading).to_have_text(translated(live_server.app, language, "What comes next"))
    # the list comes before every panel
    assert page.evaluate("""() => {
        const list = document.getElementById('next-steps');
        const panels = [...document.querySelectorAll('main section.card')];
        return panels[0] === list;
    }""")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the home page scrolls sideways: {width} px"
    for box in page.locator("#next-steps li, #next-steps .btn").all():
        frame = box.bounding_box()
        assert frame is None or (frame["x"] >= 0 and frame["x"] + frame["width"] <= 390), frame
    left = english_left(page, live_server.app, language)
    assert not left, f"English left on the home page in {language}: {left}"
    check_accessibility(page, f"the home page of {email} in {language}")


def _first_action_opens(page):
    """The first entry's main action leads to a page that opens (the page fixture fails the
    test on any server error)."""
    entries = page.locator("#next-steps li[data-kind]")
    if not entries.count():
        expect(page.locator("#next-steps-empty")).to_be_visible()
        return
    link = entries.first.locator("a.btn").last
    href = link.get_attribute("href")
    link.click()
    page.wait_for_load_state("load")
    assert page.url.split("#")[0].endswith(href.split("#")[0])
    page.go_back()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("language", ["fa", "th"])
def test_directors_home_on_a_phone(page, live_server, demo_accounts, screenshots, language):
    _open_home(page, live_server, demo_accounts.password, DIRECTOR, language)
    assert page.locator(QUEUE_LINK).count() == 0
    screenshots(page, f"home-director-{language}-390")
    _first_action_opens(page)


@pytest.mark.parametrize("language", ["fa", "th"])
def test_managers_home_on_a_phone(page, live_server, demo_accounts, screenshots, language):
    _open_home(page, live_server, demo_accounts.password, MANAGER, language)
    queue = page.locator(QUEUE_LINK)
    expect(queue).to_have_count(1)
    expect(queue).to_have_text(translated(live_server.app, language, "My queue"))
    entries = page.locator("#next-steps li[data-kind]")
    assert entries.count() > 0, "the demo's manager has feedback in the queue"
    screenshots(page, f"home-manager-{language}-390")
    # the list alone, at its real size (the whole page is long)
    page.locator("#next-steps").screenshot(
        path=str(SCREENSHOTS / f"home-manager-next-steps-{language}-390.png"))
    _first_action_opens(page)
