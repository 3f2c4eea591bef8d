"""Signing in, invitations, preferences, and the administration of people."""
import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import permissions
from portal.accounts import forms, services
from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.core.errors import Conflict, ValidationError, require
from portal.core.forms import choices
from portal.core.pagecache import cached_page
from portal.core.pagination import paginate
from portal.core.textnorm import matches_all_words
from portal.core.views import form_errors_into, get_visible, safe_next
from portal.extensions import db, limiter
from portal.i18n import current_language
from portal.i18n.display import default_timezone

auth = Blueprint("auth", __name__, template_folder="templates")
users = Blueprint("users", __name__, url_prefix="/admin/users", template_folder="templates")


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
    # the zone this person's pages use while they have chosen none (their organisation's,
    # else their language's): shown selected, and never stored unless they pick another
    form = forms.PreferencesForm(obj=current_user, default_timezone=default_timezone(
        current_user, current_language()))
    if request.method == "GET":
        form.calendar.data = current_user.calendar or ""
        form.show_timezone(current_user)
    if form.validate_on_submit():
        services.update_preferences(
            current_user, preferred_locale=form.preferred_locale.data,
            timezone=form.chosen_timezone(current_user), calendar=form.calendar.data,
            persian_digits=form.persian_digits.data,
            email_notifications=form.email_notifications.data)
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("auth.preferences"))
    return render_template("accounts/preferences.html", form=form), 400 if form.errors else 200


@auth.route("/account/security", methods=["GET", "POST"])
@login_required
def security():
    """Change one's password or e-mail address; both need the current password."""
    password_form = forms.ChangePasswordForm(prefix="pw")
    email_form = forms.ChangeEmailForm(prefix="em")
    submitted = password_form if "pw-current" in request.form else email_form
    if request.method == "POST" and submitted.validate_on_submit():
        try:
            if submitted is password_form:
                services.change_password(current_user, password_form.current.data,
                                         password_form.password.data)
                done = _("Your password is changed. Other sessions were signed out.")
            else:
                services.change_email(current_user, email_form.current.data,
                                      email_form.email.data)
                done = _("Your e-mail address is changed.")
        except ValidationError as error:
            db.session.rollback()
            message = form_errors_into(submitted, error)
            if message:
                flash(message, "danger")
        else:
            db.session.commit()
            login_user(current_user)  # this session stays; its id carries the new version
            flash(done, "success")
            return redirect(url_for("auth.security"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/security.html", password_form=password_form,
                           email_form=email_form), status


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


@auth.route("/network", methods=["POST"])
@login_required
def switch_network():
    """Someone who serves several banks' networks chooses the one they look at; an
    administrator may also look at every network at once (an empty choice)."""
    forms.ConfirmForm().validate_on_submit() or abort(400)
    choices = {org.id for org in permissions.network_choices(current_user)}
    chosen = request.form.get("network", "")
    if chosen == "" and permissions.is_admin(current_user):
        session.pop("network", None)
    elif chosen.isdecimal() and len(chosen) < 12 and int(chosen) in choices:
        session["network"] = int(chosen)
    else:
        abort(400)
    return redirect(safe_next())


# --- users (administrators) ------------------------------------------------------------------

def _admin_only():
    require(permissions.can_manage_users(current_user))


@users.route("/")
@cached_page
@login_required
def index():
    _admin_only()
    query = permissions.visible_users(current_user).order_by(User.full_name) \
        .options(sa.orm.selectinload(User.memberships))
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(matches_all_words(User.search_key, q))
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
    forms.offer_organisations(form.organisation_id)
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
    forms.offer_organisations(membership_form.organisation_id)
    portfolio_form = forms.PortfolioForm(prefix="p")
    portfolio_form.organisation_ids.choices = choices(
        (o.id, f"{o.name} ({o.code})") for o in db.session.scalars(
            sa.select(Organisation).where(Organisation.is_active,
                                          Organisation.kind.notin_(list(
                                              {OrgKind.BANK_HEAD_OFFICE,
                                               OrgKind.SPECIALISED_BRANCH,
                                               OrgKind.MINISTRY})))
            .order_by(Organisation.name)))
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
    form.organisation_ids.choices = choices((o.id, o.name) for o in chosen)
    return _post_action(user_id, lambda u: services.set_portfolio(current_user, u, chosen),
                        _("The portfolio is saved."))


from portal.accounts.organisation_views import orgs  # noqa: E402 - same area, second module

blueprints = (auth, users, orgs)
