"""The catalogue: products and service packages, and the roadmap of products in design."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.accounts.models import OrgKind
from portal.core import unit_of_work
from portal.core.errors import ValidationError, require
from portal.core.forms import choices
from portal.core.kept_pages import kept_page
from portal.core.models import get_visible
from portal.core.pagination import paginate
from portal.core.views import record_form
from portal.extensions import db
from portal.feedback.services import requests_for_offer
from portal.home.panels import nav_item
from portal.i18n import current_language
from portal.products import forms, rules, services
from portal.products import permissions as products_permissions
from portal.products.models import (
    LOCALES,
    TRANSITIONS,
    Product,
    ProductCategory,
    ProductStatus,
    Sector,
    ServicePackage,
)

bp = Blueprint("products", __name__, url_prefix="/products", template_folder="templates")
blueprints = (bp,)

nav_item("products.index", _l("Products"), visible=lambda user: user.is_authenticated,
         order=40)


def _branches_by(kind, ids):
    """{id: [branches]} offering these products or packages, nearest to the reader first."""
    from portal.branches import queries as branch_queries

    return branch_queries.offering_branches(kind, ids, near=current_user)


@bp.route("/")
@login_required
@kept_page
def index():
    q = request.args.get("q", "").strip()
    category = request.args.get("category", "")
    kind = request.args.get("kind", "")
    sector = request.args.get("sector", "")
    status = request.args.get("status", "")
    query = services.filtered_products(current_user, q=q, category=category, kind=kind,
                                       sector=sector, status=status)
    page = paginate(query.order_by(Product.category, Product.code))
    offered = _branches_by("product", [p.id for p in page.items])
    return render_template(
        "products/index.html", page=page, offered=offered, locale=current_language(),
        filters={"q": q, "category": category, "kind": kind, "sector": sector,
                 "status": status},
        categories=list(ProductCategory), kinds=list(OrgKind), sectors=list(Sector),
        statuses=list(ProductStatus))


@bp.route("/roadmap")
@login_required
def roadmap():
    require(products_permissions.can_see_roadmap(current_user))
    products = db.session.scalars(products_permissions.visible_products(current_user).where(
        Product.status.in_((ProductStatus.IN_DESIGN, ProductStatus.DRAFT)))
        .order_by(Product.planned_launch.is_(None), Product.planned_launch, Product.code)).all()
    from portal.feedback.services import demand_by_product

    return render_template("products/roadmap.html", products=products, locale=current_language(),
                           demand=demand_by_product([p.id for p in products]))


@bp.route("/<int:product_id>")
@login_required
@kept_page
def show(product_id):
    # what the catalogue shows, and a withdrawn product to the people who asked for it
    product = rules.readable_offer(current_user, Product, product_id)
    packages = db.session.scalars(products_permissions.visible_packages(current_user).where(
        ServicePackage.products.any(Product.id == product.id))
        .order_by(ServicePackage.code)).all()
    return render_template("products/product.html", product=product, packages=packages,
                           branches=_branches_by("product", [product.id]).get(product.id, []),
                           locale=current_language(), status_form=_status_form(product),
                           locales=LOCALES, replacement=product.current_replacement(),
                           requests=requests_for_offer(current_user, product))


def _status_form(obj):
    """The status change of an offer's page: only for who may edit the catalogue, and only
    while the offer may still move (a withdrawn one is final). None otherwise, so readers do
    not pay for the list of replacements."""
    if not products_permissions.can_edit_catalogue(current_user) \
            or obj.status == ProductStatus.WITHDRAWN:
        return None
    form = forms.StatusForm(version_id=obj.version_id)
    form.status.choices = choices((s.value, s.label) for s in ProductStatus
                                  if s in TRANSITIONS[obj.status])
    # the replacement is named only when withdrawing: no list when that is not a next step
    form.replaced_by.choices = choices([("", _("Nothing"))] + (
        services.replacement_choices(obj, current_language())
        if ProductStatus.WITHDRAWN in TRANSITIONS[obj.status] else []))
    return form


def _offer_to_change(model, offer_id):
    """The product or package (model) an edit or a status change is about: 403 for who may
    not edit the catalogue, 404 for one their catalogue does not show; None on the page that
    adds one (no id)."""
    require(products_permissions.can_edit_catalogue(current_user))
    return None if offer_id is None else get_visible(
        products_permissions.visible_offers(current_user, model), model, offer_id)


def _withdrawn_notice(offer):
    """What the edit page of a withdrawn offer says when it opens."""
    if offer is not None and offer.status == ProductStatus.WITHDRAWN and request.method == "GET":
        return _("This offer has been withdrawn and can no longer be edited. Create a new one "
                 "instead.")
    return None


def _offer_form(form, offer, save, template, saved_url, context):
    """The edit page of a product or a package: the texts and version it was opened at,
    saved through the catalogue's service, then its page; a withdrawn one says it is."""
    if request.method == "GET" and offer is not None:
        form.load_texts(offer)
    return record_form(form, offer, save, template, saved_url, {**context, "locales": LOCALES},
                       message=_withdrawn_notice(offer))


# a new product and a product's edit page are one page under one rule
@bp.route("/new", methods=["GET", "POST"], endpoint="create")
@bp.route("/<int:product_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def product_form(product_id=None):
    product = _offer_to_change(Product, product_id)
    form = forms.ProductForm(obj=product)
    if request.method == "GET" and product is not None:
        form.category.data = product.category.value
        form.kinds.data = [k.value for k in product.kinds]
        form.sectors.data = [s.value for s in product.sectors]
    return _offer_form(form, product, services.save_product, "products/product_form.html",
                       lambda saved: url_for("products.show", product_id=saved.id),
                       {"product": product})


def _change_status(obj, endpoint, **ids):
    form = forms.StatusForm()  # every status is offered; the service refuses a wrong move
    if not form.validate_on_submit():
        raise ValidationError(_("Choose a status."))
    replacement = None
    if form.replaced_by.data is not None:
        replacement = get_visible(products_permissions.visible_offers(current_user, type(obj)),
                                  type(obj), form.replaced_by.data)
    try:
        services.set_status(current_user, obj, form.status.data,
                            expected_version=form.version_id.data, replaced_by=replacement)
    except ValidationError as error:
        unit_of_work.discard()
        flash(error.message, "danger")
        return redirect(url_for(endpoint, **ids))
    flash(_("The status is now “%(status)s”.", status=obj.status.label), "success")
    return redirect(url_for(endpoint, **ids))


@bp.route("/<int:product_id>/status", methods=["POST"])
@login_required
def change_status(product_id):
    return _change_status(_offer_to_change(Product, product_id), "products.show",
                          product_id=product_id)


# --- service packages ------------------------------------------------------------------------

@bp.route("/packages/")
@login_required
def packages():
    kind = request.args.get("kind", "")
    q = request.args.get("q", "").strip()
    items = db.session.scalars(services.filtered_packages(current_user, q=q, kind=kind)
                               .order_by(ServicePackage.code)).all()
    return render_template("products/packages.html", packages=items, kind=kind, q=q,
                           kinds=list(OrgKind), locale=current_language(),
                           offered=_branches_by("package", [p.id for p in items]))


@bp.route("/packages/<int:package_id>")
@login_required
@kept_page
def package(package_id):
    # what the catalogue shows, and a withdrawn package to the people who asked for it
    item = rules.readable_offer(current_user, ServicePackage, package_id)
    visible_ids = set(db.session.scalars(products_permissions.visible_products(current_user)
                                         .with_only_columns(Product.id)))
    return render_template(
        "products/package.html", package=item, locale=current_language(), locales=LOCALES,
        products=[p for p in item.products if p.id in visible_ids],
        branches=_branches_by("package", [item.id]).get(item.id, []),
        status_form=_status_form(item), replacement=item.current_replacement(),
        requests=requests_for_offer(current_user, item))


@bp.route("/packages/new", methods=["GET", "POST"], endpoint="package_create")
@bp.route("/packages/<int:package_id>/edit", methods=["GET", "POST"], endpoint="package_edit")
@login_required
def package_form(package_id=None):
    item = _offer_to_change(ServicePackage, package_id)
    form = forms.PackageForm(obj=item)
    locale = current_language()
    offered = services.product_choices(current_user, locale)
    # a withdrawn product the package still holds stays on its list until it is taken off
    ids = {i for i, _label in offered}
    held = [(p.id, f"{p.name_in(locale)} ({p.code})") for p in (item.products if item else ())
            if p.id not in ids]
    form.product_ids.choices = choices(offered + held)
    if request.method == "GET" and item is not None:
        form.org_kind.data = item.org_kind.value
        form.product_ids.data = [p.id for p in item.products]
    return _offer_form(form, item, services.save_package, "products/package_form.html",
                       lambda saved: url_for("products.package", package_id=saved.id),
                       {"package": item})


@bp.route("/packages/<int:package_id>/status", methods=["POST"])
@login_required
def package_status(package_id):
    return _change_status(_offer_to_change(ServicePackage, package_id), "products.package",
                          package_id=package_id)
