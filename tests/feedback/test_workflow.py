"""A critique, proposal or product request from submission to closure, as each person sees it."""
import sqlalchemy as sa

from portal.core.notify import Notification
from portal.core.outbox import OutboxMessage
from portal.feedback import services
from portal.feedback.models import FeedbackItem, State
from tests import factories
from tests.feedback import helpers


def _notes_for(db, user):
    return [n.title for n in db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id))]


def test_a_director_submits_a_critique_and_the_relationship_manager_is_told(
        client, login, db):
    union, director, manager = helpers.union_with_manager()
    login(director)
    response = client.post("/feedback/new/critique", data={
        "organisation_id": union.id, "title": "Slow account opening",
        "body": "It took three weeks.\n\nPlease shorten it.", "topic": "speed",
        "visibility": "public", "concerns": "Tehran branch", "branch_id": ""})
    assert response.status_code == 302
    item = db.session.scalar(sa.select(FeedbackItem))
    assert item.owner_id == manager.id and item.state == State.SUBMITTED
    assert item.body_html == "<p>It took three weeks.</p><p>Please shorten it.</p>"
    assert item.acknowledge_due_at < item.answer_due_at
    assert any("Slow account opening" in t or "New" in t for t in _notes_for(db, manager))
    page = client.get(response.headers["Location"])
    assert "Slow account opening" in page.text and "Tehran branch" in page.text


def test_a_rejected_submission_keeps_what_was_typed(client, login, db):
    union, director, _manager = helpers.union_with_manager()
    login(director)
    response = client.post("/feedback/new/proposal", data={
        "organisation_id": union.id, "title": "", "body": "Một đề xuất dài về dịch vụ",
        "topic": "speed", "visibility": "public", "expected_benefit": "Nhanh hơn"},
        headers={"Accept-Language": "vi"})
    assert response.status_code == 400
    assert "Một đề xuất dài về dịch vụ" in response.text and "Nhanh hơn" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackItem)) == 0


def test_script_in_the_text_is_removed(client, login, db):
    union, director, _manager = helpers.union_with_manager()
    login(director)
    client.post("/feedback/new/critique", data={
        "organisation_id": union.id, "title": "XSS", "concerns": "x", "topic": "other",
        "visibility": "public",
        "body": '<p>ok</p><script>alert(1)</script><img src=x onerror="alert(2)">'})
    item = db.session.scalar(sa.select(FeedbackItem))
    assert "<script" not in item.body_html and "onerror" not in item.body_html
    assert "<p>ok</p>" in item.body_html


def test_answer_lifecycle_with_notifications_and_a_private_draft(
        client, login, db, app):
    union, director, manager = helpers.union_with_manager()
    other_union, other_director, _m = helpers.union_with_manager("اتحادیه دیگر")
    with app.test_request_context():
        item = helpers.submit(director)
        services.endorse(other_director, item, other_union, "Same problem here")
        db.session.commit()
    login(manager)
    version = item.version_id
    assert client.post(f"/feedback/{item.id}/acknowledge",
                       data={"version_id": version}).status_code == 302
    client.post(f"/feedback/{item.id}/draft", data={
        "version_id": db.session.get(FeedbackItem, item.id).version_id,
        "body": "We will open accounts within three days from next month.",
        "outcome": "planned"})
    login(director)
    page = client.get(f"/feedback/{item.id}")
    assert "within three days" not in page.text  # a draft is not shown
    login(manager)
    assert client.post(f"/feedback/{item.id}/publish", data={
        "version_id": db.session.get(FeedbackItem, item.id).version_id}).status_code == 302
    login(director)
    page = client.get(f"/feedback/{item.id}")
    assert "within three days" in page.text and "Planned" in page.text
    assert len(_notes_for(db, director)) == 2  # acknowledged, answered
    assert len(_notes_for(db, other_director)) == 2  # the endorser hears of it too
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.to_address == director.email)) == 2
    assert client.post(f"/feedback/{item.id}/close", data={}).status_code == 302
    assert db.session.get(FeedbackItem, item.id).state == State.CLOSED


def test_steps_that_do_not_fit_the_state_are_refused(client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        item = helpers.submit(director)
        answered = helpers.answer(manager, helpers.submit(director))
    login(manager)
    # the forms as the page sends them, with the version the manager saw
    no_draft = client.post(f"/feedback/{item.id}/publish",
                           data={"version_id": item.version_id})
    assert no_draft.status_code == 400 and "no draft" in no_draft.text
    again = client.post(f"/feedback/{answered.id}/acknowledge",
                        data={"version_id": answered.version_id})
    assert again.status_code == 400
    with app.test_request_context():
        services.close(manager, db.session.get(FeedbackItem, answered.id))
        db.session.commit()
    closed = client.post(f"/feedback/{answered.id}/draft", data={
        "body": "More", "outcome": "accepted",
        "version_id": db.session.get(FeedbackItem, answered.id).version_id})
    assert closed.status_code == 400 and "cannot be answered" in closed.text


def test_the_submitter_reopens_once_with_a_reason(client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        item = helpers.answer(manager, helpers.submit(director), outcome="declined")
    login(director)
    empty = client.post(f"/feedback/{item.id}/reopen", data={"reason": ""})
    assert empty.status_code == 400
    assert client.post(f"/feedback/{item.id}/reopen",
                       data={"reason": "Nothing has changed at the branch"}).status_code == 302
    reopened = db.session.get(FeedbackItem, item.id)
    assert reopened.state == State.UNDER_REVIEW and reopened.reopen_reason
    with app.test_request_context():
        helpers.answer(manager, reopened)
    assert client.post(f"/feedback/{item.id}/reopen",
                       data={"reason": "Again"}).status_code == 403


def test_endorsing_rules(client, login, db, app):
    union, director, _manager = helpers.union_with_manager()
    other_union, other_director, _m = helpers.union_with_manager("اتحادیه مسکن")
    with app.test_request_context():
        item = helpers.submit(director)
        quiet = helpers.submit(director, title="Another need")
    login(director)
    assert client.post(f"/feedback/{item.id}/endorse", data={}).status_code == 403
    login(other_director)
    assert client.post(f"/feedback/{item.id}/endorse",
                       data={"comment": "Our members too"}).status_code == 302
    assert client.post(f"/feedback/{item.id}/endorse", data={}).status_code == 403
    listing = client.get("/feedback/?sort=endorsements").text
    assert listing.index(f"/feedback/{item.id}\"") < listing.index(f"/feedback/{quiet.id}\"")


def test_a_union_never_sees_another_unions_confidential_item_or_any_internal_note(
        client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    _other, outsider, _m = helpers.union_with_manager("اتحادیه دیگر")
    with app.test_request_context():
        secret = helpers.submit(director, visibility="confidential",
                                title="Confidential loan problem")
        services.add_note(manager, secret, "Internal: branch head is on leave")
        db.session.commit()
    login(outsider)
    assert client.get(f"/feedback/{secret.id}").status_code == 404
    assert "Confidential loan problem" not in client.get("/feedback/?q=confidential").text
    assert "Confidential loan problem" not in client.get("/feedback/export.csv").text
    login(director)
    own = client.get(f"/feedback/{secret.id}")
    assert own.status_code == 200 and "branch head is on leave" not in own.text
    login(manager)
    assert "branch head is on leave" in client.get(f"/feedback/{secret.id}").text


def test_two_people_answering_at_once_one_gets_409_and_keeps_their_text(
        client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    admin = factories.make_user("administrator")
    with app.test_request_context():
        item = helpers.submit(director)
    stale_version = item.version_id
    login(admin)
    first = client.post(f"/feedback/{item.id}/draft", data={
        "version_id": stale_version, "body": "Admin's answer", "outcome": "accepted"})
    assert first.status_code == 302
    login(manager)
    second = client.post(f"/feedback/{item.id}/draft", data={
        "version_id": stale_version, "body": "Manager's own answer", "outcome": "planned"})
    assert second.status_code == 409
    assert "Manager&#39;s own answer" in second.text or "Manager's own answer" in second.text
    kept = db.session.get(FeedbackItem, item.id).draft_response.body_html
    assert "Admin" in kept and "Manager" not in kept


def test_drafts_are_published_in_a_batch(client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        items = [helpers.submit(director, title=f"Item {n}") for n in range(3)]
        for item in items:
            services.save_draft(manager, item, body_html="Answer", outcome="accepted")
        db.session.commit()
    login(manager)
    page = client.get("/feedback/drafts")
    assert all(f"Item {n}" in page.text for n in range(3))
    response = client.post("/feedback/drafts", data={"item_ids": [items[0].id, items[2].id]})
    assert response.status_code == 302
    states = {i.id: db.session.get(FeedbackItem, i.id).state for i in items}
    assert states == {items[0].id: State.ANSWERED, items[1].id: State.SUBMITTED,
                      items[2].id: State.ANSWERED}


def test_an_administrator_reassigns_and_the_new_owner_is_told(client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    newcomer = factories.make_user("relationship_manager")
    with app.test_request_context():
        item = helpers.submit(director)
    login(factories.make_user("administrator"))
    client.post(f"/feedback/{item.id}/reassign", data={"owner_id": newcomer.id})
    assert db.session.get(FeedbackItem, item.id).owner_id == newcomer.id
    assert _notes_for(db, newcomer)
    refused = client.post(f"/feedback/{item.id}/reassign", data={"owner_id": director.id})
    assert refused.status_code == 302
    assert db.session.get(FeedbackItem, item.id).owner_id == newcomer.id


def test_the_report_counts_and_draws_a_chart(client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        helpers.answer(manager, helpers.submit(director))
        helpers.submit(director, kind="proposal")
    login(manager)
    page = client.get("/feedback/report?by=kind")
    assert "<svg" in page.text and "<title" in page.text
    assert "100%" in page.text  # the one answered critique was answered on time


def test_exports_follow_the_filters(client, login, db, app):
    _union, director, _manager = helpers.union_with_manager()
    with app.test_request_context():
        helpers.submit(director, title="=cmd|' /C calc'!A0", kind="critique")
        helpers.submit(director, title="Proposal title", kind="proposal")
    login(director)
    text = client.get("/feedback/export.csv?kind=critique").data.decode("utf-8-sig")
    assert "'=cmd" in text and "Proposal title" not in text
    assert client.get("/feedback/export.xlsx").data[:2] == b"PK"


def test_the_chart_is_mirrored_for_right_to_left_pages(app):
    import re

    from portal.feedback.reports import bar_chart

    rows = [{"label": "نقد", "total": 3}, {"label": "پیشنهاد", "total": 1}]
    with app.test_request_context():
        ltr, rtl = str(bar_chart(rows)), str(bar_chart(rows, rtl=True, number=lambda n: "۳"))

    def first_bar_x(svg):
        return float(re.search(r'<rect x="([0-9.]+)"', svg).group(1))

    assert first_bar_x(rtl) < first_bar_x(ltr)  # bars grow leftwards from the right
    assert "۳" in rtl and "<title" in rtl and "<script" not in rtl
