"""Dates, times and numbers read the way people type them (portal.i18n.parsing)."""
from datetime import date, time
from decimal import Decimal

import pytest

from portal.i18n.calendars import BUDDHIST, GREGORIAN, JALALI
from portal.i18n.parsing import Unreadable, parse_date, parse_number, parse_time


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("typed", [
    "1404/05/21", "1404-5-21", "۱۴۰۴/۰۵/۲۱", "١٤٠٤/٠٥/٢١", "\u200f۱۴۰۴/۰۵/۲۱ ", "21 مرداد 1404",
    "1404.05.21",
])
def test_solar_hijri_in_any_digits_is_the_first_session(typed):
    # 21 Mordad 1404 is 12 August 2025, the first consultation session
    assert parse_date(typed, JALALI, "fa") == date(2025, 8, 12)


def test_a_year_of_another_calendar_is_read_in_that_calendar():
    # the three calendars' years do not overlap: a pasted ISO date on a Persian page is
    # Gregorian, and 1404 typed on an English page is Solar Hijri, never the Gregorian 1404
    assert parse_date("2025-08-12", JALALI, "fa") == date(2025, 8, 12)
    assert parse_date("1404-05-21", GREGORIAN, "en") == date(2025, 8, 12)
    assert parse_date("21/08/2025", BUDDHIST, "th") == date(2025, 8, 21)
    assert parse_date("2568-08-21", GREGORIAN, "en") == date(2025, 8, 21)


def test_a_year_of_no_calendar_is_refused_saying_how_it_was_read():
    with pytest.raises(Unreadable) as caught:
        parse_date("0825-05-21", JALALI, "fa")
    assert caught.value.values["year"] == "825"
    with pytest.raises(Unreadable):
        parse_date("21/05/3025", GREGORIAN, "vi")


def test_leap_years_of_both_calendars():
    # 1403 is a Solar Hijri leap year: 30 Esfand exists; 1404 has no 30 Esfand
    assert parse_date("1403/12/30", JALALI, "fa") == date(2025, 3, 20)
    with pytest.raises(Unreadable):
        parse_date("1404/12/30", JALALI, "fa")
    # 2567 BE is 2024, a Gregorian leap year; 2568 BE (2025) has no 29 February
    assert parse_date("29/02/2567", BUDDHIST, "th") == date(2024, 2, 29)
    with pytest.raises(Unreadable):
        parse_date("29/02/2568", BUDDHIST, "th")


def test_buddhist_era_day_first_and_with_a_thai_month_name():
    assert parse_date("21/08/2568", BUDDHIST, "th") == date(2025, 8, 21)
    assert parse_date("๒๑/๐๘/๒๕๖๘", BUDDHIST, "th") == date(2025, 8, 21)
    assert parse_date("21 สิงหาคม 2568", BUDDHIST, "th") == date(2025, 8, 21)


def test_gregorian_day_first_in_vietnamese_and_iso_everywhere():
    assert parse_date("12/08/2025", GREGORIAN, "vi") == date(2025, 8, 12)
    assert parse_date("2025-08-12", GREGORIAN, "vi") == date(2025, 8, 12)
    assert parse_date("", GREGORIAN, "vi") is None
    for nonsense in ("tomorrow", "12/08", "1404/13/40"):
        with pytest.raises(Unreadable):
            parse_date(nonsense, JALALI, "fa")


@pytest.mark.parametrize(("typed", "expected"), [
    ("7:30", time(7, 30)), ("۰۷:۳۰", time(7, 30)), ("๑๔.๓๐", time(14, 30)), ("23:59", time(23, 59)),
    ("0:00", time(0, 0)), ("9", time(9, 0)),
])
def test_times_are_24_hour_in_any_digits(typed, expected):
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["24:00", "25:00", "7:60", "7:30 PM", "noon"])
def test_impossible_times_are_refused(typed):
    with pytest.raises(Unreadable):
        parse_time(typed)


@pytest.mark.parametrize(("typed", "language", "expected"), [
    ("۱۲۳٬۴۵۶٫۵", "fa", Decimal("123456.5")),
    ("١٢٣", "fa", Decimal(123)),
    ("๑๒๓", "th", Decimal(123)),
    ("100٬000٬000", "fa", Decimal(100_000_000)),
    ("1.500.000", "vi", Decimal(1_500_000)),
    ("1,5", "vi", Decimal("1.5")),
    ("1,234,567.25", "th", Decimal("1234567.25")),
    ("1 234 567", "en", Decimal(1234567)),
    ("1\u202f234", "vi", Decimal(1234)),
    ("-12", "en", Decimal(-12)),
])
def test_numbers_in_every_digit_set_and_separator(typed, language, expected):
    assert parse_number(typed, language) == expected


@pytest.mark.parametrize(("typed", "language"), [
    ("1.5", "vi"),          # "." groups thousands in Vietnamese: not one and a half
    ("1,2345", "en"),       # "," groups thousands in English, but not by three
    ("12,34,567", "en"),
    ("1.234.5", "en"),
    ("12a", "en"),
    ("1e3", "en"),
])
def test_ambiguous_or_broken_numbers_are_refused(typed, language):
    with pytest.raises(Unreadable):
        parse_number(typed, language)


def test_the_refusal_of_an_ambiguous_separator_says_how_it_was_read():
    with pytest.raises(Unreadable) as caught:
        parse_number("1.5", "vi")
    assert caught.value.values == {"text": "1.5", "sep": ".", "decimal": ","}
