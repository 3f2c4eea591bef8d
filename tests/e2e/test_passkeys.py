"""A passkey as the second factor, through Chromium's virtual authenticator (DevTools
protocol): added on the two-factor page in Persian, then used after the password.

Browsers refuse an IP address as a passkey's relying party, so these pages are opened as
localhost (the live server's WEBAUTHN_RP_ID, tests/e2e/conftest.py)."""
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PageLog
from tests.e2e.pages import check_accessibility, sign_in, switch_language, translated
from tests.e2e.test_signing_in import _person_with_password

pytestmark = pytest.mark.e2e


@pytest.fixture()
def page(browser, live_server):
    """As conftest's page, on http://localhost:<port>: nothing leaves it, nothing breaks."""
    origin = live_server.app.config["WEBAUTHN_ORIGIN"]
    context = browser.new_context(base_url=origin, locale="en-GB",
                                  viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    log = PageLog(origin=origin)
    new_page.on("request", lambda request: log.requests.append(request.url))
    new_page.on("console", log.on_console)
    new_page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    new_page.on("response", log.on_response)
    try:
        yield new_page
    finally:
        context.close()
    assert not log.foreign_requests(), f"requests outside {origin}: {log.foreign_requests()}"
    assert not log.failed_responses, f"failed responses: {log.failed_responses}"
    assert not log.page_errors, f"script errors: {log.page_errors}"
    assert not log.console_errors, f"console errors: {log.console_errors}"


def _virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    found = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})
    return cdp, found["authenticatorId"]


def _forget_passkeys(live_server, email):
    import sqlalchemy as sa

    from portal.accounts.models import Passkey, User
    from portal.extensions import db

    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.execute(sa.delete(Passkey).where(Passkey.user_id == user.id))
        db.session.commit()


def test_a_person_adds_a_passkey_in_persian_and_signs_in_with_it(page, live_server,
                                                                 screenshots):
    app = live_server.app
    email = "maryam.passkey@union.example"
    password = _person_with_password(live_server, email, "fa")
    _forget_passkeys(live_server, email)
    cdp, authenticator = _virtual_authenticator(page)

    sign_in(page, email, password)
    page.goto("/account/two-factor")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.locator("#passkeys-title")).to_have_text(
        translated(app, "fa", "Passkeys and security keys"))
    check_accessibility(page, "the two-factor page with passkeys in fa")
    page.locator("#passkey-name").fill("لپ‌تاپ دفتر")
    page.locator("#passkey-register button[type=submit]").click()
    page.wait_for_load_state("load")
    item = page.locator(".passkey-list li")
    expect(item).to_have_count(1)
    expect(item.locator("bdi")).to_have_text("لپ‌تاپ دفتر")
    expect(page.locator("main .alert-success")).to_have_text(translated(
        app, "fa", "Your passkey is added. It now works as your second factor."))
    check_accessibility(page, "the list of passkeys in fa")
    screenshots(page, "passkeys-list-fa")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    page.locator("nav.portal-nav form[action$='/logout'] button").click()
    page.wait_for_url("**/login")
    switch_language(page, "fa")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/login/code")
    expect(page.locator("#passkey-use")).to_have_text(
        translated(app, "fa", "Use a passkey or security key"))
    check_accessibility(page, "the second step with a passkey in fa")
    screenshots(page, "passkey-sign-in-fa")
    page.locator("#passkey-use").click()
    page.wait_for_url(f"{live_server.app.config['WEBAUTHN_ORIGIN']}/")
    expect(page.locator("nav.portal-nav")).to_contain_text("سارا کریمی")
    # the authenticator's counter moved on, and the portal kept it
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert credentials["credentials"][0]["signCount"] >= 1


def test_the_passkey_pages_in_thai(page, live_server, screenshots):
    app = live_server.app
    email = "somsri.passkey@union.example"
    password = _person_with_password(live_server, email, "th")
    _forget_passkeys(live_server, email)
    _virtual_authenticator(page)
    sign_in(page, email, password)
    page.goto("/account/two-factor")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    page.locator("#passkey-name").fill("กุญแจ USB สีฟ้า")
    page.locator("#passkey-register button[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator(".passkey-list bdi")).to_have_text("กุญแจ USB สีฟ้า")
    check_accessibility(page, "the list of passkeys in th")
    screenshots(page, "passkeys-list-th")
    page.locator("nav.portal-nav form[action$='/logout'] button").click()
    page.wait_for_url("**/login")
    switch_language(page, "th")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/login/code")
    expect(page.locator("#passkey-use")).to_have_text(
        translated(app, "th", "Use a passkey or security key"))
    check_accessibility(page, "the second step with a passkey in th")
    screenshots(page, "passkey-sign-in-th")
