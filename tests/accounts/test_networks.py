"""One bank's network: people see their own network, and a portal-wide administrator chooses.

Two networks as in the demo data: the Iranian cooperative development bank with its unions and
ministry, and the Vietnamese social policy bank's Kim Bảng office with its mass organisations and
savings groups. Nobody of one reads anything of the other: lists, searches, pickers, pages by id.
"""
from datetime import datetime

import pytest
import sqlalchemy as sa

from portal.accounts.models import Organisation, OrgKind
from portal.extensions import db
from portal.meetings import services as meeting_services
from tests import factories
from tests.branches.helpers import make_branch
from tests.feedback import helpers as feedback_helpers
from tests.products.helpers import make_product

VN_TITLE = "Tổ tiết kiệm cần vay thêm vốn sản xuất"
IR_TITLE = "کندی افتتاح حساب برای تعاونی‌ها"


@pytest.fixture(autouse=True)
def request_context(app, db):
    with app.test_request_context(base_url="http://portal.test"):
        yield


class TwoNetworks:
    def __init__(self):
        make_org = factories.make_org
        self.cdb = make_org(OrgKind.BANK_HEAD_OFFICE, name="بانک توسعه تعاون")
        self.union = make_org(OrgKind.NATIONAL_UNION)
        self.ministry = make_org(OrgKind.MINISTRY)
        self.vbsp = make_org(OrgKind.BANK_HEAD_OFFICE, name="Ngân hàng Chính sách xã hội",
                             country="VN", currency="VND")
        self.women = make_org(OrgKind.MASS_ORGANISATION, name="Hội Liên hiệp Phụ nữ Kim Bảng")
        self.group = make_org(OrgKind.SAVINGS_GROUP, parent=self.women,
                              name="Tổ TK&VV số 1 xã Ba Sao")
        self.ir_director = factories.make_user("union_director", self.union)
        self.ir_manager = factories.make_user("relationship_manager",
                                              make_org(OrgKind.SPECIALISED_BRANCH,
                                                       parent=self.cdb))
        self.ir_manager.portfolio = [self.union]
        self.official = factories.make_user("ministry_official", self.ministry)
        self.vn_director = factories.make_user("union_director", self.women)
        self.vn_manager = factories.make_user(
            "relationship_manager", make_org(OrgKind.SPECIALISED_BRANCH, parent=self.vbsp,
                                             name="Phòng giao dịch Kim Bảng", country="VN",
                                             currency="VND"))
        self.vn_manager.portfolio = [self.women]
        db.session.commit()
        self.ir_item = feedback_helpers.submit(self.ir_director, title=IR_TITLE)
        self.vn_item = feedback_helpers.submit(self.vn_director, title=VN_TITLE,
                                               concerns="Phòng giao dịch Kim Bảng")
        self.vn_meeting = meeting_services.plan_meeting(
            self.vn_manager, kind="periodic_group_meeting", series=None,
            title="Sinh hoạt tổ tháng 8", starts_local=datetime(2025, 8, 20, 8),
            ends_local=datetime(2025, 8, 20, 10), timezone="Asia/Ho_Chi_Minh",
            place="Nhà văn hóa thôn", online_link=None, host_organisation=self.vn_manager
            .organisations[0], chair=None, chair_name=None, recorder=self.vn_manager,
            confidential=False)
        self.vn_branch = make_branch(name="Phòng giao dịch xã Ba Sao", country="VN")
        self.vn_product = make_product("VN-POOR-LOAN", currency="VND", languages=("en",))
        self.ir_product = make_product("WC-LOAN", languages=("en", "fa"))
        db.session.commit()


def test_every_organisation_is_given_the_network_of_its_bank():
    world = TwoNetworks()
    assert world.cdb.network_id == world.cdb.id
    assert world.union.network_id == world.cdb.id           # no parent: its country's bank
    assert world.ministry.network_id == world.cdb.id
    assert world.group.network_id == world.vbsp.id          # under the Women's Union
    assert world.vn_branch.organisation.network_id == world.vbsp.id
    assert world.vn_product.network_id == world.vbsp.id     # offered in dong: the VBSP's
    assert world.ir_product.network_id == world.cdb.id


def test_a_head_office_created_later_takes_in_the_organisations_waiting_for_it():
    union = factories.make_org(OrgKind.NATIONAL_UNION, country="TH", currency="THB")
    db.session.commit()
    assert union.network_id is None
    baac = factories.make_org(OrgKind.BANK_HEAD_OFFICE, name="ธ.ก.ส.", country="TH",
                              currency="THB")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Organisation, union.id).network_id == baac.id


def test_moving_an_organisation_moves_its_members_to_the_new_network():
    world = TwoNetworks()
    coop = factories.make_org(OrgKind.COOPERATIVE, parent=world.union)
    db.session.commit()
    assert coop.network_id == world.cdb.id
    world.union.parent = world.vbsp
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Organisation, coop.id).network_id == world.vbsp.id


def test_a_persian_director_sees_nothing_of_the_vietnamese_network(client, login):
    world = TwoNetworks()
    login(world.ir_director)
    for path, own, other in (
            ("/feedback/", IR_TITLE, VN_TITLE),
            ("/feedback/?q=vay", None, VN_TITLE),
            ("/meetings/", None, "Sinh hoạt tổ tháng 8"),
            ("/branches/", None, "Phòng giao dịch xã Ba Sao"),
            ("/organisations/lookup?q=Ba%20Sao", None, "Ba Sao")):
        page = client.get(path)
        assert page.status_code == 200, path
        assert other not in page.text, path
        if own:
            assert own in page.text, path
    products = client.get("/products/").text
    assert f"/products/{world.ir_product.id}" in products
    assert f"/products/{world.vn_product.id}" not in products
    for path in (f"/feedback/{world.vn_item.id}", f"/meetings/{world.vn_meeting.id}",
                 f"/branches/{world.vn_branch.id}", f"/products/{world.vn_product.id}",
                 f"/organisations/{world.group.id}"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("who", ["ir_manager", "official"])
def test_the_bank_and_the_ministry_read_their_own_network_only(client, login, who):
    world = TwoNetworks()
    login(getattr(world, who))
    listing = client.get("/feedback/").text
    assert IR_TITLE in listing and VN_TITLE not in listing
    assert client.get(f"/feedback/{world.vn_item.id}").status_code == 404
    assert client.get(f"/meetings/{world.vn_meeting.id}").status_code == 404
    organisations = client.get("/organisations/?q=Ba%20Sao").text
    assert "Tổ TK&amp;VV số 1" not in organisations and "Tổ TK&VV số 1" not in organisations


def test_the_vietnamese_manager_sees_the_vietnamese_network(client, login):
    world = TwoNetworks()
    login(world.vn_manager)
    listing = client.get("/feedback/").text
    assert VN_TITLE in listing and IR_TITLE not in listing
    assert client.get(f"/meetings/{world.vn_meeting.id}").status_code == 200
    assert client.get(f"/feedback/{world.ir_item.id}").status_code == 404


def test_a_portal_wide_administrator_looks_at_all_networks_or_chooses_one(client, login_as):
    world = TwoNetworks()
    login_as("administrator", world.cdb)
    both = client.get("/feedback/").text
    assert IR_TITLE in both and VN_TITLE in both
    assert "All networks" in both                      # the page says what is shown
    chosen = client.post("/network", data={"network": str(world.vbsp.id), "next": "/feedback/"})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/feedback/")
    vietnamese = client.get("/feedback/").text
    assert VN_TITLE in vietnamese and IR_TITLE not in vietnamese
    assert "Ngân hàng Chính sách xã hội" in vietnamese
    assert client.get(f"/feedback/{world.ir_item.id}").status_code == 404
    client.post("/network", data={"network": ""})
    assert IR_TITLE in client.get("/feedback/").text


def test_nobody_else_may_choose_another_banks_network(client, login):
    world = TwoNetworks()
    login(world.ir_director)
    refused = client.post("/network", data={"network": str(world.vbsp.id)})
    assert refused.status_code == 400
    assert VN_TITLE not in client.get("/feedback/").text
    assert client.post("/network", data={"network": ""}).status_code == 400
    assert client.post("/network", data={"network": "9" * 40}).status_code == 400


def test_administrators_manage_the_people_of_the_network_they_look_at(client, login_as):
    world = TwoNetworks()
    login_as("administrator", world.cdb)
    client.post("/network", data={"network": str(world.cdb.id)})
    people = client.get("/admin/users/").text
    assert world.ir_director.email in people and world.vn_director.email not in people


def test_counts_of_rows_in_each_network():
    world = TwoNetworks()
    counts = dict(db.session.execute(sa.select(Organisation.network_id, sa.func.count())
                                     .group_by(Organisation.network_id)).all())
    assert set(counts) == {world.cdb.id, world.vbsp.id}
