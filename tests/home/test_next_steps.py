"""The home page's "What comes next": for every role, what it lists (and never lists: another
network, a confidential meeting, another organisation's work), in order of urgency, with an
action that works; what it says when nothing waits; dates in the reader's calendar and digits;
and "My queue" in the navigation of the bank's staff."""
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from portal.accounts.models import OrgKind
from portal.core.models import utcnow
from portal.extensions import db
from portal.home.services import PER_SOURCE
from portal.meetings import services as meetings
from portal.meetings.models import Invitation, Meeting, MeetingKind, MeetingState, Reply
from portal.turnover.models import ReportingPeriod, TurnoverReport
from tests import factories
from tests.branches.helpers import make_branch, make_delivery, make_staff
from tests.feedback import helpers as feedback
from tests.meetings import helpers
from tests.meetings.helpers import FUTURE, Cast


class _Steps(HTMLParser):
    """The entries of the list: kind, action, text, links and form actions, in page order."""

    def __init__(self):
        super().__init__()
        self.steps, self.current, self.inside, self.empty = [], None, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") == "next-steps":
            self.inside = True
        elif attrs.get("id") == "next-steps-empty":
            self.empty = []
        if not self.inside:
            return
        if tag == "li" and "data-kind" in attrs:
            self.current = {"kind": attrs["data-kind"], "action": attrs["data-action"],
                            "text": [], "links": [], "forms": [],
                            "overdue": "list-group-item-danger" in attrs.get("class", "")}
            self.steps.append(self.current)
        elif tag == "a" and self.current is not None:
            self.current["links"].append(attrs["href"])
        elif tag == "a" and self.empty is not None:
            self.empty.append(attrs["href"])
        elif tag == "form" and self.current is not None:
            self.current["forms"].append(attrs["action"])

    def handle_endtag(self, tag):
        if tag == "li" and self.current is not None:
            self.current["text"] = " ".join(" ".join(self.current["text"]).split())
            self.current = None
        elif tag == "section" and self.inside:
            self.inside = False

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"].append(data)


def _home(client):
    page = client.get("/")
    assert page.status_code == 200
    parser = _Steps()
    parser.feed(page.text)
    return page.text, parser


def _steps(client):
    return _home(client)[1].steps


def _titles(steps):
    return [s["text"] for s in steps]


def _mentions(steps, words):
    return [s for s in steps if words in s["text"]]


# --- a network, and another one beside it ----------------------------------------------------

class World(Cast):
    """The Iranian network of seed 000 (the bank, a branch with its relationship manager, a
    union, the ministry) and, beside it, the Vietnamese network of seeds 001-004."""

    def __init__(self):
        super().__init__()
        self.other_union = factories.make_org(OrgKind.NATIONAL_UNION,
                                              name="اتحادیه سراسری تعاونی‌های مرغداران")
        self.vn_bank = factories.bank("VN")
        self.vn_branch = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=self.vn_bank,
                                            country="VN", currency="VND",
                                            name="Chi nhánh NHCSXH Hà Nam")
        self.vn_union = factories.make_org(OrgKind.MASS_ORGANISATION,
                                           name="Hội Nông dân tỉnh Hà Nam")
        self.vn_manager = factories.make_user("relationship_manager", self.vn_branch)
        self.vn_manager.portfolio = [self.vn_union]
        db.session.commit()

    def vn_meeting(self, state=MeetingState.PLANNED, **fields):
        """A meeting of the other network, made by hand: its services would (rightly) refuse
        to invite anyone of ours."""
        starts = fields.pop("starts_at", FUTURE)
        meeting = Meeting(kind=fields.pop("kind", MeetingKind.CONSULTATION_SESSION), state=state,
                          title="Phiên tham vấn Hà Nam", starts_at=starts,
                          ends_at=starts + timedelta(hours=2), timezone="Asia/Ho_Chi_Minh",
                          host_organisation_id=self.vn_bank.id,
                          recorder_id=self.vn_manager.id, **fields)
        db.session.add(meeting)
        db.session.commit()
        return meeting


@pytest.fixture()
def world():
    return World()


def _commit(world, meeting, description, organisation, due_on, owner=None):
    commitment = meetings.add_commitment(world.recorder, meeting, description=description,
                                         organisation=organisation, due_on=due_on, owner=owner)
    db.session.commit()
    return commitment


# --- union director ----------------------------------------------------------------------------

def test_director_sees_invitation_with_reply_buttons_that_work(client, login, world):
    ahead = helpers.plan(world, starts=FUTURE, title="نشست هم‌اندیشی دوم")
    login(world.director)
    [step] = _mentions(_steps(client), "نشست هم‌اندیشی دوم")
    assert step["action"] == "reply" and "Will you come?" in step["text"]
    assert step["forms"] == [f"/meetings/{ahead.id}/reply"]
    assert f"/meetings/{ahead.id}" in step["links"]

    answered = client.post(step["forms"][0], data={"reply": "accepted",
                                                   "version_id": ahead.version_id})
    assert answered.status_code == 302
    assert answered.headers["Location"].endswith(f"/meetings/{ahead.id}")
    invitation = db.session.scalar(db.select(Invitation).filter_by(
        meeting_id=ahead.id, user_id=world.director.id))
    assert invitation.reply == Reply.ACCEPTED
    [step] = _mentions(_steps(client), "نشست هم‌اندیشی دوم")
    assert step["action"] == "accepted" and step["forms"] == []
    assert "You accepted the invitation." in step["text"]


def test_director_of_an_invited_organisation_sees_the_meeting_without_own_invitation(
        client, login, world):
    helpers.plan(world, starts=FUTURE, title="نشست هم‌اندیشی سوم")
    newcomer = factories.make_user("union_director", world.union)  # after the invitations
    login(newcomer)
    [step] = _mentions(_steps(client), "نشست هم‌اندیشی سوم")
    assert step["action"] == "attend" and step["forms"] == []
    assert "Your organisation is invited." in step["text"]


def test_director_sees_answers_commitments_and_turnover_most_urgent_first(
        client, login, world):
    today = date.today()
    meeting = helpers.hold(world, helpers.plan(world))
    late = _commit(world, meeting, "ارسال فهرست اعضای متقاضی وام", world.union,
                   today - timedelta(days=20))
    soon = _commit(world, meeting, "معرفی نماینده به شعبه ویژه", world.union,
                   today + timedelta(days=5))
    _commit(world, meeting, "Not ours: the poultry union's list", world.other_union,
            today - timedelta(days=30))
    _commit(world, meeting, "Far away: next year's plan", world.union,
            today + timedelta(days=200))
    item = feedback.submit(world.director, title="کندی افتتاح حساب")
    feedback.answer(world.recorder, item)
    ahead = helpers.plan(world, starts=FUTURE, title="نشست هم‌اندیشی آینده")
    period = ReportingPeriod(country="IR", month=date(2025, 8, 1))
    reported = ReportingPeriod(country="IR", month=date(2025, 7, 1))
    future = ReportingPeriod(country="IR", month=date(2099, 1, 1))
    db.session.add_all([period, reported, future, TurnoverReport(
        organisation=world.union, period=reported, currency="IRR", total_turnover=100,
        bank_turnover=60)])
    db.session.commit()

    login(world.director)
    steps = _steps(client)
    kinds = [(s["kind"], s["action"]) for s in steps]
    # overdue first, then by date: the answer (given now) is dated today, the commitment due
    # in five days after it, the meeting in 2031 last
    assert kinds[0] == ("commitment", "commitment") and steps[0]["overdue"]
    assert "ارسال فهرست اعضای متقاضی وام" in steps[0]["text"]
    assert f"/meetings/{late.meeting_id}#commitments" in steps[0]["links"]
    order = [s["text"] for s in steps]
    position = {words: next(i for i, t in enumerate(order) if words in t) for words in (
        "کندی افتتاح حساب", "معرفی نماینده به شعبه ویژه", "نشست هم‌اندیشی آینده")}
    assert position["کندی افتتاح حساب"] < position["معرفی نماینده به شعبه ویژه"] \
        < position["نشست هم‌اندیشی آینده"]
    assert not any(s["overdue"] for s in steps[1:])
    [answer] = [s for s in steps if s["kind"] == "answer"]
    assert answer["links"] == [f"/feedback/{item.id}#response"]
    assert client.get(f"/feedback/{item.id}").status_code == 200
    [turnover] = [s for s in steps if s["kind"] == "turnover"]  # not July (reported), not 2099
    assert turnover["links"] == ["/turnover/reports/new"]
    assert client.get("/turnover/reports/new").status_code == 200
    assert soon.id and ahead.id
    text = " ".join(order)
    assert "poultry union" not in text and "next year's plan" not in text


def test_director_never_sees_another_network_or_a_confidential_meeting(client, login, world):
    today = date.today()
    # a confidential session of the bank with the poultry union: the director's union made
    # a commitment there, but the director may not read that meeting
    secret = helpers.plan(world, confidential=True, invite=False, title="نشست محرمانه")
    meetings.invite(world.recorder, secret, [world.other_union])
    db.session.commit()
    helpers.hold(world, secret)
    _commit(world, secret, "Secret: agreed behind closed doors", world.union,
            today - timedelta(days=3))
    vn = world.vn_meeting()
    db.session.add(Invitation(meeting=vn, user=world.director, organisation=world.union))
    db.session.commit()

    login(world.director)
    text = " ".join(_titles(_steps(client)))
    assert "behind closed doors" not in text
    assert "Phiên tham vấn Hà Nam" not in text


def test_new_director_is_asked_to_submit_a_first_critique(client, login, world):
    login(world.director)
    html, parsed = _home(client)
    assert parsed.steps == []
    assert "submit your first critique or proposal" in html
    assert parsed.empty == ["/feedback/new/critique", "/feedback/new/proposal"]
    assert client.get("/feedback/new/critique").status_code == 200
    assert "My queue" not in html  # not bank staff


def test_director_who_has_sent_feedback_is_not_told_to_send_a_first(client, login, world):
    feedback.submit(world.director)
    login(world.director)
    html, parsed = _home(client)
    assert parsed.steps == []
    assert "first critique" not in html
    assert "Nothing waits for you now" in html


def test_persian_page_shows_dates_in_the_solar_hijri_calendar_with_persian_digits(
        client, login, world):
    meeting = helpers.hold(world, helpers.plan(world))
    _commit(world, meeting, "ارسال فهرست اعضا", world.union, date(2025, 8, 12))
    world.director.preferred_locale = "fa"
    db.session.commit()
    login(world.director)
    html, parsed = _home(client)
    assert 'lang="fa"' in html and "چه کاری در پیش است" in html
    [step] = _mentions(parsed.steps, "ارسال فهرست اعضا")
    # 2025-08-12 is 21 Mordad 1404
    assert "۱۴۰۴" in step["text"] and "۲۱" in step["text"] and "مرداد" in step["text"]
    # no Gregorian day or year (the organisation's name may hold a test counter: "… 1214")
    assert not re.search(r"(?<!\d)(2025|12)(?!\d)", step["text"])
    assert "Overdue" not in step["text"] and step["overdue"]


# --- relationship manager ----------------------------------------------------------------------

def test_manager_sees_queue_deadlines_and_minutes_to_write(client, login, world):
    held = helpers.hold(world, helpers.plan(world, title="نشست بدون صورت‌جلسه"), minutes=None)
    late = feedback.submit(world.director, title="دیرکرد در پرداخت تسهیلات")
    late.acknowledge_due_at = utcnow() - timedelta(days=2)
    fresh = feedback.submit(world.director, title="پیشنهاد بسته خدماتی", kind="proposal")
    # of another network, though (wrongly) left with our manager: never on the list
    stray = feedback.submit(world.vn_manager, organisation=world.vn_union,
                            title="Thủ tục vay vốn quá phức tạp")
    stray.owner_id = world.recorder.id
    db.session.commit()
    assert late.owner_id == world.recorder.id == fresh.owner_id

    login(world.recorder)
    html, parsed = _home(client)
    steps = parsed.steps
    assert steps[0]["kind"] == "feedback" and steps[0]["overdue"]
    assert "دیرکرد در پرداخت تسهیلات" in steps[0]["text"]
    assert steps[0]["action"] == "acknowledge" and "acknowledge it by" in steps[0]["text"]
    [minutes] = [s for s in steps if s["kind"] == "minutes"]
    assert minutes["action"] == "write"
    assert minutes["links"] == [f"/meetings/{held.id}/minutes"]
    assert client.get(minutes["links"][0]).status_code == 200
    [proposal] = _mentions(steps, "پیشنهاد بسته خدماتی")
    assert not proposal["overdue"]
    assert "Thủ tục vay vốn" not in " ".join(_titles(steps))
    assert '<a class="nav-link" href="/feedback/queue">My queue</a>' in html
    assert client.get("/feedback/queue").status_code == 200


def test_manager_sees_a_drafted_answer_to_publish_and_a_past_meeting_to_mark_held(
        client, login, world):
    helpers.plan(world, title="نشست برگزارشده")
    item = feedback.submit(world.director, title="کندی افتتاح حساب")
    from portal.feedback import services as feedback_services

    feedback_services.save_draft(world.recorder, item, body_html="<p>در دست بررسی</p>",
                                 outcome="planned")
    db.session.commit()
    login(world.recorder)
    steps = _steps(client)
    [draft] = _mentions(steps, "کندی افتتاح حساب")
    assert draft["action"] == "publish" and draft["links"] == [f"/feedback/{item.id}#response"]
    [meeting] = _mentions(steps, "نشست برگزارشده")
    assert meeting["action"] == "mark_held" and meeting["forms"] == []


def test_manager_with_nothing_waiting_is_told_so_and_offered_a_meeting(client, login, world):
    login(world.vn_manager)
    html, parsed = _home(client)
    assert parsed.steps == []
    assert "Nothing waits for you: your queue is empty" in html
    assert parsed.empty == ["/meetings/new"]


# --- ministry official -------------------------------------------------------------------------

def test_official_sees_sessions_awaiting_sign_off_and_not_another_networks(
        client, login, world):
    session = helpers.approve(world, helpers.hold(world, helpers.plan(world)))
    world.vn_meeting(state=MeetingState.MINUTES_APPROVED, minutes_approved_at=utcnow())
    login(world.official)
    steps = _steps(client)
    [step] = [s for s in steps if s["kind"] == "sign_off"]
    assert step["links"] == [f"/meetings/{session.id}#review-title"]
    assert "Phiên tham vấn Hà Nam" not in " ".join(_titles(steps))
    page = client.get(f"/meetings/{session.id}")
    assert f"/meetings/{session.id}/sign-off" in page.text


def test_official_with_nothing_to_sign_is_told_so(client, login, world):
    login(world.official)
    html, parsed = _home(client)
    assert parsed.steps == []
    assert "no consultation session awaits your sign-off" in html
    assert "My queue" not in html


# --- branch staff ------------------------------------------------------------------------------

def test_branch_staff_see_their_deliveries_due_the_oldest_first(client, login, world):
    branch = make_branch()
    other = make_branch(name="شعبه ویژه تعاون اصفهان")
    staff = make_staff(branch)
    old = make_delivery(branch, world.union, requested_on=date.today() - timedelta(days=40))
    new = make_delivery(branch, world.other_union, requested_on=date.today())
    make_delivery(other, world.union, requested_on=date.today() - timedelta(days=90))
    make_delivery(branch, world.union, requested_on=date.today() - timedelta(days=60),
                  delivered_on=date.today() - timedelta(days=50))
    db.session.commit()
    login(staff)
    html, parsed = _home(client)
    deliveries = [s for s in parsed.steps if s["kind"] == "delivery"]
    assert [s["links"] for s in deliveries] == [
        [f"/branches/{branch.id}/deliveries/{old.id}/edit"],
        [f"/branches/{branch.id}/deliveries/{new.id}/edit"]]
    assert deliveries[0]["overdue"] and not deliveries[1]["overdue"]
    assert client.get(deliveries[0]["links"][0]).status_code == 200
    assert '<a class="nav-link" href="/feedback/queue">My queue</a>' in html


def test_branch_staff_with_nothing_waiting_are_told_how_to_start(client, login, world):
    login(make_staff(make_branch()))
    html, parsed = _home(client)
    assert parsed.steps == []
    assert "no service request waits for delivery" in html


# --- administrator -----------------------------------------------------------------------------

def test_administrator_sees_own_commitments_and_the_queue_link(client, login, world):
    admin = factories.make_user("administrator", world.bank)
    meeting = helpers.hold(world, helpers.plan(world))
    _commit(world, meeting, "انتشار گزارش شعب ویژه", world.bank,
            date.today() + timedelta(days=3))
    _commit(world, meeting, "Not the bank's: the union's list", world.union,
            date.today() + timedelta(days=3))
    login(admin)
    html, parsed = _home(client)
    text = " ".join(_titles(parsed.steps))
    assert "انتشار گزارش شعب ویژه" in text and "the union's list" not in text
    assert '<a class="nav-link" href="/feedback/queue">My queue</a>' in html


def test_thai_page_shows_buddhist_era_years(client, login, world):
    meeting = helpers.hold(world, helpers.plan(world))
    _commit(world, meeting, "ส่งรายชื่อสมาชิก", world.union, date(2025, 8, 12))
    world.director.preferred_locale = "th"
    db.session.commit()
    login(world.director)
    [step] = _mentions(_steps(client), "ส่งรายชื่อสมาชิก")
    assert "2568" in step["text"] and "2025" not in step["text"]


def test_the_list_is_capped_and_says_how_many_more_wait(client, login, world):
    for n in range(15):
        feedback.submit(world.director, title=f"Item {n}")
    login(world.recorder)
    html, parsed = _home(client)
    assert len(parsed.steps) == PER_SOURCE  # the most urgent of the source
    assert f"{15 - PER_SOURCE} more entries wait." in html
    assert '<a href="/feedback/queue">My queue</a>' in html
