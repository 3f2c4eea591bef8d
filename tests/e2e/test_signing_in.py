"""Signing in through the real form, in each language."""
import pytest
from playwright.sync_api import expect

from tests.e2e.pages import (
    check_accessibility,
    sign_in,
    switch_language,
    translate,
    translated,
)

pytestmark = pytest.mark.e2e


def test_the_administrator_signs_in_and_lands_on_the_home_page(page, live_server, admin,
                                                               screenshots):
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/login")  # not signed in: sent to sign in
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # password managers know what to fill in
    expect(page.locator("#email")).to_have_attribute("autocomplete", "username")
    expect(page.locator("#password")).to_have_attribute("autocomplete", "current-password")
    check_accessibility(page, "the sign-in page in English")
    screenshots(page, "login-en")

    sign_in(page, admin["email"], admin["password"])

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("main h1")).to_have_text(f"Welcome, {admin['name']}")
    expect(page.locator("nav.portal-nav")).to_contain_text(admin["name"])
    expect(page.locator("nav.portal-nav form[action$='/logout'] button")).to_have_text(
        "Sign out")
    check_accessibility(page, "the home page in English")
    screenshots(page, "home-en")


@pytest.mark.parametrize("language, direction", [("fa", "rtl"), ("th", "ltr")])
def test_the_sign_in_page_speaks_the_chosen_language(page, live_server, language, direction,
                                                     screenshots):
    app = live_server.app
    page.goto("/login")
    switch_language(page, language)

    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.locator("main h1")).to_have_text(translated(app, language, "Sign in"))
    # the label, then the required mark (a star and "required" for screen readers)
    expect(page.locator("label[for=email]")).to_contain_text(
        translated(app, language, "E-mail address"))
    expect(page.locator("label[for=password]")).to_contain_text(
        translated(app, language, "Password"))
    check_accessibility(page, f"the sign-in page in {language}")
    screenshots(page, f"login-{language}")


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_wrong_password_is_explained_and_the_email_is_kept(page, live_server, admin,
                                                             language):
    app = live_server.app
    page.goto("/login")
    if language != "en":
        switch_language(page, language)
    page.locator("#email").fill(admin["email"])
    page.locator("#password").fill("not-the-password-at-all")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")

    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator("html")).to_have_attribute("lang", language)
    error = page.locator("main .alert-danger")
    message = "The e-mail address or password is not correct."
    expected = translated(app, language, message) if language != "en" else message
    expect(error).to_have_text(expected)
    expect(page.locator("#email")).to_have_value(admin["email"])
    expect(page.locator("#password")).to_have_value("")
    check_accessibility(page, f"the sign-in page after a wrong password ({language})")
    # still signed out: the home page sends us back here
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator("main h1")).to_have_text(translate(app, language, "Sign in"))


# --- the second factor, in Persian (and its pages in Thai) ------------------------------------

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _person_with_password(live_server, email, locale):
    """A union director of the demo's network with a password of our own, no second factor."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
    from portal.extensions import db

    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            union = db.session.scalar(sa.select(Organisation).where(
                Organisation.kind == OrgKind.NATIONAL_UNION).order_by(Organisation.id))
            user = User(email=email, full_name="سارا کریمی", preferred_locale=locale)
            user.memberships.append(Membership(organisation=union, role=Role.UNION_DIRECTOR))
            db.session.add(user)
        user.password_hash = generate_password_hash("باران روی بام حلبی بازار")
        user.preferred_locale = locale
        user.totp_secret = user.two_factor_since = user.totp_last_step = None
        db.session.commit()
    return "باران روی بام حلبی بازار"


def _code(secret, later=0):
    import time

    import pyotp

    return pyotp.TOTP(secret).at(time.time() + 30 * later)


def test_a_person_sets_up_an_authenticator_and_signs_in_with_a_persian_digit_code(
        page, live_server, screenshots):
    app = live_server.app
    email = "sara.karimi@union.example"
    password = _person_with_password(live_server, email, "fa")
    sign_in(page, email, password)
    expect(page.locator("html")).to_have_attribute("lang", "fa")

    page.goto("/account/two-factor")
    expect(page.locator("main h1")).to_have_text(translated(app, "fa", "Second factor"))
    expect(page.locator("figure.qr-code svg")).to_be_visible()  # inline: no image request
    check_accessibility(page, "the second-factor set-up page in fa")
    screenshots(page, "two-factor-setup-fa")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.locator("#code").fill(_code(secret).translate(PERSIAN_DIGITS))
    page.locator("#totp-form button[type=submit]").click()
    page.wait_for_load_state("load")
    codes = page.locator("ul.recovery-codes li")
    expect(codes).to_have_count(10)
    check_accessibility(page, "the recovery codes in fa")
    screenshots(page, "two-factor-recovery-codes-fa")

    page.locator("nav.portal-nav form[action$='/logout'] button").click()
    page.wait_for_url("**/login")
    switch_language(page, "fa")  # signed out: the page follows the browser until chosen
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/login/code")
    expect(page.locator("main h1")).to_have_text(
        translated(app, "fa", "Second step of signing in"))
    check_accessibility(page, "the code page in fa")
    screenshots(page, "two-factor-code-fa")
    # half signed in: the home page still sends us to sign in
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/login")
    page.goto("/login/code")
    page.locator("#code").fill(_code(secret, later=1).translate(PERSIAN_DIGITS))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("nav.portal-nav")).to_contain_text("سارا کریمی")


def test_the_second_factor_pages_in_thai(page, live_server, screenshots):
    app = live_server.app
    email = "somchai.th@union.example"
    password = _person_with_password(live_server, email, "th")
    sign_in(page, email, password)
    page.goto("/account/two-factor")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.locator("main h1")).to_have_text(translated(app, "th", "Second factor"))
    check_accessibility(page, "the second-factor set-up page in th")
    screenshots(page, "two-factor-setup-th")
    page.locator("nav.portal-nav form[action$='/logout'] button").click()
    page.wait_for_url("**/login")
    page.goto("/login/link")
    switch_language(page, "th")
    expect(page.locator("main h1")).to_have_text(
        translated(app, "th", "Sign in with a link by e-mail"))
    check_accessibility(page, "the sign-in link page in th")
    screenshots(page, "sign-in-link-th")
