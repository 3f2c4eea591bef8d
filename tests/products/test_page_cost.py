"""The product page costs the same however large the catalogue (issue 19): the status form and
its list of replacements are built only for who may edit the catalogue, from ids and names
only, in the reader's language."""

from portal.products.models import ProductStatus, ProductText
from tests import factories
from tests.products.helpers import NAMES, make_product
from tests.products.test_requests_packages import _Options
from tests.statements import page_statements


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


def test_the_list_names_a_few_branches_the_readers_province_first(client, login_as, db):
    from portal.accounts.models import OrgKind
    from tests.branches.helpers import make_branch

    product = make_product()
    branches = [make_branch(name=f"شعبه ویژه تعاون {n}", province=province)
                for n, province in enumerate(("تهران", "تهران", "فارس", "یزد", "اصفهان"))]
    for branch in branches:
        branch.products.append(product)
    union = factories.make_org(OrgKind.NATIONAL_UNION, province="یزد")
    db.session.commit()
    yazd_branch = branches[3].id
    login_as("union_director", union)
    page, statements = page_statements(client, "/products/")
    row = page.text.split(NAMES["en"], 1)[1].split("</tr>", 1)[0]
    # the reader's province first, then by name; three named and the rest counted
    assert row.index("شعبه ویژه تعاون 3") < row.index("شعبه ویژه تعاون 0") \
        < row.index("شعبه ویژه تعاون 1")
    assert "(<bdi>یزد</bdi>)" in row and "and 2 more" in row and "شعبه ویژه تعاون 4" not in row
    assert f'href="/branches/{yazd_branch}"' in row
    # where it is offered comes as names and places, not as branches with their organisations
    assert not any(s.lstrip().startswith("SELECT branch_product.product_id, branch.id, branch.")
                   for s in statements), statements
