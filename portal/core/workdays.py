"""Working days per country, for turnaround times and response deadlines.

The weekend depends on the country: Iran rests on Friday (Thursday is a half day and counts as
a working day here), Vietnam and Thailand on Saturday and Sunday. Public holidays are not built
in (they move every year, and the Iranian ones follow the lunar calendar); callers pass them as
a set of dates when they have them.

Counting convention: working_days_between(start, end) is the number of working days *after*
start up to and including end. A request answered the same day took 0 days; one made on a
Wednesday in Tehran and delivered on the Saturday took 2 (Thursday and Saturday; Friday is the
weekend).
"""
from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_tables
from flask import current_app

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

WEEKENDS = {
    "IR": frozenset({FRIDAY}),
    "VN": frozenset({SATURDAY, SUNDAY}),
    "TH": frozenset({SATURDAY, SUNDAY}),
}
DEFAULT_WEEKEND = frozenset({SATURDAY, SUNDAY})


def weekend(country):
    """The weekdays (Monday = 0) that are not worked in this country (ISO 3166 alpha-2)."""
    return WEEKENDS.get((country or "").upper(), DEFAULT_WEEKEND)


def is_working_day(day, country, holidays=()):
    return day.weekday() not in weekend(country) and day not in holidays


def working_days_between(start, end, country, holidays=()):
    """Working days after start up to and including end; negative when end is before start.

    Runs in constant time for the weeks in between, so a range of years costs nothing.
    """
    if isinstance(start, date) and hasattr(start, "date"):
        start = start.date()
    if isinstance(end, date) and hasattr(end, "date"):
        end = end.date()
    if end < start:
        return -working_days_between(end, start, country, holidays)
    off = weekend(country)
    span = (end - start).days
    weeks, rest = divmod(span, 7)
    count = weeks * (7 - len(off))
    day = start + timedelta(days=weeks * 7)
    for _ in range(rest):
        day += timedelta(days=1)
        if day.weekday() not in off:
            count += 1
    if holidays:
        count -= sum(1 for h in _holidays_after(holidays, start, end) if h.weekday() not in off)
    return count


def _holidays_after(holidays, start, end):
    """The holidays after start up to and including end, from a set or a calendar."""
    if isinstance(holidays, PublicHolidays):
        return holidays.between(start, end)
    return {h for h in holidays if start < h <= end}


def add_working_days(start, days, country, holidays=()):
    """The date that is `days` working days after start (a deadline). days >= 0.

    With days == 0 the result is start itself, or the next working day when start is not one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    if days == 0:
        while not is_working_day(day, country, holidays):
            day += timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, country, holidays):
            remaining -= 1
    return day


# --- public holidays -------------------------------------------------------------------------

@lru_cache(maxsize=256)
def published_holidays(country, year):
    """The public holidays the `holidays` package lists for a country and year (days in lieu
    included: they are days off too). A country it does not know has none."""
    try:
        return frozenset(holiday_tables.country_holidays(country, years=year))
    except NotImplementedError:
        return frozenset()


class PublicHolidays:
    """A country's public holidays in any year: the published ones, plus days added (a day off
    the government declares at short notice) less days removed (a published day the bank
    works). Pass it as `holidays` to the functions above; each year is looked up once."""

    def __init__(self, country, added=(), removed=()):
        self.country = (country or "").upper()
        self.added, self.removed = frozenset(added), frozenset(removed)
        self._years = {}

    def in_year(self, year):
        if year not in self._years:
            days = published_holidays(self.country, year) if self.country else frozenset()
            days |= {d for d in self.added if d.year == year}
            self._years[year] = frozenset(days - self.removed)
        return self._years[year]

    def __contains__(self, day):
        return day in self.in_year(day.year)

    def between(self, start, end):
        """The holidays after start up to and including end."""
        return {d for year in range(start.year, end.year + 1)
                for d in self.in_year(year) if start < d <= end}


def parse_holiday_list(entries, country):
    """The dates of one country in a configured list of "IR:2026-03-20" entries."""
    days = set()
    for entry in entries:
        code, _sep, day = entry.partition(":")
        if code.strip().upper() == (country or "").upper() and day.strip():
            days.add(date.fromisoformat(day.strip()))
    return days


def public_holidays(country):
    """The country's calendar as this portal is configured: PORTAL_HOLIDAYS adds days,
    PORTAL_HOLIDAYS_REMOVED takes published days away."""
    config = current_app.config
    return PublicHolidays(country, parse_holiday_list(config["HOLIDAYS"], country),
                          parse_holiday_list(config["HOLIDAYS_REMOVED"], country))
