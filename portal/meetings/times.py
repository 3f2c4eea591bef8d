"""A meeting's times: stored as naive UTC, planned and shown in the meeting's own zone, in the
reader's (or a notification's recipient's) calendar and digits."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import get_locale
from flask_babel import gettext as _

from portal import i18n
from portal.core.clock import COUNTRY_ZONES
from portal.core.errors import ValidationError
from portal.i18n import calendars, formatting


def zone(name):
    """The IANA time zone called name, or a ValidationError."""
    try:
        return ZoneInfo(str(name or ""))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Choose a time zone from the list."), field="timezone") from None


def to_utc(local, tz_name):
    """A naive wall-clock time in the meeting's zone, as naive UTC for storage."""
    return local.replace(tzinfo=zone(tz_name)).astimezone(UTC).replace(tzinfo=None)


def in_zone(value, tz_name):
    """A stored naive-UTC time as an aware time in the meeting's own zone."""
    return value.replace(tzinfo=UTC).astimezone(zone(tz_name))


def parse_local(day, clock):
    """A date and a time typed in the meeting's zone, as one naive local datetime."""
    return datetime.combine(day, clock)


def default_zone(organisation):
    """The time zone a meeting hosted by the organisation is planned in: its country's."""
    return COUNTRY_ZONES.get((organisation.country or "").upper()) if organisation else None


def format_in_zone(value, tz_name, style="medium", locale=None, calendar=None, native=None):
    """The date and time of value in the meeting's zone, in the reader's calendar and digits."""
    if value is None:
        return ""
    locale = str(locale or get_locale() or "en")
    if calendar is None or native is None:
        calendar = calendar or i18n.reader_calendar()
        native = i18n.native_digits() if native is None else native
    local = in_zone(value, tz_name)
    text = f"{calendars.format_date(local, style, locale, calendar)} " \
           f"{calendars.format_time(local, locale)}"
    return formatting.to_persian_digits(text) if native else text


def format_clock(value, tz_name):
    """Only the time of day in the meeting's zone, in the reader's digits (the end of a
    meeting on the same day)."""
    text = calendars.format_time(in_zone(value, tz_name), i18n.current_language())
    return formatting.to_persian_digits(text) if i18n.native_digits() else text
