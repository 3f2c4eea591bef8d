"""One notion of "today" per place: the organisation's for its deadlines, the reader's on a page."""
from datetime import date, datetime

import pytest
from freezegun import freeze_time

from portal.accounts.models import Organisation
from portal.core import clock

# Saturday 05:00 in Hà Nội, 01:30 in Tehran, still Friday 22:00 in UTC
FRIDAY_NIGHT_UTC = datetime(2026, 5, 15, 22, 0)


@pytest.mark.parametrize(("country", "today"), [
    ("VN", date(2026, 5, 16)), ("TH", date(2026, 5, 16)), ("IR", date(2026, 5, 16)),
    ("GB", date(2026, 5, 15)), (None, date(2026, 5, 15))])
def test_the_organisations_date_is_its_countrys(country, today):
    organisation = Organisation(country=country) if country else None
    zone = clock.organisation_zone(organisation)
    assert clock.local_today(zone, FRIDAY_NIGHT_UTC) == today


def test_without_a_time_it_is_now():
    with freeze_time(FRIDAY_NIGHT_UTC):
        assert clock.local_today("Asia/Ho_Chi_Minh") == date(2026, 5, 16)
        assert clock.local_now("Asia/Tehran").strftime("%a %H:%M") == "Sat 01:30"


def test_the_end_of_a_local_day_is_stored_in_utc():
    assert clock.end_of_local_day(date(2026, 5, 19), "Asia/Ho_Chi_Minh") == datetime(
        2026, 5, 19, 16, 59, 59)
    assert clock.end_of_local_day(date(2026, 5, 17), "Asia/Tehran") == datetime(
        2026, 5, 17, 20, 29, 59)
    assert clock.local_today("Asia/Tehran", datetime(2026, 5, 17, 20, 29, 59)) == date(2026, 5, 17)


def test_an_unknown_zone_name_is_utc():
    assert clock.local_today("Mars/Olympus", FRIDAY_NIGHT_UTC) == date(2026, 5, 15)


@pytest.mark.parametrize(("language", "today"), [
    ("vi", date(2026, 5, 16)), ("fa", date(2026, 5, 16)), ("en", date(2026, 5, 15))])
def test_a_pages_today_is_the_readers(app, language, today):
    """A visitor's page uses their language's zone (portal.i18n.select_timezone), so the
    page's today agrees with the times it shows."""
    with app.test_request_context(headers={"Accept-Language": language}):
        assert clock.reader_today(FRIDAY_NIGHT_UTC) == today


def test_outside_a_request_today_is_utc(app):
    with app.app_context():
        assert clock.reader_today(FRIDAY_NIGHT_UTC) == date(2026, 5, 15)


def test_each_country_has_its_own_today_at_one_moment():
    todays, elsewhere = clock.country_todays(datetime(2026, 5, 15, 19, 0))
    # 19:00 UTC: 22:30 in Tehran (still Friday), 02:00 on Saturday in Hà Nội and Bangkok
    assert todays == {"IR": date(2026, 5, 15), "VN": date(2026, 5, 16), "TH": date(2026, 5, 16)}
    assert elsewhere == date(2026, 5, 15)
