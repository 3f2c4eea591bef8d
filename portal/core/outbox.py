"""A durable mail outbox.

Messages are rows written in the same transaction as the change that caused them, so a rolled
back change sends nothing and a committed one is never forgotten. Workers claim due messages
with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has a single writer anyway), so two workers
never hold the same message at once.

Delivery is at least once, with a stable Message-ID. The SMTP server's acceptance and the
commit that records it cannot be one step: a worker that dies (or loses the database) after
the server said yes and before its commit leaves the message claimed, and once the claim
expires another pass sends it again. Every send of a message carries the Message-ID chosen
when it was enqueued, so mail servers and clients that drop repeats drop it, and anyone can
tell a repeat from a second message.

Each message goes out as plain text with an HTML alternative in the recipient's language and
direction, its headers encoded so that any standard decoder reads back exactly what was
written (MAIL_POLICY below).
"""
import base64
import re
import smtplib
import uuid
from datetime import datetime, timedelta
from email import headerregistry, policy
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
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
    # the language subject and body are written in (the recipient's): the HTML part says so
    # with lang and dir, so a Persian message reads right-to-left in any mail client
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    # chosen when the message is enqueued and sent with every attempt: a repeat after a crash
    # between the SMTP server's acceptance and our commit carries the same one
    message_id: Mapped[str] = mapped_column(sa.String(255), nullable=False, unique=True)
    # [{"filename", "content_type", "data" (base64)}], e.g. an .ics invitation
    attachments: Mapped[list | None] = mapped_column(sa.JSON)
    # the one-click unsubscribe address (RFC 8058) of the kind of notice this message is
    list_unsubscribe: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=PENDING)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False,
                                                      default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)


def new_message_id():
    """A Message-ID no other message has, under the sender's domain (RFC 5322 3.6.4)."""
    _name, address = parseaddr(current_app.config["MAIL_SENDER"])
    # 122 random bits; shorter than email.utils.make_msgid's, so the header fits on one line
    return f"<{uuid.uuid4().hex}@{address.rpartition('@')[2] or 'localhost'}>"


def enqueue(to_address, subject, body_text, attachments=None, locale=None,
            list_unsubscribe=None):
    """Store a message to send at least once after the current transaction commits, under a
    Message-ID it keeps through every attempt. Flushes, never commits.

    locale: the language subject and body were written in (the recipient's), e.g. "fa".
    """
    message = OutboxMessage(
        message_id=new_message_id(),
        to_address=to_address,
        subject=subject,
        body_text=body_text,
        locale=locale,
        list_unsubscribe=list_unsubscribe,
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


class _TextAsWritten(headerregistry.UnstructuredHeader):
    """A Subject that any RFC 2047 decoder reads back exactly as it was written.

    Python's own folder (CPython gh-144156; Python 3.11 has it) may break a long non-ASCII
    subject at a space and leave that space between two encoded words, where decoders are told
    to drop it: "trùng ngày" arrived as "trùngngày". Here a subject that needs encoding is encoded
    whole by the standard RFC 2047 encoder, every space inside an encoded word, and the line
    breaks fall only between encoded words. A plain ASCII subject is folded as usual.
    """

    @classmethod
    def parse(cls, value, kwds):
        super().parse(value, kwds)
        # the text as written: a title that looks like "=?utf-8?q?...?=" is not decoded
        kwds["decoded"] = str(value)

    def fold(self, *, policy):
        text = str(self)
        if _plain_ascii(text, policy.max_line_length - len(self.name) - 2):
            return super().fold(policy=policy)
        encoded = Header(text, "utf-8", maxlinelen=policy.max_line_length,
                         header_name=self.name).encode(linesep=policy.linesep)
        return f"{self.name}: {encoded}{policy.linesep}"


class _Mailboxes(headerregistry.UniqueAddressHeader):
    """From and To whose display names every decoder reads back exactly as written.

    A display name is one encoded word however long (RFC 2047 asks for at most 75 characters,
    which mail clients do not enforce): Python's own parser, unlike RFC 2047, puts a space
    between two encoded words of a display name, so a Thai name split in two would come back
    with a space in the middle of a word.
    """

    def fold(self, *, policy):
        if any(group.display_name is not None for group in self.groups) or \
                not all(address.addr_spec.isascii() for address in self.addresses):
            return super().fold(policy=policy)  # groups and non-ASCII addresses as usual
        words = []
        for position, address in enumerate(self.addresses, start=1):
            comma = "," if position < len(self.addresses) else ""
            mailbox = formataddr((address.display_name, address.addr_spec), charset="utf-8")
            # a break is allowed between the display name and <address>, never inside either
            name, _sep, angle_addr = mailbox.rpartition(" ")
            words += ([name] if name else []) + [angle_addr + comma]
        return _fold_words(self.name, words, policy)


def _plain_ascii(text, room):
    """Text Python's folder keeps as written: ASCII, nothing that looks like an encoded word,
    single spaces and every word short enough to fit a line (no encoded words needed)."""
    return (text.isascii() and "=?" not in text and text == " ".join(text.split())
            and all(len(word) < room for word in text.split()))


def _fold_words(name, words, policy):
    lines = [f"{name}:"]
    for word in words:
        if len(lines[-1]) + 1 + len(word) > policy.max_line_length and lines[-1].strip(" :"):
            lines.append("")
        lines[-1] += " " + word
    return policy.linesep.join(lines) + policy.linesep


def _mail_policy():
    headers = headerregistry.HeaderRegistry()
    headers.map_to_type("subject", _TextAsWritten)
    headers.map_to_type("from", _Mailboxes)
    headers.map_to_type("to", _Mailboxes)
    # 7bit: bodies are quoted-printable or base64, so a relay without 8BITMIME passes them
    return policy.SMTP.clone(header_factory=headers, cte_type="7bit")


MAIL_POLICY = _mail_policy()
_LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")


def _direction(locale):
    try:
        return "rtl" if Locale.parse(locale).character_order == "right-to-left" else "ltr"
    except (ValueError, UnknownLocaleError):
        return "auto"


def _linked(line):
    """One line of text, escaped, with its web addresses made clickable."""
    parts, start = [], 0
    for match in _LINK.finditer(line):
        url = match.group()
        parts += [escape(line[start:match.start()]),
                  Markup('<a href="{0}" dir="ltr">{0}</a>').format(url)]
        start = match.end()
    parts.append(escape(line[start:]))
    return Markup("").join(parts)


def _html_body(message):
    """The body as HTML in the recipient's language and direction.

    Each paragraph takes its direction from its own text (dir="auto"): a paragraph that is a
    title somebody typed in another script, or a link, is laid out on its own terms.
    """
    lang = message.locale
    attributes = Markup(' lang="{}" dir="{}"').format(lang, _direction(lang)) if lang else \
        Markup(' dir="auto"')
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", message.body_text.strip()) if p.strip()]
    body = Markup("\n").join(
        Markup('<p dir="auto">{}</p>').format(
            Markup("<br>\n").join(_linked(line) for line in paragraph.strip().splitlines()))
        for paragraph in paragraphs)
    return Markup(
        "<!DOCTYPE html>\n<html{attributes}>\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>{subject}</title>\n</head>\n"
        # some webmail drops the <html> element's attributes; the <div> keeps them
        "<body>\n<div{attributes}>\n{body}\n</div>\n</body>\n</html>\n"
    ).format(attributes=attributes, subject=message.subject, body=body)


def _sender(sender, locale):
    """MAIL_SENDER as configured ("Name <address>"), else the portal's name in the reader's
    language before the address."""
    name, address = parseaddr(sender)
    if not name:
        with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            name = _("Cooperative Bank Portal")
    return headerregistry.Address(display_name=name, addr_spec=address)


def _build_email(message, sender):
    """The message as MIME: plain text and an HTML alternative, then any attachments."""
    email = EmailMessage(policy=MAIL_POLICY)
    email["From"] = _sender(sender, message.locale)
    email["To"] = message.to_address
    # a line break cannot be in a header; a title pasted with one reads the same on one line
    email["Subject"] = " ".join(message.subject.splitlines())
    if message.message_id:  # always, for a stored message
        email["Message-ID"] = message.message_id
    if message.list_unsubscribe:
        # one click in the mail client stops this kind of notice (RFC 8058): a POST, so a
        # link scanner following the address cannot unsubscribe anyone
        email["List-Unsubscribe"] = f"<{message.list_unsubscribe}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.body_text)
    email.add_alternative(str(_html_body(message)), subtype="html")
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
    after OUTBOX_MAX_ATTEMPTS. Safe to run in several processes at once. At least once: a
    message the server accepted but whose result was not committed is sent again after its
    claim expires, with the same Message-ID.
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
            # commit each result at once: only a crash before this commit resends this message
            # (after lease_seconds, with the same Message-ID)
            db.session.commit()
    return sent, failed
