"""Pages kept per reader: sent again without rendering, never to anyone else, never stale.

The kept page must be invisible to people: whatever anyone writes shows on the next view,
another reader (of another organisation, in another language) never gets someone else's page,
a message is flashed once, and a deactivated person is refused at once.
"""
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from portal.accounts.models import OrgKind
from portal.core import pagecache
from portal.core.sessions import stamp
from portal.feedback.models import FeedbackItem
from tests import factories
from tests.feedback import helpers


@contextmanager
def statements(db):
    """Count the SQL statements run inside the block."""
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def _client(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        stamp(session)
    return client


@pytest.fixture()
def item(app, db):
    with app.test_request_context():
        union, director, manager = helpers.union_with_manager()
        return helpers.submit(director, title="Slow account opening"), director, manager


def test_a_page_seen_again_is_sent_without_rendering(app, db, item):
    feedback, director, _manager = item
    reader, url = _client(app, director), f"/feedback/{feedback.id}"
    first = reader.get(url)
    first = reader.get(url)  # the first view created the CSRF secret
    with statements(db) as seen:
        again = reader.get(url)
    assert again.status_code == 200 and again.text == first.text
    assert "Slow account opening" in again.text
    # not even the signed-in person is loaded: a write would have ended the kept page
    assert seen == []


def test_gzip_is_sent_to_browsers_that_take_it_and_plain_html_to_others(app, db, item):
    feedback, director, _manager = item
    reader = _client(app, director)
    reader.get(f"/feedback/{feedback.id}")
    plain = reader.get(f"/feedback/{feedback.id}")
    zipped = reader.get(f"/feedback/{feedback.id}", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers and "Slow account opening" in plain.text
    assert zipped.headers["Content-Encoding"] == "gzip"
    import gzip

    assert gzip.decompress(zipped.data).decode() == plain.text
    assert plain.headers["Cache-Control"] == "no-store"  # still never kept by the browser


def test_a_change_made_through_a_form_shows_on_the_readers_next_view(app, db, item):
    feedback, director, manager = item
    reader = _client(app, director)
    reader.get(f"/feedback/{feedback.id}")
    before = reader.get(f"/feedback/{feedback.id}").text
    done = _client(app, manager).post(f"/feedback/{feedback.id}/acknowledge",
                                      data={"version_id": feedback.version_id})
    assert done.status_code == 302
    after = reader.get(f"/feedback/{feedback.id}").text
    assert "Acknowledged" in after and "Acknowledged" not in before


def test_an_answer_shows_to_the_reader_on_the_next_view(app, db, item):
    feedback, director, manager = item
    reader = _client(app, director)
    reader.get(f"/feedback/{feedback.id}")
    assert "We will open accounts in 3 days" not in reader.get(f"/feedback/{feedback.id}").text
    with app.test_request_context():
        helpers.answer(manager, feedback)  # a commit through the session
    assert "We will open accounts in 3 days" in reader.get(f"/feedback/{feedback.id}").text


def test_a_write_on_a_bare_connection_also_ends_kept_pages(app, db, item):
    feedback, director, _manager = item
    reader = _client(app, director)
    reader.get(f"/feedback/{feedback.id}")
    reader.get(f"/feedback/{feedback.id}")
    with db.engine.begin() as conn:  # no Session: e.g. a script or a set-based import
        conn.execute(sa.update(FeedbackItem).where(FeedbackItem.id == feedback.id)
                     .values(title="Renamed by an administrator's statement"))
    assert "Renamed by an administrator" in reader.get(f"/feedback/{feedback.id}").text


def test_a_kept_page_is_never_sent_to_another_reader(app, db, item):
    feedback, director, _manager = item
    owner = _client(app, director)
    owner.get(f"/feedback/{feedback.id}")
    assert "Slow account opening" in owner.get(f"/feedback/{feedback.id}").text
    other_union = factories.make_org(OrgKind.NATIONAL_UNION, name="Other union")
    stranger = factories.make_user("union_director", other_union)
    db.session.commit()
    db.session.execute(sa.update(FeedbackItem).values(visibility="confidential"))
    db.session.commit()
    owner.get(f"/feedback/{feedback.id}")
    assert "Slow account opening" in owner.get(f"/feedback/{feedback.id}").text
    other = _client(app, stranger)
    for _ in range(2):
        refused = other.get(f"/feedback/{feedback.id}")
        assert refused.status_code in (403, 404)
        assert "Slow account opening" not in refused.text


def test_each_language_gets_its_own_page(app, db, item):
    feedback, director, _manager = item
    reader = _client(app, director)
    for _ in range(2):
        english = reader.get(f"/feedback/{feedback.id}", headers={"Accept-Language": "en"})
    persian = reader.get(f"/feedback/{feedback.id}", headers={"Accept-Language": "fa"})
    assert 'dir="rtl"' in persian.text and 'dir="rtl"' not in english.text


def test_a_flashed_message_is_shown_once(app, db, item):
    feedback, director, _manager = item
    reader = _client(app, director)
    reader.get(f"/feedback/{feedback.id}")
    reader.get(f"/feedback/{feedback.id}")
    with reader.session_transaction() as session:
        session["_flashes"] = [("success", "Your endorsement was recorded.")]
    assert "Your endorsement was recorded." in reader.get(f"/feedback/{feedback.id}").text
    assert "Your endorsement was recorded." not in reader.get(f"/feedback/{feedback.id}").text


def test_a_deactivated_person_is_refused_although_their_page_was_kept(app, db, item):
    feedback, director, _manager = item
    reader = _client(app, director)
    reader.get(f"/feedback/{feedback.id}")
    assert reader.get(f"/feedback/{feedback.id}").status_code == 200
    director.is_active = False
    db.session.commit()
    refused = reader.get(f"/feedback/{feedback.id}")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]


def test_pages_are_rendered_as_before_when_redis_does_not_answer(app, db, item, monkeypatch):
    import redis

    feedback, director, _manager = item
    store = app.extensions["page_cache"]
    monkeypatch.setattr(store, "redis", redis.Redis(host="127.0.0.1", port=1,
                                                    socket_connect_timeout=0.2))
    reader = _client(app, director)
    for _ in range(2):
        page = reader.get(f"/feedback/{feedback.id}")
        assert page.status_code == 200 and "Slow account opening" in page.text


def test_a_page_is_kept_no_longer_than_the_configured_time(app, db, item):
    feedback, director, _manager = item
    reader = _client(app, director)
    reader.get(f"/feedback/{feedback.id}")
    reader.get(f"/feedback/{feedback.id}")
    store = app.extensions["page_cache"]
    ttls = [store.redis.ttl(key) for key in store.redis.scan_iter(store.prefix + "*")]
    assert ttls and all(0 < ttl <= app.config["PAGE_CACHE_SECONDS"] for ttl in ttls)


def test_anonymous_pages_are_not_kept(app, db):
    visitor = FlaskClient(app)
    store = app.extensions["page_cache"]
    before = set(store.redis.scan_iter(store.prefix + "*"))
    for _ in range(2):
        visitor.get("/")
        visitor.get("/feedback/")
    assert set(store.redis.scan_iter(store.prefix + "*")) == before


@pytest.mark.parametrize("statement, changes", [
    ("SELECT * FROM feedback_item", False),
    ("  select 1", False),
    ("WITH RECURSIVE tree AS (SELECT id FROM organisation) SELECT * FROM tree", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("RELEASE SAVEPOINT sa_savepoint_1", False),
    ("SET LOCAL work_mem = '64MB'", False),
    ("INSERT INTO audit_entry (action) VALUES (%(a)s)", True),
    ("UPDATE feedback_item SET title = 'x'", True),
    ("DELETE FROM notification", True),
    ("WITH moved AS (DELETE FROM stage RETURNING *) INSERT INTO t SELECT * FROM moved", True),
    ("COPY turnover_stage FROM STDIN", True),
    ("CREATE TEMPORARY TABLE turnover_stage (id int)", True),
    ("TRUNCATE notification", True),
    ("ANALYZE turnover_stage", True),  # unknown statements count as writes
    # the mail outbox's bookkeeping is shown on no page
    ("UPDATE outbox_message SET status=%(status)s WHERE outbox_message.id = %(id)s", False),
    ("INSERT INTO outbox_message (to_address) VALUES (%(a)s)", False),
    ('update "outbox_message" set status = 1', False),
    ("DELETE FROM outbox_message WHERE id = 1", False),
    ("UPDATE outbox_message_archive SET x = 1", True),
    ('UPDATE "user" SET last_login_at=%(at)s', True),
    ("INSERT INTO feedback_item SELECT * FROM outbox_message", True),
])
def test_which_statements_end_kept_pages(statement, changes):
    assert pagecache.writes(statement) is changes


def test_delivering_mail_ends_no_kept_page_and_the_next_write_does(app, db, item, smtp):
    from portal.core import outbox

    feedback, director, manager = item
    reader, url = _client(app, director), f"/feedback/{feedback.id}"
    reader.get(url)
    kept = reader.get(url)
    with app.test_request_context():
        for n in range(3):
            outbox.enqueue(f"person{n}@example.org", "Answer", "Your item was answered")
        db.session.commit()  # enqueued with a write of its own here: ends the kept page
        reader.get(url)  # kept again
        sent, failed = outbox.deliver()  # the three and the item's own notices
    assert sent >= 3 and failed == 0 and len(smtp.messages) == sent
    with statements(db) as seen:
        again = reader.get(url)
    assert again.text == kept.text and seen == []  # still the kept page: nothing rendered
    with app.test_request_context():
        db.session.get(FeedbackItem, feedback.id).title = "Slow account opening in Tabriz"
        db.session.commit()
    assert "Slow account opening in Tabriz" in reader.get(url).text
