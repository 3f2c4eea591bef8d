"""What day it is, and where: the one way to ask for "today" and "now" in a place.

Times are stored as naive UTC (portal.core.models.utcnow). A *date* someone acts on belongs to a
place, though: a critique sent on Saturday 05:00 in Hà Nội was sent on Saturday, even if the UTC
date is still Friday. So a date is always asked for in a zone:

- the organisation's zone for its deadlines, overdue flags and reminders (organisation_zone);
- the reader's zone for "today" on a page (reader_today): the zone the page shows times in,
  so that a date on the page and the page's "today" agree.

Never date.today() (the server's zone, a third notion) nor utcnow().date() (nobody's).
"""
from datetime import UTC, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import has_request_context
from flask_babel import get_timezone

from portal.core.models import utcnow

# Where the portal's countries keep their time. None of them moves its clocks (Iran stopped in
# 2022), but zoneinfo would follow if one did.
COUNTRY_ZONES = {"IR": "Asia/Tehran", "VN": "Asia/Ho_Chi_Minh", "TH": "Asia/Bangkok"}
DEFAULT_ZONE = "UTC"
# the last moment of a local day that a deadline on that day still allows
END_OF_DAY = time(23, 59, 59)


def zone(name):
    """A tzinfo for a zone name (or a tzinfo); an unknown or empty name is UTC."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(str(name or DEFAULT_ZONE))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def country_zone(country):
    return zone(COUNTRY_ZONES.get((country or "").upper(), DEFAULT_ZONE))


def organisation_zone(organisation):
    """The zone an organisation works in. Organisations keep no zone of their own: a union,
    a branch or a cooperative keeps the time of its country."""
    return country_zone(organisation.country if organisation is not None else None)


def reader_zone():
    """The zone the current page shows times in (Flask-Babel's selector,
    portal.i18n.select_timezone); UTC outside a request (CLI, background work)."""
    if not has_request_context():
        return zone(DEFAULT_ZONE)
    return zone(str(get_timezone() or DEFAULT_ZONE))


def local_now(where, now=None):
    """The wall-clock time in a zone (aware), for now or for a stored naive-UTC time."""
    now = now or utcnow()
    aware = now if now.tzinfo else now.replace(tzinfo=UTC)
    return aware.astimezone(zone(where))


def local_today(where, now=None):
    """The date it is in a zone, now or at a stored naive-UTC time."""
    return local_now(where, now).date()


def reader_today(now=None):
    """The date it is for the person reading the page."""
    return local_today(reader_zone(), now)


def to_utc(day, at, where):
    """The stored form (naive UTC) of a local date and wall-clock time in a zone."""
    local = datetime.combine(day, at).replace(tzinfo=zone(where))
    return local.astimezone(UTC).replace(tzinfo=None)


def end_of_local_day(day, where):
    """The last stored moment (naive UTC) that still falls on this local date."""
    return to_utc(day, END_OF_DAY, where)


def country_todays(now=None):
    """({country: its local date}, the date elsewhere): what "today" is in each country the
    portal knows at one moment, for a query that compares each organisation's dates with its
    own today."""
    return ({country: local_today(country_zone(country), now) for country in COUNTRY_ZONES},
            local_today(DEFAULT_ZONE, now))
