"""Answers kept per process under data versions (portal/core/versions.py): kept while nothing
they read is written, ended at once by a write from anywhere, never trusted by the request that
wrote, and not kept at all without Redis."""
import pytest
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Membership, Organisation, Role
from portal.core import versions
from portal.extensions import db as _db
from tests import factories


@pytest.mark.parametrize(("statement", "table"), [
    ('INSERT INTO "membership" (user_id) VALUES (1)', "membership"),
    ("insert or replace into sign_in_throttle values (1)", "sign_in_throttle"),
    ('UPDATE organisation SET name=1', "organisation"),
    ("DELETE FROM notification WHERE id = 1", "notification"),
    ("WITH x AS (DELETE FROM notification RETURNING id) SELECT * FROM x", versions.EVERY_TABLE),
    ("SELECT * FROM organisation", None),
    ("WITH RECURSIVE t AS (SELECT 1) SELECT * FROM t", None),
])
def test_the_table_a_statement_writes(statement, table):
    assert versions.written_table(statement) == table


def test_each_statement_of_a_script_counts():
    script = 'DELETE FROM "notification"; DELETE FROM "membership"; DELETE FROM organisation'
    assert versions._written_tables(script) == {"notification", "membership", "organisation"}
    assert versions._written_tables("SELECT 1; SELECT 2") == set()


def _count_calls(app, tables, key="k"):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    # a request of its own, as in production (g belongs to the app context)
    with app.app_context(), app.test_request_context("/"):
        value = versions.remembered("probe", tables, key, compute)
    return value, calls


def test_an_answer_is_kept_until_a_table_it_reads_is_written(app, db):
    factories.make_user("union_director")  # a committed write: the counters move
    first, calls = _count_calls(app, ("membership",))
    again, more = _count_calls(app, ("membership",))
    assert calls == [1] and more == []  # the second request used the kept answer
    assert again == first
    factories.make_user("union_director")  # writes membership and commits
    _, after_write = _count_calls(app, ("membership",))
    assert after_write == [1]


def test_a_write_to_another_table_keeps_the_answer(app, db):
    _count_calls(app, ("passkey",))
    factories.make_user("union_director")  # user, organisation, membership: not passkey
    _, calls = _count_calls(app, ("passkey",))
    assert calls == []


def test_the_request_that_wrote_does_not_trust_the_memo(app, db):
    user = factories.make_user("union_director")
    _count_calls(app, ("membership",))
    with app.test_request_context("/"):
        _db.session.execute(sa.update(Membership).where(Membership.user_id == user.id)
                            .values(role=Role.UNION_DIRECTOR))
        assert versions.current(("membership",)) is None
        _db.session.rollback()


def test_without_redis_nothing_is_kept(app, db):
    store = app.extensions.pop("data_versions")
    try:
        _count_calls(app, ("membership",))
        _, calls = _count_calls(app, ("membership",))
        assert calls == [1]
    finally:
        app.extensions["data_versions"] = store


def test_a_new_membership_widens_the_scope_at_once(app, db):
    """The scope of a person is kept across requests; a membership added by someone else
    (another request, here the test's own session) is seen by the next request."""
    union = factories.make_org()
    other = factories.make_org()
    director = factories.make_user("union_director", union)
    with app.app_context(), app.test_request_context("/"):
        assert other.id not in permissions.subtree_ids(_db.session.get(type(director),
                                                                        director.id), "own")
    _db.session.add(Membership(user_id=director.id, organisation_id=other.id,
                               role=Role.UNION_DIRECTOR))
    _db.session.commit()
    with app.app_context(), app.test_request_context("/"):
        assert other.id in permissions.subtree_ids(_db.session.get(type(director),
                                                                   director.id), "own")


def _names_read(app, calls):
    """An answer read from the organisation table (joined to membership), kept under the
    tables its statement named, found while it ran."""
    def compute():
        calls.append(1)
        return tuple(_db.session.scalars(
            sa.select(Organisation.name).join(Membership, Membership.organisation_id ==
                                              Organisation.id).order_by(Organisation.name)))

    with app.app_context(), app.test_request_context("/"):
        return versions.remembered_as_read("names", "k", compute)


def _write(statement):
    _db.session.execute(sa.text(statement))  # a write that changes no row still counts
    _db.session.commit()


def test_an_answer_kept_as_read_ends_with_a_write_to_a_table_its_statements_named(app, db):
    union = factories.make_org(name="Kim Bang Women's Union")
    factories.make_user("union_director", union)
    calls = []
    first = _names_read(app, calls)
    assert _names_read(app, calls) == first and calls == [1]  # kept
    _write("UPDATE notification SET read_at = NULL WHERE id = -1")  # not read by it
    assert _names_read(app, calls) == first and calls == [1]
    _write("UPDATE membership SET role = role WHERE id = -1")  # named in its JOIN
    _names_read(app, calls)
    assert calls == [1, 1]
    union.name = "Hội Liên hiệp Phụ nữ huyện Kim Bảng"  # named in its FROM
    _db.session.commit()
    assert _names_read(app, calls) == ("Hội Liên hiệp Phụ nữ huyện Kim Bảng",)
    assert calls == [1, 1, 1]


def test_an_answer_kept_as_read_also_ends_with_the_tables_of_a_memo_it_was_built_on(app, db):
    """A kept answer built on another kept answer (a panel on the reader's scopes) sends no
    statement naming the inner answer's tables once that is kept: it must still end when they
    change."""
    calls = []

    def outer():
        calls.append(1)
        return versions.remembered("inner", ("portfolio_entry",), None, lambda: "scoped")

    def read():
        with app.app_context(), app.test_request_context("/"):
            return versions.remembered_as_read("built_on_inner", "k", outer)

    with app.app_context(), app.test_request_context("/"):
        versions.remembered("inner", ("portfolio_entry",), None, lambda: "scoped")  # kept first
    assert read() == "scoped" and read() == "scoped" and calls == [1]
    _write("UPDATE portfolio_entry SET manager_id = manager_id WHERE manager_id = -1")
    read()
    assert calls == [1, 1]


@pytest.mark.parametrize(("statement", "parameters", "published"), [
    # a sign-in's bookkeeping is kept apart from the people's names
    ('UPDATE "user" SET last_login_at=%(last_login_at)s::TIMESTAMP WITHOUT TIME ZONE, '
     'updated_at=%(updated_at)s, version_id=%(version_id)s WHERE "user".id = %(user_id)s',
     {}, {"user.quiet"}),
    ("UPDATE user SET totp_last_step=?, version_id=? WHERE user.id = ?", (), {"user.quiet"}),
    ('UPDATE "user" SET full_name=%(full_name)s, last_login_at=%(l)s WHERE "user".id = 1',
     {}, {"user"}),
    # a message names its item: that item's share, and the table for every other page
    ("INSERT INTO feedback_comment (item_id, body_html) VALUES (%(item_id)s, %(body_html)s)",
     {"item_id": 7, "body_html": "x"}, {"feedback_comment", "feedback_comment#7"}),
    ("INSERT INTO feedback_event (item_id, kind) VALUES (%(item_id__0)s, %(kind__0)s), "
     "(%(item_id__1)s, %(kind__1)s)", {"item_id__0": 7, "item_id__1": 9, "kind__0": "a",
                                       "kind__1": "b"},
     {"feedback_event", "feedback_event#7", "feedback_event#9"}),
    ("INSERT INTO feedback_comment (item_id) VALUES (?)", (7,),
     {"feedback_comment", "feedback_comment#*"}),
    # an UPDATE may move a row between items, a DELETE names rows: every share
    ("UPDATE feedback_comment SET item_id=%(item_id)s WHERE feedback_comment.id = %(id)s",
     {"item_id": 9, "id": 1}, {"feedback_comment", "feedback_comment#*"}),
    ("DELETE FROM notification WHERE notification.id = %(id)s", {"id": 3},
     {"notification", "notification#*"}),
])
def test_what_a_write_counts_as(statement, parameters, published):
    assert versions._publishable(statement, parameters) == published
