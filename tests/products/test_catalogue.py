"""The catalogue as people use it: who sees what, editing rules, conflicts, translations."""
from decimal import Decimal

import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.core.errors import ValidationError
from portal.products import services
from portal.products.models import Product, ProductStatus
from tests.factories import make_user
from tests.products.helpers import NAMES, make_package, make_product


def _form(product=None, **changes):
    data = {"code": "WC-LOAN", "category": "loan", "currency": "IRR", "kinds": ["cooperative"],
            "sectors": ["handicrafts"], "min_amount": "500000000",
            "max_amount": "50000000000", "min_tenor_months": "6", "max_tenor_months": "36",
            "rate_percent": "18", "target_days": "", "planned_launch": "",
            "name_en": NAMES["en"], "description_en": "For raw materials and wages.",
            "name_fa": NAMES["fa"], "description_fa": "برای مواد اولیه و دستمزد."}
    if product is not None:
        data["version_id"] = product.version_id
        data["code"] = product.code
    data.update(changes)
    return data


def test_union_directors_see_only_available_products(client, login_as, db):
    make_product("WC-LOAN", languages=("en",))
    make_product("DRAFT-LOAN", status=ProductStatus.DRAFT, languages=())
    designed = make_product("SAFFRON", status=ProductStatus.IN_DESIGN, languages=())
    db.session.commit()
    login_as("union_director")
    listing = client.get("/products/")
    assert NAMES["en"] in listing.text
    assert "DRAFT-LOAN" not in listing.text and "SAFFRON" not in listing.text
    assert client.get(f"/products/{designed.id}").status_code == 404
    assert client.get("/products/roadmap").status_code == 403
    assert client.get("/products/?status=in_design").text.count("SAFFRON") == 0


def test_the_ministry_reads_the_whole_catalogue_but_cannot_change_it(client, login_as, db):
    designed = make_product("SAFFRON", status=ProductStatus.IN_DESIGN, languages=("en",))
    db.session.commit()
    login_as("ministry_official")
    assert client.get("/products/roadmap").status_code == 200
    assert NAMES["en"] in client.get("/products/roadmap").text
    assert client.post(f"/products/{designed.id}/edit",
                       data=_form(designed, name_en="Changed")).status_code == 403
    assert client.post(f"/products/{designed.id}/status",
                       data={"status": "available"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Product, designed.id).status == ProductStatus.IN_DESIGN


def test_admin_creates_a_product_in_draft_with_texts_and_audiences(client, login_as, db):
    login_as("administrator")
    response = client.post("/products/new", data=_form())
    assert response.status_code == 302
    product = db.session.scalar(sa.select(Product))
    assert product.status == ProductStatus.DRAFT
    assert product.name_in("fa") == NAMES["fa"]
    page = client.get(response.headers["Location"])
    assert "Handicrafts" in page.text and "Cooperative" in page.text


def test_a_reversed_amount_range_is_refused_and_the_form_keeps_the_input(client, login_as, db):
    login_as("administrator")
    response = client.post("/products/new", data=_form(min_amount="9000000000",
                                                       max_amount="100000000",
                                                       rate_text_fa="۱۸ درصد سالانه"))
    assert response.status_code == 400
    assert "The largest amount must not be smaller than the smallest." in response.text
    assert "۱۸ درصد سالانه" in response.text and "9000000000" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 0


def test_a_reversed_term_is_refused(client, login_as, db):
    login_as("administrator")
    response = client.post("/products/new", data=_form(min_tenor_months="36",
                                                       max_tenor_months="6"))
    assert response.status_code == 400
    assert "The longest term must not be shorter than the shortest." in response.text


def test_a_product_needs_a_name_in_some_language(client, login_as, db):
    login_as("administrator")
    response = client.post("/products/new", data=_form(name_en="", name_fa=""))
    assert response.status_code == 400
    assert "Give the name in at least one language." in response.text


def test_editing_a_withdrawn_product_is_refused_and_keeps_what_was_typed(client, login_as, db):
    product = make_product("OLD-OVERDRAFT", status=ProductStatus.WITHDRAWN)
    db.session.commit()
    login_as("administrator")
    page = client.get(f"/products/{product.id}/edit")
    assert "has been withdrawn and can no longer be edited" in page.text
    response = client.post(f"/products/{product.id}/edit",
                           data=_form(product, name_en="Overdraft, new terms"))
    assert response.status_code == 400
    assert "has been withdrawn and can no longer be edited" in response.text
    assert "Overdraft, new terms" in response.text
    db.session.expire_all()
    assert db.session.get(Product, product.id).name_in("en") == NAMES["en"]


def test_a_stale_edit_gets_409_and_the_other_change_is_kept(client, login_as, db):
    product = make_product()
    db.session.commit()
    login_as("administrator")
    stale = _form(product, name_en="Loan for carpet weavers")
    first = client.post(f"/products/{product.id}/edit", data=_form(product, name_en="First"))
    assert first.status_code == 302
    second = client.post(f"/products/{product.id}/edit", data=stale)
    assert second.status_code == 409
    assert "Loan for carpet weavers" in second.text  # still in the form
    db.session.expire_all()
    assert db.session.get(Product, product.id).name_in("en") == "First"


def test_a_missing_translation_falls_back_visibly_and_editors_see_what_is_missing(
        client, login_as, db):
    product = make_product(languages=("en", "fa"))
    db.session.commit()
    login_as("union_director", preferred_locale="th")
    page = client.get(f"/products/{product.id}")
    assert NAMES["en"] in page.text
    assert 'lang="en"' in page.text  # marked as English inside a Thai page
    assert "English" in page.text  # the badge names the language shown
    assert "missing in" not in page.text  # only editors are told
    login_as("administrator", preferred_locale="en")
    page = client.get(f"/products/{product.id}")
    assert "Names missing in 2 languages: Tiếng Việt, ไทย" in page.text
    login_as("union_director", preferred_locale="fa")
    page = client.get(f"/products/{product.id}")
    assert NAMES["fa"] in page.text and "in English" not in page.text


def test_status_moves_follow_the_lifecycle_and_stamp_availability_once(client, login_as, db):
    product = make_product(status=ProductStatus.DRAFT)
    db.session.commit()
    admin = login_as("administrator")
    def seen(status):  # the page's form carries the version it shows
        return {"status": status, "version_id": db.session.get(Product, product.id).version_id}

    refused = client.post(f"/products/{product.id}/status", data=seen("available"),
                          follow_redirects=True)
    assert "cannot go from" in refused.text
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == ProductStatus.DRAFT
    assert client.post(f"/products/{product.id}/status",
                       data=seen("in_design")).status_code == 302
    assert client.post(f"/products/{product.id}/status",
                       data=seen("available")).status_code == 302
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert product.status == ProductStatus.AVAILABLE and product.available_since is not None
    stamped = product.available_since
    # Already available: nothing happens a second time.
    assert services.set_status(admin, product, ProductStatus.AVAILABLE) is False
    assert product.available_since == stamped
    moves = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "status_changed")).all()
    assert [m.after["status"] for m in moves] == ["in_design", "available"]


def test_set_status_reports_the_first_availability_only(db):
    admin = make_user("administrator")
    product = make_product(status=ProductStatus.IN_DESIGN)
    assert services.set_status(admin, product, ProductStatus.AVAILABLE) is True
    services.set_status(admin, product, ProductStatus.WITHDRAWN)
    try:
        services.set_status(admin, product, ProductStatus.AVAILABLE)
    except ValidationError as error:
        assert "cannot go from" in error.message
    else:
        raise AssertionError("a withdrawn product became available again")


def test_a_package_shows_its_conditions_and_hides_products_a_director_may_not_see(
        client, login_as, db):
    available = make_product("WC-LOAN")
    designed = make_product("SAFFRON", status=ProductStatus.IN_DESIGN, languages=("fa",))
    package = make_package(products=[available, designed], max_overdue_percent=Decimal("5"),
                           requires_audited_accounts=True)
    db.session.commit()
    login_as("union_director")
    page = client.get(f"/products/packages/{package.id}")
    assert page.status_code == 200
    assert "At least 7 members." in page.text and "Audited accounts" in page.text
    assert "5%" in page.text
    assert NAMES["en"] in page.text and NAMES["fa"] not in page.text


def test_the_rate_in_words_is_shown_in_the_readers_language(client, login_as, db):
    login_as("administrator")
    response = client.post("/products/new", data=_form(
        rate_percent="", rate_text_en="0.5% of the guaranteed amount per quarter",
        rate_text_fa="۰٫۵٪ مبلغ ضمانت‌نامه در هر سه ماه"))
    assert response.status_code == 302
    product = db.session.scalar(sa.select(Product))
    product.status = ProductStatus.AVAILABLE
    db.session.commit()
    english = client.get(f"/products/{product.id}").text
    assert "0.5% of the guaranteed amount per quarter" in english
    assert "مبلغ ضمانت‌نامه" not in english
    login_as("union_director", preferred_locale="fa")
    persian = client.get(f"/products/{product.id}").text
    assert "۰٫۵٪ مبلغ ضمانت‌نامه در هر سه ماه" in persian
    assert "of the guaranteed amount" not in persian
    # a language with no words of its own shows the English ones, as the name does
    login_as("union_director", preferred_locale="th")
    assert "0.5% of the guaranteed amount per quarter" in client.get(
        f"/products/{product.id}").text
