"""Dates as their reader writes them: the date picker (portal/static/js/datepicker.js) in the
Solar Hijri, Buddhist and Gregorian calendars, and the portal's forms reading what is typed.

The picker's own tests run it on a page served from the portal's origin under the portal's
Content-Security-Policy, with date inputs marked up as portal/i18n/fields.py renders them, so
they do not depend on any one form.
"""
import re
from datetime import date

import jdatetime
import pytest
from playwright.sync_api import expect

from portal.core.security import CSP
from tests.e2e.pages import check_accessibility, sign_in, translate, translated

pytestmark = pytest.mark.e2e

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# (calendar, data-format) as the server writes them for each page language
FIELD_FORMATS = {"fa": ("jalali", "YYYY/MM/DD"), "th": ("buddhist", "DD/MM/YYYY"),
                 "vi": ("gregorian", "DD/MM/YYYY"), "en": ("gregorian", "YYYY-MM-DD")}
# the picker's texts, each from the server in a data-picker-* attribute
PICKER_TEXTS = {"label": "Choose a date", "today": "Today", "previous": "Previous month",
                "next": "Next month", "close": "Close the calendar"}


def persian(text):
    return str(text).translate(PERSIAN)


def _picker_page(page, live_server, language, value="", digits=None, column="col-md-3"):
    """A form with one date field as the server renders it, served from the portal's origin
    with its stylesheets, its script and its Content-Security-Policy."""
    app = live_server.app
    calendar, date_format = FIELD_FORMATS[language]
    digits = digits or ("fa" if language == "fa" else "latn")
    rtl = language == "fa"
    with app.test_request_context():
        asset_url = app.jinja_env.globals["asset_url"]
        bootstrap = asset_url("vendor/bootstrap/bootstrap.rtl.min.css" if rtl
                              else "vendor/bootstrap/bootstrap.min.css")
        portal_css, picker_css = asset_url("css/portal.css"), asset_url("css/datepicker.css")
        script = asset_url("js/datepicker.js")
    label = translate(app, language, "Date")
    texts = " ".join(f'data-picker-{name}="{translate(app, language, message)}"'
                     for name, message in PICKER_TEXTS.items())
    html = f"""<!doctype html>
<html lang="{language}" dir="{'rtl' if rtl else 'ltr'}">
<head><meta charset="utf-8"><title>{label}</title>
<link rel="stylesheet" href="{bootstrap}"><link rel="stylesheet" href="{portal_css}">
<link rel="stylesheet" href="{picker_css}"></head>
<body class="lang-{language}"><main class="container py-4"><h1>{label}</h1>
<form method="get" action="/"><div class="row"><div class="{column}">
<div class="mb-3"><label class="form-label" for="day">{label}</label>
<input class="form-control" type="text" id="day" name="day" value="{value}"
  data-date-input data-calendar="{calendar}" data-format="{date_format}"
  data-digits="{digits}" {texts}></div>
</div></div></form></main>
<script src="{script}"></script></body></html>"""
    url = f"{live_server.url}/_date-picker-{language}"
    page.route(url, lambda route: route.fulfill(
        status=200, body=html, content_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": CSP}))
    page.goto(url)
    # what a form would hear from the picker
    page.evaluate("""() => {
        window.heard = [];
        const input = document.getElementById('day');
        for (const type of ['input', 'change']) {
            input.addEventListener(type, () => window.heard.push(type));
        }
    }""")
    return page.locator("#day")


def _dialog(page):
    return page.get_by_role("dialog")


def _open_picker(page, language):
    button = page.get_by_role("button", name=translate(page.context.app, language,
                                                        "Choose a date"))
    button.click()
    dialog = _dialog(page)
    expect(dialog).to_be_visible()
    return dialog


def _focused_day(page):
    return page.evaluate("document.activeElement.textContent")


@pytest.fixture()
def picker_page(page, live_server):
    page.context.app = live_server.app
    return page


def test_the_picker_shows_the_solar_hijri_month_mirrored_and_writes_persian_digits(
        picker_page, live_server, screenshots):
    page = picker_page
    field = _picker_page(page, live_server, "fa", value="۱۴۰۴/۰۵/۲۱")
    dialog = _open_picker(page, "fa")

    # the month of the typed date, Mordad 1404, starting on Saturday, the 21st chosen
    expect(dialog.locator(".date-picker-title")).to_have_text("مرداد ۱۴۰۴")
    headers = dialog.locator("thead th")
    expect(headers.first).to_have_attribute("abbr", "شنبه")
    expect(headers.last).to_have_attribute("abbr", "جمعه")
    selected = dialog.locator("td[aria-selected=true]")
    expect(selected).to_have_text("۲۱")
    expect(selected).to_be_focused()
    # 1 Mordad 1404 (23 July 2025) was a Wednesday: the fifth column from the right
    first_row = dialog.locator("tbody tr").first.locator("td")
    expect(first_row.nth(4)).to_have_text("۱")
    expect(dialog.locator("tbody td[data-day]")).to_have_count(31)

    # mirrored: Saturday on the right, "previous month" on the right and pointing right
    assert headers.first.bounding_box()["x"] > headers.last.bounding_box()["x"]
    previous = dialog.get_by_role("button", name=translate(live_server.app, "fa",
                                                           "Previous month"))
    following = dialog.get_by_role("button", name=translate(live_server.app, "fa",
                                                            "Next month"))
    assert previous.bounding_box()["x"] > following.bounding_box()["x"]
    # the dialog hangs under the field from its right edge, inside the window
    field_box, dialog_box = field.bounding_box(), dialog.bounding_box()
    assert abs((field_box["x"] + field_box["width"]) - (dialog_box["x"] + dialog_box["width"])) < 2
    assert dialog_box["y"] >= field_box["y"] + field_box["height"]
    check_accessibility(page, "the Solar Hijri date picker")
    screenshots(page, "date-picker-fa")

    # keys follow the screen: left is the next day in Persian, down a week, PageDown a month
    page.keyboard.press("ArrowLeft")
    assert _focused_day(page) == "۲۲"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert _focused_day(page) == "۲۰"
    page.keyboard.press("ArrowDown")
    assert _focused_day(page) == "۲۷"
    page.keyboard.press("PageDown")
    expect(dialog.locator(".date-picker-title")).to_have_text("شهریور ۱۴۰۴")
    assert _focused_day(page) == "۲۷"
    page.keyboard.press("Enter")

    # 27 Shahrivar 1404 (18 September 2025), as the field's format says, in Persian digits
    expect(field).to_have_value("۱۴۰۴/۰۶/۲۷")
    expect(dialog).to_be_hidden()
    expect(field).to_be_focused()
    assert page.evaluate("window.heard") == ["input", "change"]


def test_the_picker_reads_any_digits_knows_leap_years_and_leaves_typing_alone(
        picker_page, live_server):
    page = picker_page
    # Latin digits and dashes on a Persian page; 1403 is a leap year: Esfand has 30 days
    field = _picker_page(page, live_server, "fa", value="1403-12-30")
    dialog = _open_picker(page, "fa")
    expect(dialog.locator(".date-picker-title")).to_have_text("اسفند ۱۴۰۳")
    expect(dialog.locator("td[aria-selected=true]")).to_have_text("۳۰")
    expect(dialog.locator("tbody td[data-day]").last).to_have_text("۳۰")
    # a year on, Esfand 1404 has 29 days: the 30th becomes the 29th
    page.keyboard.press("Shift+PageDown")
    expect(dialog.locator(".date-picker-title")).to_have_text("اسفند ۱۴۰۴")
    expect(dialog.locator("tbody td[data-day]")).to_have_count(29)
    assert _focused_day(page) == "۲۹"
    # Escape: nothing written, back in the field
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(field).to_be_focused()
    expect(field).to_have_value("1403-12-30")

    # a date no calendar has is kept as typed; the picker opens on today's month
    field.fill("1404/13/40")
    _open_picker(page, "fa")
    today = jdatetime.date.today()
    expect(dialog.locator(".date-picker-title")).to_have_text(
        f"{jdatetime.date.j_months_fa[today.month - 1]} {persian(today.year)}")
    expect(dialog.locator("td[aria-selected=true]")).to_have_count(0)
    expect(dialog.locator("td[aria-current=date]")).to_have_text(persian(today.day))
    page.keyboard.press("Escape")
    expect(field).to_have_value("1404/13/40")
    # the one input event is the typing's own: the picker wrote nothing
    assert page.evaluate("window.heard").count("input") == 1


def test_the_picker_shows_the_buddhist_era_month_from_sunday(
        picker_page, live_server, screenshots):
    page = picker_page
    field = _picker_page(page, live_server, "th", value="21/08/2568")
    dialog = _open_picker(page, "th")

    expect(dialog.locator(".date-picker-title")).to_have_text("สิงหาคม 2568")
    headers = dialog.locator("thead th")
    expect(headers.first).to_have_attribute("abbr", "วันอาทิตย์")
    assert headers.first.bounding_box()["x"] < headers.last.bounding_box()["x"]
    expect(dialog.locator("td[aria-selected=true]")).to_have_text("21")
    # 1 August 2025 was a Friday: the sixth column
    expect(dialog.locator("tbody tr").first.locator("td").nth(5)).to_have_text("1")
    field_box, dialog_box = field.bounding_box(), dialog.bounding_box()
    assert abs(field_box["x"] - dialog_box["x"]) < 2
    check_accessibility(page, "the Buddhist-era date picker")
    screenshots(page, "date-picker-th")

    # the mouse: back a month, choose the 5th of July 2568
    dialog.get_by_role("button", name=translate(live_server.app, "th",
                                                "Previous month")).click()
    expect(dialog.locator(".date-picker-title")).to_have_text("กรกฎาคม 2568")
    dialog.locator("td[data-day]", has_text="5").first.click()
    expect(field).to_have_value("05/07/2568")
    expect(dialog).to_be_hidden()


@pytest.mark.parametrize(("language", "first_weekday", "october", "chosen"), [
    ("vi", "Thứ Hai", "tháng 10 năm 2025", "01/10/2025"),
    ("en", "Monday", "October 2025", "2025-10-01"),
])
def test_the_picker_writes_gregorian_dates_in_the_page_format(
        picker_page, live_server, language, first_weekday, october, chosen):
    page = picker_page
    app = live_server.app
    field = _picker_page(page, live_server, language, value="")
    dialog = _open_picker(page, language)
    expect(dialog.locator("thead th").first).to_have_attribute("abbr", first_weekday)
    # from today's month back to October 2025 by keyboard
    today = date.today()
    for _ in range((today.year - 2025) * 12 + today.month - 10):
        page.keyboard.press("PageUp")
    expect(dialog.locator(".date-picker-title")).to_have_text(october)
    # 1 October 2025 was a Wednesday: the third column of a week from Monday
    expect(dialog.locator("tbody tr").first.locator("td").nth(2)).to_have_text("1")

    # the dialog keeps Tab to itself: the day, Today, Close, then round to the arrows
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name=translate(app, language, "Today"))).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name=translate(app, language, "Previous month"))
           ).to_be_focused()
    dialog.locator("td[data-day]", has_text="1").first.click()
    expect(field).to_have_value(chosen)
    expect(dialog).to_be_hidden()

    # reopened on the chosen day; Today goes back to today's month
    _open_picker(page, language)
    expect(dialog.locator("td[aria-selected=true]")).to_be_focused()
    dialog.get_by_role("button", name=translate(app, language, "Today")).click()
    expect(dialog.locator("td[aria-current=date]")).to_be_focused()
    # a click outside closes it and writes nothing
    page.locator("main h1").click()
    expect(dialog).to_be_hidden()
    expect(field).to_have_value(chosen)



@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_picker_of_a_field_at_the_line_end_stays_in_the_window(
        picker_page, live_server, language):
    page = picker_page
    # a narrow field at the end of its row (right in English, left in Persian)
    _picker_page(page, live_server, language, column="col-md-2 offset-md-10")
    dialog = _open_picker(page, language)
    width = page.viewport_size["width"]
    box = dialog.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= width, (box, width)
    # it hangs from the other edge of the field and its button instead
    field = page.locator(".date-picker-field").bounding_box()
    if language == "en":
        assert abs((box["x"] + box["width"]) - (field["x"] + field["width"])) < 2
    else:
        assert abs(box["x"] - field["x"]) < 2

# --- the portal's forms ------------------------------------------------------------------

MANAGER = "rm.tehran@cdb.example"
THAI_STAFF = "somchai@observer.example"
SESSION_TITLE = "نشست آزمون تاریخ‌ها: برنامه‌ریزی سرمایه در گردش بافندگان"
NOT_A_DAY = ("“%(text)s” is not a day of the %(calendar)s calendar "
             "(year %(year)s, month %(month)s, day %(day)s).")


def _stored(app, model, *where):
    import sqlalchemy as sa

    from portal.extensions import db

    with app.app_context():
        row = db.session.scalars(sa.select(model).where(*where)).one()
        db.session.expunge(row)
        return row


def _expect_picker_in(dialog, app, language):
    """The picker's own texts are the server's, in the page's language."""
    expect(dialog).to_have_accessible_name(translated(app, language, "Choose a date"))
    for message in ("Previous month", "Next month"):
        expect(dialog.get_by_role("button", name=translated(app, language, message))
               ).to_be_visible()
    for message in ("Today", "Close the calendar"):
        expect(dialog.get_by_role("button", name=translated(app, language, message))
               ).to_have_text(translated(app, language, message))


def _submit(page, form):
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()
    page.wait_for_load_state("load")


def test_a_persian_manager_plans_a_session_in_solar_hijri_and_persian_digits(
        page, live_server, demo_accounts, screenshots):
    from datetime import datetime

    from portal.meetings.models import Meeting

    app = live_server.app
    sign_in(page, MANAGER, demo_accounts.password)
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    # the list's date filter: the picker writes the day the filter then reads
    page.goto("/meetings/")
    filters = page.locator("main form[method=get]")
    filters.get_by_role("button", name=translated(app, "fa", "Choose a date")).last.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= page.viewport_size["width"], box
    check_accessibility(page, "the meetings list in Persian, a filter's date picker open")
    screenshots(page, "date-picker-meetings-filter-fa")
    page.keyboard.press("Escape")

    page.goto("/meetings/new")
    form = page.locator("main form")
    day = form.locator("#day")
    expect(day).to_have_attribute("data-calendar", "jalali")
    form.locator("#title").fill(SESSION_TITLE)
    # 12 August 2025, the network's first session, as a Persian reader writes it
    day.fill("۱۴۰۴/۰۵/۲۱")
    form.locator("#start_time").fill("۷:۳۰")
    form.locator("#end_time").fill("۱۱:۳۰")
    form.locator("#timezone").select_option("Asia/Tehran")
    form.locator("#place").fill("ساختمان مرکزی بانک توسعه تعاون، تهران")
    form.locator("#host_organisation_id").select_option(label="بانک توسعه تعاون (CDB-HO)")
    check_accessibility(page, "the meeting form in Persian")
    _submit(page, form)
    expect(page).to_have_url(re.compile(r".*/meetings/\d+$"))
    meeting_path = page.url.removeprefix(live_server.url)

    # stored as 12 August 2025, 07:30–11:30 in Tehran (UTC+3:30)
    meeting = _stored(app, Meeting, Meeting.title == SESSION_TITLE)
    assert (meeting.starts_at, meeting.ends_at) == (datetime(2025, 8, 12, 4, 0),
                                                   datetime(2025, 8, 12, 8, 0))
    # shown back in the Solar Hijri calendar, in Persian digits
    when = page.locator("main time").first
    expect(when).to_contain_text("۲۱ مرداد ۱۴۰۴")
    expect(when).to_contain_text("۷:۳۰")
    check_accessibility(page, "the session planned in Persian")

    # the edit form shows the date and times as they were written
    page.goto(f"{meeting_path}/edit")
    form = page.locator("main form")
    day = form.locator("#day")
    expect(day).to_have_value("۱۴۰۴/۰۵/۲۱")
    expect(form.locator("#start_time")).to_have_value(re.compile("^۰?۷:۳۰$"))

    # the picker opens on Mordad 1404 with the 21st chosen; a month on, the 21st of Shahrivar
    form.get_by_role("button", name=translated(app, "fa", "Choose a date")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".date-picker-title")).to_have_text("مرداد ۱۴۰۴")
    expect(dialog.locator("td[aria-selected=true]")).to_have_text("۲۱")
    page.keyboard.press("PageDown")
    expect(dialog.locator(".date-picker-title")).to_have_text("شهریور ۱۴۰۴")
    _expect_picker_in(dialog, app, "fa")
    check_accessibility(page, "the meeting form in Persian, its date picker open")
    screenshots(page, "date-picker-meeting-form-fa")
    page.keyboard.press("Enter")
    expect(day).to_have_value("۱۴۰۴/۰۶/۲۱")
    _submit(page, form)
    expect(page).to_have_url(re.compile(rf".*{meeting_path}$"))
    meeting = _stored(app, Meeting, Meeting.title == SESSION_TITLE)
    assert meeting.starts_at == datetime(2025, 9, 12, 4, 0)
    expect(page.locator("main time").first).to_contain_text("۲۱ شهریور ۱۴۰۴")

    # a day no calendar has: refused in Persian, saying how it was read; the text stays
    page.goto(f"{meeting_path}/edit")
    form = page.locator("main form")
    form.locator("#day").fill("1404/13/40")
    _submit(page, form)
    error = page.locator("#day-error")
    expect(error).to_have_text(translated(
        app, "fa", NOT_A_DAY, text="۱۴۰۴/۱۳/۴۰", calendar=translated(app, "fa", "Solar Hijri"),
        year="۱۴۰۴", month="۱۳", day="۴۰"))
    expect(page.locator("#day")).to_have_value("1404/13/40")
    expect(page.locator("#day")).to_have_attribute("aria-invalid", "true")
    check_accessibility(page, "the meeting form refusing a date, in Persian")
    assert _stored(app, Meeting, Meeting.title == SESSION_TITLE).starts_at == \
        datetime(2025, 9, 12, 4, 0)


def test_a_thai_officer_logs_a_delivery_in_the_buddhist_era_and_thai_digits(
        page, live_server, demo_accounts, screenshots):
    from decimal import Decimal

    from portal.accounts.models import Organisation
    from portal.branches.models import Branch, ServiceDelivery

    app = live_server.app
    office = _stored(app, Branch, Branch.organisation_id == _stored(
        app, Organisation, Organisation.code == "VBSP-KB").id)
    note = "บันทึกทดสอบวันที่แบบพุทธศักราช"
    sign_in(page, THAI_STAFF, demo_accounts.password)
    expect(page.locator("html")).to_have_attribute("lang", "th")
    page.goto(f"/branches/{office.id}/deliveries/new")
    form = page.locator("main form")
    requested = form.locator("#requested_on")
    expect(requested).to_have_attribute("data-calendar", "buddhist")
    form.locator("#organisation_id").select_option(index=1)
    form.locator("#product_id").select_option(index=1)
    requested.fill("21/08/2568")
    form.locator("#amount").fill("๑๒๓")
    form.locator("#note").fill(note)

    # the picker reads the typed Buddhist-era date: August 2568, the 21st chosen
    form.get_by_role("button", name=translated(app, "th", "Choose a date")).first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator(".date-picker-title")).to_have_text("สิงหาคม 2568")
    expect(dialog.locator("td[aria-selected=true]")).to_have_text("21")
    _expect_picker_in(dialog, app, "th")
    check_accessibility(page, "the delivery form in Thai, its date picker open")
    screenshots(page, "date-picker-delivery-form-th")
    page.keyboard.press("Escape")
    expect(requested).to_be_focused()
    expect(requested).to_have_value("21/08/2568")
    _submit(page, form)
    expect(page).to_have_url(re.compile(rf".*/branches/{office.id}/deliveries$"))

    # stored as 21 August 2025 and 123; the form shows them back as they were written
    delivery = _stored(app, ServiceDelivery, ServiceDelivery.note == note)
    assert (delivery.requested_on, delivery.amount) == (date(2025, 8, 21), Decimal(123))
    check_accessibility(page, "the deliveries in Thai")
    page.goto(f"/branches/{office.id}/deliveries/{delivery.id}/edit")
    expect(page.locator("#requested_on")).to_have_value("21/08/2568")
    expect(page.locator("#amount")).to_have_value("123")


def test_an_administrator_writes_a_rial_amount_in_persian_digits(
        page, live_server, admin):
    from decimal import Decimal

    from portal.products.models import Product
    from tests.e2e.pages import switch_language

    app = live_server.app
    sign_in(page, admin["email"], admin["password"])
    switch_language(page, "fa")
    page.goto("/products/new")
    form = page.locator("main form")
    form.locator("#code").fill("IR-E2E-WEAVERS")
    form.locator("#name_fa").fill("تسهیلات سرمایه در گردش بافندگان (آزمون)")
    form.locator("#currency").fill("IRR")
    form.locator("#min_amount").fill("۱۰۰٬۰۰۰٬۰۰۰")
    form.locator("#planned_launch").fill("۱۴۰۴/۱۲/۲۹")
    check_accessibility(page, "the product form in Persian")
    _submit(page, form)
    expect(page).to_have_url(re.compile(r".*/products/\d+$"))

    product = _stored(app, Product, Product.code == "IR-E2E-WEAVERS")
    assert product.min_amount == Decimal(100_000_000)
    assert product.planned_launch == jdatetime.date(1404, 12, 29).togregorian()
    expect(page.locator("main")).to_contain_text("۱۰۰٬۰۰۰٬۰۰۰")
    check_accessibility(page, "the product in Persian")
    page.goto(f"/products/{product.id}/edit")
    expect(page.locator("#min_amount")).to_have_value("۱۰۰٬۰۰۰٬۰۰۰")
    expect(page.locator("#planned_launch")).to_have_value("۱۴۰۴/۱۲/۲۹")
