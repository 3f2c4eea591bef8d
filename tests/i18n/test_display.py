"""What pages print in each language: digits, isolated names, time zones by name, the zone
chosen in preferences, and money with its unit."""
import re
from datetime import datetime
from pathlib import Path

import pytest

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.meetings import services
from tests import factories
from tests.meetings import helpers
from tests.meetings.helpers import Cast
from tests.products.helpers import make_product

PERSIAN_DIGIT = re.compile("[۰-۹]")
STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"


@pytest.fixture()
def services_context(app, db):
    """Meeting services build links (url_for) as a request would."""
    with app.test_request_context(base_url="http://portal.test"):
        yield


def _meeting_with_agenda(cast, timezone="Asia/Tehran"):
    meeting = helpers.plan(cast, starts=datetime(2025, 8, 12, 7, 30), hours=4,
                           timezone=timezone)
    services.add_agenda_item(cast.recorder, meeting, title="گزارش مدیرعامل بانک", duration=30)
    services.add_agenda_item(cast.recorder, meeting, title="نقدها و پیشنهادهای اتحادیه‌ها",
                             duration=45)
    db.session.commit()
    return meeting


@pytest.mark.parametrize("language, zone_name", [("vi", "giờ Tehran"), ("th", "เวลาเตหะราน")])
def test_vietnamese_and_thai_pages_print_latin_digits_next_to_a_persian_agenda(
        client, login, services_context, language, zone_name):
    cast = Cast()
    meeting = _meeting_with_agenda(cast)
    cast.official.preferred_locale = language
    db.session.commit()
    login(cast.official)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "گزارش مدیرعامل بانک" in page  # the Persian agenda is there ...
    assert "7:30" in page or "07:30" in page  # ... with the times in Latin digits
    assert not PERSIAN_DIGIT.search(page), PERSIAN_DIGIT.search(page)
    # the agenda's numbers come from the page's class, never a Persian list style
    assert f'class="lang-{language} digits-latin"' in page
    assert '<ol class="agenda">' in page
    assert zone_name in page and "Asia/Tehran" not in page


def test_the_css_numbers_lists_in_persian_only_for_readers_of_persian_digits():
    for sheet in STATIC.glob("css/*.css"):
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        for rule in re.findall(r"([^{}]*)\{([^}]*)\}", css):
            selector, body = rule
            if re.search(r"\bpersian\b|arabic-indic", body):
                assert all(part.strip().startswith(".digits-persian")
                           for part in selector.split(",")), (sheet.name, selector)


def test_a_persian_page_prints_times_and_the_zone_in_persian(client, login, services_context):
    cast = Cast()
    meeting = _meeting_with_agenda(cast)
    cast.recorder.preferred_locale = "fa"
    db.session.commit()
    login(cast.recorder)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "۷:۳۰" in page and "۱۱:۳۰" in page
    assert "7:30" not in page
    assert "به وقت تهران" in page and "(Asia/Tehran)" not in page
    assert 'class="lang-fa digits-persian"' in page
    listing = client.get("/meetings/").text
    assert "به وقت تهران" in listing and "Asia/Tehran" not in listing


def test_a_vietnamese_meeting_row_names_hanoi_time(client, login, services_context):
    cast = Cast()
    helpers.plan(cast, timezone="Asia/Ho_Chi_Minh", title="Sinh hoạt tổ định kỳ")
    cast.official.preferred_locale = "vi"
    db.session.commit()
    login(cast.official)
    listing = client.get("/meetings/").text
    assert "giờ Hà Nội" in listing and "Asia/Ho_Chi_Minh" not in listing


def test_the_error_page_prints_its_code_in_persian_digits(client, login_as, db):
    login_as("union_director", preferred_locale="fa")
    page = client.get("/meetings/987654")
    assert page.status_code == 404
    assert "کد خطا: ۴۰۴" in page.text and "404" not in page.text


def test_a_persian_name_in_an_english_list_is_isolated(client, login_as, db):
    union = factories.make_org(OrgKind.NATIONAL_UNION,
                               name="اتحادیه سراسری تعاونی‌های فرش دستباف روستایی")
    db.session.commit()
    login_as("administrator", preferred_locale="en")
    page = client.get("/organisations/?q=فرش").text
    assert f">{union.name}</bdi>" in page and f"<bdi>{union.name}</bdi>" in page


def test_an_english_note_on_a_persian_page_keeps_its_own_direction(client, login,
                                                                   services_context):
    cast = Cast()
    meeting = helpers.plan(cast, starts=helpers.FUTURE)
    services.cancel(cast.recorder, meeting, "Checked with the branch; see the file.")
    db.session.commit()
    cast.recorder.preferred_locale = "fa"
    db.session.commit()
    login(cast.recorder)
    page = client.get(f"/meetings/{meeting.id}").text
    assert '<span dir="auto">Checked with the branch; see the file.</span>' in page


def _selected_zone(page):
    return re.search(r'<option selected value="([^"]+)">([^<]+)</option>', page.split(
        'name="timezone"', 1)[1]).groups()


def test_preferences_show_the_zone_the_pages_use_and_saving_leaves_it_unchosen(
        client, login, db):
    group = factories.make_org(OrgKind.SAVINGS_GROUP)  # in Vietnam
    user = login(factories.make_user("union_director", group, preferred_locale="en"))
    page = client.get("/account/preferences").text
    assert _selected_zone(page) == ("Asia/Ho_Chi_Minh", "Hanoi time")
    # the browser sends back the zone it showed, together with the language changed
    saved = client.post("/account/preferences", data={
        "preferred_locale": "vi", "calendar": "", "timezone": "Asia/Ho_Chi_Minh",
        "email_notifications": "y"})
    assert saved.status_code == 302
    db.session.refresh(user)
    assert user.preferred_locale == "vi" and user.timezone is None
    assert _selected_zone(client.get("/account/preferences").text) == (
        "Asia/Ho_Chi_Minh", "giờ Hà Nội")
    # a zone the person does pick is kept
    client.post("/account/preferences", data={
        "preferred_locale": "vi", "calendar": "", "timezone": "Asia/Bangkok"})
    db.session.refresh(user)
    assert user.timezone == "Asia/Bangkok"


def test_a_persian_reader_without_a_zone_gets_tehran_time_not_utc(client, login_as, db):
    user = login_as("union_director", preferred_locale="fa")  # a union in Iran
    page = client.get("/account/preferences").text
    assert _selected_zone(page) == ("Asia/Tehran", "به وقت تهران")
    client.post("/account/preferences", data={
        "preferred_locale": "fa", "calendar": "", "timezone": "Asia/Tehran",
        "persian_digits": "y"})
    db.session.refresh(user)
    assert user.timezone is None


def test_money_reads_digits_then_rial_on_persian_pages_and_dong_after_on_vietnamese(
        client, login_as, db):
    make_product("WC-LOAN", min_amount=100_000_000, max_amount=50_000_000_000)
    make_product("VN-LOAN", currency="VND", min_amount=100_000_000, max_amount=500_000_000,
                 languages=("en",))
    db.session.commit()
    login_as("union_director", preferred_locale="fa")
    page = client.get("/products/").text
    assert "۱۰۰٬۰۰۰٬۰۰۰\xa0ریال" in page
    assert "ریال\xa0۱۰۰" not in page and "ریال ۱۰۰" not in page
    login_as("union_director", preferred_locale="vi")
    page = client.get("/products/").text
    assert "100.000.000\xa0₫" in page and not PERSIAN_DIGIT.search(page)


def test_opening_hours_are_isolated_and_read_in_the_readers_digits(client, login_as, db):
    from tests.branches.helpers import make_branch

    tehran = make_branch()
    tehran.opening_hours = "شنبه تا چهارشنبه ۷:۳۰ تا ۱۴:۳۰"
    hanoi = make_branch(name="Chi nhánh Kim Bảng", country="VN")  # typed "7:30–14:30"
    db.session.commit()
    login_as("union_director", preferred_locale="th")
    page = client.get(f"/branches/{tehran.id}").text
    assert "<bdi>شنبه تا چهارشنبه 7:30 تا 14:30</bdi>" in page
    login_as("union_director", preferred_locale="fa")
    assert "<bdi>۷:۳۰–۱۴:۳۰</bdi>" in client.get(f"/branches/{hanoi.id}").text


def test_the_attachment_limit_reads_in_persian_digits(client, login_as, db, app):
    login_as("union_director", preferred_locale="fa")
    page = client.get("/feedback/new/critique").text
    megabytes = str(app.config["ATTACHMENT_MAX_MB"]).translate(str.maketrans("0123456789",
                                                                             "۰۱۲۳۴۵۶۷۸۹"))
    assert f"حداکثر {megabytes} مگابایت" in page
