"""Issue 4: a consultation session recorded end to end in Persian, signed off by the ministry.

The relationship manager plans a session of the consultation series, sets its agenda, invites
the carpet union and the ministry, marks it held, records who came, writes the minutes, logs a
proposal from the floor (which becomes a feedback item) and a commitment, and approves the
minutes; the ministry official signs the outcome off from the review queue; the union's
director then reads the signed-off record.
"""
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import jdatetime
import pytest
from playwright.sync_api import expect

from portal.i18n.calendars import JALALI_MONTHS_FA
from portal.i18n.formatting import to_persian_digits
from portal.meetings.demo import SERIES_TITLE
from tests.e2e.pages import (
    PageChecks,
    open_nav_link,
    paste_html,
    sign_in,
    sign_out,
    switch_language,
    translate,
    translated,
    translated_in_context,
    translated_pattern,
)

pytestmark = pytest.mark.e2e

MANAGER = "rm.tehran@cdb.example"
OFFICIAL = "official@mcls.example"
DIRECTOR = "director@carpet-union.example"
CARPET_UNION = "اتحادیه سراسری تعاونی‌های فرش دستباف روستایی"
TITLE = "نشست هم‌اندیشی ویژه با اتحادیه سراسری فرش دستباف روستایی"
PLACE = "ساختمان مرکزی بانک توسعه تعاون، تهران"
CHAIR = "امیرهوشنگ عصارزاده، مدیرعامل بانک توسعه تعاون"
AGENDA_ITEM = "تأمین مالی خرید مواد اولیه بافندگان روستایی"
PRESENTER = "نماینده اتحادیه فرش دستباف"
MINUTES = ("<h3>۱. تأمین مالی خرید مواد اولیه بافندگان روستایی</h3>"
           "<p>نماینده اتحادیه گزارش داد که بافندگان برای خرید پشم و رنگ به تسهیلات کوچک با "
           "بازپرداخت پس از فروش فرش نیاز دارند. بانک بررسی سقف و شرایط را پذیرفت.</p>")
MINUTES_TEXT = "بانک بررسی سقف و شرایط را پذیرفت."
STATEMENT = "صندوق ضمانت برای تسهیلات بافندگان روستایی"
STATEMENT_BODY = ("اتحادیه پیشنهاد کرد صندوقی برای ضمانت تسهیلات بافندگان عضو تعاونی‌ها "
                  "تشکیل شود تا نبود وثیقه مانع دریافت تسهیلات نشود.")
COMMITMENT = "ارائه پیش‌نویس تسهیلات سرمایه در گردش بافندگان به نشست بعدی"
PROGRESS = "پیش‌نویس تسهیلات به کارگروه اعتبارات فرستاده شد."
SIGN_OFF = "صورتجلسه و تعهد نشست تأیید می‌شود؛ پیشرفت آن در نشست بعدی گزارش شود."
LATIN_DIGIT = re.compile("[0-9]")


def named(label):
    """A box's accessible name: its label, then perhaps "(required)" (the form guide)."""
    return re.compile("^" + re.escape(label))


def updated(app, language, n):
    """The message after n commitments were moved on, as the page shows it (digits too)."""
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale(language):
        text = ngettext("%(num)s commitment is updated.", "%(num)s commitments are updated.", n)
    assert text != f"{n} commitment is updated.", f"no {language} translation yet"
    return to_persian_digits(text) if language == "fa" else text


def test_a_consultation_session_is_recorded_approved_and_signed_off_in_persian(
        page, live_server, demo_accounts, screenshots):
    app = live_server.app
    password = demo_accounts.password
    manager_name = demo_accounts.name(MANAGER)
    official_name = demo_accounts.name(OFFICIAL)
    director_name = demo_accounts.name(DIRECTOR)

    def fa(message, **values):
        return translated(app, "fa", message, **values)

    check = PageChecks(page, app, screenshots, "meeting")
    flash = page.locator("main .alert-success[role=status]")  # what was just done
    state = page.locator("main h1 ~ p .badge").first
    # held yesterday in Tehran, recorded today
    yesterday = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tehran")).date() - timedelta(days=1)
    jalali = jdatetime.date.fromgregorian(date=yesterday)
    due = yesterday + timedelta(days=60)

    # --- the relationship manager plans the session in the series --------------------------
    sign_in(page, MANAGER, password, check)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fa")
    expect(html).to_have_attribute("dir", "rtl")
    open_nav_link(page, "/meetings/")
    expect(page.locator("main h1")).to_have_text(fa("Meetings"))
    check("the meetings list (manager)")
    page.locator("main a[href='/meetings/series']").click()
    page.wait_for_url("**/meetings/series")
    check("the consultation series")
    page.locator("main .list-group").get_by_role("link").filter(has_text=SERIES_TITLE).click()
    page.wait_for_url(re.compile(r".*/meetings/series/\d+$"))
    expect(page.locator("main h1")).to_have_text(SERIES_TITLE)
    check("the series page")
    page.locator("main a[href^='/meetings/new?series=']").click()
    page.wait_for_url("**/meetings/new?series=*")
    expect(page.locator("main h1")).to_have_text(fa("Plan a meeting"))
    form = page.locator("main form")
    # planned from the series: a consultation session of the series, hosted by the bank
    expect(form.locator("#kind option:checked")).to_have_text(
        translate(app, "fa", "Consultation session"))
    expect(form.locator("#series_id option:checked")).to_have_text(SERIES_TITLE)
    # the organisation picker names each choice with its code
    expect(form.locator("#host_organisation_id option:checked")).to_have_text(
        "بانک توسعه تعاون (CDB-HO)")
    expect(form.locator("#recorder_id option:checked")).to_have_text(manager_name)
    form.locator("#title").fill(TITLE)
    form.locator("#day").fill(yesterday.isoformat())
    form.locator("#start_time").fill("10:00")
    form.locator("#end_time").fill("12:30")
    form.locator("#timezone").select_option("Asia/Tehran")
    form.locator("#place").fill(PLACE)
    form.locator("#chair_name").fill(CHAIR)
    check("the meeting form, filled in")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/meetings/\d+$"))
    meeting_path = page.url.removeprefix(live_server.url)
    expect(flash).to_have_text(
        fa("The meeting is planned. Add the agenda and invite the participants."))
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(state).to_have_text(translated_in_context(app, "fa", "meeting state", "Planned"))
    # when: in the Solar Hijri calendar, with Persian digits, in Tehran's time
    when = page.locator("main time").first.inner_text()
    assert JALALI_MONTHS_FA[jalali.month - 1] in when, when
    assert to_persian_digits(jalali.year) in when, when
    assert to_persian_digits("10:00") in when, when
    assert not LATIN_DIGIT.search(when), when
    check("the session just planned")

    # the agenda
    agenda = page.locator("#agenda")
    agenda.locator("summary").click()
    add = agenda.locator("form[action$='/agenda']")
    expect(add.locator("[name=title]")).to_have_accessible_name(named(fa("Agenda item")))
    add.locator("[name=title]").fill(AGENDA_ITEM)
    add.locator("[name=presenter]").fill(PRESENTER)
    add.locator("[name=duration]").fill("45")
    add.locator("button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}#agenda")
    expect(agenda.locator("ol.agenda")).to_contain_text(AGENDA_ITEM)
    expect(agenda.locator("ol.agenda")).to_contain_text(PRESENTER)
    expect(agenda.locator("ol.agenda")).to_contain_text(
        fa("%(n)s minutes", n=to_persian_digits(45)))
    # numbered in Persian digits, like everything else on the page
    expect(agenda.locator("ol.agenda")).to_have_css("list-style-type", "persian")
    check("the session with its agenda")

    # the invitations: the carpet union (its director by name) and the ministry's official
    participants = page.locator("#participants")
    participants.locator("details summary").click()
    invite = participants.locator("form[action$='/invite']")
    invite.locator("select[name=organisation_ids]").select_option(
        label=f"{CARPET_UNION} (IR-UN-CARP)")
    invite.locator("select[name=user_ids]").select_option(label=official_name)
    invite.locator("button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}#participants")
    expect(flash).to_have_text(fa("The invitations are sent."))
    expect(participants.locator("table").first).to_contain_text(CARPET_UNION)
    expect(participants.locator("table").nth(1)).to_contain_text(director_name)
    expect(participants.locator("table").nth(1)).to_contain_text(official_name)
    check("the planned session with its agenda and invitations")

    # the day after: held, and who came
    page.locator("main form[action$='/held'] button").click()
    page.wait_for_url(f"**{meeting_path}")
    expect(flash).to_have_text(
        fa("The meeting is marked as held. Record attendance and the minutes."))
    expect(state).to_have_text(fa("Held"))
    check("the session marked as held")
    attendance = participants.locator("form[action$='/attendance']")
    for who in (CARPET_UNION, director_name, official_name):
        attendance.get_by_label(who, exact=True).check()
    attendance.locator("button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}#participants")
    expect(flash).to_have_text(fa("Attendance is recorded."))
    union_row = participants.locator("table").first.locator("tbody tr").filter(
        has_text=CARPET_UNION)
    expect(union_row.locator("td").nth(1)).to_have_text(fa("Present"))
    check("the held session with its attendance")

    # the minutes, on their own page, following the agenda
    page.locator("#minutes a[href$='/minutes']").click()
    page.wait_for_url(f"**{meeting_path}/minutes")
    expect(page.locator("main h1")).to_have_text(fa("Write the minutes"))
    body = page.locator("#minutes-form textarea[name=body]")
    expect(body).to_have_value(re.compile(re.escape(AGENDA_ITEM)))  # the agenda as headings
    check("the minutes editor")
    # written in the editor: everything selected, then the prepared minutes pasted over it
    editor = page.locator("#minutes-form .ql-editor")
    editor.click()
    page.keyboard.press("Control+A")
    paste_html(editor, MINUTES)
    page.locator("#minutes-form button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}#minutes")
    expect(flash).to_have_text(fa("The minutes are saved."))
    expect(page.locator("#minutes .minutes-text")).to_contain_text(MINUTES_TEXT)
    # kept as formatting, never shown as tags
    expect(page.locator("#minutes .minutes-text h3").first).to_contain_text(AGENDA_ITEM)
    expect(page.locator("#minutes .minutes-text")).not_to_contain_text("<h3>")
    check("the session with its minutes")

    # a proposal from the floor: the union's statement becomes a feedback item
    statements = page.locator("#statements")
    statements.locator("summary").click()
    said = statements.locator("form[action$='/statements']")
    expect(said.locator("select[name=organisation_id] option:checked")).to_have_text(
        CARPET_UNION)  # only an invited organisation speaks from the floor
    # each field is named by its own label (the agenda form has a "title" too, the
    # commitment form an "organisation_id")
    expect(said.locator("[name=title]")).to_have_accessible_name(named(fa("Title")))
    expect(said.locator("select[name=organisation_id]")).to_have_accessible_name(
        named(fa("Organisation speaking")))
    said.locator("select[name=kind]").select_option("proposal")
    said.locator("select[name=topic]").select_option("financing")
    said.locator("[name=title]").fill(STATEMENT)
    said.locator("[name=body]").fill(STATEMENT_BODY)
    check("the statement form, filled in")
    said.locator("button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}#statements")
    expect(flash).to_have_text(translated_pattern(
        app, "fa", "The statement is recorded as feedback item %(id)s; its answer is tracked "
        "there."))
    statement = statements.locator("ul.statements li").filter(has_text=STATEMENT)
    expect(statement).to_contain_text(translate(app, "fa", "Proposal"))
    expect(statement).to_contain_text(CARPET_UNION)
    expect(statement).to_contain_text(fa("Submitted"))
    check("the session with a statement from the floor")

    # a commitment, owned by the bank, with a date
    commitments = page.locator("#commitments")
    commitments.locator("summary").first.click()
    commit = commitments.locator("form[action$='/commitments']")
    expect(commit.locator("select[name=organisation_id]")).to_have_accessible_name(
        named(fa("Organisation that owns it")))
    commit.locator("[name=description]").fill(COMMITMENT)
    commit.locator("select[name=organisation_id]").select_option(label="بانک توسعه تعاون")
    commit.locator("select[name=owner_id]").select_option(label=manager_name)
    commit.locator("[name=due_on]").fill(due.isoformat())
    check("the commitment form, filled in")
    commit.locator("button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}#commitments")
    expect(flash).to_have_text(fa("The commitment is recorded."))
    # the recorder moves it on where it is listed: one form for the table, a card each
    card = commitments.locator(".commitment-card").filter(has_text=COMMITMENT)
    expect(card).to_contain_text(manager_name)
    expect(card.locator("select option:checked")).to_have_text(
        translated_in_context(app, "fa", "commitment status", "Open"))
    check("the held session with minutes, a statement and a commitment")
    card.locator("select").select_option("in_progress")
    card.locator("input[name$='-note']").fill(PROGRESS)
    # the table of those made here (those carried from the first session have their own form)
    commitments.locator("form[action$='/commitments/progress']").filter(
        has_text=COMMITMENT).locator("button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}#commitments")
    expect(flash).to_have_text(updated(app, "fa", 1))
    expect(card.locator("select option:checked")).to_have_text(fa("In progress"))
    expect(card.locator("details")).to_contain_text(PROGRESS)  # in its history

    # the statement is now an item of the feedback area, linked back to the meeting
    statement.get_by_role("link", name=STATEMENT).click()
    page.wait_for_url(re.compile(r".*/feedback/\d+$"))
    expect(page.locator("main h1")).to_have_text(STATEMENT)
    raised_at = page.locator(f"main dl a[href='{meeting_path}']")
    expect(raised_at).to_have_text(TITLE)
    expect(page.locator("main dl")).to_contain_text(CARPET_UNION)
    check("the feedback item made from the statement")
    raised_at.click()
    page.wait_for_url(f"**{meeting_path}")
    check("the session, back from the feedback item")

    # the minutes approved: frozen, and on their way to the ministry
    page.locator("main form[action$='/approve'] button").click()
    page.wait_for_url(f"**{meeting_path}")
    expect(flash).to_have_text(
        fa("The minutes are approved and frozen."))
    expect(state).to_have_text(fa("Minutes approved"))
    expect(page.locator("#minutes a.btn-primary[href$='/minutes']")).to_have_count(0)
    expect(page.locator("#statements form")).to_have_count(0)
    check("the session with approved minutes (manager)")
    sign_out(page)

    # --- the ministry signs it off from its review queue ---------------------------------------
    sign_in(page, OFFICIAL, password, check)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    open_nav_link(page, "/meetings/")
    check("the meetings list (official)")
    page.locator("main a[href='/meetings/review']").click()
    page.wait_for_url("**/meetings/review")
    waiting = page.locator("main .list-group a").filter(has_text=TITLE)
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(
        translated_pattern(app, "fa", "minutes approved %(date)s"))
    check("the ministry's review queue")
    waiting.click()
    page.wait_for_url(f"**{meeting_path}#review-title")
    review = page.locator("main section[aria-labelledby=review-title]")
    expect(review.locator("h2")).to_have_text(fa("Ministry review"))
    # the official reads what was decided before signing
    expect(page.locator("#minutes")).to_contain_text(MINUTES_TEXT)
    expect(page.locator("#commitments")).to_contain_text(COMMITMENT)
    review.locator("form[action$='/sign-off'] textarea[name=comment]").fill(SIGN_OFF)
    check("the session awaiting sign-off (official)")
    review.locator("form[action$='/sign-off'] button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}")
    expect(flash).to_have_text(
        fa("Signed off. The outcome of this meeting is now read-only."))
    expect(state).to_have_text(fa("Signed off by the ministry"))
    expect(page.locator("main section[aria-labelledby=review-title]")).to_have_count(0)
    check("the session just signed off (official)")
    page.goto("/meetings/review")
    expect(page.locator("main .list-group a").filter(has_text=TITLE)).to_have_count(0)
    check("the review queue after signing off")
    sign_out(page)

    # --- the union's director reads the signed-off outcome -----------------------------------
    sign_in(page, DIRECTOR, password, check)
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    open_nav_link(page, "/meetings/")
    listed = page.locator("main .list-group a").filter(has_text=TITLE)
    expect(listed.locator(".badge")).to_have_text(fa("Signed off by the ministry"))
    check("the meetings list (director)")
    listed.click()
    page.wait_for_url(f"**{meeting_path}")
    expect(state).to_have_text(fa("Signed off by the ministry"))
    signed = page.locator("main .alert-success:not([role])")
    expect(signed).to_contain_text(translated_pattern(
        app, "fa", "Signed off by %(name)s on %(date)s.", name=official_name))
    expect(signed).to_contain_text(fa("This record is read-only."))
    expect(signed).to_contain_text(SIGN_OFF)
    row = page.locator("#commitments table").first.locator("tbody tr").filter(
        has_text=COMMITMENT)
    expect(row).to_contain_text(manager_name)
    expect(row.locator("td").nth(3)).to_contain_text(fa("In progress"))
    expect(page.locator("#statements")).to_contain_text(STATEMENT)
    expect(page.locator("#minutes")).to_contain_text(MINUTES_TEXT)
    # read-only: nothing to record, approve or correct
    expect(page.locator("main form[action*='/meetings/']")).to_have_count(0)
    expect(page.locator("#minutes a[href$='/minutes']")).to_have_count(0)
    check("the signed-off session, read by the union's director")


# --- issue 17: the meeting page on a phone, in Persian and Thai ----------------------------------

PHONE = {"width": 390, "height": 844}
NEXT_TITLE = "نشست پیگیری تعهدات با اتحادیه فرش دستباف"
NEXT_AGENDA = (("گزارش پیگیری تعهدات نشست پیشین", "بانک توسعه تعاون"),
               ("صندوق ضمانت تسهیلات بافندگان روستایی", "نماینده اتحادیه فرش دستباف"),
               ("جمع‌بندی و تعیین تعهدات تازه", "امیرهوشنگ عصارزاده"))
CARRIED = ("ارائه پیش‌نویس تسهیلات سرمایه در گردش بافندگان روستایی به کارگروه اعتبارات بانک",
           "معرفی شعبه ویژه تعاون تهران به تعاونی‌های عضو اتحادیه فرش دستباف")


@pytest.fixture()
def next_session(live_server):
    """A session three weeks ahead in a series of its own, with its agenda, and two
    commitments carried forward from the session before it (held, not yet approved)."""
    import sqlalchemy as sa

    from portal.accounts.models import Organisation, User
    from portal.extensions import db
    from portal.meetings import services

    with live_server.app.test_request_context():
        manager = db.session.scalar(sa.select(User).where(User.email == MANAGER))
        bank = db.session.scalar(sa.select(Organisation).where(Organisation.code == "CDB-HO"))
        series = services.create_series(manager, title="پیگیری نشست‌های اتحادیه فرش دستباف",
                                        host_organisation=bank)

        def session(title, start):
            return services.plan_meeting(
                manager, kind="consultation_session", series=series, title=title,
                starts_local=start, ends_local=start + timedelta(hours=2),
                timezone="Asia/Tehran", place=PLACE, online_link=None, host_organisation=bank,
                chair=None, chair_name=CHAIR, recorder=manager, confidential=False)

        today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tehran")).date()
        earlier = session("نشست نخست با اتحادیه فرش دستباف",
                          datetime.combine(today - timedelta(days=10), datetime.min.time())
                          + timedelta(hours=10))
        services.mark_held(manager, earlier)
        for n, what in enumerate(CARRIED):
            services.add_commitment(manager, earlier, description=what, organisation=bank,
                                    owner=manager, due_on=today + timedelta(days=30 * (n + 1)))
        later = session(NEXT_TITLE, datetime.combine(today + timedelta(days=21),
                                                     datetime.min.time()) + timedelta(hours=10))
        for title, presenter in NEXT_AGENDA:
            services.add_agenda_item(manager, later, title=title, presenter=presenter)
        db.session.commit()
        return f"/meetings/{later.id}"


def no_sideways_scroll(page):
    widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths} at {page.url}"


def inside_the_screen(locator):
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_the_meeting_page_fits_a_phone_in_persian_and_thai(
        page, live_server, demo_accounts, screenshots, next_session):
    app = live_server.app
    page.set_viewport_size(PHONE)
    check = PageChecks(page, app, screenshots, "meeting-phone")
    flash = page.locator("main .alert-success[role=status]")
    sign_in(page, MANAGER, demo_accounts.password)
    page.goto(next_session)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main h1")).to_have_text(NEXT_TITLE)

    # three weeks ahead: not "held" yet, and the page says when it can be
    expect(page.locator("main form[action$='/held']")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(translated(
        app, "fa", "Once the meeting has started, you can mark it as held here."))
    expect(page.locator("#minutes a[href$='/minutes']")).to_have_count(0)

    # one agenda, each item with its own controls; none that cannot apply
    agenda = page.locator("#agenda")
    expect(agenda.locator("ol")).to_have_count(1)
    items = agenda.locator("ol.agenda > li")
    expect(items).to_have_count(3)
    for n, (title, _presenter) in enumerate(NEXT_AGENDA):
        expect(agenda.get_by_text(title, exact=True)).to_have_count(1)
        expect(items.nth(n)).to_contain_text(title)
    expect(items.first.locator("input[name=direction][value=up]")).to_have_count(0)
    expect(items.first.locator("input[name=direction][value=down]")).to_have_count(1)
    expect(items.last.locator("input[name=direction][value=down]")).to_have_count(0)
    no_sideways_scroll(page)
    check("the session three weeks ahead, on a phone")

    # an item edited where it stands, its form on the screen
    second = items.nth(1)
    second.locator("summary").click()
    title_box = second.locator("input[name='item-title']")
    expect(title_box).to_be_visible()
    expect(title_box).to_have_accessible_name(named(translated(app, "fa", "Agenda item")))
    inside_the_screen(title_box)
    title_box.fill("صندوق ضمانت تسهیلات بافندگان عضو تعاونی‌ها")
    second.locator("input[name='item-duration']").fill("۴۵")
    no_sideways_scroll(page)
    check("an agenda item being edited, on a phone")
    second.locator("form[action$='/edit'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*#agenda-item-\d+$"))
    expect(items.nth(1)).to_contain_text("صندوق ضمانت تسهیلات بافندگان عضو تعاونی‌ها")
    expect(items.nth(1)).to_contain_text(translated(
        app, "fa", "%(n)s minutes", n=to_persian_digits(45)))

    # the carried commitments: one form, a card each, every box on the screen
    commitments = page.locator("#commitments")
    progress = commitments.locator("form[action$='/commitments/progress']")
    expect(progress).to_have_count(1)
    cards = progress.locator(".commitment-card")
    expect(cards).to_have_count(2)
    for n in range(2):
        inside_the_screen(cards.nth(n).locator("select"))
        inside_the_screen(cards.nth(n).locator("input[name$='-note']"))
    cards.nth(0).locator("select").select_option("in_progress")
    cards.nth(0).locator("input[name$='-note']").fill(PROGRESS)
    cards.nth(1).locator("select").select_option("done")
    no_sideways_scroll(page)
    check("the carried commitments being moved on, on a phone")
    progress.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*#commitments$"))
    expect(flash).to_have_text(updated(app, "fa", 2))
    # the one still open stays carried forward, in progress; the one done before this session
    # is no longer carried to it
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(CARRIED[0])
    expect(cards.first.locator("select option:checked")).to_have_text(
        translated(app, "fa", "In progress"))
    expect(cards.first.locator("details")).to_contain_text(PROGRESS)
    no_sideways_scroll(page)
    check("the carried commitments moved on, on a phone")

    # the same page in Thai, chosen from the menu (folded behind its button on a phone)
    page.locator("nav.portal-nav .navbar-toggler").click()
    switch_language(page, "th")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#agenda ol.agenda > li")).to_have_count(3)
    expect(page.locator("main form[action$='/held']")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(translated(
        app, "th", "Once the meeting has started, you can mark it as held here."))
    expect(page.locator("#commitments .commitment-card")).to_have_count(1)
    no_sideways_scroll(page)
    check("the session three weeks ahead, on a phone")
    page.locator("#agenda ol.agenda > li").first.locator("summary").click()
    no_sideways_scroll(page)
    check("an agenda item being edited, on a phone")
