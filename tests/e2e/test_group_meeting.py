"""Issue 16: a savings group's periodic meeting, recorded in Vietnamese.

The Kim Bảng credit officer plans the monthly meeting of a savings-and-loan group, hosted by
the group itself and chosen with the organisation search box, invites the neighbouring group,
marks the meeting held and records a member's recommendation from the floor. It becomes a
feedback item in the group's name, which she (its relationship manager) acknowledges and
answers; the group's leader is told of both in her notifications.
"""
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.pages import (
    PageChecks,
    open_nav_link,
    sign_in,
    sign_out,
    translate,
    translated,
    translated_pattern,
    unread_notifications,
)

pytestmark = pytest.mark.e2e

OFFICER = "canbo.kimbang@vbsp.example"
LEADER = "totruong.que5@kimbang.example"
LEADER_NAME = "Vũ Thị Thu"
OFFICE = "Phòng giao dịch NHCSXH huyện Kim Bảng (VBSP-KB)"
GROUP = "Tổ TK&VV số 5 xã Quế"
GROUP_CODE = "VN-KB-G0105"
NEIGHBOURS = "Tổ TK&VV số 6 xã Quế (VN-KB-G0106)"
TITLE = "Sinh hoạt tổ định kỳ – Tổ số 5 xã Quế"
PLACE = "Nhà văn hóa thôn Quế Sơn"
STATEMENT = "Đề nghị đổi ngày giao dịch tại xã để không trùng chợ phiên"
STATEMENT_BODY = ("Chị Nguyễn Thị Hoa, tổ viên, đề nghị Điểm giao dịch xã Quế đổi ngày giao "
                  "dịch hằng tháng vì ngày 15 trùng chợ phiên, tổ viên khó đến trả lãi.")
ANSWER = ("Từ tháng sau, Điểm giao dịch xã Quế giao dịch vào ngày 16 hằng tháng; cán bộ tín "
          "dụng sẽ thông báo tại buổi sinh hoạt tổ tới.")


@pytest.fixture()
def group_leader(live_server, demo_accounts):
    """The group's leader, a director of the group in the portal, and the search box for
    choosing organisations (the district has hundreds of groups)."""
    from portal.accounts.models import Membership, Organisation, Role, User
    from portal.extensions import db

    config = live_server.app.config
    before = config["ORG_PICKER_FROM"]
    config["ORG_PICKER_FROM"] = 5
    with live_server.app.app_context():
        if db.session.scalar(sa.select(User).where(User.email == LEADER)) is None:
            officer = db.session.scalar(sa.select(User).where(User.email == OFFICER))
            group = db.session.scalar(sa.select(Organisation).where(
                Organisation.code == GROUP_CODE))
            leader = User(email=LEADER, full_name=LEADER_NAME, preferred_locale="vi",
                          password_hash=officer.password_hash)
            leader.memberships.append(Membership(organisation=group, role=Role.UNION_DIRECTOR))
            db.session.add(leader)
            db.session.commit()
    yield
    config["ORG_PICKER_FROM"] = before


def test_a_group_meeting_statement_is_answered_and_the_groups_leader_is_told(
        page, live_server, demo_accounts, screenshots, group_leader):
    app = live_server.app
    password = demo_accounts.password
    officer_name = demo_accounts.name(OFFICER)

    def vi(message, **values):
        return translated(app, "vi", message, **values)

    check = PageChecks(page, app, screenshots, "group-meeting")
    flash = page.locator("main .alert-success[role=status]")
    yesterday = datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() - \
        timedelta(days=1)

    sign_in(page, LEADER, password)
    unread_before = unread_notifications(page)
    sign_out(page)

    # --- the credit officer plans the group's meeting, hosted by the group ------------------
    sign_in(page, OFFICER, password, check)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    open_nav_link(page, "/meetings/")
    page.locator("main a[href='/meetings/new']").click()
    page.wait_for_url("**/meetings/new")
    expect(page.locator("main h1")).to_have_text(vi("Plan a meeting"))
    form = page.locator("main form")
    host = form.locator("input#host_organisation_id")
    expect(host).to_have_value(OFFICE)  # her own office, until she chooses the group
    # its label, then "(required)" for screen readers
    expect(host).to_have_accessible_name(re.compile("^" + re.escape(vi("Host organisation"))))
    host.fill("")
    host.press_sequentially("G0105")
    suggestion = page.locator("#host_organisation_id-options option")
    expect(suggestion).to_have_count(1)
    expect(suggestion.first).to_have_attribute("value", f"{GROUP} ({GROUP_CODE})")
    host.fill(suggestion.first.get_attribute("value"))
    form.locator("#kind").select_option("periodic_group_meeting")
    form.locator("#title").fill(TITLE)
    form.locator("#day").fill(yesterday.isoformat())
    form.locator("#start_time").fill("08:00")
    form.locator("#end_time").fill("09:30")
    form.locator("#timezone").select_option("Asia/Ho_Chi_Minh")
    form.locator("#place").fill(PLACE)
    form.locator("#chair_name").fill("Tổ trưởng Vũ Thị Thu")
    expect(form.locator("#recorder_id option:checked")).to_have_text(officer_name)
    check("the group meeting form, filled in")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/meetings/\d+$"))
    meeting_path = page.url.removeprefix(live_server.url)
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(page.locator("main dl")).to_contain_text(GROUP)  # the host
    check("the group meeting just planned")

    # the group and its neighbour are invited, typed into the search boxes
    participants = page.locator("#participants")
    participants.locator("details summary").click()
    invite = participants.locator("form[action$='/invite']")
    invite.locator("input#organisation_ids").fill(f"{GROUP} ({GROUP_CODE})")
    invite.locator("input#organisation_ids-2").fill(NEIGHBOURS)
    expect(invite.locator("input#organisation_ids-2")).to_have_accessible_name(
        vi("Another organisation"))
    check("the invitation form with search boxes")
    invite.locator("button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}#participants")
    expect(flash).to_have_text(vi("The invitations are sent."))
    expect(participants.locator("table").first).to_contain_text(GROUP)
    expect(participants.locator("table").first).to_contain_text("Tổ TK&VV số 6 xã Quế")
    expect(participants.locator("table").nth(1)).to_contain_text(LEADER_NAME)

    page.locator("main form[action$='/held'] button").click()
    page.wait_for_url(f"**{meeting_path}")
    check("the group meeting, held")

    # --- a member's recommendation, recorded in the group's name ----------------------------
    statements = page.locator("#statements")
    statements.locator("summary").click()
    said = statements.locator("form[action$='/statements']")
    said.locator("select[name=organisation_id]").select_option(label=GROUP)
    said.locator("select[name=kind]").select_option("proposal")
    said.locator("select[name=topic]").select_option("processes")
    said.locator("[name=title]").fill(STATEMENT)
    said.locator("[name=body]").fill(STATEMENT_BODY)
    check("the statement form, filled in")
    said.locator("button[type=submit]").click()
    page.wait_for_url(f"**{meeting_path}#statements")
    expect(flash).to_have_text(translated_pattern(
        app, "vi", "The statement is recorded as feedback item %(id)s; its answer is tracked "
        "there."))
    statement = statements.locator("ul.statements li").filter(has_text=STATEMENT)
    expect(statement).to_contain_text(GROUP)
    check("the group meeting with a recommendation")

    # --- the relationship manager acknowledges and answers it -------------------------------
    statement.get_by_role("link", name=STATEMENT).click()
    page.wait_for_url(re.compile(r".*/feedback/\d+$"))
    item_path = page.url.removeprefix(live_server.url)
    facts = page.locator("main dl")
    expect(facts).to_contain_text(GROUP)  # submitted in the group's name
    expect(facts).to_contain_text(vi("Recorded by"))
    expect(facts.locator(f"a[href='{meeting_path}']")).to_have_text(TITLE)
    check("the recommendation as a feedback item (officer)")
    page.locator("main form[action$='/acknowledge'] button").click()
    page.wait_for_url(f"**{item_path}")
    draft = page.locator("main form[action$='/draft']")
    draft.locator("textarea[name=body]").fill(ANSWER)
    draft.locator("select[name=outcome]").select_option("accepted")
    draft.locator("button[type=submit]").click()
    page.wait_for_url(f"**{item_path}#response")
    page.locator("main form[action$='/publish'] button").click()
    page.wait_for_url(f"**{item_path}")
    expect(flash).to_have_text(vi("The response is published."))
    check("the recommendation, answered (officer)")
    sign_out(page)

    # --- the group's leader is told: invited, acknowledged, answered -------------------------
    sign_in(page, LEADER, password, check)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert unread_notifications(page) == unread_before + 3
    page.locator("nav.portal-nav a.nav-link[href='/notifications']").click()
    page.wait_for_url("**/notifications")
    notices = page.locator("main ul.list-group > li")
    expect(notices.first).to_contain_text(
        vi("Your item was answered: %(title)s", title=STATEMENT))
    expect(notices.nth(1)).to_contain_text(
        vi("Your item was acknowledged: %(title)s", title=STATEMENT))
    check("the group leader's notifications")
    notices.first.locator("form[action$='/open'] button").click()
    page.wait_for_url(f"**{item_path}")
    expect(page.locator("#response .card.border-success")).to_contain_text(ANSWER)
    expect(page.locator("main")).to_contain_text(translate(app, "vi", "Answered"))
    check("the answered recommendation, seen by the group's leader")
