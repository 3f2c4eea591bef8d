import pytest
import sqlalchemy as sa

from portal.accounts.models import Organisation, OrgKind
from portal.demo import data
from tests import factories


@pytest.fixture()
def kim_bang(db):
    """The Kim Bang district office, its four mass organisations and 213 groups in 18
    communes, as in the demo network (seed 003)."""
    office = factories.make_org(OrgKind.SPECIALISED_BRANCH, code="VBSP-KB",
                                name="Phòng giao dịch NHCSXH huyện Kim Bảng", country="VN",
                                currency="VND", province="Hà Nam", district="Kim Bảng")
    unions = [factories.make_org(OrgKind.MASS_ORGANISATION, code=code, province="Hà Nam",
                                 district="Kim Bảng") for (code,) in data.MASS_ORGANISATIONS]
    rows = []
    for commune_no, commune in enumerate(data.KIM_BANG_COMMUNES):
        for group_no in range(data.groups_in_commune(commune_no)):
            rows.append({
                "code": f"VN-KB-G{commune_no + 1:02d}{group_no + 1:02d}",
                "name": f"Tổ TK&VV số {group_no + 1} xã {commune}", "kind": "savings_group",
                "parent_id": unions[(commune_no + group_no) % 4].id, "country": "VN",
                "currency": "VND", "province": "Hà Nam", "district": "Kim Bảng",
                "commune": commune, "search_key": "", "version_id": 1})
    factories.db.session.execute(sa.insert(Organisation), rows)
    factories.db.session.commit()
    groups = factories.db.session.execute(sa.select(Organisation.code, Organisation.commune)
                                          .where(Organisation.kind == OrgKind.SAVINGS_GROUP)
                                          .order_by(Organisation.code)).all()
    return office, unions, [tuple(g) for g in groups]
