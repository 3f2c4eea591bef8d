"""The delivery form among thousands of unions (issue 19): the organisations served come first
in a short list, a search box replaces the list beyond ORG_PICKER_FROM (typing "Name (CODE)"
works without JavaScript), the page costs the same however many organisations the country
has, and an organisation the branch may not serve is refused, by the form and by the service."""
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.branches import services
from portal.branches.models import Branch, ServiceDelivery
from portal.core.errors import ValidationError
from portal.extensions import db as _db
from tests.branches.helpers import make_branch, make_staff
from tests.branches.test_deliveries import _delivery_form
from tests.factories import make_org
from tests.products.helpers import NAMES, make_product
from tests.statements import page_statements

CARPETS = "اتحادیه سراسری تعاونی‌های فرش دستباف روستایی"


@pytest.fixture()
def many(app):
    """Pretend the country is large: more than three organisations to choose from."""
    before = app.config["ORG_PICKER_FROM"]
    app.config["ORG_PICKER_FROM"] = 3
    yield
    app.config["ORG_PICKER_FROM"] = before


def _deliveries():
    return _db.session.scalar(sa.select(sa.func.count()).select_from(ServiceDelivery))


def _options(page):
    select = re.search(r'<select[^>]*id="organisation_id".*?</select>', page, re.S).group(0)
    return re.findall(r'<option[^>]*value="(\d*)"', select)


def test_served_organisations_come_first_and_others_of_the_country_follow(client, login, db):
    branch = make_branch()
    near = make_org(OrgKind.NATIONAL_UNION, name="اتحادیه الف")
    served = make_org(OrgKind.COOPERATIVE, name="تعاونی ی")
    branch.served_organisations = [served]
    abroad = make_org(OrgKind.NATIONAL_UNION, name="Liên minh HTX", country="VN")
    closed = make_org(OrgKind.NATIONAL_UNION, name="اتحادیه ب", is_active=False)
    db.session.commit()
    login(make_staff(branch))
    options = _options(client.get(f"/branches/{branch.id}/deliveries/new").text)
    assert options[:3] == ["", str(served.id), str(near.id)]
    assert str(abroad.id) not in options and str(closed.id) not in options
    assert str(branch.organisation_id) not in options  # a branch is not a customer


@pytest.mark.parametrize("choose", ["abroad", "closed", "bank office"])
def test_an_organisation_the_branch_may_not_serve_is_refused(client, login, db, choose):
    branch = make_branch()
    product = make_product()
    others = {
        "abroad": make_org(OrgKind.NATIONAL_UNION, name="Liên minh HTX", country="VN"),
        "closed": make_org(OrgKind.NATIONAL_UNION, is_active=False),
        "bank office": branch.organisation,
    }
    db.session.commit()
    login(make_staff(branch))
    refused = client.post(f"/branches/{branch.id}/deliveries/new",
                          data=_delivery_form(others[choose], product))
    assert refused.status_code == 400
    assert "وام سرمایه در گردش برای خرید پشم" in refused.text  # what was typed is kept
    assert _deliveries() == 0


def test_the_service_refuses_an_organisation_the_branch_may_not_serve(app, db):
    branch = make_branch()
    product = make_product()
    abroad = make_org(OrgKind.NATIONAL_UNION, country="VN")
    staff = make_staff(branch)
    data = {"organisation_id": abroad.id, "product_id": product.id,
            "requested_on": services.clock.local_today("Asia/Tehran")}
    with app.test_request_context(), pytest.raises(ValidationError) as refused:
        services.log_delivery(staff, branch, data)
    assert refused.value.details["field"] == "organisation_id"
    db.session.rollback()
    assert _deliveries() == 0


def test_many_organisations_become_a_search_box_that_works_without_javascript(
        client, login, db, many):
    branch = make_branch()
    product = make_product()
    carpets = make_org(OrgKind.NATIONAL_UNION, name=CARPETS, code="IR-UN-CARP")
    for n in range(4):
        make_org(OrgKind.COOPERATIVE, name=f"تعاونی {n}")
    abroad = make_org(OrgKind.NATIONAL_UNION, name="Liên minh HTX", code="VN-LM", country="VN")
    db.session.commit()
    login(make_staff(branch))
    page = client.get(f"/branches/{branch.id}/deliveries/new").text
    box = re.search(r'<input[^>]*\bid="organisation_id"[^>]*>', page)
    assert box and 'data-org-lookup="/organisations/lookup"' in box.group(0)
    assert "IR-UN-CARP" not in page  # no organisation is sent with the page
    refused = client.post(f"/branches/{branch.id}/deliveries/new",
                          data=_delivery_form(abroad, product, organisation_id="VN-LM"))
    assert refused.status_code == 400 and 'value="VN-LM"' in refused.text
    saved = client.post(f"/branches/{branch.id}/deliveries/new",
                        data=_delivery_form(carpets, product,
                                            organisation_id=f"{CARPETS} (IR-UN-CARP)"))
    assert saved.status_code == 302
    assert db.session.scalar(sa.select(ServiceDelivery.organisation_id)) == carpets.id


def test_the_form_costs_the_same_however_many_organisations_and_products(client, login, db):
    branch = make_branch()
    make_product()
    make_org(OrgKind.NATIONAL_UNION)
    db.session.commit()
    login(make_staff(branch))
    branch_id = branch.id
    path = f"/branches/{branch_id}/deliveries/new"
    _page, small = page_statements(client, path)
    for n in range(40):
        make_org(OrgKind.COOPERATIVE, name=f"تعاونی {n}")
        make_product(f"LOAN-{n}")
    branch = db.session.get(Branch, branch_id)
    branch.served_organisations = [make_org(OrgKind.NATIONAL_UNION) for _n in range(5)]
    db.session.commit()
    page, large = page_statements(client, path)
    assert len(_options(page.text)) == 1 + 1 + 40 + 5
    assert len(large) == len(small), "\n".join(large)
    # the products' choices are ids, codes and names: not every product with its audiences
    assert not any("product_org_kind" in s or "product_sector" in s for s in large), large


def test_the_products_offered_follow_the_catalogue_at_once(client, login, db):
    branch = make_branch()
    product = make_product()
    db.session.commit()
    login(make_staff(branch, preferred_locale="fa"))
    path = f"/branches/{branch.id}/deliveries/new"
    assert NAMES["fa"] in client.get(path).text
    client.get(path)  # kept by the process now
    product.texts[1].name = "تسهیلات سرمایه در گردش (شرایط نو)"
    newer = make_product("WC-LOAN-2", languages=("en",))
    db.session.commit()
    page = client.get(path).text
    assert "تسهیلات سرمایه در گردش (شرایط نو) (WC-LOAN)" in page
    assert f"{NAMES['en']} (WC-LOAN-2)" in page and str(newer.id) in page
