"""Issue 5: a union's critique, answered officially, end to end in Thai.

The director of the Kim Bang Women's Union writes a critique; the relationship manager whose
portfolio holds the union finds it, acknowledges it, drafts the official answer and publishes
it; the director signs in again and finds the answer, told by a notification.

This flow runs with the answers kept per process under data versions, as production does
(portal.core.versions): every write here must end what was kept for the people who read after
it.
"""
import os
import re

import pytest
from flask_babel import force_locale, ngettext
from playwright.sync_api import expect

from tests.e2e.pages import (
    PageChecks,
    open_nav_link,
    sign_in,
    sign_out,
    switch_language,
    translate,
    translated,
    translated_in_context,
    translated_pattern,
    unread_notifications,
)

pytestmark = pytest.mark.e2e

DIRECTOR = "chutich.phunu@kimbang.example"
MANAGER = "canbo.kimbang@vbsp.example"
UNION = "Hội Liên hiệp Phụ nữ huyện Kim Bảng"
COMMUNE_POINT = "Điểm giao dịch xã Ba Sao"
TITLE = "วันทำการของจุดบริการตำบลบาเซาตรงกับวันตลาดนัด"
CONCERNS = "จุดบริการตำบลบาเซา วันทำธุรกรรมประจำเดือน"
BODY = ("วันทำธุรกรรมที่จุดบริการตำบลตรงกับวันตลาดนัด สมาชิกกลุ่มออมทรัพย์และสินเชื่อจึงมา"
        "ชำระดอกเบี้ยและฝากเงินไม่ได้ ขอให้เลื่อนไปเป็นวันอื่น")
ANSWER = ("ขอบคุณสำหรับคำติชม ตั้งแต่เดือนหน้าจุดบริการตำบลบาเซาจะเปิดให้บริการในวันที่ไม่ตรง"
          "กับวันตลาดนัด และจะแจ้งกำหนดการใหม่ในการประชุมกลุ่มครั้งถัดไป")
SEARCH = "ตลาดนัด"  # Thai has no spaces between words: a part of one must find it
EARLIER_TITLE = "Lịch giao dịch tại xã chưa thuận tiện"  # the demo's critique of the same point
EARLIER_WORDS = "lich giao dich"  # typed without diacritics


@pytest.fixture(scope="module", autouse=True)
def answers_kept(live_server):
    """The live server keeps answers per process under data versions in Redis while this
    module runs, as production does (portal.core.versions): every write here must end what
    was kept for the people who read after it."""
    from portal.core import versions

    app = live_server.app
    store = versions.RedisVersions(
        os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        f"portal-e2e-{os.getpid()}-{os.urandom(4).hex()}:")
    app.extensions["data_versions"] = store
    try:
        yield store
        written = list(store.redis.scan_iter(store.prefix + "*"))
        assert written, "no write was published: the flow did not run with data versions"
    finally:
        app.extensions.pop("data_versions", None)
        versions.forget_all()
        stale = list(store.redis.scan_iter(store.prefix + "*"))
        if stale:
            store.redis.delete(*stale)


def test_a_critique_in_thai_is_acknowledged_answered_and_the_union_is_told(
        page, live_server, demo_accounts, screenshots):
    app = live_server.app
    password = demo_accounts.password
    manager_name = demo_accounts.name(MANAGER)

    def th(message, **values):
        return translated(app, "th", message, **values)

    def th_plural(singular, plural, n):
        with app.test_request_context(), force_locale("th"):
            return ngettext(singular, plural, n)

    check = PageChecks(page, app, screenshots, "feedback")
    critique = translate(app, "th", "Critique")
    flash = page.locator("main .alert-success[role=status]")  # what was just done
    state = page.locator("main h1 + p .badge")

    # --- the director writes the critique --------------------------------------------------
    sign_in(page, DIRECTOR, password, check)
    expect(page.locator("html")).to_have_attribute("lang", "vi")  # her saved preference
    unread_before = unread_notifications(page)
    switch_language(page, "th")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    check("the director's home page in Thai")

    open_nav_link(page, "/feedback/")
    expect(page.locator("main h1")).to_have_text(
        th("Critiques, proposals and product requests"))
    check("the feedback list (director)")
    page.locator("main a[href='/feedback/new/critique']").click()
    page.wait_for_url("**/feedback/new/critique")
    expect(page.locator("main h1")).to_have_text(th("New %(kind)s", kind=critique))
    form = page.locator("main form[enctype='multipart/form-data']")
    # one organisation to speak for: hers, already chosen
    expect(form.locator("#organisation_id option:checked")).to_have_text(UNION)
    # the label, marked as required before anything is sent
    expect(form.locator("label[for=title]")).to_contain_text(th("Title"))
    form.locator("#title").fill(TITLE)
    form.locator("#concerns").fill(CONCERNS)
    form.locator("#body").fill(BODY)
    form.locator("#topic").select_option(label=translate(app, "th", "Speed of service"))
    form.locator("#visibility").select_option("public")
    form.locator("#branch_id").select_option(label=COMMUNE_POINT)
    check("the critique form, filled in")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/feedback/\d+$"))
    item_path = page.url.removeprefix(live_server.url)
    item_id = item_path.rsplit("/", 1)[1]

    expect(flash).to_have_text(th(
        "Thank you. Your %(kind)s is registered as number %(id)s.", kind=critique, id=item_id))
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(state.first).to_have_text(th("Submitted"))
    expect(page.locator("main article")).to_contain_text(BODY)
    details = page.locator("main dl")
    expect(details).to_contain_text(UNION)
    expect(details).to_contain_text(manager_name)  # the manager serving the union owns it
    expect(details).to_contain_text(COMMUNE_POINT)
    expect(page.locator("#response")).to_contain_text(
        translated_pattern(app, "th", "Not answered yet. Answer due by %(date)s."))
    # a union may not handle its own item
    expect(page.locator("main form[action$='/acknowledge']")).to_have_count(0)
    check("the critique as submitted")
    sign_out(page)

    # --- the relationship manager finds it, acknowledges and answers it -------------------
    sign_in(page, MANAGER, password, check)
    switch_language(page, "th")
    check("the manager's home page in Thai")
    open_nav_link(page, "/feedback/")
    check("the feedback list (manager)")
    search = page.locator("main form[role=search]")
    search.locator("#f-q").fill(SEARCH)
    search.locator("button[type=submit]").click()
    page.wait_for_url("**/feedback/?*")
    page.wait_for_load_state("load")
    found = page.locator("main .feedback-list article.feedback-card")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(TITLE)
    expect(found).to_contain_text(UNION)
    expect(found.locator(".badge").first).to_have_text(th("Submitted"))
    # nobody endorses it yet, and it is due in the days ahead, in the Buddhist era
    expect(found.locator(".feedback-card-endorsements")).to_have_text(
        th_plural("%(num)s organisation", "%(num)s organisations", 0))
    expect(found.locator(".feedback-card-deadline")).to_contain_text(
        translated_pattern(app, "th", "Answer due %(date)s"))
    expect(found.locator(".feedback-card-deadline")).to_contain_text(re.compile(r"25[6-9]\d"))
    check("the feedback list searched in Thai (manager)")
    found.locator("a.stretched-link").click()
    page.wait_for_url(f"**{item_path}")
    expect(state.first).to_have_text(th("Submitted"))
    check("the new critique (manager)")

    page.locator("main form[action$='/acknowledge'] button").click()
    page.wait_for_url(f"**{item_path}")
    expect(flash).to_have_text(
        th("Acknowledged. The submitter has been told."))
    expect(state.first).to_have_text(th("Acknowledged"))
    expect(page.locator("main form[action$='/acknowledge']")).to_have_count(0)
    check("the critique, acknowledged (manager)")

    draft = page.locator("main form[action$='/draft']")
    # each box is named by its own label (both fields are called "body")
    # the response is written in the formatting editor, named by the form's label
    # (a required one says so after its name)
    expect(draft.locator(".ql-editor")).to_have_accessible_name(
        re.compile("^" + re.escape(th("Official response"))))
    expect(page.locator("main form[action$='/note'] textarea[name=body]")
           ).to_have_accessible_name(re.compile("^" + re.escape(th("Internal note"))))
    # the outcome is the manager's to choose: nothing is chosen for her
    outcome = draft.locator("select[name=outcome]")
    expect(outcome.locator("option:checked")).to_have_text(th("Choose…"))
    draft.locator(".ql-editor").click()
    page.keyboard.insert_text(ANSWER)
    draft.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    draft = page.locator("main form[action$='/draft']")
    outcome = draft.locator("select[name=outcome]")
    expect(draft.locator("#outcome-error")).to_have_text(th("Choose the outcome of the answer."))
    expect(draft.locator(".ql-editor")).to_contain_text(ANSWER)
    check("the answer refused without an outcome (manager)")

    # "duplicate of" finds items by their title: the earlier critique about the same commune
    box = draft.locator("#duplicate_of")
    box.press_sequentially(EARLIER_WORDS, delay=20)
    suggestion = draft.locator(f"#duplicate_of-options option[value$='· {EARLIER_TITLE}']")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_attribute("value", re.compile(r"^#\d+ · "))
    # never the item itself
    expect(draft.locator(f"#duplicate_of-options option[value$='{TITLE}']")).to_have_count(0)
    box.fill("")  # it is not a duplicate after all: the answer accepts it
    outcome.select_option("accepted")
    draft.locator("button[type=submit]").click()
    page.wait_for_url(f"**{item_path}#response")
    expect(flash).to_have_text(th(
        "The draft response is saved. It is not visible to the submitter until you "
        "publish it."))
    # a draft is not the answer yet
    expect(state.first).to_have_text(th("Acknowledged"))
    expect(page.locator("#response .card.border-success")).to_have_count(0)
    expect(draft.locator(".ql-editor")).to_contain_text(ANSWER)
    check("the critique with a draft answer (manager)")

    page.locator("main form[action$='/publish'] button").click()
    page.wait_for_url(f"**{item_path}")
    expect(flash).to_have_text(th("The response is published."))
    expect(state.first).to_have_text(th("Answered"))
    expect(state.nth(1)).to_have_text(
        translated_in_context(app, "th", "feedback outcome", "Accepted"))
    published = page.locator("#response .card.border-success")
    expect(published).to_contain_text(ANSWER)
    expect(published).to_contain_text(manager_name)
    check("the critique, answered (manager)")
    sign_out(page)

    # --- the director signs in again: a notification, and the answer -----------------------
    sign_in(page, DIRECTOR, password, check)
    expect(page.locator("html")).to_have_attribute("lang", "th")  # the switcher remembered
    # acknowledged, then answered: two new notifications
    assert unread_notifications(page) == unread_before + 2
    page.locator("nav.portal-nav a.nav-link[href='/notifications']").click()
    page.wait_for_url("**/notifications")
    expect(page.locator("main h1")).to_have_text(th("Notifications"))
    newest = page.locator("main ul.list-group > li").first
    expect(newest.locator(".fw-bold")).to_contain_text(
        th("Your item was answered: %(title)s", title=TITLE))
    expect(page.locator("main ul.list-group > li").nth(1)).to_contain_text(
        th("Your item was acknowledged: %(title)s", title=TITLE))
    check("the director's notifications")

    newest.locator("form[action$='/open'] button").click()
    page.wait_for_url(f"**{item_path}")
    page.wait_for_load_state("load")
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(state.first).to_have_text(th("Answered"))
    answer = page.locator("#response .card.border-success")
    expect(answer).to_contain_text(ANSWER)
    expect(answer).to_contain_text(
        translated_in_context(app, "th", "feedback outcome", "Accepted"))
    # the history tells the whole story; the bank's internal notes stay with the bank
    history = page.locator("main ol.small")
    for event in ("Submitted", "Acknowledged", "Answered"):
        expect(history).to_contain_text(th(event))
    expect(page.locator("#notes")).to_have_count(0)
    assert unread_notifications(page) == unread_before + 1  # the one she opened is read
    check("the answered critique, seen by the director")


TEHRAN_MANAGER = "rm.tehran@cdb.example"
ENDORSED = "کندی ارائه خدمات به تعاونی‌ها در شعب"        # three unions endorse it (demo)
LATE_PROPOSAL = "تأمین مالی طرح‌های تعاونی در مناطق کم‌برخوردار"  # past its answer deadline
PACKAGE_PROPOSAL = "بسته خدماتی ویژه اتحادیه‌های ملی"
WORKING_CAPITAL = "تسهیلات سرمایه در گردش برای بافندگان روستایی"


def _no_sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_list_as_cards_and_an_answer_naming_the_item_it_duplicates_in_persian(
        page, live_server, demo_accounts, screenshots):
    """The Tehran relationship manager reads the list as cards (endorsements and deadlines in
    Persian digits and the Solar Hijri calendar, on a wide screen and on a phone), and answers
    a proposal as a duplicate of an earlier request found by its title."""
    app = live_server.app

    def fa(message, **values):
        return translated(app, "fa", message, **values)

    check = PageChecks(page, app, screenshots, "feedback-cards")
    sign_in(page, TEHRAN_MANAGER, demo_accounts.password, check)
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    open_nav_link(page, "/feedback/")
    cards = page.locator("main .feedback-list article.feedback-card")
    endorsed = cards.filter(has_text=ENDORSED)
    expect(endorsed.locator(".feedback-card-endorsements")).to_have_text("۳ سازمان")
    late = cards.filter(has_text=LATE_PROPOSAL)
    expect(late.locator(".feedback-card-deadline .text-danger")).to_contain_text(
        translated_pattern(app, "fa", "Answer was due %(date)s (overdue)"))
    expect(late.locator(".feedback-card-deadline")).to_contain_text(re.compile("۱۴۰[۴-۹]"))
    check("the feedback list as cards")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _no_sideways_scroll(page)
    box = cards.first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # one card a row, on the screen
    check("the feedback list as cards on a phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    cards.filter(has_text=PACKAGE_PROPOSAL).locator("a.stretched-link").click()
    page.wait_for_url(re.compile(r".*/feedback/\d+$"))
    item_path = page.url.removeprefix(live_server.url)
    draft = page.locator("main form[action$='/draft']")
    expect(draft.locator("select[name=outcome] option:checked")).to_have_text(fa("Choose…"))
    draft.locator(".ql-editor").click()
    page.keyboard.insert_text(
        "این پیشنهاد با درخواست تسهیلات سرمایه در گردش بافندگان یکی است و همان‌جا پیگیری می‌شود.")
    draft.locator("select[name=outcome]").select_option("duplicate")
    picker = draft.locator("#duplicate_of")
    picker.press_sequentially("سرمایه در گردش", delay=20)
    suggestion = draft.locator(f"#duplicate_of-options option[value$='· {WORKING_CAPITAL}']")
    expect(suggestion).to_have_count(1)
    chosen = suggestion.get_attribute("value")
    assert re.match("^#[۰-۹]+ · ", chosen), chosen  # the number in Persian digits
    picker.fill(chosen)  # as the browser does when the suggestion is picked
    check("the answer form with a suggested item")
    draft.locator("button[type=submit]").click()
    page.wait_for_url(f"**{item_path}#response")
    draft = page.locator("main form[action$='/draft']")
    expect(draft.locator("#duplicate_of")).to_have_value(chosen)
    expect(draft.locator(".item-picker-chosen")).to_contain_text(WORKING_CAPITAL)
    expect(draft.locator("select[name=outcome] option:checked")).to_have_text(fa("Duplicate"))
    check("the draft answer naming the item it duplicates")

    # the same pages in Thai, on a phone
    switch_language(page, "th")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_load_state("load")
    assert _no_sideways_scroll(page)
    check("the draft answer naming the item it duplicates on a phone")
    page.goto("/feedback/")
    page.wait_for_load_state("load")
    assert _no_sideways_scroll(page)
    expect(page.locator("main .feedback-list article.feedback-card").filter(
        has_text=ENDORSED).locator(".feedback-card-endorsements")).to_have_text("3 องค์กร")
    check("the feedback list as cards on a phone")
