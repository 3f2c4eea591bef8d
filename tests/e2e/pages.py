"""What a person does in the portal, and what the e2e tests check on every page."""
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright's own download is not used
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
_axe = Axe()
BLOCKING_IMPACTS = ("serious", "critical")


def translate(app, language, message, **values):
    """The catalogue's text for this language (the English text if it is not translated)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(language):
        return gettext(message, **values)


def translated(app, language, message, **values):
    """The catalogue's text, failing the test clearly if the catalogue lacks it."""
    text = translate(app, language, message, **values)
    english = translate(app, "en", message, **values)
    if language != "en" and text == english:
        pytest.fail(f"no {language} translation yet for {message!r}", pytrace=False)
    return text


def translated_in_context(app, language, context, message):
    """The catalogue's text of a message that has a context (pgettext), failing the test
    clearly if the catalogue lacks it."""
    from flask_babel import force_locale, pgettext

    def text(lang):
        with app.test_request_context(), force_locale(lang):
            return pgettext(context, message)

    if language != "en" and text(language) == text("en"):
        pytest.fail(f"no {language} translation yet for {context}|{message!r}", pytrace=False)
    return text(language)


def translated_pattern(app, language, message, **values):
    """The catalogue's text as a regular expression, each placeholder not given in values
    matching anything (a date, a count): for text whose variable part the test does not know."""
    names = set(re.findall(r"%\((\w+)\)", message)) - set(values)
    marks = {name: f"\x00{name}\x00" for name in names}
    text = translated(app, language, message, **values, **marks)
    pattern = re.escape(text)
    for mark in marks.values():
        pattern = pattern.replace(re.escape(mark), ".+?")
    return re.compile(pattern)


def sign_in(page, email, password, checks=None):
    """Through the sign-in form; with checks (a PageChecks), the form and the page it leads
    to are checked too."""
    page.goto("/login")
    if checks is not None:
        checks("the sign-in page")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    # the sign-in page is loaded already: wait for the page it leads to
    page.wait_for_url(lambda url: not url.split("?")[0].endswith("/login"))
    page.wait_for_load_state("load")
    if checks is not None:
        checks(f"the home page of {email}")


def sign_out(page):
    """The sign-out button in the navbar: back on the sign-in page."""
    page.locator("nav.portal-nav form[action$='/logout'] button").click()
    page.wait_for_url("**/login")
    page.wait_for_load_state("load")


def switch_language(page, code):
    """Open the globe menu in the navbar and choose a language: a POST, then back here."""
    # on a phone the navbar folds open with an animation: a click on the menu while it still
    # moves can miss (seen once in a full run); wait until it has settled
    expect(page.locator(".navbar-collapse.collapsing")).to_have_count(0)
    expect(page.locator("#language-menu")).to_be_visible()
    page.locator("#language-menu").click()
    choice = page.locator(f'form[aria-labelledby="language-menu"] button[value="{code}"]')
    expect(choice).to_be_visible()
    choice.click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    page.wait_for_load_state("load")


def open_nav_link(page, href):
    page.locator(f'nav.portal-nav a.nav-link[href="{href}"]').click()
    page.wait_for_url(f"**{href}")
    page.wait_for_load_state("load")


def check_accessibility(page, what):
    """axe-core on the page as it is now: no serious or critical violation."""
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"accessibility violations on {what} ({page.url}):\n" + "\n".join(
        _describe(v) for v in blocking)


def _describe(violation):
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"][:8]:
        lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"      {summary[:240]}")
    if len(violation["nodes"]) > 8:
        lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def text_box(locator):
    """The box of the element's text itself (not of the element), as {left, right}."""
    return locator.evaluate("""el => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const box = range.getBoundingClientRect();
        return {left: box.left, right: box.right};
    }""")


class PageChecks:
    """What a flow checks on every page it reaches, called once per page: axe finds nothing
    serious; and on a page in a language other than English, no interface text is left in
    English and a screenshot is saved, numbered in the flow's order:
    <flow>-<nn>-<what>-<language>.png."""

    def __init__(self, page, app, screenshots, flow):
        self.page, self.app, self.screenshots, self.flow = page, app, screenshots, flow
        self.count = 0

    def __call__(self, what):
        language = self.page.locator("html").get_attribute("lang")
        check_accessibility(self.page, what)
        if language == "en":
            return
        left = english_left(self.page, self.app, language)
        assert not left, f"English left on {what} ({self.page.url}): {left}"
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")[:60]
        self.screenshots(self.page, f"{self.flow}-{self.count:02d}-{slug}-{language}")


def unread_notifications(page):
    """The number on the navbar's notifications badge (0 when there is no badge)."""
    badge = page.locator("nav.portal-nav a.nav-link[href='/notifications'] .badge")
    if not badge.count():
        return 0
    digits = re.sub(r"\D", "", badge.inner_text().translate(_TO_LATIN))
    return int(digits)


_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")

# What the portal itself says (not its data): navigation, headings, buttons, labels, headers.
UI_TEXT = ("nav.portal-nav .navbar-brand, nav.portal-nav .nav-link, main h1, main h2, "
           "main .btn, main label, main th, main .breadcrumb-item a, main caption, "
           "main summary, main .badge, footer")
LATIN_WORDS = re.compile(r"^[A-Za-z][A-Za-z ,.'’()-]*[A-Za-z.)]$")
NOT_TO_TRANSLATE = {"CSV", "Excel"}


def english_left(page, app=None, language=None):
    """Interface text on the page still in English (data in another language is marked with
    its own lang attribute and left out). Given the app and a language, a text that is that
    language's own translation of something passes; and on a page in a language written in
    Latin letters (Vietnamese), where data such as "Ba Sao" looks like English, only the
    catalogue's own English texts count."""
    texts = page.eval_on_selector_all(UI_TEXT, """els => els
        .filter(el => !el.closest('[lang]:not(html)') && el.offsetParent !== null)
        .map(el => el.innerText.trim())""")
    left = {t for t in texts if LATIN_WORDS.match(t) and t not in NOT_TO_TRANSLATE}
    if app is not None and language:
        english, own = _catalogue(app, language)
        left -= own
        if language in LATIN_SCRIPT_LANGUAGES:
            left &= english
    return sorted(left)


LATIN_SCRIPT_LANGUAGES = {"vi"}


def _catalogue(app, language):
    """(the English texts, their translations) of the language's compiled catalogue."""
    from babel.messages.mofile import read_mo

    path = Path(app.root_path) / "i18n" / "translations" / language / "LC_MESSAGES" / \
        "messages.mo"
    with path.open("rb") as handle:
        catalogue = read_mo(handle)
    messages = [m for m in catalogue if m.id and isinstance(m.id, str)]
    return ({m.id for m in messages},
            {m.string for m in messages if isinstance(m.string, str) and m.string != m.id})


def paste_html(editor, html=None, text=None):
    """What Ctrl+V does in a rich-text editor with this clipboard: a paste event carrying
    its data (what a word processor or a web page puts there)."""
    editor.evaluate("""(el, data) => {
        const clipboard = new DataTransfer();
        if (data.html) { clipboard.setData('text/html', data.html); }
        if (data.text) { clipboard.setData('text/plain', data.text); }
        el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: clipboard,
                                                      bubbles: true, cancelable: true}));
    }""", {"html": html, "text": text})
