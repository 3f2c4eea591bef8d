"""From product request to product: linked by the owner, told once when it becomes available,
and the demand shown on the product page and the roadmap."""
import sqlalchemy as sa

from portal.core.notify import Notification
from portal.feedback import offers, services
from portal.products import services as product_services
from portal.products.models import ProductStatus
from tests import factories
from tests.feedback import helpers
from tests.products.helpers import make_product


def _available_notes(db, user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.kind == "product_available"))


def test_requesters_are_told_exactly_once_when_the_product_becomes_available(
        client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    other_union, other_director, _m = helpers.union_with_manager("اتحادیه فرش")
    product = make_product(code="CARPET-WC", status=ProductStatus.IN_DESIGN)
    db.session.commit()
    with app.test_request_context():
        item = helpers.submit(director, kind="product_request")
        services.endorse(other_director, item, other_union, "ما هم نیاز داریم")
        db.session.commit()
    login(manager)
    response = client.post(f"/feedback/{item.id}/product", data={"product_id": product.id})
    assert response.status_code == 302
    admin = factories.make_user("administrator")
    with app.test_request_context():
        product_services.set_status(admin, product, ProductStatus.AVAILABLE)
        product_services.set_status(admin, product, ProductStatus.WITHDRAWN)
        db.session.commit()
    assert _available_notes(db, director) == 1
    assert _available_notes(db, other_director) == 1
    login(director)
    page = client.get(f"/feedback/{item.id}")
    assert "Answered by the product" in page.text


def test_the_product_page_and_roadmap_show_the_demand_behind_it(client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    product = make_product(code="CARPET-WC2", status=ProductStatus.IN_DESIGN)
    db.session.commit()
    with app.test_request_context():
        item = helpers.submit(director, kind="product_request", title="وام خرید مواد اولیه")
        offers.link_product(manager, item, product)
        db.session.commit()
    login(factories.make_user("ministry_official"))
    assert "وام خرید مواد اولیه" in client.get(f"/products/{product.id}").text
    roadmap = client.get("/products/roadmap").text
    assert "CARPET-WC2" in roadmap or "Working-capital" in roadmap
    assert "1 · 0" in roadmap


def test_only_the_owner_links_and_only_product_requests(client, login, db, app):
    _union, director, manager = helpers.union_with_manager()
    product = make_product(code="CARPET-WC3")
    db.session.commit()
    with app.test_request_context():
        critique = helpers.submit(director, kind="critique")
        request_item = helpers.submit(director, kind="product_request")
    login(director)
    assert client.post(f"/feedback/{request_item.id}/product",
                       data={"product_id": product.id}).status_code == 403
    login(manager)
    refused = client.post(f"/feedback/{critique.id}/product", data={"product_id": product.id})
    assert refused.status_code == 302
    assert db.session.get(type(critique), critique.id).product_id is None


def test_critiques_about_a_branch_appear_on_its_page(client, login, db, app):
    from portal.branches.models import Branch, BranchKind

    union, director, manager = helpers.union_with_manager()
    branch_org = factories.make_org("specialised_branch", name="شعبه ویژه تعاون اصفهان")
    branch = Branch(organisation=branch_org, kind=list(BranchKind)[0])
    db.session.add(branch)
    db.session.commit()
    with app.test_request_context():
        from portal.feedback import services as feedback_services

        feedback_services.submit(
            director, kind="critique", organisation=union, title="صف طولانی در شعبه اصفهان",
            body_html="<p>x</p>", topic="branches", visibility="public", branch=branch_org,
            concerns="Isfahan")
        db.session.commit()
    login(director)
    page = client.get(f"/branches/{branch.id}")
    assert page.status_code == 200 and "صف طولانی در شعبه اصفهان" in page.text
