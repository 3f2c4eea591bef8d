"""What the meeting area tells people: the link to a meeting, and a notice to its invitees in
each recipient's own language and calendar, with the meeting as an .ics attachment."""
from flask import url_for
from flask_babel import gettext as _

from portal.core.notify import notify
from portal.i18n import calendars
from portal.i18n.display import timezone_label
from portal.meetings import ical
from portal.meetings.times import format_in_zone


def link(meeting):
    return url_for("meetings.show", meeting_id=meeting.id)


def when_for(user, meeting):
    """When and where, in the recipient's own language and calendar (notifications)."""
    locale = user.preferred_locale or "en"
    calendar = user.calendar or calendars.default_calendar(locale)
    native = locale == "fa" and bool(user.persian_digits)
    when = format_in_zone(meeting.starts_at, meeting.timezone, "long", locale, calendar, native)
    return _("%(when)s (%(zone)s), %(place)s", when=when, zone=timezone_label(meeting.timezone),
             place=meeting.place or meeting.online_link or "")


def tell_invitees(meeting, kind, render_for, with_ics=False, people=None):
    """Notify each invitee (or only people: new invitations); render_for(user) gives the
    (subject, body) in that user's language."""
    attachments = None
    if with_ics:
        attachments = [("meeting.ics", "text/calendar",
                        ical.calendar_bytes([meeting], meeting.title))]
    for invitation in (people if people is not None else meeting.invitations):
        user = invitation.user
        notify(user, kind, lambda user=user: render_for(user), link=link(meeting),
               attachments=attachments)
