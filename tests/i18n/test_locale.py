"""Language selection, right-to-left pages, calendars and locale formats."""
from datetime import date

import pytest
from flask_babel import force_locale

from portal.i18n import calendars, formatting


def test_the_browser_language_is_used_for_anonymous_visitors(client, db):
    page = client.get("/login", headers={"Accept-Language": "th-TH,th;q=0.9"})
    assert 'lang="th"' in page.text and "เข้าสู่ระบบ" in page.text


def test_the_switcher_overrides_the_browser_and_persian_pages_mirror(client, db):
    client.post("/language", data={"language": "fa", "next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "vi"})
    assert 'dir="rtl"' in page.text and "bootstrap.rtl.min.css" in page.text
    assert "ورود" in page.text


def test_a_saved_preference_wins_and_the_switcher_saves_it(client, login_as, db):
    user = login_as("union_director", preferred_locale="vi")
    assert 'lang="vi"' in client.get("/", headers={"Accept-Language": "th"}).text
    client.post("/language", data={"language": "th"})
    db.session.refresh(user)
    assert user.preferred_locale == "th"
    assert 'lang="th"' in client.get("/").text


def test_unknown_language_is_refused(client, db):
    assert client.post("/language", data={"language": "xx"}).status_code == 400


def test_jalali_and_buddhist_dates_from_the_real_session_date():
    day = date(2025, 8, 12)
    assert calendars.format_date(day, "short", "fa", calendars.JALALI) == "1404/05/21"
    assert calendars.format_date(day, "medium", "fa", calendars.JALALI) == "21 مرداد 1404"
    assert calendars.format_date(date(2023, 8, 31), "short", "th",
                                 calendars.BUDDHIST) == "31/08/2566"
    assert "2566" in calendars.format_date(date(2023, 8, 31), "long", "th", calendars.BUDDHIST)
    assert "สิงหาคม" in calendars.format_date(date(2023, 8, 31), "long", "th",
                                               calendars.BUDDHIST)


@pytest.mark.parametrize("locale, expected", [
    ("en", "1,662.5"), ("vi", "1.662,5"), ("th", "1,662.5"), ("fa", "1,662.5")])
def test_numbers_follow_the_locale(locale, expected):
    assert formatting.format_number(1662.5, locale) == expected


def test_persian_digits_when_chosen():
    assert formatting.format_number(1662.5, "fa", native=True) == "۱٬۶۶۲٫۵"
    assert formatting.format_percentage(0.9671, "fa", native=True).startswith("۹۶٫۷۱")


def test_money_in_the_organisations_currency():
    assert formatting.format_money(512143000000, "VND", "vi") == "512.143.000.000\xa0₫"
    assert "ریال" in formatting.format_money(1000, "IRR", "fa")


def test_the_home_page_shows_a_persian_date_with_persian_digits(client, login_as, db):
    login_as("ministry_official", preferred_locale="fa")
    text = client.get("/").text
    assert any(month in text for month in calendars.JALALI_MONTHS_FA)
    assert "۱۴۰" in text  # a Jalali year in Persian digits (1400s)


def test_a_thai_reader_sees_buddhist_era_years(client, login_as, db):
    from portal.core.models import utcnow

    login_as("branch_staff", preferred_locale="th")
    assert str(utcnow().year + 543) in client.get("/").text


def test_lazy_labels_translate_per_request(app):
    from portal.accounts.models import Role

    with app.test_request_context(), force_locale("vi"):
        assert str(Role.UNION_DIRECTOR.label) != "Union director"
