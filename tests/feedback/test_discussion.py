"""The discussion under a feedback item: who writes, who reads, who is told, and moderation."""
import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.core.audit import AuditEntry
from portal.core.notify import Notification
from portal.feedback import services
from portal.feedback.models import FeedbackComment, Visibility
from tests import factories
from tests.feedback import helpers

PERSIAN = "<p>افتتاح حساب در شعبه ویژه تهران هنوز دو هفته طول می‌کشد.</p>"


def _world(app, visibility="public"):
    """A union that submitted an item, its manager, and a second union that endorses it."""
    union, director, manager = helpers.union_with_manager()
    endorser_union = factories.make_org(OrgKind.COOPERATIVE, name="تعاونی فرش دستباف نائین")
    endorser = factories.make_user("union_director", endorser_union)
    with app.test_request_context():
        item = helpers.submit(director)
        services.endorse(endorser, item, endorser_union, "ما هم همین مشکل را داریم")
        item.visibility = Visibility(visibility)
        factories.db.session.commit()
    return item, director, manager, endorser


def _post(client, item, text):
    return client.post(f"/feedback/{item.id}/discussion", data={"comment-body": text})


def _comments(db):
    return db.session.scalars(sa.select(FeedbackComment).order_by(FeedbackComment.id)).all()


def test_the_submitter_posts_and_everyone_in_the_network_reads_it(app, client, login, db):
    item, director, _manager, _endorser = _world(app)
    login(director)
    response = _post(client, item, PERSIAN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/feedback/{item.id}#comment-"
                                                 f"{_comments(db)[0].id}")
    # a union that neither submitted nor endorsed reads a public item's discussion
    login(factories.make_user("union_director"))
    page = client.get(f"/feedback/{item.id}", headers={"Accept-Language": "fa"})
    assert "هنوز دو هفته طول می‌کشد" in page.text
    assert 'name="comment-body"' not in page.text


def test_endorser_and_bank_post_but_another_union_and_the_ministry_do_not(
        app, client, login, db):
    item, _director, manager, endorser = _world(app)
    for person in (endorser, manager, factories.make_user("branch_staff")):
        login(person)
        assert _post(client, item, f"<p>از طرف {person.full_name}</p>").status_code == 302
    assert len(_comments(db)) == 3
    assert _comments(db)[0].organisation.name == "تعاونی فرش دستباف نائین"

    for refused in (factories.make_user("union_director"),
                    factories.make_user("ministry_official")):
        login(refused)
        assert _post(client, item, "<p>Not mine to say</p>").status_code == 403
        page = client.get(f"/feedback/{item.id}")
        assert page.status_code == 200 and "از طرف" in page.text  # they read it
    assert len(_comments(db)) == 3


def test_a_director_of_another_network_gets_not_found(app, client, login, db):
    item, director, _manager, _endorser = _world(app)
    login(director)
    _post(client, item, PERSIAN)
    thai_bank = factories.bank("TH")
    thai_union = factories.make_org(OrgKind.NATIONAL_UNION, name="ชุมนุมสหกรณ์การเกษตร",
                                    country="TH", currency="THB")
    assert thai_union.network_id == thai_bank.id != item.organisation.network_id
    login(factories.make_user("union_director", thai_union))
    assert _post(client, item, "<p>ขอร่วมด้วย</p>").status_code == 404
    assert client.get(f"/feedback/{item.id}").status_code == 404
    assert len(_comments(db)) == 1


def test_the_message_is_sanitised(app, client, login, db):
    item, director, _manager, _endorser = _world(app)
    login(director)
    _post(client, item, '<p>دو هفته</p><script>alert(1)</script>'
                        '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">پیوند</a>')
    body = _comments(db)[0].body_html
    assert "<p>دو هفته</p>" in body
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body
    page = client.get(f"/feedback/{item.id}")
    assert "alert(1)" not in page.text


def test_an_empty_message_is_refused_and_what_was_typed_is_kept(app, client, login, db):
    item, director, _manager, _endorser = _world(app)
    login(director)
    response = _post(client, item, "<script>alert(1)</script><p> </p>")
    assert response.status_code == 400 and _comments(db) == []
    too_long = "<p>" + "حساب " * 2100 + "پایان نامه</p>"
    response = _post(client, item, too_long)
    assert response.status_code == 400 and _comments(db) == []
    assert "پایان نامه" in response.text  # back in the text box, to shorten


def test_the_people_in_it_are_told_in_their_own_language_but_not_the_author(
        app, client, login, db):
    item, director, manager, endorser = _world(app)
    director.preferred_locale, manager.preferred_locale = "fa", "vi"
    endorser.preferred_locale = "th"
    earlier = factories.make_user("branch_staff", preferred_locale="en")
    bystander = factories.make_user("union_director")
    db.session.commit()
    login(earlier)
    _post(client, item, "<p>The Tehran branch will call you.</p>")
    db.session.query(Notification).delete()
    db.session.commit()

    login(endorser)
    _post(client, item, "<p>เราก็พบปัญหาเดียวกันที่สาขา</p>")
    notes = {n.user_id: n for n in db.session.scalars(sa.select(Notification))}
    assert set(notes) == {director.id, manager.id, earlier.id}
    assert endorser.id not in notes and bystander.id not in notes
    assert notes[director.id].locale == "fa" and "گفتگو" in notes[director.id].title
    assert notes[manager.id].locale == "vi" and "thảo luận" in notes[manager.id].title
    assert "wrote in the discussion" in notes[earlier.id].title
    assert all(item.title in n.title for n in notes.values())
    assert "เราก็พบปัญหาเดียวกันที่สาขา" in notes[director.id].body
    assert notes[director.id].link.endswith(f"#comment-{_comments(db)[-1].id}")


def test_a_confidential_items_discussion_stays_off_public_views(app, client, login, db):
    # endorsed while public, made confidential since (its meeting became confidential)
    item, director, manager, endorser = _world(app, visibility="confidential")
    login(director)
    _post(client, item, "<p>نام کارشناس شعبه اصفهان محرمانه است</p>")
    notes = db.session.scalars(sa.select(Notification.user_id).where(
        Notification.kind == "feedback_comment")).all()
    assert manager.id in notes and endorser.id not in notes

    for outsider in (endorser, factories.make_user("union_director")):
        login(outsider)
        assert client.get(f"/feedback/{item.id}").status_code == 404
        assert _post(client, item, "<p>ما هم</p>").status_code == 404
        for view in ("/feedback/", "/feedback/?q=محرمانه", "/feedback/export.csv", "/"):
            assert "محرمانه است" not in client.get(view).text
    # the bank and the ministry read it on the item's own page
    for reader in (manager, factories.make_user("ministry_official")):
        login(reader)
        assert "محرمانه است" in client.get(f"/feedback/{item.id}").text


def test_the_author_removes_their_message_and_it_is_audited(app, client, login, db):
    item, director, _manager, endorser = _world(app)
    login(director)
    _post(client, item, PERSIAN)
    comment = _comments(db)[0]
    login(endorser)  # not theirs
    assert client.post(f"/feedback/{item.id}/discussion/{comment.id}/remove").status_code == 403
    login(director)
    response = client.post(f"/feedback/{item.id}/discussion/{comment.id}/remove")
    assert response.status_code == 302
    page = client.get(f"/feedback/{item.id}", headers={"Accept-Language": "en"})
    assert "هنوز دو هفته" not in page.text and "The author removed this message." in page.text
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "feedback_comment_removed"))
    assert entry.actor_id == director.id and entry.object_id == comment.id
    assert "هنوز دو هفته" in entry.before["body_html"]


def test_the_owner_hides_a_message_the_bank_still_reads_it(app, client, login, db):
    item, director, manager, endorser = _world(app)
    login(endorser)
    _post(client, item, "<p>شماره تلفن شخصی کارشناس: ۰۹۱۲۱۲۳۴۵۶۷</p>")
    comment = _comments(db)[0]
    hide = f"/feedback/{item.id}/discussion/{comment.id}/hide"
    for refused in (director, endorser, factories.make_user("branch_staff")):
        login(refused)
        assert client.post(hide, data={"reason": "x"}).status_code == 403
    login(manager)
    assert client.post(hide, data={"reason": "اطلاعات شخصی"}).status_code == 302
    assert "۰۹۱۲۱۲۳۴۵۶۷" in client.get(f"/feedback/{item.id}").text
    login(director)
    page = client.get(f"/feedback/{item.id}", headers={"Accept-Language": "en"})
    assert "۰۹۱۲۱۲۳۴۵۶۷" not in page.text and "The bank hid this message." in page.text
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "feedback_comment_hidden"))
    assert entry.actor_id == manager.id and entry.after["hidden_reason"] == "اطلاعات شخصی"


def test_a_message_of_another_item_is_not_found_through_this_one(app, client, login, db):
    item, director, manager, _endorser = _world(app)
    with app.test_request_context():
        other = helpers.submit(director, title="تسهیلات فصل برداشت زعفران")
    login(director)
    _post(client, other, PERSIAN)
    comment = _comments(db)[0]
    assert client.post(f"/feedback/{item.id}/discussion/{comment.id}/remove").status_code == 404
    login(manager)
    assert client.post(f"/feedback/{item.id}/discussion/{comment.id}/hide").status_code == 404
    assert _comments(db)[0].deleted_at is None and _comments(db)[0].hidden_at is None


def test_the_demo_shows_a_discussion_in_persian_and_vietnamese(app, client, login, db):
    """Under two answered demo items: the submitter, an endorsing union and the bank."""
    from portal.demo import seed
    from portal.feedback.models import FeedbackItem

    seed()
    db.session.commit()
    for title in ("کندی ارائه خدمات به تعاونی‌ها در شعب", "Lịch giao dịch tại xã chưa thuận tiện"):
        item = db.session.scalar(sa.select(FeedbackItem).where(FeedbackItem.title == title))
        comments = [c for c in _comments(db) if c.item_id == item.id]
        assert [c.author_id for c in comments] == [
            item.submitted_by_id, item.endorsements[0].user_id, item.owner_id]
        login(item.submitted_by)
        page = client.get(f"/feedback/{item.id}")
        assert all(c.body_html in page.text for c in comments)
    seed()  # again: nothing doubled
    assert len(_comments(db)) == 6


def test_the_author_corrects_a_message_in_its_first_minutes_only(app, client, login, db):
    from datetime import timedelta

    item, director, _manager, endorser = _world(app)
    login(director)
    _post(client, item, PERSIAN)
    comment = _comments(db)[0]
    told = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    edit = f"/feedback/{item.id}/discussion/{comment.id}/edit"
    login(endorser)
    assert client.post(edit, data={"body": "<p>Rewritten</p>"}).status_code == 403
    login(director)
    response = client.post(edit, data={
        "body": "<p>افتتاح حساب در شعبه ویژه تهران <b>سه هفته</b> طول می‌کشد.</p>"
                "<script>alert(1)</script>"})
    assert response.status_code == 302
    db.session.refresh(comment)
    assert "<b>سه هفته</b>" in comment.body_html and "<script" not in comment.body_html
    assert comment.edited_at is not None
    # nobody is told twice of the same message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == told
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "feedback_comment_edited"))
    assert "دو هفته" in entry.before["body_html"] and "سه هفته" in entry.after["body_html"]

    comment.created_at -= timedelta(minutes=16)
    db.session.commit()
    page = client.get(f"/feedback/{item.id}", headers={"Accept-Language": "en"})
    assert "Correct my message" not in page.text
    assert client.post(edit, data={"body": "<p>Too late</p>"}).status_code == 403
    db.session.refresh(comment)
    assert "Too late" not in comment.body_html


def _long_discussion(db, item, director, n):
    for i in range(1, n + 1):
        db.session.add(FeedbackComment(item_id=item.id, author_id=director.id,
                                       organisation_id=item.organisation_id,
                                       body_html=f"<p>پیام شماره {i}-ام</p>"))
    db.session.commit()


def test_a_long_discussion_shows_its_latest_messages_and_opens_whole(app, client, login, db):
    item, director, manager, _endorser = _world(app)
    _long_discussion(db, item, director, 23)
    login(manager)
    page = client.get(f"/feedback/{item.id}", headers={"Accept-Language": "fa"}).text
    assert "پیام شماره 23-ام" in page and "پیام شماره 4-ام" in page
    assert "پیام شماره 3-ام<" not in page and "پیام شماره 1-ام<" not in page
    assert "نمایش ۳ پیام قبلی" in page  # how many are not shown, in Persian digits
    assert '<span class="badge text-bg-light border">۲۳</span>' in page
    whole = client.get(f"/feedback/{item.id}?discussion=all",
                       headers={"Accept-Language": "fa"}).text
    assert all(f"پیام شماره {i}-ام<" in whole for i in range(1, 24))
    assert "پیام قبلی" not in whole


def test_back_from_correcting_an_old_message_the_whole_thread_is_open(app, client, login, db):
    item, director, manager, _endorser = _world(app)
    _long_discussion(db, item, director, 22)
    oldest = _comments(db)[0]
    login(manager)  # the owner's manager may hide any message
    response = client.post(f"/feedback/{item.id}/discussion/{oldest.id}/hide",
                           data={"reason": "تکراری"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.endswith(f"?discussion=all#comment-{oldest.id}")
    assert f'id="comment-{oldest.id}"' in client.get(location).text
