"""Catalogue operations. Each checks permission, validates, flushes (never commits) and writes
its audit entry; the view commits once."""
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import permissions
from portal.accounts.models import OrgKind
from portal.core import audit, versions
from portal.core.errors import ValidationError, require
from portal.core.models import FALLBACK_ORDER, refuse_taken, utcnow
from portal.core.sanitize import plain_text
from portal.core.textnorm import matches_all_words
from portal.extensions import db
from portal.i18n import LANGUAGE_NAMES
from portal.products import permissions as products_permissions
from portal.products.models import (
    LOCALES,
    TRANSITIONS,
    PackageText,
    Product,
    ProductCategory,
    ProductOrgKind,
    ProductSector,
    ProductStatus,
    ProductText,
    Sector,
    ServicePackage,
)

PRODUCT_FIELDS = ("code", "category", "status", "currency", "min_amount", "max_amount",
                  "min_tenor_months", "max_tenor_months", "rate_percent", "target_days",
                  "planned_launch")
PACKAGE_FIELDS = ("code", "org_kind", "status", "min_members", "min_years_active",
                  "max_overdue_percent", "requires_audited_accounts")


def _refuse_if_withdrawn(obj):
    if obj is not None and obj.status == ProductStatus.WITHDRAWN:
        raise ValidationError(_("This offer has been withdrawn and can no longer be edited. "
                                "Create a new one instead."))


def _check_range(low, high, field, message):
    if low is not None and high is not None and low > high:
        raise ValidationError(message, field=field)


def _set_texts(obj, text_cls, texts, extra=()):
    """texts: {locale: {"name", "description", *extra}}; empty languages are removed.

    A language with a description but no name is refused rather than dropped unseen."""
    names = {loc: plain_text((texts.get(loc) or {}).get("name") or "", 200) for loc in LOCALES}
    if not any(names.values()):
        raise ValidationError(_("Give the name in at least one language."), field="name_en")
    for locale in LOCALES:
        given = texts.get(locale) or {}
        if not names[locale] and any(plain_text(given.get(key) or "")
                                     for key in ("description", *extra)):
            raise ValidationError(_("Give the name in %(language)s too, or the text in that "
                                    "language cannot be kept.",
                                    language=LANGUAGE_NAMES[locale]), field=f"name_{locale}")
    existing = {t.locale: t for t in obj.texts}
    for locale in LOCALES:
        given = texts.get(locale) or {}
        name = names[locale]
        if not name:
            if locale in existing:
                obj.texts.remove(existing[locale])
            continue
        row = existing.get(locale)
        if row is None:
            row = text_cls(locale=locale)
            obj.texts.append(row)
        row.name = name
        row.description = plain_text(given.get("description") or "")
        for key in extra:
            setattr(row, key, plain_text(given.get(key) or ""))


def _offer_snapshot(offer):
    """A product's or package's fields and its names per language, for the audit log."""
    fields = PRODUCT_FIELDS if isinstance(offer, Product) else PACKAGE_FIELDS
    return audit.snapshot(offer, fields) | {"texts": {t.locale: t.name for t in offer.texts}}


def save_product(actor, data, product=None, expected_version=None):
    """Create or edit a product (not its status: see set_status).

    data: code, category, currency, min/max_amount, min/max_tenor_months, rate_percent,
    target_days, planned_launch, kinds, sectors, texts {locale: {name, description, rate_text}}.
    Raises PermissionDenied unless the actor edits the catalogue, Conflict on a stale version,
    ValidationError for a withdrawn product, reversed ranges or a duplicate code.
    """
    require(products_permissions.can_edit_catalogue(actor))
    if product is not None:
        product.check_version(expected_version)
    _refuse_if_withdrawn(product)
    _check_range(data.get("min_amount"), data.get("max_amount"), "max_amount",
                 _("The largest amount must not be smaller than the smallest."))
    _check_range(data.get("min_tenor_months"), data.get("max_tenor_months"),
                 "max_tenor_months", _("The longest term must not be shorter than the "
                                       "shortest."))
    code = (data["code"] or "").strip().upper()
    refuse_taken(Product.code, code, product, _("Another product already has this code."),
                 "code")
    product, before = audit.edited_or_new(product, lambda: Product(status=ProductStatus.DRAFT),
                                          _offer_snapshot)
    product.code = code
    product.category = ProductCategory(data["category"])
    product.currency = data["currency"].strip().upper()
    for field in ("min_amount", "max_amount", "min_tenor_months", "max_tenor_months",
                  "rate_percent", "target_days", "planned_launch"):
        setattr(product, field, data.get(field))
    _set_texts(product, ProductText, data.get("texts") or {}, extra=("rate_text",))
    kinds = {OrgKind(k) for k in data.get("kinds") or ()}
    product.kind_rows = [r for r in product.kind_rows if r.kind in kinds] + [
        ProductOrgKind(kind=k) for k in kinds - {r.kind for r in product.kind_rows}]
    sectors = {Sector(s) for s in data.get("sectors") or ()}
    product.sector_rows = [r for r in product.sector_rows if r.sector in sectors] + [
        ProductSector(sector=s) for s in sectors - {r.sector for r in product.sector_rows}]
    db.session.flush()
    audit.record(actor, "product_updated" if before else "product_created", product,
                 before, _offer_snapshot(product))
    return product


def set_status(actor, offer, status, expected_version=None, replaced_by=None):
    """Move a product (or a service package) to a new status: the ONLY place a status changes.

    Allowed moves are models.TRANSITIONS (draft -> in design -> available -> withdrawn; back
    from in design to draft; withdrawn is final). replaced_by: when withdrawing, the offer of
    the same kind (not withdrawn) that the people who asked for this one are pointed to.
    Raises PermissionDenied unless the actor edits the catalogue, Conflict on a stale version,
    ValidationError for a move not allowed or a replacement that cannot replace it. Writes a
    "status_changed" audit entry with the old and new status (and replacement).

    The first time a product becomes AVAILABLE, `available_since` is stamped (never reset) and
    the function returns True; otherwise it returns False. Whenever a product or package
    becomes available, the requests linked to it that were not told yet are told (each
    request once: the notice is recorded on the request, whatever the status does later).
    """
    require(products_permissions.can_edit_catalogue(actor))
    offer.check_version(expected_version)
    status = ProductStatus(status)
    if replaced_by is not None:
        _check_replacement(offer, status, replaced_by)
    if status == offer.status:
        return False
    if status not in TRANSITIONS[offer.status]:
        raise ValidationError(_("A product cannot go from “%(old)s” to “%(new)s”.",
                                old=offer.status.label, new=status.label))
    before = {"status": offer.status.value}
    after = {"status": status.value}
    offer.status = status
    if replaced_by is not None:
        offer.replaced_by = replaced_by
        after["replaced_by"] = replaced_by.code
    first_available = False
    if status == ProductStatus.AVAILABLE and isinstance(offer, Product) \
            and offer.available_since is None:
        offer.available_since = utcnow()
        first_available = True
    db.session.flush()
    audit.record(actor, "status_changed", offer, before, after)
    if status == ProductStatus.AVAILABLE:
        _tell_requesters(offer)
    return first_available


def _tell_requesters(offer):
    from portal.feedback.services import tell_requesters_offer_available

    tell_requesters_offer_available(offer)


def _check_replacement(offer, status, replacement):
    if status != ProductStatus.WITHDRAWN:
        raise ValidationError(_("A replacement is named only when withdrawing."),
                              field="replaced_by")
    if type(replacement) is not type(offer) or replacement.id == offer.id \
            or replacement.is_withdrawn:
        raise ValidationError(_("Choose a replacement of the same kind that is not "
                                "withdrawn."), field="replaced_by")


def _text_model(model):
    return (ProductText, ProductText.product_id) if model is Product \
        else (PackageText, PackageText.package_id)


def names_in(model, query, locale):
    """[(id, code, name)] of the offers `query` (a select of `model`, Product or
    ServicePackage) selects, in its order: the name in `locale`, else in the first language of
    FALLBACK_ORDER that has one, else the code. Two light statements, whatever the number of
    offers: only ids, codes and names are read, never the offers with their texts, kinds and
    sectors."""
    rows = db.session.execute(query.with_only_columns(model.id, model.code)).all()
    if not rows:
        return []
    text, owner = _text_model(model)
    names = {}
    for owner_id, text_locale, name in db.session.execute(
            sa.select(owner, text.locale, text.name).where(
                owner.in_(query.with_only_columns(model.id).order_by(None)), text.name != "")):
        names.setdefault(owner_id, {})[text_locale] = name
    order = (locale, *FALLBACK_ORDER)
    return [(i, code, next((names[i][loc] for loc in order if loc in names.get(i, {})), code))
            for i, code in rows]


def choice_labels(model, query, locale):
    """[(id, "Name (CODE)")] for a select of the offers `query` selects."""
    return [(i, f"{name} ({code})") for i, code, name in names_in(model, query, locale)]


def _kept_per_reader(name, user, model, key, compute):
    """compute(visible query) kept in this process until the catalogue or its texts change
    (core/versions.py): what the reader may see depends only on the network looked at and on
    seeing the whole catalogue, which are part of the key."""
    scope = permissions.network_scope(user)
    whole = products_permissions.sees_whole_catalogue(user)
    text, _owner = _text_model(model)

    def visible():
        return products_permissions.visible_products(user) if model is Product \
            else products_permissions.visible_packages(user)

    return versions.remembered(
        name, (model.__tablename__, text.__tablename__),
        (model.__name__, scope.everything, scope.network_id, whole, *key),
        lambda: compute(visible()))


def offer_choices(user, model, locale, statuses=None):
    """[(id, "Name (CODE)")] of the offers of `model` (Product or ServicePackage) that `user`
    may see, of these statuses (any when None), by code: the choices of a form's select."""
    def compute(query):
        if statuses:
            query = query.where(model.status.in_(statuses))
        return tuple(choice_labels(model, query.order_by(model.code), locale))

    key = (tuple(sorted(s.value for s in statuses or ())), locale)
    return list(_kept_per_reader("offer_choices", user, model, key, compute))


def offers_still_offered(user, model, locale):
    """((id, name, status), ...) of the offers of `model` the user sees that are not
    withdrawn, by name in the reader's language: ids and names only (a product request's
    link chooser lists the whole catalogue; loading 500 offers with their texts took 0.8 s)."""
    def compute(query):
        query = query.where(model.status != ProductStatus.WITHDRAWN)
        status = dict(db.session.execute(query.with_only_columns(model.id, model.status)).all())
        return tuple(sorted(((i, name, status[i]) for i, _code, name in
                             names_in(model, query, locale)),
                            key=lambda row: row[1].casefold()))

    return _kept_per_reader("offers_still_offered", user, model, (locale,), compute)


# the statuses an offer is chosen in: offered by a branch or held in a package (anything not
# withdrawn), and as what a branch delivered (what is or was available)
OFFERABLE = (ProductStatus.DRAFT, ProductStatus.IN_DESIGN, ProductStatus.AVAILABLE)
DELIVERABLE = (ProductStatus.AVAILABLE, ProductStatus.WITHDRAWN)


def product_choices(user, locale, statuses=OFFERABLE):
    """offer_choices of the products, for the forms of other areas (branches)."""
    return offer_choices(user, Product, locale, statuses)


def package_choices(user, locale, statuses=OFFERABLE):
    """offer_choices of the service packages."""
    return offer_choices(user, ServicePackage, locale, statuses)


def replacement_choices(offer, locale):
    """[(id, name)] of what may replace this offer when it is withdrawn: the offers of the
    same kind that are not withdrawn, by name in the reader's language."""
    model = type(offer)
    candidates = sa.select(model).where(model.id != offer.id,
                                        model.status != ProductStatus.WITHDRAWN)
    return sorted(((i, name) for i, _code, name in names_in(model, candidates, locale)),
                  key=lambda pair: pair[1].casefold())


def save_package(actor, data, package=None, expected_version=None):
    """Create or edit a service package: texts with eligibility, conditions and products.

    Raises PermissionDenied, Conflict, ValidationError (withdrawn package, duplicate code,
    a percentage outside 0-100).
    """
    require(products_permissions.can_edit_catalogue(actor))
    if package is not None:
        package.check_version(expected_version)
    _refuse_if_withdrawn(package)
    code = (data["code"] or "").strip().upper()
    refuse_taken(ServicePackage.code, code, package,
                 _("Another package already has this code."), "code")
    overdue = data.get("max_overdue_percent")
    if overdue is not None and not (Decimal(0) <= overdue <= Decimal(100)):
        raise ValidationError(_("A percentage is between 0 and 100."),
                              field="max_overdue_percent")
    package, before = audit.edited_or_new(
        package, lambda: ServicePackage(status=ProductStatus.DRAFT), _offer_snapshot)
    package.code = code
    package.org_kind = OrgKind(data["org_kind"])
    for field in ("min_members", "min_years_active", "max_overdue_percent"):
        setattr(package, field, data.get(field))
    package.requires_audited_accounts = bool(data.get("requires_audited_accounts"))
    _set_texts(package, PackageText, data.get("texts") or {}, extra=("eligibility",))
    ids = set(data.get("product_ids") or ())
    package.products = list(db.session.scalars(
        db.select(Product).where(Product.id.in_(ids)))) if ids else []
    db.session.flush()
    audit.record(actor, "package_updated" if before else "package_created", package,
                 before, _offer_snapshot(package))
    return package


# --- the catalogue's lists --------------------------------------------------------------------

def filtered_products(user, q="", category="", kind="", sector="", status=""):
    """The products `user` may see, narrowed by the list's filters as typed in the address
    (an unknown value is ignored): words of the code or a name, category, audience, sector,
    status. A select(Product), unordered."""
    query = products_permissions.visible_products(user)
    if q:
        query = query.where(matches_all_words(Product.search_key, q))
    if category in {c.value for c in ProductCategory}:
        query = query.where(Product.category == ProductCategory(category))
    if kind in {k.value for k in OrgKind}:
        query = query.where(Product.id.in_(sa.select(ProductOrgKind.product_id).where(
            ProductOrgKind.kind == OrgKind(kind))))
    if sector in {s.value for s in Sector}:
        query = query.where(Product.id.in_(sa.select(ProductSector.product_id).where(
            ProductSector.sector == Sector(sector))))
    if status in {s.value for s in ProductStatus}:
        query = query.where(Product.status == ProductStatus(status))
    return query


def filtered_packages(user, q="", kind=""):
    """The service packages `user` may see, for one audience and with the words typed."""
    query = products_permissions.visible_packages(user)
    if kind in {k.value for k in OrgKind}:
        query = query.where(ServicePackage.org_kind == OrgKind(kind))
    if q:
        query = query.where(matches_all_words(ServicePackage.search_key, q))
    return query


# --- which bank offers it ---------------------------------------------------------------------

def _looked_at_network():
    """The network the person at work looks at, if they look at one (not in a CLI run)."""
    from flask import has_request_context
    from flask_login import current_user

    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return None
    return permissions.network_scope(current_user).network_id


def _first_bank(session, **where):
    from portal.accounts.models import Organisation

    return session.scalar(sa.select(Organisation.id).filter_by(
        kind=OrgKind.BANK_HEAD_OFFICE, **where).order_by(Organisation.id).limit(1))


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _offer_in_network(session, _context, _instances):
    """A new offer belongs to one bank, so that no other bank's network is shown it: the one
    whose network the administrator creating it looks at; else the bank of the products a
    package bundles, or the bank working in the product's currency; else the first bank."""
    for offer in [o for o in session.new if isinstance(o, Product | ServicePackage)]:
        if offer.network_id is not None:
            continue
        with session.no_autoflush:
            offer.network_id = (
                _looked_at_network()
                or (next((p.network_id for p in offer.products if p.network_id), None)
                    if isinstance(offer, ServicePackage)
                    else _first_bank(session, currency=offer.currency))
                or _first_bank(session))
