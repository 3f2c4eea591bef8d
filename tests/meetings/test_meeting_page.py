"""The meeting page as its recorder and its readers use it (issue 17): one agenda, edited where
it is read; only the actions that the meeting's state and date allow, refused with a reason
when a stale page asks anyway; the commitments of a table moved on with one form; a new meeting
or series hosted, by default, in the organiser's own network."""
import re
from datetime import date, datetime, timedelta

from portal.accounts.models import OrgKind
from portal.core.models import utcnow
from portal.extensions import db
from portal.meetings import services
from portal.meetings.models import Commitment, CommitmentStatus, Meeting, MeetingState
from tests import factories
from tests.e2e.pages import translated
from tests.meetings import helpers
from tests.meetings.helpers import Cast

AGENDA = ("افتتاحیه و گزارش مدیرعامل", "شعب ویژه و آموزش کارکنان", "نقدها و پیشنهادها")


def _section(html, section_id):
    """The inner HTML of <section id=...> (the page's sections are not nested)."""
    found = re.search(rf'<section id="{section_id}"[^>]*>(.*?)</section>', html, re.S)
    assert found, f"no section #{section_id}"
    return found.group(1)


def _items(agenda_html):
    """The agenda's list items, in order."""
    return re.findall(r"<li id=\"agenda-item-\d+\".*?</li>", agenda_html, re.S)


def _with_agenda(cast, **kw):
    meeting = helpers.plan(cast, **kw)
    for title in AGENDA:
        services.add_agenda_item(cast.recorder, meeting, title=title, presenter="بانک")
    db.session.commit()
    return meeting


def _ahead(days=21):
    """A start three weeks ahead, as the second session of the demo series."""
    day = utcnow().date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 10, 0)


def _persian(user):
    user.preferred_locale = "fa"
    db.session.commit()
    return user


# --- the agenda ------------------------------------------------------------------------------

def test_the_recorder_reads_and_edits_one_agenda_the_union_reads_it_once(client, login, app):
    cast = Cast()
    meeting = _with_agenda(cast)
    login(cast.recorder)
    agenda = _section(client.get(f"/meetings/{meeting.id}").text, "agenda")
    # one list, each item's text once, with its own edit form beside it
    assert agenda.count("<ol") == 1
    items = _items(agenda)
    assert len(items) == 3
    for item, title in zip(items, AGENDA, strict=True):
        assert title in item and "<details" in item and "/edit" in item
    # the first item does not move up, the last not down; the middle one both
    assert 'value="up"' not in items[0] and 'value="down"' in items[0]
    assert 'value="up"' in items[1] and 'value="down"' in items[1]
    assert 'value="up"' in items[2] and 'value="down"' not in items[2]

    login(cast.director)  # invited: reads the agenda, once, without a control
    agenda = _section(client.get(f"/meetings/{meeting.id}").text, "agenda")
    assert agenda.count("<ol") == 1
    assert all(agenda.count(title) == 1 for title in AGENDA)
    assert "<form" not in agenda and "<details" not in agenda


def test_moving_the_first_item_up_or_the_last_down_is_refused_with_a_reason(client, login, app):
    cast = Cast()
    meeting = _with_agenda(cast)
    first, _second, last = meeting.agenda
    login(_persian(cast.recorder))
    up = client.post(f"/meetings/{meeting.id}/agenda/{first.id}/move",
                     data={"direction": "up"})
    assert up.status_code == 400
    assert translated(app, "fa", "The first item is already at the top of the agenda.") \
        in up.text
    down = client.post(f"/meetings/{meeting.id}/agenda/{last.id}/move",
                       data={"direction": "down"})
    assert down.status_code == 400
    assert translated(app, "fa", "The last item is already at the bottom of the agenda.") \
        in down.text
    db.session.expire_all()
    assert [a.title for a in db.session.get(Meeting, meeting.id).agenda] == list(AGENDA)
    # a move the page offers goes through
    moved = client.post(f"/meetings/{meeting.id}/agenda/{last.id}/move",
                        data={"direction": "up"})
    assert moved.status_code == 302 and moved.location.endswith("#agenda")
    db.session.expire_all()
    assert [a.title for a in db.session.get(Meeting, meeting.id).agenda] == [
        AGENDA[0], AGENDA[2], AGENDA[1]]


def test_an_agenda_item_is_edited_in_place_with_persian_digits(client, login):
    cast = Cast()
    meeting = _with_agenda(cast)
    second = meeting.agenda[1]
    login(_persian(cast.recorder))
    saved = client.post(f"/meetings/{meeting.id}/agenda/{second.id}/edit", data={
        "item-title": "شعب ویژه در تهران و استان‌ها",
        "item-presenter": "معاونت شعب", "item-duration": "۴۵"})
    assert saved.status_code == 302
    assert saved.location.endswith(f"#agenda-item-{second.id}")
    db.session.expire_all()
    item = db.session.get(Meeting, meeting.id).agenda[1]  # kept its place
    assert (item.title, item.presenter, item.minutes) == (
        "شعب ویژه در تهران و استان‌ها", "معاونت شعب", 45)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "۴۵" in _items(_section(page, "agenda"))[1]  # shown in Persian digits

    # an empty title is refused: that item's form opens again, with what was typed
    refused = client.post(f"/meetings/{meeting.id}/agenda/{second.id}/edit", data={
        "item-title": "", "item-presenter": "معاون جدید",
        "item-duration": "۳۰"})
    assert refused.status_code == 400
    item_html = _items(_section(refused.text, "agenda"))[1]
    assert "<details class=\"agenda-edit\" open" in item_html
    assert 'value="معاون جدید"' in item_html and 'aria-invalid="true"' in item_html
    # each item's boxes have ids of their own, named by their labels
    assert f'for="item-{second.id}-title"' in item_html
    assert f'id="item-{second.id}-title"' in item_html
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).agenda[1].presenter == "معاونت شعب"


def test_only_the_recorder_edits_an_agenda_item(client, login):
    cast = Cast()
    meeting = _with_agenda(cast)
    item = meeting.agenda[0]
    login(cast.director)
    assert client.post(f"/meetings/{meeting.id}/agenda/{item.id}/edit", data={
        "item-title": "Planted"}).status_code == 403
    assert db.session.get(Meeting, meeting.id).agenda[0].title == AGENDA[0]


# --- what the state and the date allow --------------------------------------------------------

def test_a_meeting_three_weeks_ahead_offers_no_mark_held_and_refuses_it(client, login, app):
    cast = Cast()
    meeting = helpers.plan(cast, starts=_ahead())
    login(_persian(cast.recorder))
    page = client.get(f"/meetings/{meeting.id}").text
    assert "/held" not in page
    assert translated(app, "fa", "Once the meeting has started, you can mark it as held "
                                 "here.") in page
    assert f'/meetings/{meeting.id}/minutes"' not in page  # no minutes before it happens
    refused = client.post(f"/meetings/{meeting.id}/held",
                          data={"version_id": meeting.version_id})
    assert refused.status_code == 400
    assert translated(app, "fa", "A meeting can be marked as held once it has started.") \
        in refused.text
    assert db.session.get(Meeting, meeting.id).state == MeetingState.PLANNED
    assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 403

    # once it has started (yesterday), the button is there and works
    started = helpers.plan(cast, starts=datetime.now() - timedelta(days=1))
    page = client.get(f"/meetings/{started.id}").text
    assert f'action="/meetings/{started.id}/held"' in page
    assert client.post(f"/meetings/{started.id}/held",
                       data={"version_id": started.version_id}).status_code == 302
    assert db.session.get(Meeting, started.id).state == MeetingState.HELD


def test_approve_is_offered_once_there_are_minutes(client, login, app):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast), minutes=None)
    login(cast.recorder)
    assert "/approve" not in client.get(f"/meetings/{meeting.id}").text
    refused = client.post(f"/meetings/{meeting.id}/approve",
                          data={"version_id": meeting.version_id})
    assert refused.status_code == 400
    assert "Write the minutes before approving them." in refused.text
    services.save_minutes(cast.recorder, meeting, "<p>صورتجلسه نشست</p>")
    db.session.commit()
    assert f'action="/meetings/{meeting.id}/approve"' in client.get(
        f"/meetings/{meeting.id}").text


def test_the_ministry_review_shows_only_while_the_minutes_await_it(client, login):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast))
    login(cast.official)
    assert "/sign-off" not in client.get(f"/meetings/{meeting.id}").text
    helpers.approve(cast, meeting)
    assert f'action="/meetings/{meeting.id}/sign-off"' in client.get(
        f"/meetings/{meeting.id}").text
    helpers.sign(cast, meeting)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "/sign-off" not in page and "/send-back" not in page


# --- commitments: one form per table ---------------------------------------------------------

def _commitments(cast, meeting, n=3):
    made = [services.add_commitment(
        cast.recorder, meeting, description=what, organisation=cast.bank,
        due_on=date.today() + timedelta(days=30 * (i + 1)))
        for i, what in enumerate(("راه‌اندازی شعب ویژه", "آموزش کارکنان شعب",
                                  "طراحی بسته‌های خدماتی")[:n])]
    db.session.commit()
    return made


def _rows(table, commitments, changes):
    """The progress form as the page sends it: every row, with changes {index: (status,
    note)}; the others as they are."""
    data = {"table": table}
    for i, c in enumerate(commitments):
        status, note = changes.get(i, (c.status.value, ""))
        data |= {f"{table}-rows-{i}-commitment_id": c.id,
                 f"{table}-rows-{i}-version_id": c.version_id,
                 f"{table}-rows-{i}-status": status, f"{table}-rows-{i}-note": note}
    return data


def test_one_form_moves_several_commitments_on(client, login, app):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast))
    made = _commitments(cast, meeting)
    history = len(made[2].events)
    login(_persian(cast.recorder))
    section = _section(client.get(f"/meetings/{meeting.id}").text, "commitments")
    # one progress form for the table, a row (status and note) per commitment, one button
    assert section.count("/commitments/progress") == 1
    for i in range(3):
        assert f'name="made-rows-{i}-status"' in section
        assert f'name="made-rows-{i}-note"' in section
    assert section.count('type="submit"') == 2  # Save, and Record a new commitment

    saved = client.post(f"/meetings/{meeting.id}/commitments/progress", data=_rows(
        "made", made, {0: ("in_progress", "نخستین شعبه در تهران گشایش یافت"),
                       1: ("done", "")}))
    assert saved.status_code == 302 and saved.location.endswith("#commitments")
    db.session.expire_all()
    first, second, third = (db.session.get(Commitment, c.id) for c in made)
    assert (first.status, second.status, third.status) == (
        CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE, CommitmentStatus.OPEN)
    assert first.events[-1].note == "نخستین شعبه در تهران گشایش یافت"
    assert len(third.events) == history  # left as it was: nothing added to its history
    page = client.get(f"/meetings/{meeting.id}").text
    assert "۲" in page and translated(app, "fa", "Done") in page


def test_a_refused_row_saves_nothing_and_keeps_what_was_typed(client, login, app):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast))
    made = _commitments(cast, meeting)
    login(_persian(cast.recorder))
    refused = client.post(f"/meetings/{meeting.id}/commitments/progress", data=_rows(
        "made", made, {0: ("done", "گزارش شد"), 2: ("dropped", "")}))
    assert refused.status_code == 400
    section = _section(refused.text, "commitments")
    assert translated(app, "fa", "Say why the commitment is dropped.") in section
    assert 'value="گزارش شد"' in section  # typed in the first row, kept
    assert re.search(r'<option selected value="dropped">|<option value="dropped" selected',
                     section)
    db.session.expire_all()
    assert all(db.session.get(Commitment, c.id).status == CommitmentStatus.OPEN for c in made)


def test_a_stale_row_is_a_conflict_and_a_foreign_commitment_is_not_found(client, login):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast))
    made = _commitments(cast, meeting, n=2)
    login(cast.recorder)
    page_rows = _rows("made", made, {0: ("done", ""), 1: ("done", "")})
    services.set_commitment_status(cast.recorder, made[1], "in_progress", "meanwhile")
    db.session.commit()
    stale = client.post(f"/meetings/{meeting.id}/commitments/progress", data=page_rows)
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Commitment, made[0].id).status == CommitmentStatus.OPEN

    # a commitment of another meeting is not this table's to move
    other = helpers.hold(cast, helpers.plan(cast, title="نشست دیگر"))
    foreign = _commitments(cast, other, n=1)
    assert client.post(f"/meetings/{meeting.id}/commitments/progress",
                       data=_rows("made", foreign, {0: ("done", "")})).status_code == 404
    assert db.session.get(Commitment, foreign[0].id).status == CommitmentStatus.OPEN


def test_progress_on_carried_commitments_is_recorded_at_the_later_meeting(client, login):
    cast = Cast()
    series = services.create_series(cast.recorder, title="سلسله نشست‌ها",
                                    host_organisation=cast.bank)
    first = helpers.hold(cast, helpers.plan(cast, series=series))
    made = _commitments(cast, first, n=2)
    helpers.sign(cast, helpers.approve(cast, first))  # read-only from now on
    later = helpers.plan(cast, series=series, starts=_ahead(), title="نشست دوم")
    login(cast.recorder)
    section = _section(client.get(f"/meetings/{later.id}").text, "commitments")
    assert 'name="table" value="carried"' in section
    assert 'name="carried-rows-1-status"' in section
    saved = client.post(f"/meetings/{later.id}/commitments/progress", data=_rows(
        "carried", made, {0: ("in_progress", "دوره نخست برگزار شد"), 1: ("done", "")}))
    assert saved.status_code == 302
    db.session.expire_all()
    events = [db.session.get(Commitment, c.id).events[-1] for c in made]
    assert [e.meeting_id for e in events] == [later.id, later.id]
    # on the signed-off meeting itself the commitments are read-only
    assert "/commitments/progress" not in client.get(f"/meetings/{first.id}").text


def test_readers_see_the_commitments_as_a_table_without_forms(client, login):
    cast = Cast()
    meeting = helpers.hold(cast, helpers.plan(cast))
    _commitments(cast, meeting, n=2)
    login(cast.director)
    section = _section(client.get(f"/meetings/{meeting.id}").text, "commitments")
    assert "<table" in section and "<form" not in section
    assert "راه‌اندازی شعب ویژه" in section


# --- defaults from the person's own network --------------------------------------------------

def _selected(html, field):
    select = re.search(rf'<select[^>]*id="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select #{field}"
    chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                       select.group(1))
    return chosen and (chosen.group(1) or chosen.group(2))


def _two_networks():
    """Iran's bank with a Tehran branch, and Vietnam's with a district office (the Vietnamese
    network made first, so that its organisations come first in any list by id)."""
    vietnam = factories.bank("VN")
    kim_bang = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=vietnam,
                                  name="Phòng giao dịch NHCSXH huyện Kim Bảng", country="VN",
                                  currency="VND")
    iran = factories.bank("IR")
    tehran = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=iran,
                                name="شعبه ویژه تعاون تهران")
    db.session.commit()
    return vietnam, kim_bang, iran, tehran


def test_the_meeting_form_is_hosted_in_the_organisers_own_network(client, login):
    _vietnam, kim_bang, _iran, tehran = _two_networks()
    manager = factories.make_user("relationship_manager", tehran, full_name="مریم احمدی",
                                  preferred_locale="fa")
    officer = factories.make_user("relationship_manager", kim_bang,
                                  full_name="Nguyễn Thị Hương", preferred_locale="vi")
    login(manager)
    form = client.get("/meetings/new").text
    assert _selected(form, "host_organisation_id") == str(tehran.id)
    assert _selected(form, "timezone") == "Asia/Tehran"
    login(officer)
    form = client.get("/meetings/new").text
    assert _selected(form, "host_organisation_id") == str(kim_bang.id)
    assert _selected(form, "timezone") == "Asia/Ho_Chi_Minh"


def test_the_series_form_is_hosted_in_the_organisers_own_network(client, login):
    _vietnam, kim_bang, _iran, tehran = _two_networks()
    login(factories.make_user("relationship_manager", tehran))
    assert _selected(client.get("/meetings/series/new").text,
                     "host_organisation_id") == str(tehran.id)
    login(factories.make_user("relationship_manager", kim_bang))
    assert _selected(client.get("/meetings/series/new").text,
                     "host_organisation_id") == str(kim_bang.id)


def test_an_administrator_of_the_iranian_network_gets_its_head_office(client, login):
    _vietnam, _kim_bang, iran, _tehran = _two_networks()
    # administering Iran's head office: Iran's office, not the first bank made (Vietnam's)
    login(factories.make_user("administrator", iran))
    assert _selected(client.get("/meetings/new").text, "host_organisation_id") == str(iran.id)


def test_a_series_of_another_network_is_not_a_template_for_a_new_meeting(client, login):
    _vietnam, kim_bang, _iran, tehran = _two_networks()
    officer = factories.make_user("relationship_manager", kim_bang)
    series = services.create_series(officer, title="Chuỗi phiên tham vấn Kim Bảng",
                                    host_organisation=kim_bang)
    db.session.commit()
    login(factories.make_user("relationship_manager", tehran))
    form = client.get(f"/meetings/new?series={series.id}").text
    assert "Chuỗi phiên tham vấn Kim Bảng" not in form
    assert _selected(form, "host_organisation_id") == str(tehran.id)
