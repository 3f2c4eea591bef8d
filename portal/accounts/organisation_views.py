"""The organisation directory: browse the tree, search, edit, import and export."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts import forms, importing, services
from portal.accounts.models import Membership, Organisation, OrgKind, User
from portal.accounts.picker import label_of
from portal.core import tabular, unit_of_work
from portal.core.errors import ValidationError, require
from portal.core.pagecache import cached_page
from portal.core.pagination import paginate
from portal.core.textnorm import matches_all_words
from portal.core.views import get_visible, save_form
from portal.extensions import db, limiter, lookup_limit

orgs = Blueprint("organisations", __name__, url_prefix="/organisations",
                 template_folder="templates")


def _filtered_organisations():
    query = permissions.visible_organisations(current_user)
    q = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    if q:
        query = query.where(matches_all_words(Organisation.search_key, q))
    if kind in {k.value for k in OrgKind}:
        query = query.where(Organisation.kind == OrgKind(kind))
    if request.args.get("inactive") != "1":
        query = query.where(Organisation.is_active)
    return query, q, kind


@orgs.route("/lookup")
@login_required
@limiter.limit(lookup_limit)
def lookup():
    """Suggestions for the organisation search box: the first 20 active organisations the
    person may see whose name, English name, code or place contains every word typed."""
    q = request.args.get("q", "").strip()[:100]
    if len(q) < 2:
        return jsonify(results=[])
    rows = db.session.execute(permissions.visible_organisations(current_user).with_only_columns(
        Organisation.id, Organisation.name, Organisation.code).where(
        Organisation.is_active, matches_all_words(Organisation.search_key, q)).order_by(
        Organisation.name, Organisation.id).limit(20)).all()
    return jsonify(results=[{"id": i, "label": label_of(n, c)} for i, n, c in rows])


@orgs.route("/")
@cached_page
@login_required
def index():
    query, q, kind = _filtered_organisations()
    if q or kind:
        page = paginate(query.order_by(Organisation.name))
        return render_template("accounts/organisations.html", page=page, q=q, kind=kind,
                               kinds=list(OrgKind), roots=None, children={}, below={})
    # no search: browse the tree from its visible roots, two levels at a time, in a fixed
    # number of queries however large the network (deeper levels open from each page)
    visible_ids = query.with_only_columns(Organisation.id)
    roots = db.session.scalars(query.where(sa.or_(
        Organisation.parent_id.is_(None), Organisation.parent_id.notin_(visible_ids)))
        .order_by(Organisation.name)).all()
    children = {}
    for child in db.session.scalars(query.where(Organisation.parent_id.in_(
            [r.id for r in roots])).order_by(Organisation.name)):
        children.setdefault(child.parent_id, []).append(child)
    shown = [r.id for r in roots] + [c.id for kids in children.values() for c in kids]
    below = dict(db.session.execute(
        query.where(Organisation.parent_id.in_(shown))
        .with_only_columns(Organisation.parent_id, sa.func.count())
        .group_by(Organisation.parent_id)).all())
    return render_template("accounts/organisations.html", page=None, q=q, kind=kind,
                           kinds=list(OrgKind), roots=roots, children=children, below=below)


@orgs.route("/<int:org_id>")
@cached_page
@login_required
def show(org_id):
    org = get_visible(permissions.visible_organisations(current_user), Organisation, org_id)
    members = []
    if permissions.can_see_members(current_user, org):
        members = db.session.scalars(sa.select(Membership).where(
            Membership.organisation_id == org.id).join(Membership.user)
            .order_by(User.full_name)).all()
    children = db.session.scalars(permissions.visible_organisations(current_user).where(
        Organisation.parent_id == org.id).order_by(Organisation.name)).all()
    managers = db.session.scalars(sa.select(User).where(User.portfolio.any(
        Organisation.id == org.id))).all()
    return render_template("accounts/organisation.html", org=org, members=members,
                           children=children, managers=managers, confirm=forms.ConfirmForm())


def _save_org_form(org=None):
    form = forms.OrganisationForm(obj=org)
    forms.offer_organisations(form.parent_id, exclude=org.id if org else None,
                              blank=_("— none —"))
    if request.method == "GET" and org is not None:
        form.version_id.data = org.version_id
        form.kind.data = org.kind.value
        form.sector.data = org.sector.value if org.sector else ""
        form.parent_id.data = org.parent_id
    return save_form(
        form, lambda: services.save_organisation(current_user, form.data, org,
                                                 expected_version=form.version_id.data),
        "accounts/organisation_form.html",
        lambda saved: url_for("organisations.show", org_id=saved.id), {"org": org},
        conflict=_("Someone else changed this organisation while you were editing. Their "
                   "change is kept; your text is below so you can apply it again."))


@orgs.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(permissions.can_manage_organisations(current_user))
    return _save_org_form()


@orgs.route("/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id):
    require(permissions.can_manage_organisations(current_user))
    return _save_org_form(get_visible(permissions.visible_organisations(current_user),
                                      Organisation, org_id))


@orgs.route("/<int:org_id>/deactivate", methods=["POST"])
@login_required
def deactivate(org_id):
    require(permissions.can_manage_organisations(current_user))
    org = get_visible(permissions.visible_organisations(current_user), Organisation, org_id)
    forms.ConfirmForm().validate_on_submit() or abort(400)
    services.set_organisation_active(current_user, org, not org.is_active)
    flash(_("Saved."), "success")
    return redirect(url_for("organisations.show", org_id=org.id))


@orgs.route("/import", methods=["GET", "POST"])
@login_required
def import_file():
    require(permissions.can_manage_organisations(current_user))
    form = forms.ImportForm()
    bad_rows, message, status = [], None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            created, updated, unchanged = importing.import_organisations(
                current_user, upload.filename, upload.read())
        except importing.ImportRejected as error:
            unit_of_work.discard()
            bad_rows, message, status = error.rows, error.message, 400
        except ValidationError as error:
            unit_of_work.discard()
            message, status = error.message, 400
        else:
            flash(_("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                    created=created, updated=updated, unchanged=unchanged), "success")
            return redirect(url_for("organisations.index"))
    elif form.errors:
        status = 400
    return render_template("accounts/organisation_import.html", form=form, bad_rows=bad_rows,
                           message=message, columns=importing.COLUMNS,
                           kinds=list(OrgKind)), status


@orgs.route("/import/template.<fmt>")
@login_required
def import_template(fmt):
    require(permissions.can_manage_organisations(current_user))
    return tabular.export_response(importing.COLUMNS, importing.EXAMPLE_ROWS,
                                   "organisations-template", fmt)


@orgs.route("/export.<fmt>")
@login_required
def export(fmt):
    query, _q, _kind = _filtered_organisations()
    parent = sa.orm.aliased(Organisation)
    rows = db.session.execute(
        query.outerjoin(parent, Organisation.parent_id == parent.id)
        .with_only_columns(Organisation.code, Organisation.name, Organisation.name_en,
                           Organisation.kind, parent.code, Organisation.country,
                           Organisation.province, Organisation.district, Organisation.commune,
                           Organisation.currency)
        .order_by(Organisation.code)).all()
    rows = [[v.value if isinstance(v, OrgKind) else (v or "") for v in row] for row in rows]
    return tabular.export_response(importing.COLUMNS, rows, "organisations", fmt)
