"""Each bank's escalation chain: an overdue item climbs the chain of the bank whose network its
organisation belongs to, level by level, and only that bank's people are told, each in their own
language. A level that names nobody passes the item on; one run tells the owner once; the
chain is kept on a page that the bank's administrators edit.

Two networks, as in the demo: the Cooperative Development Bank (Tehran branch under a
provincial office) and the Bank for Social Policies (Kim Bảng's office under the Hà Nam
provincial branch).
"""
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from portal.accounts.models import OrgKind, Role, User
from portal.core.errors import ValidationError
from portal.core.notify import Notification
from portal.feedback import escalation
from portal.feedback.models import EscalationContact, FeedbackItem
from tests import factories
from tests.feedback import helpers

# a critique submitted then, and when its lateness reaches each level (ESCALATION_STEPS 0,5,10
# working days): Tehran, Wednesday 18 Nov 2026, due by the end of Saturday 21 Nov there
IRAN_TIMES = ("2026-11-18 09:00", {1: "2026-11-22 09:30", 2: "2026-11-28 10:00",
                                   3: "2026-12-30 10:00"})
# Hà Nội, Saturday 16 May 2026 05:00, due by the end of Tuesday 19 May there
VIETNAM_TIMES = ("2026-05-15 22:00", {1: "2026-05-19 17:01", 2: "2026-05-26 03:00",
                                      3: "2026-06-10 03:00"})


@dataclass
class Bank:
    head_office: object
    province: object
    branch: object
    union: object
    director: object
    owner: object
    chain: dict          # level -> the people the chain names there


def _iranian_bank(db):
    head_office = factories.make_org(OrgKind.BANK_HEAD_OFFICE, name="بانک توسعه تعاون",
                                     code="CDB-HO")
    province = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=head_office,
                                  name="مدیریت شعب استان تهران", code="CDB-TEH")
    branch = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=province,
                                name="شعبه ویژه تعاون تهران", code="CDB-TEH-01")
    union = factories.make_org(OrgKind.NATIONAL_UNION, code="IR-UN-CARP")
    director = factories.make_user("union_director", union, full_name="زهرا موسوی",
                                   preferred_locale="fa")
    owner = factories.make_user("relationship_manager", branch, full_name="مریم احمدی",
                                preferred_locale="fa")
    owner.portfolio = [union]
    branch_head = factories.make_user("relationship_manager", branch,
                                      full_name="رئیس شعبه ویژه تهران", preferred_locale="fa")
    provincial = factories.make_user("administrator", province,
                                     full_name="مدیر امور شعب استان تهران", preferred_locale="fa")
    ceo_office = factories.make_user("administrator", head_office, full_name="دفتر مدیرعامل",
                                     preferred_locale="fa")
    # level 1 a person of the branch, level 2 a role at the province above the item's branch,
    # level 3 a person of the head office
    db.session.add_all([
        EscalationContact(network_id=head_office.id, level=1, user_id=branch_head.id,
                          organisation_id=branch.id),
        EscalationContact(network_id=head_office.id, level=2, role=Role.ADMINISTRATOR),
        EscalationContact(network_id=head_office.id, level=3, user_id=ceo_office.id)])
    db.session.commit()
    return Bank(head_office, province, branch, union, director, owner,
                {1: [branch_head], 2: [provincial], 3: [ceo_office]})


def _vietnamese_bank(db, chain=True):
    head_office = factories.make_org(OrgKind.BANK_HEAD_OFFICE, name="Ngân hàng Chính sách xã hội",
                                     code="VBSP-HO", country="VN", currency="VND")
    province = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=head_office,
                                  name="Chi nhánh NHCSXH tỉnh Hà Nam", code="VBSP-HN",
                                  country="VN", currency="VND")
    branch = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=province,
                                name="Phòng giao dịch NHCSXH huyện Kim Bảng", code="VBSP-KB",
                                country="VN", currency="VND")
    union = factories.make_org(OrgKind.MASS_ORGANISATION, code="VN-KB-WU")
    director = factories.make_user("union_director", union, full_name="Trần Thị Lan",
                                   preferred_locale="vi")
    owner = factories.make_user("relationship_manager", branch, full_name="Nguyễn Thị Hương",
                                preferred_locale="vi")
    owner.portfolio = [union]
    office_director = factories.make_user("branch_staff", branch, full_name="Đinh Văn Hùng",
                                          preferred_locale="vi")
    provincial = factories.make_user("relationship_manager", province,
                                     full_name="Lê Minh Tuấn", preferred_locale="vi")
    general = factories.make_user("administrator", head_office,
                                  full_name="Văn phòng Tổng Giám đốc", preferred_locale="vi")
    if chain:
        # level 1 a role at the item's branch, level 2 a person of the province, level 3 a
        # role at the head office
        db.session.add_all([
            EscalationContact(network_id=head_office.id, level=1, role=Role.BRANCH_STAFF),
            EscalationContact(network_id=head_office.id, level=2, user_id=provincial.id),
            EscalationContact(network_id=head_office.id, level=3, role=Role.ADMINISTRATOR)])
    db.session.commit()
    return Bank(head_office, province, branch, union, director, owner,
                {1: [office_director], 2: [provincial], 3: [general]})


@pytest.fixture()
def two_banks(db):
    return _iranian_bank(db), _vietnamese_bank(db)


def _submit(app, bank, at):
    with freeze_time(at), app.test_request_context():
        return helpers.submit(bank.director, organisation=bank.union,
                              title=f"Chậm giải ngân / کندی پرداخت {bank.union.code}")


def _escalate(app, db, at):
    with freeze_time(at), app.test_request_context():
        steps = escalation.escalate_overdue()
        db.session.commit()
    return steps


def _notices(db, item, user=None):
    query = sa.select(Notification).where(Notification.kind == "feedback_escalated",
                                          Notification.link == f"/feedback/{item.id}")
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return db.session.scalars(query.order_by(Notification.id)).all()


def _networks_of(user):
    return {m.organisation.network_id for m in user.memberships}


# --- walking the chain -----------------------------------------------------------------------

LEVEL_WORDS = {"fa": {1: "ارجاع‌شده به شعبه", 2: "ارجاع‌شده به مدیریت استان",
                      3: "ارجاع‌شده به ستاد مرکزی"},
               "vi": {1: "Đã chuyển lên chi nhánh", 2: "Đã chuyển lên cấp tỉnh",
                      3: "Đã chuyển lên Hội sở chính"}}
TOLD_WORD = {"fa": "آگاه‌شدگان", "vi": "Đã báo cho"}
OVERDUE_WORD = {"fa": "تأخیر در پاسخ", "vi": "Quá hạn"}


@pytest.mark.parametrize(("country", "times"), [("IR", IRAN_TIMES), ("VN", VIETNAM_TIMES)])
def test_an_item_climbs_its_own_banks_chain_level_by_level(app, db, two_banks, country, times):
    iranian, vietnamese = two_banks
    bank, other = (iranian, vietnamese) if country == "IR" else (vietnamese, iranian)
    language = "fa" if country == "IR" else "vi"
    submitted, reached_at = times
    item = _submit(app, bank, submitted)
    everyone_told = set()
    for level in (1, 2, 3):
        before = {n.id for n in _notices(db, item)}
        assert _escalate(app, db, reached_at[level]) == 1
        assert db.session.get(FeedbackItem, item.id).escalation_level == level
        new = [n for n in _notices(db, item) if n.id not in before]
        told = {n.user_id for n in new}
        # this level's people, the owner and the submitter: once each, nobody else
        expected = {p.id for p in bank.chain[level]} | {bank.owner.id, bank.director.id}
        assert sorted(n.user_id for n in new) == sorted(expected)
        for notice in new:
            # in the reader's language: the level reached and who in the chain was told
            assert notice.locale == language
            assert notice.title.startswith(OVERDUE_WORD[language])
            assert LEVEL_WORDS[language][level] in notice.body
            assert TOLD_WORD[language] in notice.body
            for person in bank.chain[level]:
                assert person.full_name in notice.body
        everyone_told |= told
    assert _escalate(app, db, reached_at[3]) == 0  # nothing is announced twice
    # every recipient works in the owning bank's network; the other bank heard nothing
    for user_id in everyone_told:
        assert _networks_of(db.session.get(User, user_id)) & {bank.head_office.id}, user_id
    for people in other.chain.values():
        for person in people:
            assert not _notices(db, item, person)


def test_a_level_with_nobody_passes_the_item_to_the_next_and_says_who_was_told(app, db):
    bank = _vietnamese_bank(db, chain=False)
    provincial = bank.chain[2][0]
    db.session.add(EscalationContact(network_id=bank.head_office.id, level=2,
                                     user_id=provincial.id))
    db.session.commit()
    submitted, reached_at = VIETNAM_TIMES
    item = _submit(app, bank, submitted)
    assert _escalate(app, db, reached_at[1]) == 2  # due for the branch, which names nobody
    assert db.session.get(FeedbackItem, item.id).escalation_level == 2
    [to_owner] = _notices(db, item, bank.owner)
    assert to_owner.body == "Đã chuyển lên cấp tỉnh. Đã báo cho: Lê Minh Tuấn."
    assert "chi nhánh" not in to_owner.body  # not told it went to the branch director
    assert len(_notices(db, item, provincial)) == 1
    assert not _notices(db, item, bank.chain[1][0])
    # the province was told already: reaching its lateness tells nobody again
    assert _escalate(app, db, reached_at[2]) == 0
    assert len(_notices(db, item, provincial)) == 1


def test_with_nobody_named_up_to_the_head_office_the_banks_administrators_hear_of_it(app, db):
    bank = _vietnamese_bank(db, chain=False)
    iranian_admin = factories.make_user("administrator", full_name="مدیر سامانه")
    submitted, reached_at = VIETNAM_TIMES
    item = _submit(app, bank, submitted)
    _escalate(app, db, reached_at[1])
    assert db.session.get(FeedbackItem, item.id).escalation_level == 3
    [to_owner] = _notices(db, item, bank.owner)
    assert to_owner.body == "Đã chuyển lên Hội sở chính. Đã báo cho: Văn phòng Tổng Giám đốc."
    assert not _notices(db, item, iranian_admin)


def test_a_jump_from_0_to_3_tells_the_owner_once_naming_the_level_reached(app, db, two_banks):
    bank = two_banks[0]
    submitted, reached_at = IRAN_TIMES
    item = _submit(app, bank, submitted)
    assert _escalate(app, db, reached_at[3]) == 3
    assert db.session.get(FeedbackItem, item.id).escalation_level == 3
    [to_owner] = _notices(db, item, bank.owner)
    assert to_owner.body.startswith("ارجاع‌شده به ستاد مرکزی. آگاه‌شدگان: ")
    for people in bank.chain.values():  # every level crossed was told, once
        for person in people:
            assert person.full_name in to_owner.body
            assert len(_notices(db, item, person)) == 1
    assert len(_notices(db, item, bank.director)) == 1


def test_the_names_are_listed_in_the_readers_language(app, db):
    bank = _vietnamese_bank(db)
    thai = factories.make_user("branch_staff", bank.branch, full_name="สมชาย ใจดี",
                               preferred_locale="th")
    submitted, reached_at = VIETNAM_TIMES
    item = _submit(app, bank, submitted)
    _escalate(app, db, reached_at[1])
    [to_owner] = _notices(db, item, bank.owner)
    assert to_owner.body == "Đã chuyển lên chi nhánh. Đã báo cho: Đinh Văn Hùng và สมชาย ใจดี."
    [to_thai] = _notices(db, item, thai)
    assert to_thai.body == "ยกระดับถึงสาขา — แจ้งถึง: Đinh Văn Hùngและสมชาย ใจดี"  # CLDR: no space


def test_a_person_named_in_the_chain_who_left_the_bank_is_not_told(app, db):
    iranian, vietnamese = _iranian_bank(db), _vietnamese_bank(db, chain=False)
    # a link written before networks, naming someone of the other bank: skipped
    db.session.add(EscalationContact(network_id=vietnamese.head_office.id, level=1,
                                     user_id=iranian.chain[1][0].id))
    db.session.commit()
    submitted, reached_at = VIETNAM_TIMES
    item = _submit(app, vietnamese, submitted)
    _escalate(app, db, reached_at[1])
    assert not _notices(db, item, iranian.chain[1][0])


# --- the chain's page ------------------------------------------------------------------------

def _chain_shown(client):
    """The chain as the page lists it (the form to add to it below names everyone)."""
    page = client.get("/feedback/escalation")
    assert page.status_code == 200
    return page.text.split('id="add-link"')[0]


def _look_at(client, network):
    with client.session_transaction() as session:
        session["network"] = network.id


def test_the_banks_administrator_edits_the_chain(app, client, login, db):
    bank = _vietnamese_bank(db, chain=False)
    admin = bank.chain[3][0]
    login(admin)
    _look_at(client, bank.head_office)
    page = client.get("/feedback/escalation")
    assert page.status_code == 200
    assert "Chuỗi chuyển cấp" in page.text and "Ngân hàng Chính sách xã hội" in page.text
    assert page.text.count("Chưa có ai: cấp này được bỏ qua") == 3
    provincial = bank.chain[2][0]
    response = client.post("/feedback/escalation", data={
        "level": "2", "who": f"person:{provincial.id}", "office_id": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/feedback/escalation")
    response = client.post("/feedback/escalation", data={
        "level": "1", "who": "role:branch_staff", "office_id": str(bank.branch.id)})
    assert response.status_code == 302
    page = _chain_shown(client)
    assert "Lê Minh Tuấn" in page
    assert "Mọi người giữ vai trò" in page and "Phòng giao dịch NHCSXH huyện Kim Bảng" in page
    links = db.session.scalars(sa.select(EscalationContact).order_by(EscalationContact.id)).all()
    assert [(link.network_id, link.level, link.user_id, link.role, link.organisation_id)
            for link in links] == [
        (bank.head_office.id, 2, provincial.id, None, None),
        (bank.head_office.id, 1, None, Role.BRANCH_STAFF, bank.branch.id)]
    # the same link twice is refused
    again = client.post("/feedback/escalation", data={
        "level": "2", "who": f"person:{provincial.id}", "office_id": ""})
    assert again.status_code == 400 and "Mục này đã có trong chuỗi." in again.text
    # and removed
    province_link = links[0].id
    response = client.post(f"/feedback/escalation/{province_link}/delete")
    assert response.status_code == 302
    assert db.session.get(EscalationContact, province_link) is None
    assert "Lê Minh Tuấn" not in _chain_shown(client)


def test_the_chains_page_speaks_persian_and_thai(app, client, login, db):
    bank = _iranian_bank(db)
    admin = bank.chain[3][0]
    login(admin)
    _look_at(client, bank.head_office)
    page = client.get("/feedback/escalation").text
    assert "زنجیره ارجاع" in page and "مدیریت استان" in page and "دفتر مدیرعامل" in page
    assert 'dir="rtl"' in page
    admin.preferred_locale = "th"
    db.session.commit()
    page = client.get("/feedback/escalation").text
    assert "ลำดับการยกระดับเรื่อง" in page and "ทุกคนที่มีบทบาท" in page


def test_an_administrator_looking_at_every_network_chooses_the_bank_first(app, client, login,
                                                                          db):
    iranian, vietnamese = _iranian_bank(db), _vietnamese_bank(db)
    login(iranian.chain[3][0])
    page = client.get("/feedback/escalation")
    assert page.status_code == 200
    assert "بانک توسعه تعاون" in page.text and "Ngân hàng Chính sách xã hội" in page.text
    assert "رئیس شعبه ویژه تهران" not in page.text  # no chain until a bank is chosen
    chosen = client.post("/network", data={"network": str(vietnamese.head_office.id),
                                           "next": "/feedback/escalation"})
    assert chosen.headers["Location"].endswith("/feedback/escalation")
    page = _chain_shown(client)
    assert "Văn phòng Tổng Giám đốc" not in page  # a role link: the role is shown, not names
    assert "Lê Minh Tuấn" in page and "رئیس شعبه ویژه تهران" not in page


@pytest.mark.parametrize("role", ["relationship_manager", "branch_staff", "union_director",
                                  "ministry_official"])
def test_only_administrators_see_or_edit_the_chain(app, client, login, db, role):
    bank = _vietnamese_bank(db)
    person = login(factories.make_user(role, bank.branch if role != "union_director"
                                       else bank.union))
    _look_at(client, bank.head_office)
    assert client.get("/feedback/escalation").status_code == 403
    before = db.session.scalar(sa.select(sa.func.count()).select_from(EscalationContact))
    response = client.post("/feedback/escalation", data={
        "level": "1", "who": f"person:{person.id}", "office_id": ""})
    assert response.status_code == 403
    link = db.session.scalars(sa.select(EscalationContact)).first()
    assert client.post(f"/feedback/escalation/{link.id}/delete").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count())
                             .select_from(EscalationContact)) == before


def test_an_administrator_cannot_put_another_banks_people_or_offices_in_the_chain(
        app, client, login, db):
    iranian, vietnamese = _iranian_bank(db), _vietnamese_bank(db, chain=False)
    login(vietnamese.chain[3][0])
    _look_at(client, vietnamese.head_office)
    outsider = iranian.chain[1][0]
    response = client.post("/feedback/escalation", data={
        "level": "1", "who": f"person:{outsider.id}", "office_id": ""})
    assert response.status_code == 400
    assert f"{outsider.full_name} không làm việc tại ngân hàng này." in response.text
    response = client.post("/feedback/escalation", data={
        "level": "1", "who": "role:administrator", "office_id": str(iranian.branch.id)})
    assert response.status_code == 400
    assert not db.session.scalars(sa.select(EscalationContact).where(
        EscalationContact.network_id == vietnamese.head_office.id)).all()
    # nor remove a link of the other bank's chain
    link = db.session.scalars(sa.select(EscalationContact).where(
        EscalationContact.network_id == iranian.head_office.id)).first()
    assert client.post(f"/feedback/escalation/{link.id}/delete").status_code == 404
    assert db.session.get(EscalationContact, link.id) is not None


def test_the_service_refuses_another_banks_person_whoever_calls_it(app, db):
    iranian, vietnamese = _iranian_bank(db), _vietnamese_bank(db)
    admin = vietnamese.chain[3][0]
    with app.test_request_context():
        from flask import session

        session["network"] = vietnamese.head_office.id
        with pytest.raises(ValidationError) as refused:
            escalation.add_escalation_link(admin, vietnamese.head_office, level=1,
                                         person=iranian.owner)
        assert refused.value.details["field"] == "who"
        # nor the chain of a bank the administrator is not looking at
        with pytest.raises(Exception) as denied:
            escalation.add_escalation_link(admin, iranian.head_office, level=1,
                                         person=iranian.owner)
        assert type(denied.value).__name__ == "PermissionDenied"


def test_the_feedback_list_leads_administrators_to_the_chain(app, client, login, db):
    bank = _iranian_bank(db)
    login(bank.chain[3][0])
    assert "/feedback/escalation" in client.get("/feedback/").text
    login(bank.owner)
    assert "/feedback/escalation" not in client.get("/feedback/").text


# --- the migration ---------------------------------------------------------------------------

def test_the_migration_gives_each_link_its_banks_network(tmp_path):
    """Links written before networks: level 1 keeps its branch, levels 2 and 3 (bank-wide)
    lose their office, and each belongs to its office's network."""
    from flask_migrate import downgrade, upgrade

    from portal import create_app
    from portal.extensions import db as _db

    app = create_app({"TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/old.sqlite"})
    with app.app_context():
        upgrade(revision="9d4a6c2e8f31")
        run = _db.session.execute
        run(sa.text(
            "INSERT INTO organisation (id, code, name, kind, parent_id, country, currency, "
            "is_active, network_id, search_key, version_id, created_at, updated_at) VALUES "
            "(1, 'CDB-HO', 'HO', 'bank_head_office', NULL, 'IR', 'IRR', 1, 1, '', 1, "
            "'2026-01-01', '2026-01-01'), "
            "(2, 'CDB-TEH-01', 'TEH', 'specialised_branch', 1, 'IR', 'IRR', 1, 1, '', 1, "
            "'2026-01-01', '2026-01-01')"))
        run(sa.text(
            "INSERT INTO user (id, email, full_name, is_active, persian_digits, "
            "email_notifications, session_version, invitation_nonce, search_key, version_id, "
            "created_at, updated_at) VALUES "
            "(1, 'a@x', 'A', 1, 1, 1, 1, 0, '', 1, '2026-01-01', '2026-01-01'), "
            "(2, 'b@x', 'B', 1, 1, 1, 1, 0, '', 1, '2026-01-01', '2026-01-01')"))
        run(sa.text("INSERT INTO feedback_escalation_contact (level, organisation_id, user_id) "
                    "VALUES (1, 2, 1), (3, 1, 2)"))
        _db.session.commit()
        upgrade()
        rows = run(sa.text("SELECT level, organisation_id, user_id, role, network_id FROM "
                           "feedback_escalation_contact ORDER BY level")).all()
        assert [tuple(r) for r in rows] == [(1, 2, 1, None, 1), (3, None, 2, None, 1)]
        _db.session.commit()
        downgrade(revision="9d4a6c2e8f31")
        rows = run(sa.text("SELECT level, organisation_id, user_id FROM "
                           "feedback_escalation_contact ORDER BY level")).all()
        assert [tuple(r) for r in rows] == [(1, 2, 1), (3, 1, 2)]
        _db.session.remove()
        _db.engine.dispose()



def test_the_demo_escalates_each_item_within_its_own_bank(app, db):
    """The demo's overdue Persian and Vietnamese items: every escalation notice goes to
    someone of the item's own bank, and Kim Bảng's overdue request reached its office."""
    from portal.demo import seed

    seed()
    db.session.commit()
    notices = db.session.scalars(sa.select(Notification).where(
        Notification.kind == "feedback_escalated")).all()
    assert notices
    items = {f"/feedback/{item.id}": item for item in db.session.scalars(sa.select(FeedbackItem))}
    for notice in notices:
        item = items[notice.link]
        reader = db.session.get(User, notice.user_id)
        assert item.organisation.network_id in _networks_of(reader), (reader.email, item.title)
    kim_bang = next(i for i in items.values() if i.organisation.code == "VN-KB-WU"
                    and i.escalation_level)
    office_director = db.session.scalar(sa.select(User).where(
        User.email == "giamdoc.kimbang@vbsp.example"))
    assert _notices(db, kim_bang, office_director)
