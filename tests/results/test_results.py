"""Results the bank commits to: set up in the reader's calendar and digits, linked to what was
said, told to the people who said it, measured by their parts, kept within one bank's network.
"""
from datetime import date

import pytest
import sqlalchemy as sa

from portal.core.notify import Notification
from portal.extensions import db
from portal.feedback import services as feedback
from portal.results import services
from portal.results.models import Result, ResultStatus
from tests import factories
from tests.feedback import helpers as fb
from tests.results.helpers import make_result


@pytest.fixture(autouse=True)
def request_context(app, db):
    factories.bank()        # the Iranian bank's network, which the unions below join
    with app.test_request_context(base_url="http://portal.test"):
        yield


def _persian(user):
    user.preferred_locale = "fa"
    user.calendar = None
    db.session.commit()
    return user


def _form(owner, **changes):
    data = {"title_fa": "صندوق ضمانت تسهیلات بافندگان",
            "description_fa": "<p>طراحی و راه‌اندازی</p>",
            "title_en": "", "title_vi": "", "title_th": "", "owner_id": str(owner.id),
            "due_on": "۱۴۰۵/۰۱/۱۵", "parent_id": "", "weight": "۱", "typed_progress": "۰",
            "items": ""}
    data.update(changes)
    return data


def _notes(user, kind):
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind)))


def test_a_persian_manager_sets_up_a_result_and_those_who_raised_it_are_told(client, login):
    union, director, manager = fb.union_with_manager()
    item = fb.submit(_persian(director), kind="proposal")
    other_union = factories.make_org(union.kind, name="اتحادیه تعاونی‌های فرش")
    endorser = factories.make_user("union_director", other_union, preferred_locale="th")
    feedback.endorse(endorser, item, other_union)
    db.session.commit()
    login(_persian(manager))

    response = client.post("/results/new", data=_form(manager, items=f"#{item.id}".translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))))
    assert response.status_code == 302, response.text
    result = db.session.scalar(sa.select(Result))
    assert result.due_on == date(2026, 4, 4)          # 15 Farvardin 1405
    assert [i.id for i in result.items] == [item.id]
    assert result.network_id == factories.bank().id
    # the author reads it in Persian, the Thai endorser in Thai; the manager is not told of
    # what he did himself
    (author_note,) = _notes(director, "result.created")
    assert "صندوق ضمانت" in author_note.title and author_note.locale == "fa"
    (endorser_note,) = _notes(endorser, "result.created")
    assert endorser_note.locale == "th" and "ธนาคารให้คำมั่น" in endorser_note.title
    assert not _notes(manager, "result.created")

    page = client.get(f"/results/{result.id}")
    assert "صندوق ضمانت تسهیلات بافندگان" in page.text
    assert f'/feedback/{item.id}"' in page.text


def test_an_item_the_manager_may_not_read_is_refused_by_number_and_nothing_is_lost(
        client, login):
    union, director, manager = fb.union_with_manager()
    foreign_union = factories.make_org(union.kind, name="Hợp tác xã", country="VN")
    foreign_director = factories.make_user("union_director", foreign_union)
    foreign = fb.submit(foreign_director, title="Vay vốn nhóm tiết kiệm")
    login(_persian(manager))
    response = client.post("/results/new", data=_form(manager, items=f"#{foreign.id}"))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Result.id))) == 0
    assert "صندوق ضمانت تسهیلات بافندگان" in response.text      # what was typed is kept
    persian_number = str(foreign.id).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"#{persian_number}" in response.text
    assert 'id="error-summary"' in response.text


def test_words_in_the_items_field_are_refused_in_the_readers_language(client, login):
    _union, _director, manager = fb.union_with_manager()
    login(_persian(manager))
    response = client.post("/results/new", data=_form(manager, items="همه موارد"))
    assert response.status_code == 400
    assert "همه موارد" in response.text and "Write item numbers" not in response.text


def test_progress_counts_the_parts_by_weight_and_leaves_dropped_parts_out(db):
    parent = make_result("برنامه تأمین مالی فرش")
    owner = parent.owner
    make_result("الف", owner=owner, parent=parent, weight=3, typed_progress=50)
    make_result("ب", owner=owner, parent=parent, weight=1, status=ResultStatus.DONE)
    dropped = make_result("ج", owner=owner, parent=parent, weight=5, typed_progress=10)
    assert services.progress(parent) == round((50 * 3 + 100 * 1 + 10 * 5) / 9)
    services.set_status(owner, dropped, ResultStatus.DROPPED, reason="جایگزین شد")
    db.session.commit()
    assert services.progress(parent) == 62
    dropped.status = ResultStatus.IN_PROGRESS
    assert services.progress(parent) != 62   # dropped parts were indeed what changed it


def test_dropping_needs_a_reason_and_the_reason_reaches_the_followers(client, login):
    union, director, manager = fb.union_with_manager()
    item = fb.submit(_persian(director))
    result = make_result(owner=manager, items=[item])
    login(manager)
    client.post(f"/results/{result.id}/status", data={"status": "dropped", "reason": "",
                                                      "version_id": str(result.version_id)})
    assert db.session.get(Result, result.id).status == ResultStatus.PLANNED
    assert not _notes(director, "result.dropped")
    client.post(f"/results/{result.id}/status", data={
        "status": "dropped", "reason": "صندوق ضمانت ملی این نیاز را پوشش داد",
        "version_id": str(result.version_id)})
    assert db.session.get(Result, result.id).status == ResultStatus.DROPPED
    (note,) = _notes(director, "result.dropped")
    assert "صندوق ضمانت ملی" in note.body


def test_a_stale_edit_is_refused_and_the_other_change_survives(client, login):
    _union, _director, manager = fb.union_with_manager()
    result = make_result(owner=manager)
    login(_persian(manager))
    seen_version = result.version_id
    result.due_on = date(2026, 5, 1)            # someone else moved the due date meanwhile
    db.session.commit()
    response = client.post(f"/results/{result.id}/edit", data=_form(
        manager, due_on="۱۴۰۵/۰۲/۰۱", version_id=str(seen_version)))
    assert response.status_code == 409
    assert db.session.get(Result, result.id).due_on == date(2026, 5, 1)


def test_a_reached_milestone_in_buddhist_era_is_told_to_the_author(client, login):
    union, director, manager = fb.union_with_manager()
    item = fb.submit(director)
    result = make_result(owner=manager, items=[item])
    manager.preferred_locale = "th"
    db.session.commit()
    login(manager)
    response = client.post(f"/results/{result.id}/milestones", data={
        "day": "๑๐/๐๑/๒๕๖๙", "title": "ร่างผลิตภัณฑ์เสร็จแล้ว", "note": "", "reached": "y"})
    assert response.status_code == 302, response.text
    (milestone,) = db.session.get(Result, result.id).milestones
    assert milestone.day == date(2026, 1, 10)
    assert db.session.get(Result, result.id).status == ResultStatus.IN_PROGRESS
    assert len(_notes(director, "result.milestone")) == 1


def test_readers_see_only_the_items_they_may_read_and_only_their_network(client, login):
    union, director, manager = fb.union_with_manager()
    secret = fb.submit(director, visibility="confidential", title="گزارش محرمانه اتحادیه")
    result = make_result(owner=manager, items=[secret])
    outsider_union = factories.make_org(union.kind, name="اتحادیه دیگر")
    login(factories.make_user("union_director", outsider_union))
    page = client.get(f"/results/{result.id}")
    assert page.status_code == 200
    assert "گزارش محرمانه اتحادیه" not in page.text
    login(director)
    assert "گزارش محرمانه اتحادیه" in client.get(f"/results/{result.id}").text
    login(factories.make_user("relationship_manager", factories.bank("VN")))
    assert client.get(f"/results/{result.id}").status_code == 404
    assert "تسهیلات سرمایه" not in client.get("/results/").text


def test_a_director_cannot_set_up_or_move_a_result(client, login):
    _union, director, manager = fb.union_with_manager()
    result = make_result(owner=manager)
    login(director)
    assert client.get("/results/new").status_code == 403
    response = client.post(f"/results/{result.id}/status", data={
        "status": "done", "version_id": str(result.version_id)})
    assert response.status_code == 403
    assert db.session.get(Result, result.id).status == ResultStatus.PLANNED


def test_a_result_carries_out_a_meeting_commitment_the_reader_may_see(client, login):
    from portal.meetings import services as meetings
    from tests.meetings.helpers import Cast, hold, plan

    cast = Cast()
    open_meeting = hold(cast, plan(cast))
    secret_meeting = hold(cast, plan(cast, confidential=True, title="نشست محرمانه",
                                     invite=False))
    promised = meetings.add_commitment(
        cast.recorder, open_meeting, description="ارائه پیش‌نویس تسهیلات بافندگان",
        organisation=cast.bank, due_on=date(2026, 1, 20))
    hidden = meetings.add_commitment(
        cast.recorder, secret_meeting, description="بازبینی محرمانه نرخ‌ها",
        organisation=cast.bank, due_on=date(2026, 1, 20))
    db.session.commit()
    login(_persian(cast.recorder))
    number = str(promised.id).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.post("/results/new", data=_form(
        cast.recorder, commitments=f"#{number}, #{hidden.id}"))
    assert response.status_code == 302, response.text
    result = db.session.scalar(sa.select(Result))
    assert {c.id for c in result.commitments} == {promised.id, hidden.id}
    # the union's director reads the open meeting's commitment, not the confidential one
    login(cast.director)
    page = client.get(f"/results/{result.id}").text
    assert "ارائه پیش‌نویس تسهیلات بافندگان" in page
    assert "بازبینی محرمانه نرخ‌ها" not in page
    # a commitment number the director may not see is refused by number when he types it
    other = factories.make_user("relationship_manager", factories.bank("VN"))
    login(other)
    response = client.post("/results/new", data=_form(other, commitments=f"#{promised.id}"))
    assert response.status_code == 400


def test_a_result_names_the_offers_and_branches_it_changes_each_reader_sees_what_they_may(
        client, login):
    from portal.products.models import ProductStatus
    from tests.branches.helpers import make_branch
    from tests.products.helpers import make_product

    _union, director, manager = fb.union_with_manager()
    offered = make_product("WEAVERS-WC")
    in_design = make_product("WEAVERS-GUARANTEE", status=ProductStatus.IN_DESIGN)
    branch = make_branch()
    login(_persian(manager))
    response = client.post("/results/new", data=_form(
        manager, products=[str(offered.id), str(in_design.id)], branches=[str(branch.id)]))
    assert response.status_code == 302, response.text
    result = db.session.scalar(sa.select(Result))
    assert {p.code for p in result.products} == {"WEAVERS-WC", "WEAVERS-GUARANTEE"}
    page = client.get(f"/results/{result.id}").text
    assert f"/products/{in_design.id}\"" in page and f"/branches/{branch.id}\"" in page
    # a union's director reads the catalogue as offered: the product in design is not named
    login(director)
    page = client.get(f"/results/{result.id}").text
    assert f"/products/{offered.id}\"" in page
    assert f"/products/{in_design.id}\"" not in page


def test_a_result_set_up_for_an_owner_read_before_it_is_saved_whole(app, db):
    """The owner's memberships are read while the new result is filled in (are they the bank's
    staff, in its network?): the result was flushed half-made at that moment, without its
    owner, and the database refused it."""
    bank = factories.bank()
    manager = factories.make_user("relationship_manager", bank)
    owner = factories.make_user("relationship_manager", bank)  # committed: read again on use
    with app.test_request_context("/"):
        result = services.save_result(manager, texts={"fa": ("تسهیلات بافندگان", "")},
                                      owner=owner, due_on=date(2027, 3, 20))
        db.session.commit()
    saved = db.session.get(Result, result.id)
    assert saved.owner_id == owner.id and saved.title_in("fa") == "تسهیلات بافندگان"
