"""Calendars: a meeting, a series or a person's meetings as iCalendar, and the signed token of
the personal feed a calendar program subscribes to (it sends no session cookie)."""
import sqlalchemy as sa
from flask import Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer

from portal.accounts.models import User
from portal.core.tabular import content_disposition
from portal.extensions import db
from portal.meetings import ical
from portal.meetings.models import Meeting

# a calendar describes each meeting with its agenda: loaded with the meetings in one statement
WITH_AGENDA = sa.orm.selectinload(Meeting.agenda)


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="meetings-calendar-feed")


def feed_token(user):
    """A personal feed address; it dies when the person signs out everywhere (session
    version) or is deactivated."""
    return _serializer().dumps([user.id, user.session_version])


def feed_user(token):
    """The active person a feed token was signed for, or None (a forged or stale token)."""
    try:
        user_id, version = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def ics_response(meetings, name, filename):
    return Response(ical.calendar_bytes(meetings, name), mimetype="text/calendar",
                    headers={"Content-Disposition": content_disposition(filename, "inline")})
