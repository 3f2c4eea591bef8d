"""The outbox over a real SMTP server on loopback: retries with backoff, at least once, and
the same Message-ID on every send of a message so a receiver can drop a repeat."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.core import outbox
from portal.core.models import utcnow
from portal.core.outbox import OutboxMessage


def _queue(db, n=1):
    for i in range(n):
        outbox.enqueue(f"member{i}@kimbang.example", "Sinh hoạt tổ định kỳ", "Nội dung",
                       attachments=[("meeting.ics", "text/calendar", b"BEGIN:VCALENDAR")])
    db.session.commit()


def test_messages_are_delivered_with_their_attachments(db, smtp):
    _queue(db, 3)
    assert outbox.deliver() == (3, 0)
    assert len(smtp.messages) == 3
    attachment = next(smtp.messages[0].iter_attachments())
    assert attachment.get_filename() == "meeting.ics"
    assert outbox.deliver() == (0, 0)
    assert len(smtp.messages) == 3


def test_a_rolled_back_change_sends_nothing(db, smtp):
    outbox.enqueue("x@portal.test", "s", "b")
    db.session.rollback()
    assert outbox.deliver() == (0, 0)


def test_a_refusing_server_means_retry_later_with_growing_backoff(db, smtp, app):
    _queue(db)
    smtp.refuse = True
    assert outbox.deliver() == (0, 1)
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status == "pending" and message.attempts == 1
    first_delay = message.next_attempt_at - utcnow()
    assert outbox.deliver() == (0, 0)  # not due yet
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert outbox.deliver() == (0, 1)
    db.session.refresh(message)
    assert message.next_attempt_at - utcnow() > first_delay
    smtp.refuse = False
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert outbox.deliver() == (1, 0)
    assert len(smtp.messages) == 1


def test_a_server_that_is_down_keeps_messages_and_gives_up_after_max_attempts(db, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    try:
        _queue(db)
        assert outbox.deliver() == (0, 1)
        message = db.session.scalar(sa.select(OutboxMessage))
        message.next_attempt_at = utcnow()
        db.session.commit()
        outbox.deliver()
        db.session.refresh(message)
        assert message.status == "failed" and message.last_error
    finally:
        app.config["OUTBOX_MAX_ATTEMPTS"] = 8


def test_two_workers_never_send_the_same_message_twice(app, db, smtp):
    """Two threads with their own connections deliver concurrently; each message once."""
    import threading

    _queue(db, 30)
    results = []

    def worker():
        with app.app_context():
            total = 0
            for _ in range(5):
                sent, _failed = outbox.deliver(batch_size=5)
                total += sent
            results.append(total)
            from portal.extensions import db as worker_db

            worker_db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    recipients = [m["To"] for m in smtp.messages]
    assert sum(results) == 30
    assert len(recipients) == len(set(recipients)) == 30


def test_each_message_has_its_own_message_id_from_the_moment_it_is_queued(db, smtp):
    _queue(db, 2)
    stored = [m.message_id for m in db.session.scalars(
        sa.select(OutboxMessage).order_by(OutboxMessage.id))]
    assert all(stored) and len(set(stored)) == 2
    assert outbox.deliver() == (2, 0)
    # a long header may be folded onto a second line; receivers unfold it
    assert sorted(m["Message-ID"].strip() for m in smtp.messages) == sorted(stored)


def test_a_crash_between_sending_and_committing_resends_with_the_same_message_id(db, smtp):
    """The server accepted the message, then the database went away before the worker could
    record it: the message goes out again once its claim expires, under the same Message-ID."""
    _queue(db)
    armed = [True]

    def lose_the_commit(session):
        sent = [m for m in session.dirty
                if isinstance(m, OutboxMessage) and m.status == outbox.SENT]
        if armed and sent:
            armed.clear()
            raise sa.exc.OperationalError("COMMIT", {}, ConnectionError("server closed"))

    sa.event.listen(sa.orm.Session, "before_commit", lose_the_commit)
    try:
        with pytest.raises(sa.exc.OperationalError):
            outbox.deliver()
    finally:
        sa.event.remove(sa.orm.Session, "before_commit", lose_the_commit)
    db.session.rollback()  # what a worker that died had written is gone
    assert len(smtp.messages) == 1
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.status == "sending" and message.sent_at is None
    assert outbox.deliver() == (0, 0)  # another worker leaves it while the claim holds
    message.claimed_until = utcnow() - timedelta(seconds=1)  # the claim ran out
    db.session.commit()
    assert outbox.deliver() == (1, 0)
    assert len(smtp.messages) == 2
    first, second = smtp.messages
    assert first["Message-ID"].strip() == second["Message-ID"].strip() == message.message_id
    db.session.refresh(message)
    assert message.status == "sent"
