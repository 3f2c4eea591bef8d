"""Issue 22: a credit officer records a group meeting without a connection and sends it later.

On a 390 px phone, in Vietnamese, the Kim Bảng officer prepares two savings groups of xã Văn
Xá, loses the connection, records a meeting with attendance and a member's recommendation,
reloads the page (the service worker serves it), comes back online and sends it: the meeting
and the feedback item exist once, and sending the same request again changes nothing. In a
second trip, the group's meeting of that day was recorded online meanwhile and she settles the
difference side by side. A Persian reading of the same page writes the day in the Solar Hijri
calendar and Persian digits.
"""
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import jdatetime
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.pages import PageChecks, sign_in, translated

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
OFFICER = "canbo.kimbang@vbsp.example"
MEMBER = "totruong.vanxa1@kimbang.example"
MEMBER_NAME = "Đỗ Thị Mai"
GROUPS = ("VN-KB-G1801", "VN-KB-G1802")
CONFLICT_GROUP = "VN-KB-G1803"
PERSIAN_GROUP = "VN-KB-G1804"
RECOMMENDATION = "Đề nghị tăng mức cho vay hộ nghèo lên 100 triệu đồng"
SAID = "Chị Mai đề nghị tăng mức cho vay để hộ nghèo mua bò giống."
PLACE = "Nhà văn hóa thôn Văn Xá"


def _hanoi_today():
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()


@pytest.fixture()
def field_world(live_server, demo_accounts):
    """Group ids by code, and a member of the first group with a portal account (the group's
    leader), so that attendance has a name to tick."""
    from portal.accounts.models import Membership, Organisation, Role, User
    from portal.extensions import db

    app = live_server.app
    with app.app_context():
        ids = dict(db.session.execute(sa.select(Organisation.code, Organisation.id).where(
            Organisation.code.in_(GROUPS + (CONFLICT_GROUP, PERSIAN_GROUP)))).all())
        if db.session.scalar(sa.select(User).where(User.email == MEMBER)) is None:
            officer = db.session.scalar(sa.select(User).where(User.email == OFFICER))
            member = User(email=MEMBER, full_name=MEMBER_NAME, preferred_locale="vi",
                          password_hash=officer.password_hash)
            member.memberships.append(Membership(organisation_id=ids[GROUPS[0]],
                                                 role=Role.UNION_DIRECTOR))
            db.session.add(member)
            db.session.commit()
        member_id = db.session.scalar(sa.select(User.id).where(User.email == MEMBER))
    return {"groups": ids, "member": member_id}


def _count_meetings(app, group_id, title=None):
    from portal.extensions import db
    from portal.feedback.models import FeedbackItem
    from portal.meetings.models import Meeting, MeetingStatement

    with app.app_context():
        meetings = db.session.scalars(sa.select(Meeting).where(
            Meeting.host_organisation_id == group_id)).all()
        items = db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackItem).where(
            FeedbackItem.organisation_id == group_id, FeedbackItem.title == title)) \
            if title else 0
        statements = db.session.scalar(sa.select(sa.func.count()).select_from(
            MeetingStatement).where(MeetingStatement.meeting_id.in_([m.id for m in meetings])))
        return len(meetings), items, statements


def _open_field(page, check=None):
    page.set_viewport_size(PHONE)
    page.goto("/field/")
    expect(page.locator("html")).to_have_attribute("data-field-loaded", "")
    if check:
        check("the field page")


def _prepare(page, group_ids, vi):
    for group_id in group_ids:
        page.locator(f"#field-choose-{group_id}").check()
    page.locator("#field-prepare-form button[type=submit]").click()
    expect(page.locator("#field-groups li.field-group")).to_have_count(len(group_ids))
    # the page and its files are kept by the service worker
    expect(page.locator("html")).to_have_attribute("data-field-ready", "")


def _sending(page):
    with page.expect_response("**/field/api/sync") as answer:
        page.locator("#field-send").click()
    return answer.value


def test_a_meeting_recorded_offline_is_sent_once(page, live_server, demo_accounts,
                                                 screenshots, field_world):
    app = live_server.app

    def vi(message, **values):
        return translated(app, "vi", message, **values)

    check = PageChecks(page, app, screenshots, "field-offline")
    groups = field_world["groups"]
    first, second = groups[GROUPS[0]], groups[GROUPS[1]]
    yesterday = _hanoi_today() - timedelta(days=1)

    sign_in(page, OFFICER, demo_accounts.password)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    _open_field(page)
    expect(page.locator("main h1")).to_have_text(vi("Field work"))
    _prepare(page, [first, second], vi)
    expect(page.locator("#field-status")).to_have_text(
        vi("Groups ready on this phone: %(count)s", count=2))
    check("two groups prepared")

    # --- no connection ---------------------------------------------------------------------
    page.context.set_offline(True)
    expect(page.locator("#field-status")).to_have_text(
        vi("Offline: what you record is kept on this phone."))
    page.locator(f"#field-groups li[data-group='{first}'] button").click()
    form = page.locator("#field-meeting-form")
    # the day is offered as she writes it: 05/12/2026
    expect(form.locator("#field-day")).to_have_value(_hanoi_today().strftime("%d/%m/%Y"))
    form.locator("#field-day").fill(yesterday.strftime("%d/%m/%Y"))
    form.locator("#field-place").fill(PLACE)
    form.locator("#field-count").fill("23")
    form.get_by_label(MEMBER_NAME).check()
    form.locator("#field-notes").fill("Thu lãi tháng này\nBình xét hộ vay mới")
    form.locator("#field-add-recommendation").click()
    form.locator("#field-rec-1-title").fill(RECOMMENDATION)
    form.locator("#field-rec-1-body").fill(SAID)
    form.locator("#field-grade").select_option("good")
    check("the meeting form, offline")
    form.locator("button[type=submit]").click()
    entry = page.locator("#field-entries li.field-entry")
    expect(entry).to_have_count(1)
    expect(entry.locator(".badge")).to_have_text(vi("Not sent yet"))
    expect(page.locator("#field-outbox-count")).to_have_text("1")

    # the phone is closed and opened again, still without a connection
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-field-loaded", "")
    expect(page.locator("#field-groups li.field-group")).to_have_count(2)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(yesterday.strftime("%d/%m/%Y"))
    check("waiting to be sent, after a reload offline")
    assert _count_meetings(app, first, RECOMMENDATION) == (0, 0, 0)

    # --- back online, sent once ------------------------------------------------------------
    page.context.set_offline(False)
    response = _sending(page)
    assert response.status == 200
    sent = response.request.post_data
    expect(page.locator("#field-status")).to_have_text(vi("Entries recorded: %(count)s", count=1))
    expect(entry).to_have_count(0)
    expect(page.locator("#field-entries")).to_contain_text(vi("Nothing is waiting to be sent."))
    check("sent")
    assert _count_meetings(app, first, RECOMMENDATION) == (1, 1, 1)

    # the same request again (a retry after a dropped answer) records nothing new
    replay = page.evaluate("""async body => {
        const who = await (await fetch('/field/api/session')).json();
        const answer = await fetch('/field/api/sync', {method: 'POST', body,
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': who.csrf_token}});
        return answer.json();
    }""", sent)
    result = replay["results"][0]
    assert result["replayed"] and result["status"] == "recorded"
    assert result["client_id"] == json.loads(sent)["entries"][0]["client_id"]
    assert _count_meetings(app, first, RECOMMENDATION) == (1, 1, 1)

    # the meeting is on the portal, with her recommendation credited to the group
    page.locator("#field-sent a").first.click()
    page.wait_for_url(f"**{result['meeting_url']}")
    expect(page.locator("#statements")).to_contain_text(RECOMMENDATION)
    check("the meeting on the portal")


def test_a_meeting_recorded_online_meanwhile_is_settled_side_by_side(
        page, live_server, demo_accounts, screenshots, field_world):
    from portal.accounts.models import Organisation, User
    from portal.extensions import db
    from portal.meetings import services as meetings

    app = live_server.app

    def vi(message, **values):
        return translated(app, "vi", message, **values)

    check = PageChecks(page, app, screenshots, "field-conflict")
    group = field_world["groups"][CONFLICT_GROUP]
    day = _hanoi_today() - timedelta(days=2)

    sign_in(page, OFFICER, demo_accounts.password)
    _open_field(page)
    _prepare(page, [group], vi)
    page.context.set_offline(True)
    page.locator(f"#field-groups li[data-group='{group}'] button").click()
    form = page.locator("#field-meeting-form")
    form.locator("#field-day").fill(day.strftime("%d/%m/%Y"))
    form.locator("#field-place").fill(PLACE)
    form.locator("#field-add-recommendation").click()
    form.locator("#field-rec-1-title").fill(RECOMMENDATION)
    form.locator("button[type=submit]").click()

    # meanwhile, at the office, a colleague records the same meeting from the paper minutes
    with app.app_context(), app.test_request_context():
        officer = db.session.scalar(sa.select(User).where(User.email == OFFICER))
        host = db.session.get(Organisation, group)
        online = meetings.plan_meeting(
            officer, kind="periodic_group_meeting", title="Sinh hoạt tổ số 3 xã Văn Xá",
            starts_local=datetime.combine(day, datetime.min.time()).replace(hour=14),
            ends_local=datetime.combine(day, datetime.min.time()).replace(hour=15),
            timezone="Asia/Ho_Chi_Minh", place="Nhà tổ trưởng", online_link=None,
            host_organisation=host, chair=None, chair_name=None, recorder=officer,
            confidential=False)
        db.session.commit()
        online_id = online.id

    page.context.set_offline(False)
    _sending(page)
    entry = page.locator("#field-entries li.field-entry")
    expect(entry.locator(".badge")).to_have_text(
        vi("Changed online meanwhile: choose which to keep"))
    compare = entry.locator("table.field-compare")
    expect(compare.locator("thead")).to_contain_text(vi("Mine (on this phone)"))
    expect(compare.locator("thead")).to_contain_text(vi("Theirs (online)"))
    expect(compare).to_contain_text(PLACE)
    expect(compare).to_contain_text("Nhà tổ trưởng")
    check("a conflict, side by side")
    assert _count_meetings(app, group, RECOMMENDATION) == (1, 0, 0)  # nothing written yet

    with page.expect_response("**/field/api/sync"):
        entry.locator("[data-resolve=keep_mine]").click()
    expect(entry).to_have_count(0)
    expect(page.locator("#field-sent a").first).to_have_attribute(
        "href", f"/meetings/{online_id}")
    # her entry went into the meeting recorded online, not into a second one
    assert _count_meetings(app, group, RECOMMENDATION) == (1, 1, 1)


def test_the_day_is_offered_in_the_solar_hijri_calendar_and_persian_digits(
        page, live_server, demo_accounts, screenshots, field_world):
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.i18n.formatting import to_persian_digits

    app = live_server.app
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == OFFICER)).preferred_locale = "fa"
        db.session.commit()
    check = PageChecks(page, app, screenshots, "field-persian")
    group = field_world["groups"][PERSIAN_GROUP]

    sign_in(page, OFFICER, demo_accounts.password)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _open_field(page)
    _prepare(page, [group], None)
    page.context.set_offline(True)
    page.locator(f"#field-groups li[data-group='{group}'] button").click()
    form = page.locator("#field-meeting-form")
    today = jdatetime.date.fromgregorian(date=_hanoi_today())
    expect(form.locator("#field-day")).to_have_value(
        to_persian_digits(f"{today.year:04d}/{today.month:02d}/{today.day:02d}"))
    yesterday = jdatetime.date.fromgregorian(date=_hanoi_today() - timedelta(days=1))
    form.locator("#field-day").fill(
        to_persian_digits(f"{yesterday.year:04d}/{yesterday.month:02d}/{yesterday.day:02d}"))
    form.locator("#field-count").fill("۱۸")
    form.locator("#field-place").fill(PLACE)
    check("the meeting form in Persian, offline")
    form.locator("button[type=submit]").click()
    check("waiting to be sent, in Persian")
    page.context.set_offline(False)
    _sending(page)
    expect(page.locator("#field-entries li.field-entry")).to_have_count(0)
    assert _count_meetings(app, group)[0] == 1


def _kept_on_the_phone(page):
    """What the origin keeps: prepared groups, entries, and the caches of the service worker."""
    return page.evaluate("""async () => {
        const base = await new Promise((resolve, reject) => {
            const request = indexedDB.open('portal-field', 1);
            request.onupgradeneeded = () => {
                request.result.createObjectStore('meta');
                request.result.createObjectStore('groups', {keyPath: 'id'});
                request.result.createObjectStore('entries', {keyPath: 'client_id'});
            };
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => reject(request.error);
        });
        const count = store => new Promise(resolve => {
            const request = base.transaction(store).objectStore(store).count();
            request.onsuccess = () => resolve(request.result);
        });
        const kept = {groups: await count('groups'), entries: await count('entries'),
                      caches: (await caches.keys()).length};
        base.close();
        return kept;
    }""")


def test_signing_out_removes_everything_from_a_shared_phone(page, live_server, demo_accounts,
                                                            field_world):
    group = field_world["groups"][GROUPS[1]]
    sign_in(page, OFFICER, demo_accounts.password)
    page.goto("/field/")
    expect(page.locator("html")).to_have_attribute("data-field-loaded", "")
    _prepare(page, [group], None)
    kept = _kept_on_the_phone(page)
    assert kept["groups"] == 1 and kept["caches"] == 1
    page.locator("nav.portal-nav form[action$='/logout'] button").click()
    page.wait_for_url("**/login")
    assert _kept_on_the_phone(page) == {"groups": 0, "entries": 0, "caches": 0}


def test_an_ended_session_keeps_the_entries_until_she_signs_in_again(
        page, live_server, demo_accounts, field_world):
    app = live_server.app

    def vi(message, **values):
        return translated(app, "vi", message, **values)

    group = field_world["groups"][GROUPS[1]]
    day = _hanoi_today() - timedelta(days=3)
    sign_in(page, OFFICER, demo_accounts.password)
    _open_field(page)
    _prepare(page, [group], vi)
    page.context.set_offline(True)
    page.locator(f"#field-groups li[data-group='{group}'] button").click()
    form = page.locator("#field-meeting-form")
    form.locator("#field-day").fill(day.strftime("%d/%m/%Y"))
    form.locator("#field-place").fill(PLACE)
    form.locator("button[type=submit]").click()
    entry = page.locator("#field-entries li.field-entry")
    expect(entry).to_have_count(1)

    # back in the office after the session's idle limit
    idle = app.config["SESSION_IDLE_MINUTES"]
    app.config["SESSION_IDLE_MINUTES"] = 0
    try:
        page.context.set_offline(False)
        with page.expect_response("**/field/api/session") as answer:
            page.locator("#field-send").click()
        assert answer.value.status == 401
        # expected here: the page fixture otherwise counts any 401 as a failure
        page.log.failed_responses.remove(f"401 {answer.value.url}")
        expect(page.locator("#field-status")).to_have_text(vi(
            "Your session has ended. Sign in again to send; your entries stay on this phone."))
    finally:
        app.config["SESSION_IDLE_MINUTES"] = idle
    expect(entry).to_have_count(1)
    expect(page.locator("#field-groups li.field-group")).to_have_count(0)  # names removed
    before = _count_meetings(app, group)[0]

    sign_in(page, OFFICER, demo_accounts.password)
    _open_field(page)
    expect(entry).to_have_count(1)
    _sending(page)
    expect(entry).to_have_count(0)
    assert _count_meetings(app, group)[0] == before + 1


def test_groups_prepared_too_long_ago_are_removed(page, live_server, demo_accounts,
                                                  field_world):
    app = live_server.app
    group = field_world["groups"][GROUPS[1]]
    sign_in(page, OFFICER, demo_accounts.password)
    _open_field(page)
    _prepare(page, [group], None)
    # eight days pass without sending (the portal keeps them seven)
    page.evaluate("""() => new Promise(resolve => {
        const request = indexedDB.open('portal-field', 1);
        request.onsuccess = () => {
            const transaction = request.result.transaction('meta', 'readwrite');
            transaction.objectStore('meta').put(Date.now() - 8 * 24 * 3600 * 1000,
                                                'prepared_at');
            transaction.oncomplete = () => { request.result.close(); resolve(); };
        };
    })""")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-field-loaded", "")
    expect(page.locator("#field-groups li.field-group")).to_have_count(0)
    expect(page.locator("#field-status")).to_have_text(translated(
        app, "vi", "The prepared groups were removed: nothing was sent for too long."))
