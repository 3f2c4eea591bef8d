"""Notifications: in the portal always, by e-mail when the person chose it.

notify() is called by services inside their transaction; the notification row and the outbox
message commit or roll back with the change that caused them. Text is rendered in the
recipient's own language, not the language of whoever triggered it.
"""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import digests, outbox, versions
from portal.core.models import utcnow
from portal.extensions import db


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    link: Mapped[str | None] = mapped_column(sa.String(500))
    # the language the title and body were written in (the recipient's at the time): the
    # page marks them with it, so a Persian note stays right-to-left on an English page
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # waiting for the person's daily or weekly digest (portal.core.digests)
    digest_pending: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    __table_args__ = (sa.Index("ix_notification_user_unread", "user_id", "read_at"),
                      sa.Index("ix_notification_digest_pending", "digest_pending", "user_id"))


def notify(user, kind, render, link=None, attachments=None):
    """Tell one person something.

    render: a function called with the recipient's locale active, returning (title, body).
    link: a path inside the portal (e.g. url_for(...)); e-mails carry it as a full address.
    attachments: [(filename, content_type, bytes)] for the e-mail (e.g. an .ics invitation).
    """
    if user is None or not user.is_active:
        return None
    locale = user.preferred_locale or "en"
    with force_locale(locale):
        title, body = render()
        title, body = str(title), str(body)
    note = Notification(user_id=user.id, kind=kind, title=title[:300], body=body, link=link,
                        locale=locale)
    db.session.add(note)
    frequency = digests.frequency_for(user, kind) if user.email_notifications else None
    if frequency in (digests.Frequency.DAILY, digests.Frequency.WEEKLY):
        note.digest_pending = True
    elif frequency == digests.Frequency.IMMEDIATE:
        _email_now(user, kind, title, body, link, attachments, locale)
    db.session.flush()
    return note


def _email_now(user, kind, title, body, link, attachments, locale):
    full_link = current_app.config["PUBLIC_URL"].rstrip("/") + link if link else ""
    with force_locale(locale):
        # the address on a line of its own: mail clients and the HTML part link it whole
        footer = _("Choose how and when you are told by e-mail:") + "\n" + \
            digests.preferences_address()
    text = "\n\n".join(part for part in (body, full_link, footer) if part)
    outbox.enqueue(user.email, title[:300], text, attachments, locale=locale,
                   list_unsubscribe=digests.unsubscribe_address(user, kind))


def unread_count(user):
    """On every page. The signed-in person's count came with them (User.unread_notifications,
    loaded by accounts.services.load_session_user), unless this request wrote notifications;
    otherwise it is counted, kept in the process until a notification is written."""
    loaded = sa.inspect(user).dict.get("unread_notifications")
    if loaded is not None and not versions.written_in_this_request(("notification",)):
        return loaded
    return versions.remembered("unread", ("notification",), user.id,
                               lambda: _unread_count(user))


def _unread_count(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))
