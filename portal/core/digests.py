"""What each person is told by e-mail, and when: immediately, in a daily or weekly digest, or
not at all, chosen per kind of event. The portal's own notifications are kept whatever the
choice; only the e-mail changes.

A digest is built in one transaction with the marks on the notifications it carries and goes
out through the outbox: a digest is never built twice, is delivered at least once with a
stable Message-ID (portal.core.outbox), and while the mail server is down the outbox keeps it
until it can be delivered. Digests go out at the person's local morning (their
time zone, else their organisation's), daily, or weekly on the first day of their week.

Every e-mail carries a one-click unsubscribe (RFC 8058 List-Unsubscribe and
List-Unsubscribe-Post) for its kind of event, and a link to the preferences.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import clock
from portal.core.models import LabelledEnum
from portal.extensions import db


class Frequency(LabelledEnum):
    IMMEDIATE = "immediate", _l("Right away")
    DAILY = "daily", _l("Daily digest")
    WEEKLY = "weekly", _l("Weekly digest")
    NONE = "none", _l("No e-mail")


# kinds of event people choose for, by the prefix of a notification's kind; anything else
# (security notices: a changed password, a new device) is always sent at once
GROUPS = {
    "feedback": _l("Critiques, proposals and requests: answers, comments, escalations"),
    "meetings": _l("Meetings: invitations, minutes, reviews and sign-offs"),
    "commitments": _l("Commitments due and overdue"),
    "results": _l("Results: what the bank does about what was said"),
    "products": _l("Products that become available"),
}
_PREFIXES = (("meeting_commitment", "commitments"), ("feedback", "feedback"),
             ("meeting", "meetings"), ("result", "results"), ("product", "products"))
MORNING_HOUR = 7


def group_of(kind):
    return next((group for prefix, group in _PREFIXES if kind.startswith(prefix)), None)


class NotificationPreference(db.Model):
    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    event_group: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    frequency: Mapped[str] = mapped_column(sa.String(16), nullable=False)


class DigestState(db.Model):
    """When each person's last daily and last weekly digest were built: the next one waits
    for the next morning (or the next week's first morning)."""

    __tablename__ = "digest_state"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    frequency: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    last_sent_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)


_READ_AHEAD = "digest_choices_read_ahead"


def read_ahead(users):
    """Read the choices of several people in one statement, for the notify() calls that follow
    in this request: a discussion message tells everyone taking part, and asking each
    person's choices on their own was a statement per person inside the POST."""
    if not has_request_context():
        return
    ids = [user.id for user in users]
    chosen = {user_id: {} for user_id in ids}
    for choice in db.session.scalars(sa.select(NotificationPreference).where(
            NotificationPreference.user_id.in_(ids))):
        chosen[choice.user_id][choice.event_group] = choice.frequency
    g.setdefault(_READ_AHEAD, {}).update(chosen)


def _chosen(user):
    found = g.get(_READ_AHEAD, {}).get(user.id) if has_request_context() else None
    if found is not None:
        return found
    return {p.event_group: p.frequency for p in db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id))}


def preferences(user):
    """{group: Frequency} for every group, immediate unless chosen otherwise."""
    chosen = _chosen(user)
    return {group: Frequency(chosen.get(group, Frequency.IMMEDIATE)) for group in GROUPS}


def frequency_for(user, kind):
    group = group_of(kind)
    if group is None:
        return Frequency.IMMEDIATE
    return preferences(user)[group]


def set_frequency(user, group, frequency):
    if group not in GROUPS:
        raise ValueError(group)
    frequency = Frequency(frequency)
    row = db.session.get(NotificationPreference, (user.id, group))
    if row is None:
        row = NotificationPreference(user_id=user.id, event_group=group)
        db.session.add(row)
    row.frequency = frequency.value
    db.session.flush()
    if has_request_context():
        g.get(_READ_AHEAD, {}).pop(user.id, None)  # read ahead before this change


# --- one-click unsubscribe ---------------------------------------------------------------------

def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portal.unsubscribe")


def unsubscribe_token(user, group):
    return _serializer().dumps([user.id, group])


EVERY_GROUP = "all"   # a digest's unsubscribe: it carries notices of several kinds


def read_unsubscribe_token(token):
    """(user id, group) or None for a token that was not issued by this portal."""
    try:
        user_id, group = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or (group not in GROUPS and group != EVERY_GROUP):
        return None
    return user_id, group


def unsubscribe(user, group):
    """No more e-mail of this kind (or of any kind, for a digest's link)."""
    for each in (GROUPS if group == EVERY_GROUP else (group,)):
        set_frequency(user, each, Frequency.NONE)


def unsubscribe_address(user, kind):
    """The one-click address for this kind of event, or None (security notices)."""
    group = group_of(kind)
    if group is None:
        return None
    return _unsubscribe_url(unsubscribe_token(user, group))


# notices are also written by jobs that run outside any request (escalations, digests), where
# url_for has no host to build on: these two addresses are spelled out (digest_views' routes)
def _unsubscribe_url(token):
    return _public(f"/unsubscribe/{token}")


def preferences_address():
    return _public("/notifications/preferences")


def _public(path):
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


# --- digests -----------------------------------------------------------------------------------

def _zone(user):
    if user.timezone:
        return user.timezone
    for organisation in user.organisations:
        zone = clock.COUNTRY_ZONES.get((organisation.country or "").upper())
        if zone:
            return zone
    return clock.DEFAULT_ZONE


def _week_starts_on(user):
    # Saturday in Iran, Monday elsewhere (the weekday number of datetime.weekday())
    return 5 if (user.preferred_locale or "") == "fa" else 0


def is_due(user, frequency, last_sent_at, now):
    """Whether a digest of this frequency is due for this person at `now` (naive UTC)."""
    local = clock.local_now(_zone(user), now)
    if local.hour < MORNING_HOUR:
        return False
    if frequency == Frequency.WEEKLY and local.weekday() != _week_starts_on(user):
        return False
    if last_sent_at is None:
        return True
    last_local = clock.local_now(_zone(user), last_sent_at)
    if frequency == Frequency.DAILY:
        return last_local.date() < local.date()
    return (local.date() - last_local.date()) >= timedelta(days=6)


def send_digests_of(user, now):
    """Build the digests due for this person (see portal.accounts.digests.send_digests, which
    finds the people): one e-mail per due frequency with their pending notices, in their
    language, through the outbox, with the marks on the notices it carries. Returns how many
    were built."""
    from portal.core.notify import Notification

    notes = list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.digest_pending.is_(True))
        .order_by(Notification.created_at, Notification.id)))
    chosen = preferences(user)
    by_frequency = {}
    for note in notes:
        frequency = chosen.get(group_of(note.kind), Frequency.IMMEDIATE)
        by_frequency.setdefault(frequency, []).append(note)
    built = 0
    for frequency, batch in by_frequency.items():
        if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
            # the choice changed since: sent with the next digest of any kind, or dropped
            # when the person wants no e-mail of that kind any more
            if frequency == Frequency.NONE:
                for note in batch:
                    note.digest_pending = False
            continue
        if not is_due(user, frequency, _last_sent(user, frequency), now):
            continue
        if user.is_active and user.email_notifications:
            _build_digest(user, frequency, batch, now)
            built += 1
        for note in batch:
            note.digest_pending = False
    db.session.flush()
    return built


def _last_sent(user, frequency):
    state = db.session.get(DigestState, (user.id, frequency.value))
    return state.last_sent_at if state else None


def _build_digest(user, frequency, notes, now):
    from portal.core import outbox
    from portal.i18n.formatting import format_number

    locale = user.preferred_locale or "en"
    count = format_number(len(notes), locale, native=locale == "fa" and user.persian_digits)
    with force_locale(locale):
        subject = _("What happened in the portal: %(num)s updates", num=count)
        lines = []
        for note in notes:
            lines.append(note.title)
            if note.link:
                lines.append(_public(note.link))
            lines.append("")
        lines.append(_("Choose how and when you are told by e-mail:"))
        lines.append(preferences_address())
    outbox.enqueue(user.email, subject[:300], "\n".join(lines), locale=locale,
                   list_unsubscribe=_unsubscribe_url(unsubscribe_token(user, EVERY_GROUP)))
    state = db.session.get(DigestState, (user.id, frequency.value))
    if state is None:
        db.session.add(DigestState(user_id=user.id, frequency=frequency.value,
                                   last_sent_at=now))
    else:
        state.last_sent_at = now
