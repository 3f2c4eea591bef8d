"""Dates in the reader's calendar: Gregorian, Solar Hijri (Jalali) or Buddhist era."""
from datetime import date, datetime
from functools import lru_cache

import jdatetime
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_month_names

from portal.i18n.formatting import babel_locale

GREGORIAN, JALALI, BUDDHIST = "gregorian", "jalali", "buddhist"
CALENDARS = (GREGORIAN, JALALI, BUDDHIST)
BUDDHIST_ERA_OFFSET = 543

JALALI_MONTHS_FA = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان",
                    "آذر", "دی", "بهمن", "اسفند")
JALALI_MONTHS_LATIN = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
                       "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand")


def default_calendar(locale):
    return {"fa": JALALI, "th": BUDDHIST}.get(str(locale)[:2], GREGORIAN)


def _jalali(value, style, locale):
    j = jdatetime.date.fromgregorian(date=value)
    if style == "short":
        return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"
    names = JALALI_MONTHS_FA if str(locale).startswith("fa") else JALALI_MONTHS_LATIN
    return f"{j.day} {names[j.month - 1]} {j.year}"


def _buddhist(value, style, locale):
    year = value.year + BUDDHIST_ERA_OFFSET
    if style == "short":
        return f"{value.day:02d}/{value.month:02d}/{year}"
    month = get_month_names("wide" if style == "long" else "abbreviated",
                            locale=babel_locale(locale))
    return f"{value.day} {month[value.month]} {year}"


def format_date(value, style, locale, calendar):
    """Format a date (or the date part of a datetime) in the given calendar and locale."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return _format_day(value, style, str(locale), calendar)


# Days and months are formatted again and again (a list's dates, a dashboard's period picker
# of a hundred months, each converted to Solar Hijri by jdatetime at 30-50 us); the answer is a
# pure function of its arguments, so each is kept per process.
@lru_cache(maxsize=4096)
def _format_day(value, style, locale, calendar):
    if calendar == JALALI:
        return _jalali(value, style, locale)
    if calendar == BUDDHIST:
        return _buddhist(value, style, locale)
    return babel_format_date(value, format=style, locale=babel_locale(locale))


def format_month(value, locale, calendar):
    """A reporting month (first day of a Gregorian month) as its name and year."""
    if value is None:
        return ""
    return _format_month(value, str(locale), calendar)


@lru_cache(maxsize=1024)
def _format_month(value, locale, calendar):
    if calendar == BUDDHIST:
        names = get_month_names("wide", locale=babel_locale(locale))
        return f"{names[value.month]} {value.year + BUDDHIST_ERA_OFFSET}"
    if calendar == JALALI:
        # a Gregorian month spans two Jalali months; name it by its middle day
        return _jalali(date(value.year, value.month, 15), "medium", locale).split(" ", 1)[1]
    return babel_format_date(value, format="MMMM y", locale=babel_locale(locale))


def format_time(value, locale):
    return babel_format_time(value, format="short", locale=babel_locale(locale))
