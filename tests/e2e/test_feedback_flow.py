"""Issue 5: a union's critique, answered officially, end to end in Thai.

The director of the Kim Bang Women's Union writes a critique; the relationship manager whose
portfolio holds the union finds it, acknowledges it, drafts the official answer and publishes
it; the director signs in again and finds the answer, told by a notification.
"""
import re

import pytest
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


def test_a_critique_in_thai_is_acknowledged_answered_and_the_union_is_told(
        page, live_server, demo_accounts, screenshots):
    app = live_server.app
    password = demo_accounts.password
    manager_name = demo_accounts.name(MANAGER)

    def th(message, **values):
        return translated(app, "th", message, **values)

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
    expect(form.locator("label[for=title]")).to_have_text(th("Title"))
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
    found = page.locator("main .list-group a.list-group-item")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(TITLE)
    expect(found).to_contain_text(UNION)
    expect(found.locator(".badge").first).to_have_text(th("Submitted"))
    check("the feedback list searched in Thai (manager)")
    found.click()
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
    expect(draft.locator("textarea[name=body]")).to_have_accessible_name(
        th("Official response"))
    expect(page.locator("main form[action$='/note'] textarea[name=body]")
           ).to_have_accessible_name(th("Internal note"))
    draft.locator("textarea[name=body]").fill(ANSWER)
    draft.locator("select[name=outcome]").select_option("accepted")
    draft.locator("button[type=submit]").click()
    page.wait_for_url(f"**{item_path}#response")
    expect(flash).to_have_text(th(
        "The draft response is saved. It is not visible to the submitter until you "
        "publish it."))
    # a draft is not the answer yet
    expect(state.first).to_have_text(th("Acknowledged"))
    expect(page.locator("#response .card.border-success")).to_have_count(0)
    expect(draft.locator("textarea[name=body]")).to_have_value(re.compile(re.escape(ANSWER)))
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
