"""Reading dates, times and numbers the way people type them, on the server.

A Persian manager types `۱۴۰۴/۰۵/۲۱`, a Thai officer `21/08/2568`, a Vietnamese one `1.500.000`;
forms must understand them without JavaScript. These functions are pure: they take the text and
the reader's calendar or language, and return a value or raise `Unreadable` with a translatable
message and the values to put in it (the caller formats them in the reader's digits).
"""
import re
from datetime import date, time
from decimal import Decimal

import jdatetime
from babel.dates import get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import lazy_gettext as _l

from portal.i18n.calendars import (
    BUDDHIST,
    BUDDHIST_ERA_OFFSET,
    GREGORIAN,
    JALALI,
    JALALI_MONTHS_FA,
    JALALI_MONTHS_LATIN,
)
from portal.i18n.formatting import babel_locale

# Persian (U+06F0..), Arabic-Indic (U+0660..) and Thai (U+0E50..) digits to ASCII
_DIGITS = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩๐๑๒๓๔๕๖๗๘๙", "012345678901234567890123456789")
# marks a keyboard or a copy from a right-to-left page leaves around digits
_INVISIBLE = re.compile("[\u200e\u200f\u061c\u200b\u2066-\u2069\u202a-\u202e]")
# every kind of space people or locales put between digit groups
_SPACES = re.compile("[\\s\u00a0\u202f\u2009\u2007]+")

# A Solar Hijri year typed where a Gregorian one belongs (and the other way round) is caught by
# its range: these are the years the portal's records can plausibly carry.
JALALI_YEARS = range(1279, 1580)      # 1900-2200 in Gregorian
BUDDHIST_YEARS = range(2443, 2744)
GREGORIAN_YEARS = range(1900, 2201)

# the order in which each calendar's people write a date with the year last or first
DATE_FORMATS = {JALALI: "YYYY/MM/DD", BUDDHIST: "DD/MM/YYYY"}


class Unreadable(ValueError):  # noqa: N818 - reads as "the input is unreadable"
    """Text that could not be read. message: a lazy translatable string; values: its fields."""

    def __init__(self, message, **values):
        super().__init__(str(message))
        self.message = message
        self.values = values


def ascii_digits(text):
    """Any script's digits to ASCII, without direction marks; spacing kept."""
    return _INVISIBLE.sub("", str(text or "")).translate(_DIGITS).strip()


def date_format(calendar, language):
    """How a date field of this calendar is written (and shown back) for this language."""
    if calendar == GREGORIAN:
        return "DD/MM/YYYY" if language in ("vi", "th", "fa") else "YYYY-MM-DD"
    return DATE_FORMATS[calendar]


def format_date_input(value, calendar, language):
    """A date as it is written in a date field of this calendar (digits still ASCII)."""
    if calendar == JALALI:
        j = jdatetime.date.fromgregorian(date=value)
        year, month, day = j.year, j.month, j.day
    elif calendar == BUDDHIST:
        year, month, day = value.year + BUDDHIST_ERA_OFFSET, value.month, value.day
    else:
        year, month, day = value.year, value.month, value.day
    if date_format(calendar, language).startswith("YYYY"):
        sep = "/" if calendar == JALALI else "-"
        return f"{year:04d}{sep}{month:02d}{sep}{day:02d}"
    return f"{day:02d}/{month:02d}/{year:04d}"


def _month_names(calendar, language):
    """Lower-case month names (and abbreviations) a person may type instead of a number."""
    names = {}
    if calendar == JALALI:
        for index, name in enumerate(JALALI_MONTHS_FA, 1):
            names[name] = index
        for index, name in enumerate(JALALI_MONTHS_LATIN, 1):
            names[name.casefold()] = index
        return names
    for width in ("wide", "abbreviated"):
        for lang in {language, "en"}:
            for index, name in get_month_names(width, locale=babel_locale(lang)).items():
                names[name.casefold().rstrip(".")] = index
    return names


def _split_date(text, calendar, language):
    """(year, month, day) as typed, from numbers or a month name: '21 مرداد 1404'."""
    words = re.findall(r"\d+|[^\W\d_][^\d\s,/-]*(?:\s[^\W\d_][^\d\s,/-]*)*", text)
    if len(words) != 3:
        raise Unreadable(_l("“%(text)s” is not a date. Write it as %(format)s."),
                         text=text, format=date_format(calendar, language))
    if not all(w.isdigit() for w in words):
        month_names = _month_names(calendar, language)
        named = [w for w in words if not w.isdigit()]
        month = month_names.get(named[0].casefold().rstrip(".")) if len(named) == 1 else None
        numbers = [int(w) for w in words if w.isdigit()]
        if month is None or len(numbers) != 2:
            raise Unreadable(_l("“%(text)s” is not a date. Write it as %(format)s."),
                             text=text, format=date_format(calendar, language))
        day, year = (numbers if numbers[1] > 31 else numbers[::-1])
        return year, month, day
    first, second, third = (int(w) for w in words)
    if len(words[0]) >= 3:              # the year comes first: 1404/05/21, 2025-08-12
        return first, second, third
    if len(words[2]) >= 3:              # the year comes last: 21/08/2568, 12/08/2025
        return third, second, first
    raise Unreadable(_l("“%(text)s” has no four-digit year. Write it as %(format)s."),
                     text=text, format=date_format(calendar, language))


def _calendar_of_year(year, calendar):
    """The calendar a typed year belongs to: the reader's own when it fits, else the one whose
    range holds it. The three ranges do not overlap, so 1404 can only be Solar Hijri, 2025 only
    Gregorian and 2568 only Buddhist era: a date pasted from another system is read for what it
    is, and shown back in the reader's calendar, never stored as the Gregorian year 1404."""
    if year in _CALENDAR_YEARS[calendar]:
        return calendar
    for other, years in _CALENDAR_YEARS.items():
        if year in years:
            return other
    return None


def _to_gregorian(year, month, day, calendar):
    if calendar == JALALI:
        return jdatetime.date(year, month, day).togregorian()
    if calendar == BUDDHIST:
        year -= BUDDHIST_ERA_OFFSET
    return date(year, month, day)


CALENDAR_NAMES = {GREGORIAN: _l("Gregorian"), JALALI: _l("Solar Hijri"),
                  BUDDHIST: _l("Buddhist era")}
_CALENDAR_YEARS = {GREGORIAN: GREGORIAN_YEARS, JALALI: JALALI_YEARS,
                   BUDDHIST: BUDDHIST_YEARS}


def parse_date(text, calendar, language="en"):
    """A date typed in the reader's calendar, any digits; None for empty text.

    Year first (1404/05/21, 2025-08-12) or last (21/08/2568), with / - . or spaces, or with a
    month name. A year of another calendar is read in that calendar (see _calendar_of_year); a
    year of none (0825, 3025) is refused, saying which year was read.
    """
    text = ascii_digits(text)
    if not text:
        return None
    year, month, day = _split_date(text, calendar, language)
    read_as = _calendar_of_year(year, calendar)
    if read_as is None:
        raise Unreadable(_l("“%(text)s” was read as the year %(year)s, which is not a year of "
                            "the %(calendar)s calendar."),
                         text=text, year=str(year), calendar=CALENDAR_NAMES[calendar])
    try:
        return _to_gregorian(year, month, day, read_as)
    except ValueError:
        raise Unreadable(_l("“%(text)s” is not a day of the %(calendar)s calendar "
                            "(year %(year)s, month %(month)s, day %(day)s)."),
                         text=text, calendar=CALENDAR_NAMES[read_as], year=str(year),
                         month=str(month), day=str(day)) from None


_TIME = re.compile(r"^(\d{1,2})(?:[:.٫h]\s?(\d{2}))?(?:[:.]\d{2})?$")


def parse_time(text):
    """A 24-hour time in any digits: 7:30, ۰۷:۳۰, 07.30, 14h30, 9; None for empty text."""
    text = ascii_digits(text).replace(" ", "")
    if not text:
        return None
    match = _TIME.match(text)
    if not match:
        raise Unreadable(_l("“%(text)s” is not a time. Write it with 24 hours, e.g. "
                            "%(example)s."), text=text, example="14:30")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour == 24 and minute == 0:
        raise Unreadable(_l("24:00 is the end of the day; write 23:59, or 00:00 of the next "
                            "day."))
    if hour > 23 or minute > 59:
        raise Unreadable(_l("“%(text)s” is not a time of day: hours go from 0 to 23 and "
                            "minutes from 0 to 59."), text=text)
    return time(hour, minute)


def _symbols(language):
    locale = babel_locale(language)
    # the Latin-digit symbols: a Persian reader with Latin digits types 1,234.5
    return (get_decimal_symbol(locale, numbering_system="latn"),
            get_group_symbol(locale, numbering_system="latn"))


_GROUP, _DECIMAL = "g", "d"   # the Arabic separators, which mean one thing only


def _decimal_mark(value, language, text):
    """Which character of the typed number is its decimal mark (None: a whole number)."""
    if _DECIMAL in value:
        return _DECIMAL
    kinds = [c for c in ",." if c in value]
    if len(kinds) == 2:            # 1,234.5 or 1.234,5: the last one is the decimal mark
        return max(kinds, key=value.rfind)
    if not kinds:
        return None
    mark = kinds[0]
    if value.count(mark) > 1 or _GROUP in value:
        return None if value.count(mark) > 1 else mark
    decimal, group = _symbols(language)
    if mark == group and mark != decimal:
        if re.fullmatch(r"\d{1,3}" + re.escape(mark) + r"\d{3}", value):
            return None
        raise Unreadable(_l("“%(text)s”: “%(sep)s” separates thousands here, so a decimal is "
                            "written with “%(decimal)s”."), text=text, sep=mark, decimal=decimal)
    return mark


def parse_number(text, language="en"):
    """A number typed in any digits with the locale's separators; a Decimal, None if empty.

    ٬ (Arabic thousands) and ٫ (Arabic decimal) are unambiguous. With both , and . the last one
    is the decimal mark. With only one of them once, the reader's locale says which it is, and a
    separator that cannot be what the locale says is refused with how it was read (a Vietnamese
    `1.5` is not one and a half: `.` separates thousands there).
    """
    raw = ascii_digits(text)
    value = _SPACES.sub("", raw).replace("'", "")
    if not value:
        return None
    sign = ""
    if value[0] in "-\u2212":
        sign, value = "-", value[1:]
    value = value.replace("\u066c", _GROUP).replace("\u066b", _DECIMAL).replace("\u060c", ",")
    if not re.fullmatch(r"\d[\d.,gd]*", value) or not value[-1].isdigit():
        raise Unreadable(_l("“%(text)s” is not a number."), text=raw)
    mark = _decimal_mark(value, language, raw)
    whole, _sep, fraction = value.partition(mark) if mark else (value, "", "")
    if not fraction.isdigit() and mark:
        raise Unreadable(_l("“%(text)s” is not a number."), text=raw)
    groups = re.split(r"[.,g]", whole)
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3
                                and all(len(g) == 3 for g in groups[1:])):
        raise Unreadable(_l("“%(text)s”: the thousands are not grouped by three digits."),
                         text=raw)
    return Decimal(sign + "".join(groups) + ("." + fraction if mark else ""))
