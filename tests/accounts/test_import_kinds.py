"""The organisation import reads kinds as people write them (the code, the label in any of the
portal's languages, the usual short forms), lists the kinds in the reader's language when it
refuses one, and its template is a district of the ratings case that imports cleanly."""
import io

import pytest
import sqlalchemy as sa

from portal.accounts import importing
from portal.accounts.models import Organisation, OrgKind
from portal.indicators import importing as indicator_importing

HEADER = "code,name,name_en,kind,parent_code,country,province,district,commune,currency\n"


def _upload(client, content, filename="organisations.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/organisations/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _kind(db, code):
    return db.session.scalar(sa.select(Organisation.kind).where(Organisation.code == code))


@pytest.mark.parametrize(("written", "kind"), [
    ("Tổ TK&VV", OrgKind.SAVINGS_GROUP),
    ("tổ tk&vv", OrgKind.SAVINGS_GROUP),
    ("To TK&VV", OrgKind.SAVINGS_GROUP),                       # typed without accents
    ("Tổ tiết kiệm và vay vốn", OrgKind.SAVINGS_GROUP),        # the vi label
    ("گروه پس‌انداز و وام", OrgKind.SAVINGS_GROUP),             # the fa label
    ("گروه پس انداز و اعتبار", OrgKind.SAVINGS_GROUP),          # a usual fa form, no ZWNJ
    ("گروه پس‌انداز و اعتبار", OrgKind.SAVINGS_GROUP),
    ("กลุ่มออมทรัพย์และสินเชื่อ", OrgKind.SAVINGS_GROUP),          # the th label
    ("Savings-and-loan group", OrgKind.SAVINGS_GROUP),         # the en label
    ("SAVINGS_GROUP", OrgKind.SAVINGS_GROUP),
    ("Tổ chức chính trị - xã hội", OrgKind.MASS_ORGANISATION),
    ("Tổ chức nhận ủy thác", OrgKind.MASS_ORGANISATION),
    ("องค์กรมวลชน", OrgKind.MASS_ORGANISATION),
    ("Phòng giao dịch", OrgKind.SPECIALISED_BRANCH),
    ("شعبه ویژه", OrgKind.SPECIALISED_BRANCH),
    ("Hội sở chính Ngân hàng", OrgKind.BANK_HEAD_OFFICE),
    ("تعاونی", OrgKind.COOPERATIVE),
    ("HTX", OrgKind.COOPERATIVE),
])
def test_kinds_are_read_in_every_language(client, login_as, db, written, kind):
    login_as("administrator")
    response = _upload(client, HEADER + f"T-ORG-1,Tổ số 1,,{written},,VN,Hà Nam,Kim Bảng,Quế,"
                                        "VND\n")
    assert response.status_code == 302, response.text[-2000:]
    assert _kind(db, "T-ORG-1") == kind


def test_no_spelling_means_two_kinds_or_two_grades(app):
    with app.test_request_context():
        words = importing.KINDS.words()
        assert set(words.values()) == set(OrgKind)
        assert len(indicator_importing.GRADES.words()) >= 4 * 4
        indicator_importing.INDICATORS.words()


def test_an_unknown_kind_is_refused_with_the_kinds_listed(client, login_as, db):
    login_as("administrator")
    response = _upload(client, HEADER + "T-ORG-1,Quỹ tín dụng,,quỹ tín dụng,,VN,Hà Nam,,,VND\n")
    assert response.status_code == 400
    assert "“quỹ tín dụng” is not a kind of organisation; write one of: " in response.text
    assert "Savings-and-loan group (savings_group)" in response.text
    assert "Mass organisation (mass_organisation)" in response.text
    assert _kind(db, "T-ORG-1") is None


def test_the_refusal_is_in_the_readers_language(client, login_as, db):
    login_as("administrator", preferred_locale="vi")
    response = _upload(client, HEADER + "T-ORG-1,Quỹ tín dụng,,quỹ tín dụng,,VN,Hà Nam,,,VND\n")
    assert response.status_code == 400
    assert "Tổ tiết kiệm và vay vốn (savings_group)" in response.text
    assert "Tổ chức chính trị - xã hội (mass_organisation)" in response.text
    assert "is not a kind of organisation" not in response.text   # the sentence is in vi too


def test_the_import_page_lists_the_kinds_in_the_readers_language(client, login_as):
    login_as("administrator", preferred_locale="vi")
    page = client.get("/organisations/import").text
    assert "Tổ tiết kiệm và vay vốn" in page and "savings_group" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_is_a_ratings_district_that_imports_cleanly(client, login_as, db, fmt):
    login_as("administrator")
    template = client.get(f"/organisations/import/template.{fmt}")
    assert template.status_code == 200
    response = _upload(client, template.data, f"organisations.{fmt}")
    assert response.status_code == 302, response.text[-2000:]
    by_code = {o.code: o for o in db.session.scalars(sa.select(Organisation).where(
        Organisation.code.in_([row[0] for row in importing.EXAMPLE_ROWS])))}
    assert {code: (o.kind, o.parent.code if o.parent else None) for code, o in by_code.items()} \
        == {"VBSP-HO": (OrgKind.BANK_HEAD_OFFICE, None),
            "VBSP-KB": (OrgKind.SPECIALISED_BRANCH, "VBSP-HO"),
            "VBSP-KB-DGD01": (OrgKind.SPECIALISED_BRANCH, "VBSP-KB"),
            "VN-KB-WU": (OrgKind.MASS_ORGANISATION, None),
            "VN-KB-G0101": (OrgKind.SAVINGS_GROUP, "VN-KB-WU")}
    assert by_code["VBSP-KB"].district == "Kim Bảng" and by_code["VBSP-KB"].commune is None
    assert by_code["VBSP-KB-DGD01"].commune == "Quế"
    again = _upload(client, template.data, f"organisations.{fmt}")
    assert again.status_code == 302
    assert "0 new, 0 updated, 5 unchanged" in client.get("/organisations/").text

