"""A durable mail outbox.

Messages are rows written in the same transaction as the change that caused them, so a rolled
back change sends nothing and a committed one is never forgotten. Workers claim due messages
with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has a single writer anyway), so several workers
on several hosts never send the same message twice.
"""
import base64
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.models import TimestampMixin, utcnow
from portal.extensions import db

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class OutboxMessage(TimestampMixin, db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # [{"filename", "content_type", "data" (base64)}], e.g. an .ics invitation
    attachments: Mapped[list | None] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False,
                                                      default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)


def enqueue(to_address, subject, body_text, attachments=None):
    """Store a message to send once the current transaction commits. Flushes, never commits."""
    message = OutboxMessage(
        to_address=to_address,
        subject=subject,
        body_text=body_text,
        attachments=[
            {"filename": name, "content_type": ctype,
             "data": base64.b64encode(data).decode("ascii")}
            for name, ctype, data in (attachments or [])
        ] or None,
    )
    db.session.add(message)
    db.session.flush()
    return message


def _due_condition(now):
    return sa.or_(
        sa.and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        # a worker that died mid-send left its lease; take the message over after it
        sa.and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_until < now),
    )


def _claim(batch_size, lease_seconds):
    """Claim due messages for this worker and commit the claim before any SMTP traffic.

    PostgreSQL skips rows another worker has locked; the conditional UPDATE then makes the
    claim atomic on any database: a row another worker claimed first no longer matches.
    """
    now = utcnow()
    candidates = list(db.session.scalars(
        sa.select(OutboxMessage.id).where(_due_condition(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ))
    db.session.commit()
    claimed = []
    for message_id in candidates:
        result = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _due_condition(now))
            .values(status=SENDING, claimed_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if result.rowcount == 1:
            claimed.append(message_id)
    return claimed


def _build_email(message, sender):
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body_text)
    for item in message.attachments or []:
        maintype, subtype = item["content_type"].split("/", 1)
        email.add_attachment(base64.b64decode(item["data"]), maintype=maintype,
                             subtype=subtype, filename=item["filename"])
    return email


def _smtp():
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
    if cfg["MAIL_USE_TLS"]:
        smtp.starttls()
    if cfg["MAIL_USERNAME"]:
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
    return smtp


def _backoff(attempts):
    base = current_app.config["OUTBOX_BACKOFF_SECONDS"]
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 3600))


def _mark_failure(message, error):
    message.attempts += 1
    message.last_error = str(error)[:2000]
    message.claimed_until = None
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = FAILED
    else:
        message.status = PENDING
        message.next_attempt_at = utcnow() + _backoff(message.attempts)


def deliver(batch_size=50, lease_seconds=300):
    """Send the due messages once. Returns (sent, failed) counts for this pass.

    A message whose send fails goes back to pending with exponential backoff, and to failed
    after OUTBOX_MAX_ATTEMPTS. Safe to run in several processes at once.
    """
    ids = _claim(batch_size, lease_seconds)
    if not ids:
        return 0, 0
    sender = current_app.config["MAIL_SENDER"]
    sent = failed = 0
    try:
        smtp = _smtp()
    except (OSError, smtplib.SMTPException) as exc:
        claimed = sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))
        for message in db.session.scalars(claimed):
            _mark_failure(message, exc)
        db.session.commit()
        return 0, len(ids)
    with smtp:
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            try:
                smtp.send_message(_build_email(message, sender))
            except (OSError, smtplib.SMTPException) as exc:
                _mark_failure(message, exc)
                failed += 1
            else:
                message.status = SENT
                message.sent_at = utcnow()
                message.claimed_until = None
                sent += 1
            # commit each result at once: a crash after this point never resends this message
            db.session.commit()
    return sent, failed
