"""iCalendar (RFC 5545) for meetings: one meeting as an invitation attachment, a series or a
person's meetings as a feed. Times carry the meeting's own zone (DTSTART;TZID=Asia/Tehran)
with its VTIMEZONE, so a calendar program anywhere shows the right hour."""
from datetime import UTC

import icalendar
from flask import current_app, url_for

from portal.core.models import utcnow
from portal.core.sanitize import plain_text

PRODID = "-//Cooperative Bank Portal//Meetings//EN"


def _aware(value, tz_name):
    from zoneinfo import ZoneInfo

    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(tz_name))


def _host():
    from urllib.parse import urlsplit

    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "portal"


def event(meeting):
    ev = icalendar.Event()
    ev.add("uid", f"meeting-{meeting.id}@{_host()}")
    ev.add("dtstamp", utcnow().replace(tzinfo=UTC))
    ev.add("dtstart", _aware(meeting.starts_at, meeting.timezone))
    ev.add("dtend", _aware(meeting.ends_at, meeting.timezone))
    ev.add("summary", meeting.title)
    ev.add("sequence", meeting.version_id or 0)
    if meeting.place:
        ev.add("location", meeting.place)
    public = current_app.config["PUBLIC_URL"].rstrip("/")
    ev.add("url", public + url_for("meetings.show", meeting_id=meeting.id))
    lines = [f"{item.position}. {item.title}" + (f" ({item.presenter})" if item.presenter
                                                  else "") for item in meeting.agenda]
    if meeting.online_link:
        lines.append(meeting.online_link)
    if lines:
        ev.add("description", plain_text("\n".join(lines)))
    ev.add("status", "CANCELLED" if meeting.state.value == "cancelled" else "CONFIRMED")
    if meeting.confidential:
        ev.add("class", "CONFIDENTIAL")
    return ev


def calendar_bytes(meetings, name):
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(event(meeting))
    cal.add_missing_timezones()
    return cal.to_ical()
