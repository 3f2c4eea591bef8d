"""Search keys follow the rows they describe without any service asking (portal.core.search):
what a list filter finds changes as soon as a name is written, created or edited."""
import sqlalchemy as sa

from portal.accounts import services as accounts
from portal.accounts.models import Organisation, User
from portal.core.textnorm import matches_all_words
from tests.factories import make_org, make_user
from tests.products.helpers import make_product


def _codes(db, words):
    return set(db.session.scalars(sa.select(Organisation.code).where(
        matches_all_words(Organisation.search_key, words))))


ORGANISATION = {"code": "KB-HND", "name": "Hội Nông dân huyện Kim Bảng",
                "name_en": "Kim Bang District Farmers' Union", "kind": "mass_organisation",
                "country": "VN", "currency": "VND", "province": "Hà Nam",
                "district": "Kim Bảng", "commune": None}


def test_an_organisation_created_and_renamed_through_the_service_is_found_by_its_new_name(db):
    admin = make_user("administrator")
    org = accounts.save_organisation(admin, dict(ORGANISATION))
    db.session.commit()
    assert _codes(db, "kim bang nong dan") == {"KB-HND"}  # accents and case folded
    assert _codes(db, "ha nam") == {"KB-HND"}
    renamed = {"name": "Hội Nông dân huyện Thanh Liêm", "district": "Thanh Liêm",
               "name_en": "Thanh Liem District Farmers' Union"}
    accounts.save_organisation(admin, ORGANISATION | renamed, org=org,
                               expected_version=org.version_id)
    db.session.commit()
    assert _codes(db, "thanh liem") == {"KB-HND"}
    assert _codes(db, "kim bang") == set()


def test_a_person_is_found_by_the_name_and_address_last_written(db):
    admin = make_user("administrator")
    user = accounts.create_user(admin, email="ngo.thi.hoa@kimbang.example",
                                full_name="Ngô Thị Hoa", organisation=make_org(),
                                role="union_director", invite=False)
    db.session.commit()
    assert user.search_key == "ngo thi hoa ngo.thi.hoa@kimbang.example"
    accounts.update_user(admin, user, expected_version=user.version_id,
                         email="hoa.ngo@kimbang.example", full_name="Ngô Thị Hòa",
                         preferred_locale="vi")
    db.session.commit()
    found = db.session.scalars(sa.select(User.email).where(
        matches_all_words(User.search_key, "hoa.ngo"))).all()
    assert found == ["hoa.ngo@kimbang.example"]


def test_a_product_name_edited_in_one_language_changes_the_products_key(db):
    product = make_product(languages=("en", "vi"))
    db.session.commit()
    assert "von luu dong" in product.search_key
    vietnamese = next(t for t in product.texts if t.locale == "vi")
    vietnamese.name = "Khoản vay mua máy nông nghiệp"  # only the text row changes
    db.session.commit()
    assert "may nong nghiep" in product.search_key and "von luu dong" not in product.search_key
    product.texts.remove(vietnamese)
    db.session.commit()
    assert "nong nghiep" not in product.search_key
    assert product.search_key.startswith("wc-loan working-capital loan")
