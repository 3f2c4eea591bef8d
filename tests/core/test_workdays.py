"""Working-day rules per country: the turnaround and deadline figures people see rely on them."""
from datetime import date, datetime

import jdatetime
import pytest

from portal.core.workdays import (
    PublicHolidays,
    add_working_days,
    is_working_day,
    public_holidays,
    working_days_between,
)

# 2025-08-13 is a Wednesday.
WED, THU, FRI, SAT, SUN, MON = (date(2025, 8, d) for d in range(13, 19))


def test_iran_rests_on_friday_only_and_thursday_is_worked():
    assert is_working_day(THU, "IR")
    assert not is_working_day(FRI, "IR")
    assert is_working_day(SAT, "IR") and is_working_day(SUN, "IR")


@pytest.mark.parametrize("country", ["VN", "TH", "vn"])
def test_vietnam_and_thailand_rest_on_saturday_and_sunday(country):
    assert is_working_day(FRI, country)
    assert not is_working_day(SAT, country) and not is_working_day(SUN, country)


def test_same_day_is_zero_and_the_weekend_is_skipped():
    assert working_days_between(WED, WED, "IR") == 0
    # Wednesday -> Saturday in Tehran: Thursday and Saturday are worked, Friday is not.
    assert working_days_between(WED, SAT, "IR") == 2
    # Wednesday -> Monday in Hà Nội: Thursday, Friday, Monday.
    assert working_days_between(WED, MON, "VN") == 3
    assert working_days_between(FRI, SUN, "TH") == 0


def test_long_ranges_count_whole_weeks_correctly():
    # 2025 in Vietnam: 365 days, 52 Saturdays and 52 Sundays (2025-01-01 is a Wednesday).
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31), "VN") == 261
    # Iran: 52 Fridays in 2025.
    assert working_days_between(date(2024, 12, 31), date(2025, 12, 31), "IR") == 313


def test_holidays_are_skipped_and_datetimes_are_accepted():
    assert working_days_between(WED, MON, "VN", holidays={THU}) == 2
    # A holiday on the weekend is not subtracted twice.
    assert working_days_between(WED, MON, "VN", holidays={SAT}) == 3
    assert working_days_between(datetime(2025, 8, 13, 9), datetime(2025, 8, 18, 17), "VN") == 3


def test_reversed_range_is_negative():
    assert working_days_between(MON, WED, "VN") == -3


def test_add_working_days_gives_deadlines_that_skip_the_weekend():
    assert add_working_days(WED, 2, "IR") == SAT
    assert add_working_days(WED, 3, "VN") == MON
    assert add_working_days(SAT, 0, "VN") == MON
    assert add_working_days(WED, 1, "VN", holidays={THU}) == FRI
    with pytest.raises(ValueError):
        add_working_days(WED, -1, "VN")


def test_add_and_count_agree():
    start = date(2025, 3, 1)
    for country in ("IR", "VN", "TH"):
        for n in range(1, 30):
            assert working_days_between(start, add_working_days(start, n, country),
                                        country) == n


# --- public holidays, any year, from the holidays package ----------------------------------------

@pytest.mark.parametrize("jalali_year", range(1404, 1412))
def test_nowruz_is_the_first_four_days_of_farvardin_and_the_twelfth_and_thirteenth(jalali_year):
    """The Iranian calendar, checked against jdatetime's conversion rather than a typed list:
    1-4 Farvardin (Nowruz), 12 Farvardin (Islamic Republic Day), 13 Farvardin (Nature's Day)."""
    nowruz = PublicHolidays("IR")
    for day in (1, 2, 3, 4, 12, 13):
        assert jdatetime.date(jalali_year, 1, day).togregorian() in nowruz, (jalali_year, day)
    # 29 Esfand, the day before the new year, is the oil nationalisation holiday
    assert jdatetime.date(jalali_year - 1, 12, 29).togregorian() in nowruz
    # and the days in between are worked (unless a Friday)
    assert jdatetime.date(jalali_year, 1, 8).togregorian() not in nowruz


def test_tet_is_several_days_and_moves_with_the_lunar_year():
    tet = PublicHolidays("VN")
    # 2026: New Year's Eve (16 Feb) to the fourth day (20 Feb), Monday to Friday
    assert [d.day for d in sorted(tet.between(date(2026, 2, 1), date(2026, 2, 28)))] == [
        16, 17, 18, 19, 20]
    # 2027, a year the old configuration never had: 4 to 10 February
    assert [d.day for d in sorted(tet.between(date(2027, 2, 1), date(2027, 2, 28)))] == [
        4, 5, 6, 7, 8, 9, 10]


@pytest.mark.parametrize("year", [2026, 2027, 2030])
def test_songkran_is_13_to_15_april(year):
    songkran = PublicHolidays("TH")
    assert {date(year, 4, d) for d in (13, 14, 15)} <= songkran.in_year(year)
    assert date(year, 4, 12) not in songkran


def test_a_songkran_day_on_the_weekend_gives_a_day_in_lieu():
    # 2030: 13 and 14 April are Saturday and Sunday; Tuesday 16 is given instead
    assert date(2030, 4, 16) in PublicHolidays("TH")


def test_deadlines_cross_the_holidays():
    # Wednesday 27 Esfand 1404 (18 March 2026) in Tehran, two working days: Thursday 19, then
    # Friday and 29 Esfand to 4 Farvardin are off: Wednesday 25 March (5 Farvardin)
    assert add_working_days(date(2026, 3, 18), 2, "IR", PublicHolidays("IR")) == date(2026, 3, 25)
    # Friday before Songkran 2026 in Bangkok: Thursday 16 and Friday 17 April
    assert add_working_days(date(2026, 4, 10), 2, "TH", PublicHolidays("TH")) == date(2026, 4, 17)
    # Wednesday before Tết 2027 in Hà Nội: Thursday 11 and Friday 12 February
    assert add_working_days(date(2027, 2, 3), 2, "VN", PublicHolidays("VN")) == date(2027, 2, 12)


def test_counting_across_the_turn_of_the_year_uses_both_years():
    # Thursday 31 Dec 2026 to Monday 4 Jan 2027 in Hà Nội: 1 January is off, Monday is worked
    assert working_days_between(date(2026, 12, 31), date(2027, 1, 4), "VN",
                                PublicHolidays("VN")) == 1
    assert working_days_between(date(2026, 12, 31), date(2027, 1, 4), "VN") == 2


def test_counting_and_adding_agree_with_holidays():
    for country in ("IR", "VN", "TH"):
        calendar = PublicHolidays(country)
        for start in (date(2026, 2, 10), date(2026, 3, 15), date(2030, 4, 8)):
            for n in range(1, 25):
                end = add_working_days(start, n, country, calendar)
                assert working_days_between(start, end, country, calendar) == n
                assert is_working_day(end, country, calendar)


def test_additions_and_removals_change_the_published_list():
    calendar = PublicHolidays("TH", added={date(2026, 4, 16)}, removed={date(2026, 4, 13)})
    assert date(2026, 4, 16) in calendar and date(2026, 4, 13) not in calendar
    assert date(2026, 4, 14) in calendar
    assert add_working_days(date(2026, 4, 10), 2, "TH", calendar) == date(2026, 4, 17)


def test_a_country_the_package_does_not_know_has_weekends_only():
    assert PublicHolidays("XX").in_year(2026) == frozenset()
    assert add_working_days(date(2026, 1, 1), 1, "XX", PublicHolidays("XX")) == date(2026, 1, 2)


def test_the_configured_additions_and_removals_apply(app, monkeypatch):
    monkeypatch.setitem(app.config, "HOLIDAYS", ["VN:2026-05-18", "IR:2026-05-19"])
    monkeypatch.setitem(app.config, "HOLIDAYS_REMOVED", ["VN:2026-02-20"])
    with app.app_context():
        vietnam = public_holidays("VN")
    assert date(2026, 5, 18) in vietnam and date(2026, 5, 19) not in vietnam
    assert date(2026, 2, 20) not in vietnam and date(2026, 2, 19) in vietnam
