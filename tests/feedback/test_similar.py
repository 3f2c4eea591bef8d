"""Items like the one being typed on the submission form, found across spellings and scripts,
within what the person may read, never confidential."""
import pytest

from portal.accounts.models import OrgKind
from tests import factories
from tests.feedback import helpers

PERSIAN = "کندی افتتاح حساب برای تعاونی‌ها در شعب"   # Persian yeh and keheh, with a ZWNJ
THAI = "ขอสินเชื่อสำหรับกลุ่มออมทรัพย์ในตำบลบ้านนา"


@pytest.fixture()
def director(app, db):
    _union, director, _manager = helpers.union_with_manager()
    with app.test_request_context():
        helpers.submit(director, title=PERSIAN)
        helpers.submit(director, title=THAI, body="<p>สมาชิกต้องการเงินกู้ระยะยาว</p>")
        helpers.submit(director, title="Lịch giao dịch tại xã chưa thuận tiện",
                       body="<p>Phiên giao dịch trùng ngày chợ phiên.</p>")
    return director


def _titles(client, typed, **headers):
    response = client.get("/feedback/similar", query_string={"title": typed}, headers=headers)
    assert response.status_code == 200
    return [item["title"] for item in response.get_json()["items"]]


@pytest.mark.parametrize("typed", [
    "كندي افتتاح حساب",                       # Arabic yeh and kaf
    "افتتاح حساب تعاونیها",                   # without the ZWNJ
    "کندی در افتتاح حساب تعاونی ها",          # a space where the ZWNJ was, words between
])
def test_a_persian_title_typed_another_way_is_found(client, login, director, typed):
    login(director)
    assert _titles(client, typed) == [PERSIAN]


@pytest.mark.parametrize("typed", ["สินเชื่อกลุ่มออมทรัพย์", "เงินกู้สำหรับกลุ่มออมทรัพย์"])
def test_a_thai_title_in_other_words_is_found(client, login, director, typed):
    login(director)
    assert _titles(client, typed) == [THAI]


def test_nothing_alike_finds_nothing(client, login, director):
    login(director)
    assert _titles(client, "ตารางเวลาประชุมประจำเดือน") == []
    assert _titles(client, "گزارش گردش مالی") == []
    assert _titles(client, "ab") == []


def test_answer_carries_a_link_and_labels_in_the_readers_language(client, login, director):
    login(director)
    items = client.get("/feedback/similar", query_string={"title": "giao dich tai xa"},
                       headers={"Accept-Language": "vi"}).get_json()["items"]
    assert [i["title"] for i in items] == ["Lịch giao dịch tại xã chưa thuận tiện"]
    assert items[0]["url"] == f"/feedback/{items[0]['id']}"
    assert items[0]["kind"] != "Critique" and items[0]["state"] != "Submitted"


def test_confidential_items_are_never_suggested_even_to_their_submitter(
        app, client, login, director):
    with app.test_request_context():
        helpers.submit(director, title="نبود کارشناس آشنا با تعاونی‌ها در شعبه اصفهان",
                       visibility="confidential")
    for reader in (director, factories.make_user("union_director"),
                   factories.make_user("relationship_manager")):
        login(reader)
        assert _titles(client, "کارشناس آشنا با تعاونیها در شعبه اصفهان") == []


def test_another_networks_items_are_not_suggested(app, client, login, director):
    factories.bank("TH")
    thai_union = factories.make_org(OrgKind.NATIONAL_UNION, name="ชุมนุมสหกรณ์การเกษตร",
                                    country="TH", currency="THB")
    thai_director = factories.make_user("union_director", thai_union)
    with app.test_request_context():
        helpers.submit(thai_director, title="สินเชื่อสำหรับกลุ่มออมทรัพย์ของชุมนุม")
    login(thai_director)
    assert _titles(client, "สินเชื่อกลุ่มออมทรัพย์") == ["สินเชื่อสำหรับกลุ่มออมทรัพย์ของชุมนุม"]
    login(director)
    assert _titles(client, "สินเชื่อกลุ่มออมทรัพย์") == [THAI]


def test_at_most_five_the_closest_first(app, client, login, director):
    with app.test_request_context():
        for n in range(6):
            helpers.submit(director, title=f"افتتاح حساب شماره {n}")
    login(director)
    titles = _titles(client, "کندی افتتاح حساب برای تعاونیها")
    assert len(titles) == 5 and titles[0] == PERSIAN


def test_the_ministry_and_branch_staff_who_submit_nothing_are_refused(client, login_as, db):
    for role in ("ministry_official", "branch_staff"):
        login_as(role)
        assert client.get("/feedback/similar", query_string={"title": "حساب"}).status_code \
            == 403
