"""The accounts area's blueprints: auth (signing in, signin_views; one's own account,
account_views), the administration of people (here), the audit log (here) and the organisation
directory (organisation_views)."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts import audit_log, directory, forms, services, signin
from portal.accounts.models import Organisation, Role, User
from portal.core import tabular, unit_of_work
from portal.core.audit import AuditEntry
from portal.core.errors import ValidationError, require
from portal.core.forms import choices
from portal.core.kept_pages import kept_page
from portal.core.models import get_visible
from portal.core.pagination import paginate
from portal.core.views import save_or_explain
from portal.extensions import db
from portal.i18n.fields import filter_day, reader_day_bounds
from portal.i18n.parsing import ascii_digits

auth = Blueprint("auth", __name__, template_folder="templates")
users = Blueprint("users", __name__, url_prefix="/admin/users", template_folder="templates")


# --- users (administrators) ------------------------------------------------------------------

@users.before_request
@login_required
def _administrators_only():
    """Every page of the people's administration is the administrators' alone: said once for
    the blueprint, so a page added later cannot forget it. Someone not signed in is sent to
    sign in first (login_required), as on any page."""
    require(permissions.can_manage_users(current_user))


@users.route("/")
@login_required
@kept_page
def index():
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    return render_template("accounts/users.html",
                           page=paginate(directory.filtered_users(current_user, q, role)),
                           q=q, role=role, roles=list(Role))


@users.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = forms.NewUserForm()
    forms.offer_organisations(form.organisation_id)
    message, status = None, 200
    if form.validate_on_submit():
        user, message, status = save_or_explain(form, lambda: services.create_user(
            current_user, email=form.email.data, full_name=form.full_name.data,
            preferred_locale=form.preferred_locale.data,
            organisation=db.session.get(Organisation, form.organisation_id.data),
            role=form.role.data))
        if status == 200:
            flash(_("%(name)s was created and an invitation is on its way.",
                    name=user.full_name), "success")
            return redirect(url_for("users.edit", user_id=user.id))
    if form.errors and status == 200:
        status = 400
    return render_template("accounts/user_new.html", form=form, message=message), status


def _user_page(user, form, message=None, status=200):
    membership_form = forms.MembershipForm(prefix="m")
    forms.offer_organisations(membership_form.organisation_id)
    portfolio_form = forms.PortfolioForm(prefix="p")
    if Role.RELATIONSHIP_MANAGER in user.roles:  # only their page shows a portfolio
        portfolio_form.organisation_ids.choices = choices(directory.portfolio_choices())
        portfolio_form.organisation_ids.data = [o.id for o in user.portfolio]
    return render_template("accounts/user_edit.html", user=user, form=form,
                           membership_form=membership_form, portfolio_form=portfolio_form,
                           confirm=forms.ConfirmForm(), message=message), status


def _load_user(user_id):
    return get_visible(permissions.visible_users(current_user), User, user_id)


@users.route("/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit(user_id):
    user = _load_user(user_id)
    form = forms.UserForm(obj=user)
    if form.validate_on_submit():
        _saved, message, status = save_or_explain(form, lambda: services.update_user(
            current_user, user, expected_version=form.version_id.data, email=form.email.data,
            full_name=form.full_name.data, preferred_locale=form.preferred_locale.data))
        if status == 409:
            message = _("Someone else changed this person while you were editing. Their "
                        "change is kept; your text is below so you can apply it again.")
        if status != 200:
            return _user_page(user, form, message, status)
        flash(_("Saved."), "success")
        return redirect(url_for("users.edit", user_id=user.id))
    if request.method == "GET":
        form.version_id.data = user.version_id
    return _user_page(user, form, status=400 if form.errors else 200)


def _post_action(user_id, action, done_message):
    user = _load_user(user_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(user)
    except ValidationError as error:
        unit_of_work.discard()
        flash(error.message, "danger")
    else:
        flash(done_message, "success")
    return redirect(url_for("users.edit", user_id=user_id))


@users.route("/<int:user_id>/invite", methods=["POST"])
@login_required
def invite(user_id):
    return _post_action(user_id, lambda u: services.send_invitation(current_user, u),
                        _("A new invitation has been sent."))


@users.route("/<int:user_id>/two-factor/reset", methods=["POST"])
@login_required
def reset_two_factor(user_id):
    """The lost-device path: the person sets up a new second factor at their next sign-in."""
    return _post_action(user_id, lambda u: signin.remove_second_factor(current_user, u),
                        _("The second factor is removed. The person will set up a new one "
                          "when they next sign in."))


@users.route("/<int:user_id>/deactivate", methods=["POST"])
@login_required
def deactivate(user_id):
    return _post_action(user_id, lambda u: services.set_user_active(current_user, u, False),
                        _("The account is deactivated."))


@users.route("/<int:user_id>/reactivate", methods=["POST"])
@login_required
def reactivate(user_id):
    return _post_action(user_id, lambda u: services.set_user_active(current_user, u, True),
                        _("The account is active again."))


@users.route("/<int:user_id>/memberships", methods=["POST"])
@login_required
def add_membership(user_id):
    _load_user(user_id)
    form = forms.MembershipForm(prefix="m")
    forms.offer_organisations(form.organisation_id)
    if not form.validate_on_submit():
        flash(_("Choose an organisation and a role."), "danger")
        return redirect(url_for("users.edit", user_id=user_id))
    return _post_action(user_id, lambda u: services.add_membership(
        current_user, u, db.session.get(Organisation, form.organisation_id.data), form.role.data),
        _("The role was added."))


@users.route("/<int:user_id>/memberships/<int:membership_id>/delete", methods=["POST"])
@login_required
def remove_membership(user_id, membership_id):
    user = _load_user(user_id)
    membership = next((m for m in user.memberships if m.id == membership_id), None)
    if membership is None:
        abort(404)
    return _post_action(user_id, lambda u: services.remove_membership(current_user, membership),
                        _("The role was removed."))


@users.route("/<int:user_id>/portfolio", methods=["POST"])
@login_required
def set_portfolio(user_id):
    form = forms.PortfolioForm(prefix="p")
    ids = request.form.getlist("p-organisation_ids", type=int)
    chosen = list(db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids))))
    form.organisation_ids.choices = choices((o.id, o.name) for o in chosen)
    return _post_action(user_id, lambda u: services.set_portfolio(current_user, u, chosen),
                        _("The portfolio is saved."))


# --- the audit log (administrators, the ministry) ------------------------------------------------

audit_bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")


def _audit_query():
    require(audit_log.can_read_audit(current_user))
    args = request.args
    record_id = args.get("record_id", "").strip()
    record_id = int(ascii_digits(record_id)) if ascii_digits(record_id).isdecimal() \
        and len(record_id) < 12 else None
    start, end = filter_day(args, "from"), filter_day(args, "to")
    return audit_log.filtered(
        audit_log.visible_entries(current_user), action=args.get("action", "")[:64],
        who=args.get("who", "").strip()[:200], record=args.get("record", "")[:64],
        record_id=record_id, security_only=args.get("security") == "1",
        start=reader_day_bounds(start)[0] if start else None,
        end=reader_day_bounds(end)[1] if end else None)


@audit_bp.route("/", endpoint="index")
@login_required
def audit_index():
    query = _audit_query().options(sa.orm.joinedload(AuditEntry.actor))
    return render_template("accounts/audit.html", page=paginate(query),
                           actions=audit_log.actions_in_use(),
                           records=audit_log.record_types_in_use(),
                           label=audit_log.action_label,
                           values=audit_log.can_read_values(current_user))


@audit_bp.route("/export.csv", endpoint="export")
@login_required
def audit_export():
    header, body = audit_log.export_rows(_audit_query(),
                                         values=audit_log.can_read_values(current_user))
    return tabular.export_response(header, body, "audit-log", "csv")


# the routes of the same blueprints kept in their own modules, by topic
from portal.accounts import account_views, signin_views  # noqa: E402, F401
from portal.accounts.digest_views import bp as digests_bp  # noqa: E402
from portal.accounts.organisation_views import orgs  # noqa: E402

blueprints = (auth, users, orgs, audit_bp, digests_bp)
