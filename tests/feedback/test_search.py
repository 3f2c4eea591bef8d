"""Search that works in Persian, Vietnamese and Thai, on SQLite and PostgreSQL."""
import pytest

from tests.feedback import helpers


@pytest.fixture()
def items(app, db):
    _union, director, _manager = helpers.union_with_manager()
    with app.test_request_context():
        helpers.submit(director, title="کندی خدمات در شعبه‌های ویژه",
                       body="<p>نشست‌های هم‌اندیشی باید ادامه یابد</p>")
        helpers.submit(director, title="Thủ tục vay vốn quá phức tạp",
                       body="<p>Hộ nghèo cần giải ngân nhanh hơn</p>")
        helpers.submit(director, title="ขอผลิตภัณฑ์สินเชื่อสำหรับกลุ่มออมทรัพย์",
                       body="<p>สมาชิกต้องการเงินกู้ระยะยาวสำหรับการเกษตร</p>")
    return director


@pytest.mark.parametrize("query, expected", [
    ("نشستهای هماندیشی", "کندی خدمات"),             # typed without the ZWNJ
    ("شعبه‌هاي ويژه", "کندی خدمات"),                  # Arabic yeh
    ("thu tuc vay von", "Thủ tục vay vốn"),           # Vietnamese without diacritics
    ("giai ngan", "Thủ tục vay vốn"),
    ("ระยะยาว", "ขอผลิตภัณฑ์สินเชื่อ"),                 # a Thai word inside a sentence
])
def test_search_finds_the_item(client, login, items, query, expected):
    login(items)
    page = client.get("/feedback/", query_string={"q": query})
    assert expected in page.text


def test_search_does_not_match_everything(client, login, items):
    login(items)
    page = client.get("/feedback/", query_string={"q": "ระยะยาว"})
    assert "Thủ tục vay vốn" not in page.text and "کندی خدمات" not in page.text
