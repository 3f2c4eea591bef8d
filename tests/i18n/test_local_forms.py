"""Forms take dates, times and numbers as each reader writes them, without JavaScript.

Posted exactly as a browser without scripts would: the text typed in the reader's calendar and
digits. What is stored is checked in the database, what is shown back on the page.
"""
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.meetings.models import Meeting
from portal.products.models import Product
from tests.meetings.helpers import Cast
from tests.products.test_catalogue import _form as product_form


@pytest.fixture(autouse=True)
def request_context(app, db):
    """Services build links with url_for: they want a request, as in tests/meetings."""
    with app.test_request_context(base_url="http://portal.test"):
        yield


def _meeting_form(cast, **changes):
    data = {"kind": "consultation_session", "series_id": "", "title": "نشست هم‌اندیشی اول",
            "day": "۱۴۰۴/۰۵/۲۱", "start_time": "۱۰:۰۰", "end_time": "۱۳:۳۰",
            "timezone": "Asia/Tehran", "place": "تهران", "host_organisation_id": cast.bank.id,
            "chair_id": "", "recorder_id": cast.recorder.id}
    data.update(changes)
    return data


def _persian_manager(cast):
    cast.recorder.preferred_locale = "fa"
    cast.recorder.calendar = None      # the language's calendar: Solar Hijri
    db.session.commit()
    return cast.recorder


def test_a_persian_manager_types_the_first_session_in_solar_hijri_and_persian_digits(
        client, login):
    cast = Cast()
    login(_persian_manager(cast))
    response = client.post("/meetings/new", data=_meeting_form(cast))
    assert response.status_code == 302, response.text
    meeting = db.session.scalar(sa.select(Meeting))
    # 21 Mordad 1404, 10:00 Tehran time = 12 August 2025, 06:30 UTC
    assert meeting.starts_at == datetime(2025, 8, 12, 6, 30)
    edit = client.get(f"/meetings/{meeting.id}/edit")
    assert 'value="۱۴۰۴/۰۵/۲۱"' in edit.text
    assert 'value="۱۰:۰۰"' in edit.text and 'value="۱۳:۳۰"' in edit.text
    assert 'data-calendar="jalali"' in edit.text


def test_an_impossible_solar_hijri_date_is_refused_and_kept_as_typed(client, login):
    cast = Cast()
    login(_persian_manager(cast))
    response = client.post("/meetings/new", data=_meeting_form(cast, day="۱۴۰۴/۱۲/۳۰"))
    assert response.status_code == 400
    assert 'value="۱۴۰۴/۱۲/۳۰"' in response.text                 # what was typed survives
    # 1404 has no 30 Esfand; the message names the calendar and how the text was read
    assert "روزی از تقویم هجری شمسی نیست" in response.text
    assert "ماه ۱۲" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_a_gregorian_date_pasted_on_a_persian_page_is_shown_back_in_solar_hijri(client, login):
    cast = Cast()
    login(_persian_manager(cast))
    response = client.post("/meetings/new", data=_meeting_form(cast, day="2025-08-12"))
    assert response.status_code == 302
    meeting = db.session.scalar(sa.select(Meeting))
    assert 'value="۱۴۰۴/۰۵/۲۱"' in client.get(f"/meetings/{meeting.id}/edit").text


def test_24_00_is_refused_in_the_readers_language(client, login):
    cast = Cast()
    login(_persian_manager(cast))
    response = client.post("/meetings/new", data=_meeting_form(cast, end_time="۲۴:۰۰"))
    assert response.status_code == 400
    assert "۲۴:۰۰ پایان روز است" in response.text
    assert 'value="۲۴:۰۰"' in response.text


def test_an_empty_required_field_is_refused_in_thai_and_vietnamese(client, login):
    cast = Cast()
    for language, message in (("th", "กรุณากรอกช่องนี้"), ("vi", "Vui lòng điền mục này.")):
        cast.recorder.preferred_locale = language
        db.session.commit()
        login(cast.recorder)
        response = client.post("/meetings/new", data=_meeting_form(cast, title="", day="",
                                                                   start_time="7:30"))
        assert response.status_code == 400
        assert message in response.text
        assert "This field is required." not in response.text


def test_a_thai_reader_types_a_buddhist_era_date(client, login):
    cast = Cast()
    cast.recorder.preferred_locale = "th"
    db.session.commit()
    login(cast.recorder)
    response = client.post("/meetings/new", data=_meeting_form(
        cast, day="๒๑/๐๘/๒๕๖๘", start_time="๙:๓๐", end_time="11.00", timezone="Asia/Bangkok"))
    assert response.status_code == 302, response.text
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.starts_at == datetime(2025, 8, 21, 2, 30)     # 09:30 in Bangkok
    edit = client.get(f"/meetings/{meeting.id}/edit")
    assert 'value="21/08/2568"' in edit.text


def test_amounts_in_persian_digits_with_persian_separators_are_stored_exactly(
        client, login_as):
    admin = login_as("administrator")
    admin.preferred_locale = "fa"
    db.session.commit()
    response = client.post("/products/new", data=product_form(
        min_amount="۱۰۰٬۰۰۰٬۰۰۰", max_amount="٥٠٠٠٠٠٠٠٠٠", rate_percent="۱۸٫۵",
        min_tenor_months="۶", planned_launch="۱۴۰۴/۰۶/۱۰"))
    assert response.status_code == 302, response.text
    product = db.session.scalar(sa.select(Product))
    assert product.min_amount == Decimal(100_000_000)
    assert product.max_amount == Decimal(5_000_000_000)
    assert product.rate_percent == Decimal("18.5")
    assert product.min_tenor_months == 6
    assert product.planned_launch == date(2025, 9, 1)
    edit = client.get(f"/products/{product.id}/edit")
    assert 'value="۱۰۰٬۰۰۰٬۰۰۰"' in edit.text and 'inputmode="decimal"' in edit.text


def test_a_range_error_prints_its_bounds_in_persian_digits(client, login):
    cast = Cast()
    login(_persian_manager(cast))
    meeting_page = client.post("/meetings/new", data=_meeting_form(cast))
    meeting_id = int(meeting_page.headers["Location"].rstrip("/").split("/")[-1])
    response = client.post(f"/meetings/{meeting_id}/agenda",
                           data={"title": "گزارش شعب", "presenter": "", "duration": "۷۰۰"})
    assert response.status_code == 400
    assert "عدد باید بین ۱ تا ۶۰۰ باشد." in response.text


def test_a_vietnamese_decimal_point_is_refused_with_how_it_was_read(client, login_as):
    admin = login_as("administrator")
    admin.preferred_locale = "vi"
    db.session.commit()
    response = client.post("/products/new", data=product_form(rate_percent="1.5"))
    assert response.status_code == 400
    assert "dấu phân cách hàng nghìn" in response.text
    assert 'value="1.5"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_list_filters_read_the_readers_calendar_and_say_why_a_date_was_not_read(
        client, login):
    from tests.meetings import helpers

    cast = Cast()
    # 12 August 2025 10:00 and 5 September 2025 08:00, Tehran time
    helpers.plan(cast, title="First session")
    helpers.plan(cast, title="Sinh hoạt tổ tháng 9", starts=datetime(2025, 9, 5, 8))
    cast.official.preferred_locale = "fa"
    db.session.commit()
    login(cast.official)
    # from 10 Shahrivar 1404 (1 September 2025): only the September meeting
    later = client.get("/meetings/?from=۱۴۰۴/۰۶/۱۰").text
    assert "Sinh hoạt tổ" in later and "First session" not in later
    # 21 Mordad 1404 only: the first session
    that_day = client.get("/meetings/?from=1404/5/21&to=۱۴۰۴/۰۵/۲۱").text
    assert "First session" in that_day and "Sinh hoạt tổ" not in that_day
    refused = client.get("/meetings/?from=۱۴۰۴/۰۶/۳۲")
    assert refused.status_code == 200
    assert 'value="۱۴۰۴/۰۶/۳۲"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "روز ۳۲" in refused.text             # how it was read, in Persian digits
    assert "Sinh hoạt tổ" in refused.text       # the unreadable filter filters nothing


def test_a_filters_day_is_the_readers_day_not_the_utc_day(client, login):
    from tests.meetings import helpers

    cast = Cast()
    # 00:30 on 13 August in Tehran is still 12 August in UTC
    helpers.plan(cast, title="Late session", starts=datetime(2025, 8, 13, 0, 30), hours=1)
    cast.official.preferred_locale = "fa"
    db.session.commit()
    login(cast.official)
    assert "Late session" in client.get("/meetings/?from=۱۴۰۴/۰۵/۲۲&to=۱۴۰۴/۰۵/۲۲").text
    assert "Late session" not in client.get("/meetings/?from=۱۴۰۴/۰۵/۲۱&to=۱۴۰۴/۰۵/۲۱").text
