"""Who gets what from each catalogue route (checked by tests/test_route_roles.py)."""
from portal.products.models import ProductStatus
from tests import factories
from tests.products.helpers import make_package, make_product
from tests.test_route_roles import admin_only, everyone

WHOLE_CATALOGUE = everyone(200) | {"union_director": 404}

ROUTES = {
    "products.index": ("GET", "/products/", everyone(200), None),
    "products.roadmap": ("GET", "/products/roadmap", everyone(200) | {"union_director": 403},
                         None),
    "products.show": ("GET", "/products/{product}", everyone(200), None),
    "products.create": ("GET", "/products/new", admin_only(), None),
    "products.edit": ("GET", "/products/{draft_product}/edit", admin_only(), None),
    "products.change_status": ("POST", "/products/{draft_product}/status", admin_only(302),
                               {"status": "in_design", "version_id": "1"}),
    "products.packages": ("GET", "/products/packages/", everyone(200), None),
    "products.package": ("GET", "/products/packages/{draft_package}", WHOLE_CATALOGUE, None),
    "products.package_create": ("GET", "/products/packages/new", admin_only(), None),
    "products.package_edit": ("GET", "/products/packages/{package}/edit", admin_only(), None),
    "products.package_status": ("POST", "/products/packages/{package}/status",
                                admin_only(302), {"status": "withdrawn", "version_id": "1"}),
}


def world():
    product = make_product("WORLD-LOAN")
    draft = make_product("WORLD-DRAFT", status=ProductStatus.DRAFT)
    package = make_package("WORLD-PKG", products=[product])
    # no products yet: offered by the Iranian bank, whose network the route table's people see
    draft_package = make_package("WORLD-PKG-DRAFT", status=ProductStatus.IN_DESIGN,
                                 network_id=factories.bank().id)
    return {"product": product.id, "draft_product": draft.id, "package": package.id,
            "draft_package": draft_package.id}
