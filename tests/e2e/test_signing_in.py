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
    expect(page.locator("label[for=email]")).to_have_text(
        translated(app, language, "E-mail address"))
    expect(page.locator("label[for=password]")).to_have_text(
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
