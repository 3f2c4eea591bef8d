"""Products and service packages, their texts in each language, audiences and key terms."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from portal.accounts.models import OrgKind, Sector  # noqa: F401 (re-exported)
from portal.core.models import (
    LabelledEnum,
    TimestampMixin,
    VersionedMixin,
    enum_column,
    link_table,
    text_in,
)
from portal.core.search import SearchableMixin, SearchablePart
from portal.extensions import db

LOCALES = ("en", "fa", "vi", "th")


class ProductStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    IN_DESIGN = "in_design", _l("In design")
    AVAILABLE = "available", _l("Available")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


# Which status may follow which. Withdrawn is final: a product that returns is a new product.
TRANSITIONS = {
    ProductStatus.DRAFT: {ProductStatus.IN_DESIGN, ProductStatus.WITHDRAWN},
    ProductStatus.IN_DESIGN: {ProductStatus.DRAFT, ProductStatus.AVAILABLE,
                              ProductStatus.WITHDRAWN},
    ProductStatus.AVAILABLE: {ProductStatus.WITHDRAWN},
    ProductStatus.WITHDRAWN: set(),
}


class ProductCategory(LabelledEnum):
    LOAN = "loan", _l("Loan")
    DEPOSIT = "deposit", _l("Deposit")
    GUARANTEE = "guarantee", _l("Guarantee")
    PAYMENT = "payment", _l("Payment service")
    LEASING = "leasing", _l("Leasing")
    ADVISORY = "advisory", _l("Advisory service")


product_org_kind = sa.Table(
    "product_org_kind", db.metadata,
    sa.Column("product_id", sa.ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", enum_column(OrgKind), primary_key=True),
)
product_sector = sa.Table(
    "product_sector", db.metadata,
    sa.Column("product_id", sa.ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("sector", enum_column(Sector), primary_key=True),
)
package_product = link_table("service_package_product", ("package_id", "service_package"),
                             ("product_id", "product"))


class TranslatedText(SearchableMixin):
    """Shared by products and packages: pick the text in the reader's language, or fall back.
    Their search key is the code and the name in every language."""

    __searchable__ = ("code", "texts")
    search_key_length = 1000

    def text_in(self, locale):
        """(text row, is_fallback): the reader's language, else English, else any language."""
        return text_in(self.texts, locale, "name")

    def name_in(self, locale):
        text, _fallback = self.text_in(locale)
        return text.name if text else self.code

    def missing_names(self):
        """Languages with no name: the offer is listed in another language there."""
        named = {t.locale for t in self.texts if t.name}
        return [loc for loc in LOCALES if loc not in named]

    def missing_descriptions(self):
        """Languages with no description, named or not: counted apart from the names, so a
        language whose name was entered is not reported as missing its name."""
        described = {t.locale for t in self.texts if t.name and t.description}
        return [loc for loc in LOCALES if loc not in described]

    def search_parts(self):
        return [self.code, *(t.name for t in self.texts)]


class Offer:
    """What products and packages share as things the bank offers and may withdraw: a code,
    the bank that offers it, a stage, what replaces it once withdrawn, a search key."""

    OFFER_KIND = ""  # "product" or "package": how choosers and links name the kind

    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    # the bank (head office) that offers it (products.services._offer_in_network); empty only
    # while no bank exists, and then offered in every network
    network_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"),
                                                   index=True)
    status: Mapped[ProductStatus] = mapped_column(enum_column(ProductStatus), nullable=False,
                                                  default=ProductStatus.DRAFT, index=True)
    search_key: Mapped[str] = mapped_column(sa.String(1000), nullable=False, default="",
                                            index=True)

    @declared_attr
    def replaced_by_id(cls) -> Mapped[int | None]:  # noqa: N805 - SQLAlchemy's signature
        # set when the offer is withdrawn: what the people who asked for it are pointed to
        return mapped_column(sa.ForeignKey(f"{cls.__tablename__}.id"))

    @declared_attr
    def replaced_by(cls):  # noqa: N805 - SQLAlchemy's declared_attr signature
        return relationship(cls.__name__, remote_side=f"{cls.__name__}.id")

    @property
    def offer_key(self):
        return f"{self.OFFER_KIND}:{self.id}"

    @property
    def is_withdrawn(self):
        return self.status == ProductStatus.WITHDRAWN

    def current_replacement(self):
        """What the bank offers instead of this withdrawn offer, following a replacement that
        was itself withdrawn to the one that replaced it; None if nothing does."""
        seen = {self.id}
        replacement = self.replaced_by
        while replacement is not None and replacement.is_withdrawn \
                and replacement.id not in seen:
            seen.add(replacement.id)
            replacement = replacement.replaced_by
        if replacement is None or replacement.is_withdrawn:
            return None
        return replacement


class Product(Offer, TranslatedText, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "product"
    OFFER_KIND = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[ProductCategory] = mapped_column(enum_column(ProductCategory),
                                                      nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    min_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 2))
    max_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 2))
    min_tenor_months: Mapped[int | None] = mapped_column(sa.Integer)
    max_tenor_months: Mapped[int | None] = mapped_column(sa.Integer)
    # A rate or fee in numbers where there is one, and as words for what numbers cannot say
    # ("0.1% of the guarantee, at least 2 million rials").
    rate_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 3))
    # Working days the bank aims to take from request to delivery; None: the bank's default.
    target_days: Mapped[int | None] = mapped_column(sa.Integer)
    planned_launch: Mapped[date | None] = mapped_column(sa.Date)
    available_since: Mapped[datetime | None] = mapped_column(sa.DateTime)

    texts = relationship("ProductText", cascade="all, delete-orphan", lazy="selectin",
                         order_by="ProductText.locale")
    kind_rows = relationship("ProductOrgKind", cascade="all, delete-orphan", lazy="selectin")
    sector_rows = relationship("ProductSector", cascade="all, delete-orphan", lazy="selectin")

    @property
    def kinds(self):
        return sorted((r.kind for r in self.kind_rows), key=list(OrgKind).index)

    @property
    def sectors(self):
        return sorted((r.sector for r in self.sector_rows), key=list(Sector).index)

    def __repr__(self):
        return f"<Product {self.code}>"


class ProductOrgKind(db.Model):
    __table__ = product_org_kind


class ProductSector(db.Model):
    __table__ = product_sector


class ProductText(SearchablePart, db.Model):
    __tablename__ = "product_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id", ondelete="CASCADE"),
                                            nullable=False)
    locale: Mapped[str] = mapped_column(sa.String(5), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # "0.5% of the guaranteed amount per quarter": words, so in the reader's language
    rate_text: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="",
                                           server_default="")

    __table_args__ = (sa.UniqueConstraint("product_id", "locale",
                                          name="uq_product_text_product_locale"),)

    def search_owner(self):
        session = sa.orm.object_session(self)
        return session.get(Product, self.product_id) if session and self.product_id else None


class ServicePackage(Offer, TranslatedText, TimestampMixin, VersionedMixin, db.Model):
    """Products and services bundled for one kind of organisation, with eligibility rules."""

    __tablename__ = "service_package"
    OFFER_KIND = "package"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), nullable=False)
    # Eligibility as conditions a machine can check; the words are in the texts.
    min_members: Mapped[int | None] = mapped_column(sa.Integer)
    min_years_active: Mapped[int | None] = mapped_column(sa.Integer)
    max_overdue_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    requires_audited_accounts: Mapped[bool] = mapped_column(sa.Boolean, nullable=False,
                                                            default=False)

    texts = relationship("PackageText", cascade="all, delete-orphan", lazy="selectin",
                         order_by="PackageText.locale")
    products = relationship("Product", secondary=package_product, order_by="Product.code",
                            lazy="selectin")

    def __repr__(self):
        return f"<ServicePackage {self.code}>"


class PackageText(SearchablePart, db.Model):
    __tablename__ = "service_package_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_package.id", ondelete="CASCADE"), nullable=False)
    locale: Mapped[str] = mapped_column(sa.String(5), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    eligibility: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")

    __table_args__ = (sa.UniqueConstraint("package_id", "locale",
                                          name="uq_service_package_text_package_locale"),)

    def search_owner(self):
        session = sa.orm.object_session(self)
        return session.get(ServicePackage, self.package_id) if session and self.package_id \
            else None

