"""A message in an item's discussion costs a fixed number of statements to find whom to tell,
however many organisations endorse the item and however many people wrote before (issue 19:
a comment cost 117-186 ms, most of it one statement per person in the discussion): the
people in it and their memberships are read at once; what grows with them is one
notification written per person told."""
import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.core import versions
from portal.core.notify import Notification
from portal.extensions import db
from portal.feedback import services
from tests import factories
from tests.feedback import helpers
from tests.statements import captured


def _endorse(app, item, n):
    people = []
    with app.test_request_context():
        for i in range(n):
            union = factories.make_org(OrgKind.COOPERATIVE, name=f"تعاونی فرش {len(people)}-{i}")
            endorser = factories.make_user("union_director", union)
            services.endorse(endorser, item, union, "ما هم همین مشکل را داریم")
            people.append(endorser)
        db.session.commit()
    return people


def _post_counted(client, item, text):
    statements = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    versions.forget_all()  # the reader's scopes computed in both posts, not kept from the first
    db.session.expire_all()
    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        response = client.post(f"/feedback/{item.id}/discussion", data={"comment-body": text})
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)
    assert response.status_code == 302
    told = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO NOTIFICATION ")]
    # per person told, core/notify.py also reads their e-mail preferences and queues the
    # e-mail: that is the notification's own cost, not finding whom to tell
    per_person = [s for s in statements if _per_person(s)]
    return len(statements) - len(per_person), len(told)


def _per_person(statement):
    head = " ".join(statement.split()[:12]).upper()
    return head.startswith(("INSERT INTO NOTIFICATION ", "INSERT INTO OUTBOX_MESSAGE")) or \
        "FROM NOTIFICATION_PREFERENCE" in " ".join(statement.upper().split())


def _owned_item(app):
    """An item a union submitted, handled by its relationship manager."""
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        item = helpers.submit(director)
        item.owner = manager
        db.session.commit()
    return item, director, manager


def test_whom_to_tell_costs_the_same_with_few_and_many_in_the_discussion(app, client, login):
    item, _director, _manager = _owned_item(app)
    few = _endorse(app, item, 1)
    login(few[0])
    client.get(f"/feedback/{item.id}")
    small, told_small = _post_counted(client, item, "<p>نخستین پیام</p>")

    many = _endorse(app, item, 6)
    for person in many[:3]:  # they write too: their names are read with the others
        login(person)
        client.post(f"/feedback/{item.id}/discussion", data={"comment-body": "<p>ما هم</p>"})
    login(few[0])
    large, told_large = _post_counted(client, item, "<p>پیام دوم</p>")

    # submitter and owner, then the six endorsers more; the author is not told
    assert (told_small, told_large) == (2, 8)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) > 8
    assert large == small, f"{small} statements beside the notifications, then {large}"


def test_everyone_s_mail_choices_are_read_in_one_statement(app, client, login):
    """Read ahead for all the people told (core/digests.read_ahead), and still honoured: an
    endorser who chose a daily digest is not e-mailed now, the others are."""
    from portal.core import digests
    from portal.core.outbox import OutboxMessage

    item, director, manager = _owned_item(app)
    endorsers = _endorse(app, item, 4)
    with app.test_request_context():
        digests.set_frequency(endorsers[1], digests.group_of("feedback_comment"), "daily")
        db.session.commit()
    login(endorsers[0])
    with captured() as statements:
        sent = client.post(f"/feedback/{item.id}/discussion",
                           data={"comment-body": "<p>در شعبه هم همین را گفتند.</p>"})
    assert sent.status_code == 302
    reads = [s for s in statements if "FROM NOTIFICATION_PREFERENCE" in
             " ".join(s.upper().split())]
    assert len(reads) == 1, reads  # five people told (submitter, owner, three endorsers)
    mailed = set(db.session.scalars(sa.select(OutboxMessage.to_address)))
    assert endorsers[1].email not in mailed
    assert {director.email, manager.email, endorsers[2].email} <= mailed
