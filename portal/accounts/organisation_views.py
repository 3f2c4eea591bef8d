"""The organisation directory: browse the tree, search, edit, import and export."""
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts import directory, forms, importing, services
from portal.accounts.models import Organisation, OrgKind
from portal.accounts.picker import label_of
from portal.core import tabular, unit_of_work
from portal.core.errors import ValidationError, require
from portal.core.kept_pages import kept_page
from portal.core.models import get_visible
from portal.core.pagination import paginate, paginate_ids
from portal.core.views import record_form
from portal.extensions import limiter, lookup_limit

orgs = Blueprint("organisations", __name__, url_prefix="/organisations",
                 template_folder="templates")


def _filters():
    return {"q": request.args.get("q", "").strip(), "kind": request.args.get("kind", ""),
            "inactive": request.args.get("inactive") == "1"}


@orgs.route("/lookup")
@login_required
@limiter.limit(lookup_limit)
def lookup():
    """Suggestions for the organisation search box: the first 20 active organisations the
    person may see whose name, English name, code or place contains every word typed."""
    q = request.args.get("q", "").strip()[:100]
    if len(q) < 2:
        return jsonify(results=[])
    return jsonify(results=[{"id": i, "label": label_of(n, c)}
                            for i, n, c in directory.suggestions(current_user, q)])


@orgs.route("/")
@login_required
@kept_page
def index():
    filters = _filters()
    query = directory.filtered_organisations(current_user, **filters)
    q, kind = filters["q"], filters["kind"]
    if q or kind:
        page = paginate(query.order_by(Organisation.name))
        return render_template("accounts/organisations.html", page=page, q=q, kind=kind,
                               kinds=list(OrgKind), roots=None, opened=None, children=[],
                               below={})
    # no search: the tree's first level, a page at a time, each with how many organisations
    # are below it; one of them opened (?open=id, a link: no script needed) shows its first
    # children, and deeper levels open from each organisation's page. A reader with a single
    # root (a union's director) finds it opened.
    root_ids, below = directory.tree_top(current_user, inactive=filters["inactive"])
    roots = paginate_ids(root_ids, directory.organisations_by_ids)
    opened = request.args.get("open", type=int)
    if opened is None and roots.total == 1:
        opened = root_ids[0]
    children = []
    if opened in {r.id for r in roots.items}:
        children = directory.tree_children(query, opened)
        below = below | directory.counts_below(query, [c.id for c in children])
    return render_template("accounts/organisations.html", page=roots, q=q, kind=kind,
                           kinds=list(OrgKind), roots=roots.items, opened=opened,
                           children=children, below=below)


@orgs.route("/<int:org_id>")
@login_required
@kept_page
def show(org_id):
    org = get_visible(permissions.visible_organisations(current_user), Organisation, org_id)
    members = directory.members(org) if permissions.can_see_members(current_user, org) else []
    return render_template("accounts/organisation.html", org=org, members=members,
                           ancestors=directory.ancestors(org),
                           children=paginate(directory.children_of(current_user, org)),
                           managers=directory.relationship_managers(org),
                           confirm=forms.ConfirmForm())


def _org_to_change(org_id):
    """The organisation an edit or a (de)activation is about: 403 for who may not manage the
    directory, 404 for one they may not see; None on the page that adds one (no id)."""
    require(permissions.can_manage_organisations(current_user))
    return None if org_id is None else get_visible(
        permissions.visible_organisations(current_user), Organisation, org_id)


# a new organisation and an organisation's edit page are one page under one rule
@orgs.route("/new", methods=["GET", "POST"], endpoint="create")
@orgs.route("/<int:org_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def organisation_form(org_id=None):
    org = _org_to_change(org_id)
    form = forms.OrganisationForm(obj=org)
    forms.offer_organisations(form.parent_id, exclude=org.id if org else None,
                              blank=_("— none —"))
    if request.method == "GET" and org is not None:
        form.kind.data = org.kind.value
        form.sector.data = org.sector.value if org.sector else ""
        form.parent_id.data = org.parent_id
    return record_form(
        form, org, services.save_organisation, "accounts/organisation_form.html",
        lambda saved: url_for("organisations.show", org_id=saved.id), {"org": org},
        conflict=_("Someone else changed this organisation while you were editing. Their "
                   "change is kept; your text is below so you can apply it again."))


@orgs.route("/<int:org_id>/deactivate", methods=["POST"])
@login_required
def deactivate(org_id):
    org = _org_to_change(org_id)
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
    query = directory.filtered_organisations(current_user, **_filters())
    return tabular.export_response(importing.COLUMNS, directory.export_rows(query),
                                   "organisations", fmt)
