"""The formatting editor of the minutes, as the recorder uses it in Persian (right to left),
Vietnamese and Thai: the agenda opens as headings; a heading, bold text, a list, a link and
text pasted from a word processor are typed or pasted; the minutes are saved, stored
sanitised, shown formatted on the meeting page and open formatted again in the editor. The
toolbar is reached and walked with the keyboard, its labels in the page's language."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.pages import check_accessibility, paste_html, sign_in, switch_language, translated

pytestmark = pytest.mark.e2e

AGENDA = {
    "fa": ["گشایش و گزارش بانک", "تسهیلات شعب ویژه"],
    "vi": ["Khai mạc và báo cáo của ngân hàng", "Tín dụng qua chi nhánh chuyên biệt"],
    "th": ["เปิดประชุมและรายงานของธนาคาร", "สินเชื่อผ่านสาขาเฉพาะกิจ"],
}
WRITTEN = {
    "fa": {"heading": "تصمیم‌ها", "bold": "مصوب شد", "plain": " سقف وام دو برابر شود",
           "items": ["آموزش کارکنان شعب", "گزارش فصلی به وزارت"]},
    "vi": {"heading": "Quyết định", "bold": "Đã thông qua", "plain": " nâng hạn mức vay gấp đôi",
           "items": ["Đào tạo nhân viên chi nhánh", "Báo cáo quý cho Bộ"]},
    "th": {"heading": "มติที่ประชุม", "bold": "เห็นชอบ", "plain": " เพิ่มวงเงินกู้สองเท่า",
           "items": ["อบรมพนักงานสาขา", "รายงานรายไตรมาสต่อกระทรวง"]},
}
# what Word puts on the clipboard: classes, styles, spans, o:p, conditional list markers
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"><head>
<style>p.MsoNormal{{margin:0}} @list l0:level1 {{mso-level-tab-stop:none;}}</style></head>
<body><!--StartFragment-->
<h2 style='mso-margin-top-alt:auto'><span lang=FA
style='font-family:Tahoma'>{heading}<o:p></o:p></span></h2>
<p class=MsoNormal style='color:red'><b><span style='font-size:14pt'>{bold}</span></b><span>
 {rest}<br>{line}</span><o:p>&nbsp;</o:p></p>
<p class=MsoListParagraphCxSpFirst
style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='mso-list:Ignore'>1.<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span><![endif]>{first}<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast
style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='mso-list:Ignore'>2.<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span><![endif]>{second}<o:p></o:p></p>
<table class=MsoTableGrid><tr><td>{cell}</td></tr></table>
<!--EndFragment--></body></html>"""
PASTED = {
    "fa": {"heading": "پیوست", "bold": "یادآوری", "rest": "مهلت پاسخ", "line": "ده روز کاری",
           "first": "نامه به اتحادیه‌ها", "second": "نشست بعدی در مهر", "cell": "جدول"},
    "vi": {"heading": "Phụ lục", "bold": "Lưu ý", "rest": "hạn trả lời",
           "line": "mười ngày làm việc",
           "first": "Thư gửi các liên hiệp", "second": "Phiên họp tiếp theo", "cell": "Bảng"},
    "th": {"heading": "ภาคผนวก", "bold": "หมายเหตุ", "rest": "กำหนดตอบ", "line": "สิบวันทำการ",
           "first": "หนังสือถึงสหพันธ์", "second": "การประชุมครั้งถัดไป", "cell": "ตาราง"},
}
PLAIN_LINES = {"fa": ["سطر نخست", "سطر دوم"], "vi": ["Dòng thứ nhất", "Dòng thứ hai"],
               "th": ["บรรทัดแรก", "บรรทัดที่สอง"]}
LINK = "https://cdb.example/decisions"
RECORDER = "rm.tehran@cdb.example"


def _held_meeting(app, language):
    """A session of the bank held yesterday, its agenda in the language of the test, no
    minutes yet; the Tehran relationship manager records it."""
    from portal.accounts.models import Organisation, User
    from portal.extensions import db
    from portal.meetings import services

    with app.test_request_context():
        recorder = db.session.scalar(sa.select(User).where(User.email == RECORDER))
        host = db.session.scalar(sa.select(Organisation).where(Organisation.code == "CDB-HO"))
        start = datetime.now() - timedelta(days=1)
        meeting = services.plan_meeting(
            recorder, kind="consultation_session", title=f"Editor {language} {start:%H%M%S%f}",
            starts_local=start, ends_local=start + timedelta(hours=2), timezone="Asia/Tehran",
            place="Tehran", online_link=None, host_organisation=host, chair=None,
            chair_name=None, recorder=recorder, confidential=False)
        for title in AGENDA[language]:
            services.add_agenda_item(recorder, meeting, title=title)
        services.mark_held(recorder, meeting, now=meeting.ends_at + timedelta(minutes=1))
        db.session.commit()
        return meeting.id


def _stored_minutes(app, meeting_id):
    from portal.extensions import db
    from portal.meetings.models import Meeting

    with app.app_context():
        return db.session.get(Meeting, meeting_id).minutes.body_html


_paste = paste_html


@pytest.mark.parametrize("language", ["fa", "vi", "th"])
def test_minutes_round_trip_through_the_editor(page, live_server, demo_accounts, screenshots,
                                                language):
    app = live_server.app
    t = lambda message: translated(app, language, message)  # noqa: E731
    meeting_id = _held_meeting(app, language)
    words, pasted = WRITTEN[language], PASTED[language]
    sign_in(page, RECORDER, demo_accounts.password)
    switch_language(page, language)
    page.goto(f"/meetings/{meeting_id}/minutes")

    # the editor stands in for the text box, which stays in the form, out of sight
    frame = page.locator("#minutes-form .richtext")
    editor = frame.locator(".ql-editor")
    expect(editor).to_be_visible()
    expect(page.locator("#minutes-form textarea[name=body]")).to_have_class(
        re.compile(r"\bvisually-hidden\b"))
    expect(frame).to_have_attribute("dir", "rtl" if language == "fa" else "ltr")
    expect(editor).to_have_attribute("dir", "auto")
    expect(editor).to_have_attribute("role", "textbox")
    # the agenda opens as headings, not as markup to type around
    expect(editor.locator("h3")).to_have_count(2)
    expect(editor.locator("h3").first).to_contain_text(AGENDA[language][0])
    expect(editor).not_to_contain_text("<h3>")

    # the toolbar: one tab stop before the text, arrows walk it, labels in the language
    toolbar = frame.get_by_role("toolbar", name=t("Formatting"))
    editor.click()
    page.keyboard.press("Shift+Tab")
    style = toolbar.get_by_role("combobox", name=t("Text style"))
    expect(style).to_be_focused()
    page.keyboard.press("ArrowLeft" if language == "fa" else "ArrowRight")
    expect(toolbar.get_by_role("button", name=t("Bold"))).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name=t("Clear formatting"))).to_be_focused()
    page.keyboard.press("Tab")
    expect(editor).to_be_focused()

    # a heading, bold text, a list, a link
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    style.select_option("3")
    page.keyboard.type(words["heading"])
    page.keyboard.press("Enter")
    page.keyboard.press("Control+b")
    page.keyboard.type(words["bold"])
    page.keyboard.press("Control+b")
    page.keyboard.type(words["plain"])
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name=t("Bulleted list")).click()
    expect(toolbar.get_by_role("button", name=t("Bulleted list"))).to_have_attribute(
        "aria-pressed", "true")
    page.keyboard.type(words["items"][0])
    page.keyboard.press("Enter")
    page.keyboard.type(words["items"][1])
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    toolbar.get_by_role("button", name=t("Link")).click()
    address = frame.get_by_label(t("Link address"))
    expect(address).to_be_focused()
    address.fill("javascript:alert(1)")
    address.press("Enter")
    expect(frame.locator(".richtext-link .invalid-feedback")).to_have_text(
        t("Enter an address that starts with https://, http:// or mailto:"))
    address.fill(LINK)
    address.press("Enter")
    expect(editor.locator(f'a[href="{LINK}"]')).to_have_count(1)
    page.keyboard.press("Enter")

    # pasted from a word processor: headings, lists, bold and line breaks stay, the rest goes
    _paste(editor, html=WORD_HTML.format(**pasted), text="ignored when there is html")
    page.keyboard.press("Enter")
    _paste(editor, text="\n".join(PLAIN_LINES[language]))
    expect(editor.locator("strong", has_text=pasted["bold"])).to_have_count(1)
    expect(editor.locator("h3", has_text=pasted["heading"])).to_have_count(1)
    expect(editor.locator("li[data-list=ordered]")).to_have_count(2)
    expect(editor.locator("[style], [class*=Mso], table")).to_have_count(0)
    expect(page.locator("#minutes-form textarea[name=body]")).to_have_value(
        re.compile(re.escape(words["bold"])))  # kept in step for the form and the autosave
    page.keyboard.press("Tab")  # Tab leaves the text, as in any form, rather than indenting
    expect(editor).not_to_be_focused()

    check_accessibility(page, f"the minutes editor ({language})")
    screenshots(page, f"editor-minutes-{language}")

    page.locator("#minutes-form button[type=submit]").click()
    page.wait_for_url(f"**/meetings/{meeting_id}#minutes")

    stored = _stored_minutes(app, meeting_id)
    for marker in ("data-list", "ql-ui", "class=", "style=", "o:p", "<table", "mso",
                   "contenteditable", "&nbsp;", "<span"):
        assert marker not in stored, (marker, stored)
    assert re.search(r"<h3>[^<]*" + re.escape(AGENDA[language][0]) + "</h3>", stored)
    assert f"<h3>{words['heading']}</h3>" in stored
    assert f"<strong>{words['bold']}</strong>{words['plain']}" in stored
    assert f"<ul><li>{words['items'][0]}</li><li>{words['items'][1]}</li></ul>" in stored
    assert f"<ol><li>{pasted['first']}</li><li>{pasted['second']}</li></ol>" in stored
    assert f"<h3>{pasted['heading']}</h3>" in stored
    assert f"{pasted['rest']}" in stored and pasted["line"] in stored
    assert f'<a href="{LINK}" rel="noopener noreferrer nofollow">{LINK}</a>' in stored
    for line in PLAIN_LINES[language]:
        assert f"<p>{line}</p>" in stored

    # shown formatted on the meeting page
    shown = page.locator("#minutes .minutes-text")
    expect(shown.locator("h3", has_text=words["heading"])).to_be_visible()
    expect(shown.locator("strong", has_text=words["bold"])).to_be_visible()
    expect(shown.locator("ul > li")).to_have_count(2)
    expect(shown.locator("ol > li")).to_have_count(2)
    screenshots(page, f"editor-minutes-saved-{language}")

    # and formatted again when the editor opens on them
    page.goto(f"/meetings/{meeting_id}/minutes")
    expect(editor.locator("h3", has_text=words["heading"])).to_be_visible()
    expect(editor.locator("strong", has_text=words["bold"])).to_be_visible()
    expect(editor.locator("li[data-list=bullet]")).to_have_count(2)
    expect(editor.locator("li[data-list=ordered]")).to_have_count(2)
    expect(editor.locator(f'a[href="{LINK}"]')).to_have_count(1)


def test_without_javascript_typed_lines_become_paragraphs(browser, live_server, demo_accounts):
    """With scripts off the text box is the form field itself; what is typed in it line by
    line is stored as paragraphs."""
    meeting_id = _held_meeting(live_server.app, "vi")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, RECORDER, demo_accounts.password)
        page.goto(f"/meetings/{meeting_id}/minutes")
        body = page.locator("#minutes-form textarea[name=body]")
        expect(body).to_be_visible()
        expect(page.locator(".richtext")).to_have_count(0)
        body.fill("Khai mạc lúc 9 giờ\nChủ tọa: ông Nam\n\nĐã thông qua kế hoạch")
        page.locator("#minutes-form button[type=submit]").click()
        page.wait_for_url(f"**/meetings/{meeting_id}**")
    finally:
        context.close()
    assert _stored_minutes(live_server.app, meeting_id) == (
        "<p>Khai mạc lúc 9 giờ<br>Chủ tọa: ông Nam</p><p>Đã thông qua kế hoạch</p>")


def test_an_items_details_are_written_in_the_editor_too(page, demo_accounts, live_server,
                                                         screenshots):
    """The union director's new critique (Persian): the details box is the editor, right to
    left, and what is typed reaches the form field."""
    app = live_server.app
    sign_in(page, "director@carpet-union.example", demo_accounts.password)
    page.goto("/feedback/new/critique")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    frame = page.locator("main form .richtext")
    expect(frame).to_have_count(1)
    expect(frame).to_have_attribute("dir", "rtl")
    editor = frame.locator(".ql-editor")
    # the field's label names the editor
    expect(editor).to_have_accessible_name(re.compile(re.escape(translated(app, "fa",
                                                                           "Details"))))
    page.locator("label[for=body]").click()
    expect(editor).to_be_focused()
    frame.get_by_role("button", name=translated(app, "fa", "Numbered list")).click()
    page.keyboard.type("صف طولانی در شعبه")
    expect(page.locator("textarea#body")).to_have_value(
        re.compile(r'<li data-list="ordered">.*صف طولانی در شعبه'))
    check_accessibility(page, "the new critique form with the editor")
    screenshots(page, "editor-critique-fa")
