"""The branch registry: browse by province and district, training, deliveries, entrustment."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts.models import Organisation, OrgKind, User
from portal.branches import forms, queries, services
from portal.branches import permissions as branches_permissions
from portal.branches.models import (
    Branch,
    BranchKind,
    EntrustmentContract,
    ServiceDelivery,
    TrainingCourse,
    TrainingSession,
)
from portal.core.clock import local_today, organisation_zone, reader_today
from portal.core.errors import NotFound, require
from portal.core.forms import choices
from portal.core.kept_pages import kept_page
from portal.core.models import get_visible
from portal.core.pagination import paginate_ids
from portal.core.views import record_form, save_form, save_or_explain
from portal.extensions import db
from portal.home.panels import home_panel, nav_item
from portal.i18n import current_language
from portal.i18n.fields import filter_day
from portal.products import permissions as products_permissions
from portal.products import services as product_services

bp = Blueprint("branches", __name__, url_prefix="/branches", template_folder="templates")
blueprints = (bp,)

nav_item("branches.index", _l("Branches"), visible=lambda user: user.is_authenticated,
         order=45)


def _conflict_message():
    return _("Someone else changed this while you were editing. Their change is kept; your "
             "entries are below so you can apply them again.")


def _run_form(form, save, template, redirect_to, context):
    return save_form(form, save, template, redirect_to, context, conflict=_conflict_message())


# --- registry --------------------------------------------------------------------------------

@bp.route("/")
@login_required
@kept_page
def index():
    province = request.args.get("province", "")
    district = request.args.get("district", "")
    kind = request.args.get("kind", "")
    ids, provinces, districts = queries.registry(current_user, province, district, kind)
    return render_template("branches/index.html",
                           page=paginate_ids(ids, queries.branches_by_ids), provinces=provinces,
                           districts=districts, province=province, district=district,
                           kind=kind, kinds=list(BranchKind), today=reader_today())


def _visible_branch(branch_id):
    return get_visible(branches_permissions.visible_branches(current_user), Branch, branch_id)


@bp.route("/<int:branch_id>")
@login_required
@kept_page
def show(branch_id):
    branch = _visible_branch(branch_id)
    today = reader_today()
    products = products_permissions.shown_offers(current_user, branch.products)
    packages = products_permissions.shown_offers(current_user, branch.packages)
    deliveries = branches_permissions.visible_deliveries(current_user)
    stats = services.delivery_statistics(branch, deliveries, "month")
    recent = db.session.scalars(deliveries.where(ServiceDelivery.branch_id == branch.id)
                                .order_by(ServiceDelivery.requested_on.desc()).limit(10)).all()
    sessions = db.session.scalars(sa.select(TrainingSession).where(
        TrainingSession.branch_id == branch.id).order_by(TrainingSession.starts_on.desc())
        .limit(10)).all() if branches_permissions.can_see_training_records(current_user) else []
    contracts = db.session.scalars(branches_permissions.visible_contracts(current_user).where(
        EntrustmentContract.branch_id == branch.id)).all()
    points = db.session.scalars(sa.select(Branch).join(Branch.organisation).where(
        Branch.served_by_id == branch.id).order_by(Organisation.commune)).all()
    from portal.feedback.services import critiques_about_branch

    return render_template(
        "branches/branch.html", branch=branch, today=today, products=products,
        packages=packages, stats=stats, recent=recent, sessions=sessions, contracts=contracts,
        points=points, training=services.training_summary(branch, today),
        locale=current_language(),
        critiques=critiques_about_branch(current_user, branch.organisation_id))


# a new branch and a branch's edit page are one page under one rule
@bp.route("/new", methods=["GET", "POST"], endpoint="create")
@bp.route("/<int:branch_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def branch_form(branch_id=None):
    require(branches_permissions.can_edit_branches(current_user))
    branch = None if branch_id is None else _visible_branch(branch_id)
    form = forms.BranchForm(obj=branch)
    taken = sa.select(Branch.organisation_id)
    if branch is not None:
        taken = taken.where(Branch.id != branch.id)
    orgs = db.session.scalars(permissions.network_organisations(current_user).where(
        Organisation.kind == OrgKind.SPECIALISED_BRANCH, Organisation.id.notin_(taken))
        .order_by(Organisation.name)).all()
    form.organisation_id.choices = choices((o.id, f"{o.name} ({o.code})") for o in orgs)
    others = db.session.scalars(branches_permissions.visible_branches(current_user)
                                .join(Branch.organisation).where(
        Branch.kind != BranchKind.COMMUNE_POINT).order_by(Organisation.name)).all()
    form.served_by_id.choices = choices([("", _("— none —"))] + [
        (b.id, b.name) for b in others if branch is None or b.id != branch.id])
    people = services.branch_staff(branch) if branch is not None else []
    if branch is not None and branch.head is not None and branch.head not in people:
        people.append(branch.head)
    form.head_id.choices = choices([("", _("— none —"))] + [(u.id, u.full_name)
                                                            for u in people])
    served = db.session.scalars(permissions.network_organisations(current_user).where(
        Organisation.kind.in_((OrgKind.NATIONAL_UNION, OrgKind.COOPERATIVE,
                               OrgKind.MASS_ORGANISATION)), Organisation.is_active)
        .order_by(Organisation.name)).all()
    form.served_ids.choices = choices((o.id, o.name) for o in served)
    locale = current_language()
    form.product_ids.choices = choices(product_services.product_choices(current_user, locale))
    form.package_ids.choices = choices(product_services.package_choices(current_user, locale))
    if request.method == "GET" and branch is not None:
        form.kind.data = branch.kind.value
        form.served_ids.data = [o.id for o in branch.served_organisations]
        form.product_ids.data = [p.id for p in branch.products]
        form.package_ids.data = [p.id for p in branch.packages]
    return record_form(form, branch, services.save_branch, "branches/branch_form.html",
                       lambda saved: url_for("branches.show", branch_id=saved.id),
                       {"branch": branch}, conflict=_conflict_message())


# --- service deliveries ----------------------------------------------------------------------

@bp.route("/<int:branch_id>/deliveries")
@login_required
def deliveries(branch_id):
    branch = _visible_branch(branch_id)
    query = branches_permissions.visible_deliveries(current_user)
    start, end = filter_day(request.args, "from"), filter_day(request.args, "to")
    product_id = request.args.get("product", type=int)
    org_id = request.args.get("organisation", type=int)
    grouping = request.args.get("group", "product")
    grouping = grouping if grouping in services.GROUPINGS else "product"
    if start:
        query = query.where(ServiceDelivery.requested_on >= start)
    if end:
        query = query.where(ServiceDelivery.requested_on <= end)
    if product_id:
        query = query.where(ServiceDelivery.product_id == product_id)
    if org_id:
        query = query.where(ServiceDelivery.organisation_id == org_id)
    stats = services.delivery_statistics(branch, query, grouping)
    listing = db.session.scalars(query.where(ServiceDelivery.branch_id == branch.id)
                                 .order_by(ServiceDelivery.requested_on.desc()).limit(200)).all()
    return render_template(
        "branches/deliveries.html", branch=branch, stats=stats, listing=listing,
        filters={"from": request.args.get("from", ""), "to": request.args.get("to", ""),
                 "product": product_id, "organisation": org_id, "group": grouping},
        products=sorted({d.product for d in listing if d.product}, key=lambda p: p.code),
        organisations=sorted({d.organisation for d in listing}, key=lambda o: o.name),
        locale=current_language())


def _delivery_form(branch, delivery=None):
    form = forms.DeliveryForm(obj=delivery)
    form.organisation_id.offer(services.deliverable_organisations(current_user, branch),
                               blank=_("— choose —"), first=services.served_by(branch))
    locale = current_language()
    form.product_id.choices = choices([("", _("— none —"))] + product_services.product_choices(
        current_user, locale, product_services.DELIVERABLE))
    form.package_id.choices = choices([("", _("— none —"))] + product_services.package_choices(
        current_user, locale, statuses=None))
    if request.method == "GET":
        if delivery is not None:
            form.version_id.data = delivery.version_id
            form.outcome.data = delivery.outcome.value
        else:
            form.requested_on.data = local_today(organisation_zone(branch.organisation))

    def save():
        data = form.data_for_service()
        if delivery is None:
            return services.log_delivery(current_user, branch, data)
        return services.update_delivery(current_user, delivery, data,
                                        expected_version=form.version_id.data)

    return _run_form(form, save, "branches/delivery_form.html",
                     lambda saved: url_for("branches.deliveries", branch_id=branch.id),
                     {"branch": branch, "delivery": delivery})


@bp.route("/<int:branch_id>/deliveries/new", methods=["GET", "POST"])
@login_required
@kept_page  # the form as it comes (a GET); a POST is never kept
def log_delivery(branch_id):
    branch = _visible_branch(branch_id)
    require(branches_permissions.can_log_delivery(current_user, branch))
    return _delivery_form(branch)


@bp.route("/<int:branch_id>/deliveries/<int:delivery_id>/edit", methods=["GET", "POST"])
@login_required
@kept_page  # the form as it comes (a GET); a POST is never kept
def edit_delivery(branch_id, delivery_id):
    branch = _visible_branch(branch_id)
    require(branches_permissions.can_log_delivery(current_user, branch))
    delivery = get_visible(branches_permissions.visible_deliveries(current_user), ServiceDelivery,
                           delivery_id)
    if delivery.branch_id != branch.id:
        raise NotFound()
    return _delivery_form(branch, delivery)


# --- training --------------------------------------------------------------------------------

@bp.route("/training/")
@login_required
def training():
    require(branches_permissions.can_see_training_records(current_user))
    courses = db.session.scalars(sa.select(TrainingCourse).order_by(TrainingCourse.code)).all()
    counts = dict(db.session.execute(sa.select(TrainingSession.course_id, sa.func.count())
                                     .group_by(TrainingSession.course_id)).all())
    return render_template("branches/training.html", courses=courses, counts=counts)


@bp.route("/training/courses/new", methods=["GET", "POST"])
@login_required
def course_create():
    require(branches_permissions.can_manage_courses(current_user))
    form = forms.CourseForm()
    return _run_form(form, lambda: services.save_course(current_user, form.data),
                     "branches/course_form.html", lambda saved: url_for("branches.training"),
                     {})


@bp.route("/<int:branch_id>/training/new", methods=["GET", "POST"])
@login_required
def session_create(branch_id):
    branch = _visible_branch(branch_id)
    require(branches_permissions.can_record_training(current_user, branch))
    form = forms.SessionForm()
    form.course_id.choices = choices(
        (c.id, f"{c.title} ({c.code})") for c in db.session.scalars(
            sa.select(TrainingCourse).order_by(TrainingCourse.code)))
    return _run_form(form, lambda: services.create_session(current_user, branch, form.data),
                     "branches/session_form.html",
                     lambda saved: url_for("branches.session", branch_id=branch.id,
                                           session_id=saved.id), {"branch": branch})


def _session_of(branch, session_id):
    session = db.session.get(TrainingSession, session_id)
    if session is None or session.branch_id != branch.id:
        raise NotFound()
    return session


def _attendance_form(branch):
    form = forms.AttendanceForm()
    form.user_id.choices = choices([("", _("— choose —"))] + [
        (u.id, u.full_name) for u in services.branch_staff(branch)])
    return form


@bp.route("/<int:branch_id>/training/<int:session_id>")
@login_required
def session(branch_id, session_id):
    require(branches_permissions.can_see_training_records(current_user))
    branch = _visible_branch(branch_id)
    item = _session_of(branch, session_id)
    return render_template("branches/session.html", branch=branch, session=item,
                           form=_attendance_form(branch), message=None, today=reader_today())


@bp.route("/<int:branch_id>/training/<int:session_id>/attendance", methods=["POST"])
@login_required
def add_attendance(branch_id, session_id):
    branch = _visible_branch(branch_id)
    require(branches_permissions.can_record_training(current_user, branch))
    item = _session_of(branch, session_id)
    form = _attendance_form(branch)
    message, status = None, 400
    if form.validate_on_submit():
        _done, message, status = save_or_explain(form, lambda: services.record_attendance(
            current_user, item, db.session.get(User, form.user_id.data),
            passed=form.passed.data, certificate_no=form.certificate_no.data,
            expires_on=form.certificate_expires_on.data))
        if status == 200:
            flash(_("Saved."), "success")
            return redirect(url_for("branches.session", branch_id=branch.id,
                                    session_id=item.id))
    return render_template("branches/session.html", branch=branch, session=item, form=form,
                           message=message, today=reader_today()), status


# --- entrustment -----------------------------------------------------------------------------

@bp.route("/entrustment/")
@login_required
def contracts():
    items = db.session.scalars(branches_permissions.visible_contracts(current_user)
                               .order_by(EntrustmentContract.number)).all()
    return render_template("branches/contracts.html", contracts=items, today=reader_today())


@bp.route("/entrustment/<int:contract_id>")
@login_required
def contract(contract_id):
    item = get_visible(branches_permissions.visible_contracts(current_user), EntrustmentContract,
                       contract_id)
    return render_template("branches/contract.html", contract=item, today=reader_today())


@bp.route("/entrustment/new", methods=["GET", "POST"], endpoint="contract_create")
@bp.route("/entrustment/<int:contract_id>/edit", methods=["GET", "POST"],
          endpoint="contract_edit")
@login_required
def contract_form(contract_id=None):
    require(branches_permissions.can_edit_contracts(current_user))
    item = None if contract_id is None else get_visible(
        branches_permissions.visible_contracts(current_user), EntrustmentContract, contract_id)
    form = forms.ContractForm(obj=item)
    form.branch_id.choices = choices((b.id, b.name) for b in db.session.scalars(
        branches_permissions.visible_branches(current_user).join(Branch.organisation).where(
            Branch.kind != BranchKind.COMMUNE_POINT).order_by(Organisation.name)))
    mass = db.session.scalars(permissions.network_organisations(current_user).where(
        Organisation.kind == OrgKind.MASS_ORGANISATION).order_by(Organisation.name)).all()
    form.organisation_id.choices = choices((o.id, o.name) for o in mass)
    groups = db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == OrgKind.SAVINGS_GROUP,
        Organisation.parent_id.in_([o.id for o in mass]))
        .order_by(Organisation.parent_id, Organisation.code)).all()
    form.group_ids.choices = choices(
        (g.id, f"{g.name} — {g.parent.name if g.parent else ''}") for g in groups)
    if request.method == "GET" and item is not None:
        form.group_ids.data = [g.id for g in item.groups]
    return record_form(form, item, services.save_contract, "branches/contract_form.html",
                       lambda saved: url_for("branches.contract", contract_id=saved.id),
                       {"contract": item}, conflict=_conflict_message())


# --- home panel ------------------------------------------------------------------------------

@home_panel
def my_branch(user):
    """Branch staff: their branch, with pending requests and the way to log a delivery."""
    if not user.is_authenticated:
        return None
    mine, pending = queries.own_branches(user)
    if not mine:
        return None
    return {"template": "branches/panel_my_branch.html", "order": 25, "branches": mine,
            "pending": pending}
