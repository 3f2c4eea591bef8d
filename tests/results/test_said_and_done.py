""""You said, we did": per theme what the network's unions said in public, what the bank
answered and what it did; narrowed to a union or a consultation series; exported; never a
confidential item, never another network."""
import csv
import io

import pytest

from portal.extensions import db
from portal.results.models import ResultStatus
from tests import factories
from tests.feedback import helpers as fb
from tests.results.helpers import make_result


@pytest.fixture(autouse=True)
def request_context(app, db):
    factories.bank()
    with app.test_request_context(base_url="http://portal.test"):
        yield


def _world():
    union, director, manager = fb.union_with_manager("اتحادیه سراسری فرش دستباف روستایی")
    said = fb.submit(director, kind="product_request",
                     title="تسهیلات سرمایه در گردش برای بافندگان روستایی")
    fb.answer(manager, said, outcome="planned")
    secret = fb.submit(director, visibility="confidential",
                       title="نبود کارشناس آشنا با تعاونی‌ها در شعبه اصفهان")
    other_union, other_director, _m = fb.union_with_manager("اتحادیه تعاونی‌های مصرف")
    other = fb.submit(other_director, kind="proposal", title="بسته خدماتی ویژه اتحادیه‌های ملی")
    result = make_result("تسهیلات سرمایه در گردش بافندگان", owner=manager, items=[said, secret],
                         status=ResultStatus.IN_PROGRESS, typed_progress=40)
    foreign_union = factories.make_org(union.kind, name="Hội Phụ nữ huyện Kim Bảng",
                                       country="VN")
    foreign = fb.submit(factories.make_user("union_director", foreign_union),
                        title="Lịch giao dịch tại xã chưa thuận tiện")
    return {"union": union, "said": said, "secret": secret, "other": other, "result": result,
            "foreign": foreign, "manager": manager, "director": director}


def test_the_page_shows_what_was_said_answered_and_done_and_never_a_secret(client, login):
    world = _world()
    login(world["manager"])          # the bank's own staff: still no confidential item here
    page = client.get("/results/said-and-done").text
    assert world["said"].title in page and world["other"].title in page
    assert "تسهیلات سرمایه در گردش بافندگان" in page       # what the bank did
    assert world["secret"].title not in page
    assert world["foreign"].title not in page


def test_narrowed_to_one_union(client, login):
    world = _world()
    login(world["director"])
    page = client.get(f"/results/said-and-done?union={world['union'].id}").text
    assert world["said"].title in page
    assert world["other"].title not in page


def test_the_export_has_one_row_per_public_item_with_what_was_done(client, login):
    world = _world()
    login(world["director"])
    response = client.get("/results/said-and-done.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    titles = {row[3]: row for row in rows[1:]}
    assert set(titles) == {world["said"].title, world["other"].title}
    assert titles[world["said"].title][8] == "تسهیلات سرمایه در گردش بافندگان"
    assert titles[world["said"].title][10] == "40%"
    db.session.rollback()
