"""Signing in, invitations, preferences, and the administration of users and organisations."""
import sqlalchemy as sa
from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import permissions
from portal.accounts import forms, importing, services
from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.core import tabular
from portal.core.errors import Conflict, ValidationError, require
from portal.core.pagination import paginate
from portal.core.textnorm import search_key
from portal.core.views import form_errors_into, get_visible, safe_next
from portal.extensions import db, limiter

auth = Blueprint("auth", __name__, template_folder="templates")
users = Blueprint("users", __name__, url_prefix="/admin/users", template_folder="templates")
orgs = Blueprint("organisations", __name__, url_prefix="/organisations",
                 template_folder="templates")


# --- signing in ------------------------------------------------------------------------------

def _login_account_key():
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


def _login_limit_account():
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


def _login_limit_address():
    return current_app.config["RATELIMIT_LOGIN_ADDRESS"]


def _failed(response):
    # a successful sign-in redirects; only failures count against the limits
    return response.status_code != 302


@auth.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit_account, key_func=_login_account_key, methods=["POST"],
               deduct_when=_failed)
@limiter.limit(_login_limit_address, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session id: no fixation
            login_user(user)
            session.permanent = True
            db.session.commit()
            return redirect(safe_next())
        db.session.rollback()
        flash(_("The e-mail address or password is not correct."), "danger")
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@auth.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    try:
        invited = services.user_for_invitation(token)
    except ValidationError as error:
        return render_template("accounts/invitation_invalid.html", message=error.message), 400
    form = forms.SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(token, form.password.data)
        except ValidationError as error:
            db.session.rollback()
            form.password.errors = [error.message]
        else:
            db.session.commit()
            logout_user()
            flash(_("Your password is set. You can now sign in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("accounts/invitation.html", form=form, invited=invited), \
        400 if form.errors else 200


@auth.route("/account/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = forms.PreferencesForm(obj=current_user)
    if request.method == "GET":
        form.calendar.data = current_user.calendar or ""
        form.timezone.data = current_user.timezone or "UTC"
    if form.validate_on_submit():
        services.update_preferences(
            current_user, preferred_locale=form.preferred_locale.data,
            timezone=form.timezone.data, calendar=form.calendar.data,
            persian_digits=form.persian_digits.data,
            email_notifications=form.email_notifications.data)
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("auth.preferences"))
    return render_template("accounts/preferences.html", form=form), 400 if form.errors else 200


@auth.route("/language", methods=["POST"])
def switch_language():
    """The switcher on every page. For a signed-in user it also becomes their preference."""
    forms.ConfirmForm().validate_on_submit() or abort(400)
    code = request.form.get("language", "")
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.preferred_locale = code
        db.session.commit()
    return redirect(safe_next())


# --- users (administrators) ------------------------------------------------------------------

def _admin_only():
    require(permissions.can_manage_users(current_user))


def _organisation_choices():
    rows = db.session.execute(sa.select(Organisation.id, Organisation.name, Organisation.code)
                              .where(Organisation.is_active).order_by(Organisation.name))
    return [(oid, f"{name} ({code})") for oid, name, code in rows]


@users.route("/")
@login_required
def index():
    _admin_only()
    query = permissions.visible_users(current_user).order_by(User.full_name)
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(User.search_key.contains(search_key(q), autoescape=True))
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(User.memberships.any(Membership.role == Role(role)))
    return render_template("accounts/users.html", page=paginate(query), q=q, role=role,
                           roles=list(Role))


@users.route("/new", methods=["GET", "POST"])
@login_required
def create():
    _admin_only()
    form = forms.NewUserForm()
    form.organisation_id.choices = _organisation_choices()
    message = None
    if form.validate_on_submit():
        try:
            user = services.create_user(
                current_user, email=form.email.data, full_name=form.full_name.data,
                preferred_locale=form.preferred_locale.data,
                organisation=db.session.get(Organisation, form.organisation_id.data),
                role=form.role.data)
        except ValidationError as error:
            db.session.rollback()
            message = form_errors_into(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s was created and an invitation is on its way.",
                    name=user.full_name), "success")
            return redirect(url_for("users.edit", user_id=user.id))
    status = 400 if (form.errors or message) else 200
    return render_template("accounts/user_new.html", form=form, message=message), status


def _user_page(user, form, message=None, status=200):
    membership_form = forms.MembershipForm(prefix="m")
    membership_form.organisation_id.choices = _organisation_choices()
    portfolio_form = forms.PortfolioForm(prefix="p")
    portfolio_form.organisation_ids.choices = [
        (o.id, f"{o.name} ({o.code})") for o in db.session.scalars(
            sa.select(Organisation).where(Organisation.is_active,
                                          Organisation.kind.notin_(list(
                                              {OrgKind.BANK_HEAD_OFFICE,
                                               OrgKind.SPECIALISED_BRANCH,
                                               OrgKind.MINISTRY})))
            .order_by(Organisation.name))]
    portfolio_form.organisation_ids.data = [o.id for o in user.portfolio]
    return render_template("accounts/user_edit.html", user=user, form=form,
                           membership_form=membership_form, portfolio_form=portfolio_form,
                           confirm=forms.ConfirmForm(), message=message), status


def _load_user(user_id):
    return get_visible(permissions.visible_users(current_user), User, user_id)


@users.route("/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit(user_id):
    _admin_only()
    user = _load_user(user_id)
    form = forms.UserForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, expected_version=form.version_id.data,
                                 email=form.email.data, full_name=form.full_name.data,
                                 preferred_locale=form.preferred_locale.data)
        except Conflict:
            db.session.rollback()
            return _user_page(db.session.get(User, user_id), form, _(
                "Someone else changed this person while you were editing. Their change is "
                "kept; your text is below so you can apply it again."), 409)
        except ValidationError as error:
            db.session.rollback()
            return _user_page(user, form, form_errors_into(form, error), 400)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("users.edit", user_id=user.id))
    if request.method == "GET":
        form.version_id.data = user.version_id
    return _user_page(user, form, status=400 if form.errors else 200)


def _post_action(user_id, action, done_message):
    _admin_only()
    user = _load_user(user_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(user)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(done_message, "success")
    return redirect(url_for("users.edit", user_id=user_id))


@users.route("/<int:user_id>/invite", methods=["POST"])
@login_required
def invite(user_id):
    return _post_action(user_id, lambda u: services.send_invitation(current_user, u),
                        _("A new invitation has been sent."))


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
    _admin_only()
    _load_user(user_id)
    form = forms.MembershipForm(prefix="m")
    form.organisation_id.choices = _organisation_choices()
    if not form.validate_on_submit():
        flash(_("Choose an organisation and a role."), "danger")
        return redirect(url_for("users.edit", user_id=user_id))
    return _post_action(user_id, lambda u: services.add_membership(
        current_user, u, db.session.get(Organisation, form.organisation_id.data), form.role.data),
        _("The role was added."))


@users.route("/<int:user_id>/memberships/<int:membership_id>/delete", methods=["POST"])
@login_required
def remove_membership(user_id, membership_id):
    _admin_only()
    user = _load_user(user_id)
    membership = next((m for m in user.memberships if m.id == membership_id), None)
    if membership is None:
        abort(404)
    return _post_action(user_id, lambda u: services.remove_membership(current_user, membership),
                        _("The role was removed."))


@users.route("/<int:user_id>/portfolio", methods=["POST"])
@login_required
def set_portfolio(user_id):
    _admin_only()
    form = forms.PortfolioForm(prefix="p")
    ids = request.form.getlist("p-organisation_ids", type=int)
    chosen = list(db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids))))
    form.organisation_ids.choices = [(o.id, o.name) for o in chosen]
    return _post_action(user_id, lambda u: services.set_portfolio(current_user, u, chosen),
                        _("The portfolio is saved."))


# --- organisations ---------------------------------------------------------------------------

def _filtered_organisations():
    query = permissions.visible_organisations(current_user)
    q = request.args.get("q", "").strip()
    kind = request.args.get("kind", "")
    if q:
        query = query.where(Organisation.search_key.contains(search_key(q), autoescape=True))
    if kind in {k.value for k in OrgKind}:
        query = query.where(Organisation.kind == OrgKind(kind))
    if request.args.get("inactive") != "1":
        query = query.where(Organisation.is_active)
    return query, q, kind


@orgs.route("/")
@login_required
def index():
    query, q, kind = _filtered_organisations()
    if q or kind:
        page = paginate(query.order_by(Organisation.name))
        return render_template("accounts/organisations.html", page=page, q=q, kind=kind,
                               kinds=list(OrgKind), roots=None)
    # no search: browse the tree from its visible roots
    visible_ids = query.with_only_columns(Organisation.id)
    roots = db.session.scalars(query.where(sa.or_(
        Organisation.parent_id.is_(None), Organisation.parent_id.notin_(visible_ids)))
        .order_by(Organisation.name)).all()
    return render_template("accounts/organisations.html", page=None, q=q, kind=kind,
                           kinds=list(OrgKind), roots=roots)


@orgs.route("/<int:org_id>")
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


def _parent_choices(exclude=None):
    return [("", _("— none —"))] + [c for c in _organisation_choices() if c[0] != exclude]


def _save_org_form(org=None):
    form = forms.OrganisationForm(obj=org)
    form.parent_id.choices = _parent_choices(exclude=org.id if org else None)
    if request.method == "GET" and org is not None:
        form.version_id.data = org.version_id
        form.kind.data = org.kind.value
        form.parent_id.data = org.parent_id
    message, status = None, 200
    if form.validate_on_submit():
        try:
            saved = services.save_organisation(current_user, form.data, org,
                                               expected_version=form.version_id.data)
        except Conflict:
            db.session.rollback()
            message, status = _("Someone else changed this organisation while you were "
                                "editing. Their change is kept; your text is below so you "
                                "can apply it again."), 409
            org = db.session.get(Organisation, org.id)
        except ValidationError as error:
            db.session.rollback()
            message, status = form_errors_into(form, error), 400
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("organisations.show", org_id=saved.id))
    elif form.errors:
        status = 400
    return render_template("accounts/organisation_form.html", form=form, org=org,
                           message=message), status


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
    db.session.commit()
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
            db.session.rollback()
            bad_rows, message, status = error.rows, error.message, 400
        except ValidationError as error:
            db.session.rollback()
            message, status = error.message, 400
        else:
            db.session.commit()
            flash(_("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                    created=created, updated=updated, unchanged=unchanged), "success")
            return redirect(url_for("organisations.index"))
    elif form.errors:
        status = 400
    return render_template("accounts/organisation_import.html", form=form, bad_rows=bad_rows,
                           message=message, columns=importing.COLUMNS), status


def _download(data, filename, mimetype):
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@orgs.route("/import/template.<fmt>")
@login_required
def import_template(fmt):
    require(permissions.can_manage_organisations(current_user))
    if fmt == "csv":
        return _download(tabular.csv_bytes(importing.COLUMNS, importing.EXAMPLE_ROWS),
                         "organisations-template.csv", "text/csv")
    if fmt == "xlsx":
        return _download(tabular.xlsx_bytes(importing.COLUMNS, importing.EXAMPLE_ROWS,
                                            "organisations"),
                         "organisations-template.xlsx", XLSX_TYPE)
    abort(404)


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
    if fmt == "csv":
        return _download(tabular.csv_bytes(importing.COLUMNS, rows), "organisations.csv",
                         "text/csv")
    if fmt == "xlsx":
        return _download(tabular.xlsx_bytes(importing.COLUMNS, rows, "organisations"),
                         "organisations.xlsx", XLSX_TYPE)
    abort(404)
