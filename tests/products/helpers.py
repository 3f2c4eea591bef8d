"""Products and packages for tests, named after the catalogue in the source articles."""
from decimal import Decimal

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.products.models import (
    PackageText,
    Product,
    ProductCategory,
    ProductOrgKind,
    ProductStatus,
    ProductText,
    ServicePackage,
)

NAMES = {
    "en": "Working-capital loan for cooperatives",
    "fa": "تسهیلات سرمایه در گردش تعاونی‌ها",
    "vi": "Khoản vay vốn lưu động cho hợp tác xã",
    "th": "สินเชื่อเงินทุนหมุนเวียนสำหรับสหกรณ์",
}


def make_product(code="WC-LOAN", status=ProductStatus.AVAILABLE, languages=("en", "fa"),
                 **fields):
    product = Product(
        code=code, category=fields.pop("category", ProductCategory.LOAN), status=status,
        currency=fields.pop("currency", "IRR"),
        min_amount=fields.pop("min_amount", Decimal("500000000")),
        max_amount=fields.pop("max_amount", Decimal("50000000000")),
        min_tenor_months=fields.pop("min_tenor_months", 6),
        max_tenor_months=fields.pop("max_tenor_months", 36),
        rate_percent=fields.pop("rate_percent", Decimal("18")), **fields)
    for loc in languages:
        product.texts.append(ProductText(locale=loc, name=NAMES[loc],
                                         description=f"{NAMES[loc]} — description"))
    product.kind_rows.append(ProductOrgKind(kind=OrgKind.COOPERATIVE))
    db.session.add(product)
    db.session.flush()
    return product


def make_package(code="PKG-UNIONS", status=ProductStatus.AVAILABLE, products=(), **fields):
    package = ServicePackage(code=code, org_kind=fields.pop("org_kind", OrgKind.NATIONAL_UNION),
                             status=status, min_members=fields.pop("min_members", 7), **fields)
    package.texts.append(PackageText(locale="en", name="Package for national unions",
                                     description="Accounts, payroll and guarantees.",
                                     eligibility="Registered national unions."))
    package.products = list(products)
    db.session.add(package)
    db.session.flush()
    return package
