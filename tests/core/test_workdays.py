"""Working-day rules per country: the turnaround and deadline figures people see rely on them."""
from datetime import date, datetime

import pytest

from portal.core.workdays import add_working_days, is_working_day, working_days_between

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
