"""The product page costs the same however large the catalogue (issue 19): the status form and
its list of replacements are built only for who may edit the catalogue, from ids and names
only, in the reader's language."""
import pytest

from portal.products.models import ProductStatus, ProductText
from tests import factories
from tests.products.helpers import NAMES, make_product
from tests.products.test_requests_packages import _Options
from tests.statements import page_statements

pytestmark = pytest.mark.usefixtures("rendered_pages")


def _replacements(page):
    parser = _Options("replaced_by")
    parser.group = ""  # a select without groups: every option in one
    parser.groups[""] = []
    parser.feed(page.text)
    return [(value, label.strip()) for value, label in parser.groups[""]]


def test_replacements_are_named_in_the_readers_language_and_sorted(client, login, db):
    old = make_product("OVERDRAFT-OLD")
    persian = make_product("WC-LOAN", languages=("en", "fa"))
    english_only = make_product("SAFFRON", languages=("en",))
    english_only.texts[0].name = "Agricultural loan for saffron growers"
    unnamed = make_product("NO-NAME", languages=())
    make_product("GONE", status=ProductStatus.WITHDRAWN, languages=("fa",))
    thai_only = make_product("TH-ONLY", languages=())
    thai_only.texts.append(ProductText(locale="th", name=NAMES["th"]))
    db.session.commit()
    login(factories.make_user("administrator", preferred_locale="fa"))
    offered = _replacements(client.get(f"/products/{old.id}"))
    assert offered[0] == ("", "هیچ\u200cکدام")  # "Nothing"
    # the reader's language, else English, else the first language named, else the code;
    # ordered by what the reader reads; neither the offer itself nor a withdrawn one
    assert sorted(offered[1:], key=lambda pair: pair[1].casefold()) == offered[1:]
    assert dict(offered[1:]) == {
        str(persian.id): NAMES["fa"], str(english_only.id): "Agricultural loan for saffron growers",
        str(unnamed.id): "NO-NAME", str(thai_only.id): NAMES["th"]}


def test_readers_who_may_not_edit_get_no_status_form(client, login_as, db):
    product = make_product()
    for n in range(5):
        make_product(f"OTHER-{n}")
    db.session.commit()
    login_as("relationship_manager")
    page, statements = page_statements(client, f"/products/{product.id}")
    assert NAMES["en"] in page.text
    assert 'name="replaced_by"' not in page.text and "Change status" not in page.text
    # no statement reads the other products' names for a list nobody is shown
    assert not any("product.status !=" in s for s in statements), statements


def test_the_editors_product_page_costs_the_same_with_a_larger_catalogue(client, login, db):
    product = make_product()
    make_product("OTHER-0")
    db.session.commit()
    login(factories.make_user("administrator"))
    path = f"/products/{product.id}"
    _page, small = page_statements(client, path)
    for n in range(1, 40):
        make_product(f"OTHER-{n}", languages=("en", "fa") if n % 2 else ("th",))
    db.session.commit()
    page, large = page_statements(client, path)
    assert len(_replacements(page)) == 41  # "nothing" and the forty others
    assert len(large) == len(small), "\n".join(large)
