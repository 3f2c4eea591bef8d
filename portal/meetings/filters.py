"""Template filters for meeting times; views.py registers them on the blueprint."""
from portal.meetings import times


def meeting_time(value, tz_name, style="medium"):
    """A stored time shown in the meeting's own zone, in the reader's calendar and digits."""
    return times.format_in_zone(value, tz_name, style)


def meeting_clock(value, tz_name):
    """Only the time of day, in the meeting's zone (the end of a meeting on the same day)."""
    return times.format_clock(value, tz_name)


def meeting_same_day(value, other, tz_name):
    return times.in_zone(value, tz_name).date() == times.in_zone(other, tz_name).date()


FILTERS = {"meeting_time": meeting_time, "meeting_clock": meeting_clock,
           "meeting_same_day": meeting_same_day}
