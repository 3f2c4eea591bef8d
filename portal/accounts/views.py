"""Signing in, invitations, preferences, and the administration of people."""
import json
import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import permissions
from portal.accounts import audit_log, forms, passkeys, services, signin
from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.core import audit, tabular
from portal.core.audit import AuditEntry
from portal.core.errors import Conflict, ValidationError, require
from portal.core.forms import choices
from portal.core.models import utcnow
from portal.core.pagecache import cached_page
from portal.core.pagination import paginate
from portal.core.textnorm import matches_all_words
from portal.core.views import form_errors_into, get_visible, safe_next
from portal.extensions import db, limiter
from portal.i18n import current_language, number_filter
from portal.i18n.display import default_timezone
from portal.i18n.fields import filter_day, reader_day_bounds
from portal.i18n.parsing import ascii_digits

auth = Blueprint("auth", __name__, template_folder="templates")
users = Blueprint("users", __name__, url_prefix="/admin/users", template_folder="templates")


# --- signing in ------------------------------------------------------------------------------
#
# A password (or an e-mailed link) only half signs a person in when they have a second factor:
# the session then holds "pending" (who, since when, where to) and nothing else, so every page
# but the code page still asks them to sign in. Failed attempts cost growing delays per account
# and per address instead of a lock-out; a browser that signed in before (its device cookie)
# is not slowed by a stranger's failures on the same account.

PENDING = "_pending_sign_in"
PENDING_SECONDS = 300
AUTH_AT = "_auth_at"
MUST_ENROL = "_must_enrol"


def _known_device(email):
    cookie = request.cookies.get(signin.DEVICE_COOKIE)
    if not cookie:
        return None
    user = db.session.scalar(sa.select(User).where(
        User.email == services.normalise_email(email)))
    return user if user is not None and signin.device_known(cookie, user) else None


def _login_account_key():
    email = services.normalise_email(request.form.get("email", ""))
    # the owner's own browser counts apart: a stranger's failures do not slow it down
    device = "" if _known_device(email) is None else ":device"
    return "login-account:" + email + device


def _login_limit_account():
    return current_app.config["RATELIMIT_LOGIN_ACCOUNT"]


def _login_limit_address():
    return current_app.config["RATELIMIT_LOGIN_ADDRESS"]


def _failed(response):
    # a successful sign-in redirects; only failures count against the limits
    return response.status_code != 302


def _too_soon(template, seconds, **context):
    flash(_("Too many failed attempts. Wait %(seconds)s seconds and try again, or ask for a "
            "sign-in link by e-mail.", seconds=number_filter(seconds, 0)), "danger")
    response = make_response(render_template(template, **context), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _wait_for(email):
    """Seconds this attempt must still wait, by address and (unless the owner's device) by
    account."""
    waits = [signin.seconds_to_wait(signin.address_key(request.remote_addr))]
    if _known_device(email) is None:
        waits.append(signin.seconds_to_wait(signin.account_key(email)))
    return max(waits)


def _count_failure(email):
    config = current_app.config
    signin.record_failure(signin.address_key(request.remote_addr),
                          config["LOGIN_FREE_FAILURES_ADDRESS"])
    row = signin.record_failure(signin.account_key(email), config["LOGIN_FREE_FAILURES_ACCOUNT"])
    user = db.session.scalar(sa.select(User).where(
        User.email == services.normalise_email(email)))
    audit.record(user, "login_failed", user if user is not None else "User",
                 after={"email": services.normalise_email(email)[:254]})
    if user is not None and row.failures >= config["LOGIN_FREE_FAILURES_ACCOUNT"]:
        signin.tell_owner_of_failures(user, row)
    db.session.commit()


def _fresh_session():
    """A fresh session (no fixation) that keeps the language chosen on the sign-in page."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def _begin_sign_in(user, via):
    """The password or link was right: sign in now, or ask for the second factor first."""
    next_url = safe_next()
    if user.has_two_factor:
        _fresh_session()
        session[PENDING] = {"user": user.get_id(), "at": time.time(), "via": via,
                            "next": next_url}
        db.session.commit()
        return redirect(url_for("auth.second_factor"))
    return _finish_sign_in(user, via, next_url)


def _finish_sign_in(user, via, next_url):
    known = signin.device_known(request.cookies.get(signin.DEVICE_COOKIE), user)
    if not known and user.last_login_at is not None:
        signin.tell_owner_of_new_device(user, request.user_agent.string)
    user.last_login_at = utcnow()
    audit.record(user, "login", user, after={"via": via, "new_device": not known})
    signin.clear_failures(signin.account_key(user.email))
    _fresh_session()
    login_user(user)
    session.permanent = True
    session[AUTH_AT] = time.time()
    if signin.must_enrol(user):
        session[MUST_ENROL] = True
        next_url = url_for("auth.two_factor")
    db.session.commit()
    response = redirect(next_url)
    if not known:
        response.set_cookie(signin.DEVICE_COOKIE, signin.device_cookie_value(user),
                            max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400,
                            secure=current_app.config["SESSION_COOKIE_SECURE"],
                            httponly=True, samesite="Lax")
    return response


@auth.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit_account, key_func=_login_account_key, methods=["POST"],
               deduct_when=_failed)
@limiter.limit(_login_limit_address, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        seconds = _wait_for(form.email.data)
        if seconds:
            return _too_soon("accounts/login.html", seconds, form=form)
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            return _begin_sign_in(user, "password")
        db.session.rollback()
        _count_failure(form.email.data)
        flash(_("The e-mail address or password is not correct."), "danger")
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


def _pending_user():
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    user = services.load_session_user(pending.get("user"))
    return user, pending


@auth.route("/login/code", methods=["GET", "POST"])
def second_factor():
    """The second step: the code from the authenticator app, or a recovery code."""
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = forms.CodeForm()
    if form.validate_on_submit():
        key = f"code:{user.id}"
        seconds = signin.seconds_to_wait(key)
        if seconds:
            return _too_soon("accounts/second_factor.html", seconds, form=form, user=user)
        if signin.check_second_factor(user, form.code.data):
            signin.clear_failures(key)
            return _finish_sign_in(user, pending["via"] + "+code", pending["next"])
        db.session.rollback()
        signin.record_failure(key, current_app.config["LOGIN_FREE_FAILURES_ACCOUNT"])
        audit.record(user, "second_factor_failed", user)
        db.session.commit()
        form.code.errors = [_("That code is not correct. Type the six digits your app shows "
                              "now, or one of your recovery codes.")]
        return render_template("accounts/second_factor.html", form=form, user=user), 401
    return render_template("accounts/second_factor.html", form=form, user=user)


# --- passkeys and security keys at the second step (JSON, CSRF token in X-CSRFToken) ----------

PASSKEY_CHALLENGE = "_passkey_challenge"


def _json_error(message, status):
    return {"error": message}, status


def _as_json_redirect(response):
    """A redirect (with its cookies) as JSON for the script, which then goes there itself."""
    location = response.location
    response.status_code = 200
    del response.headers["Location"]
    response.set_data(json.dumps({"redirect": location}))
    response.mimetype = "application/json"
    return response


@auth.route("/login/passkey/options", methods=["POST"])
def passkey_sign_in_options():
    user, pending = _pending_user()
    if user is None or not user.passkeys:
        return _json_error(_("Please sign in again."), 401)
    options, challenge = passkeys.authentication_options(user)
    session[PENDING] = {**pending, "challenge": challenge}
    return current_app.response_class(options, mimetype="application/json")


@auth.route("/login/passkey", methods=["POST"])
def passkey_sign_in():
    """The second step with a passkey or security key instead of a code."""
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        return _json_error(_("Please sign in again."), 401)
    key = f"code:{user.id}"
    seconds = signin.seconds_to_wait(key)
    if seconds:
        return _json_error(_("Too many failed attempts. Wait %(seconds)s seconds and try "
                             "again, or ask for a sign-in link by e-mail.",
                             seconds=number_filter(seconds, 0)), 429)
    # a challenge answers once, right or wrong
    challenge = pending.pop("challenge", None)
    session[PENDING] = pending
    if passkeys.authenticate(user, request.get_json(silent=True), challenge):
        signin.clear_failures(key)
        audit.record(user, "passkey_used", user)
        return _as_json_redirect(_finish_sign_in(user, pending["via"] + "+passkey",
                                                 pending["next"]))
    db.session.rollback()
    signin.record_failure(key, current_app.config["LOGIN_FREE_FAILURES_ACCOUNT"])
    audit.record(user, "second_factor_failed", user, after={"via": "passkey"})
    db.session.commit()
    return _json_error(_("The passkey was not accepted. Try again, or type a code instead."),
                       401)


@auth.route("/login/link", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def request_link():
    """A sign-in link by e-mail: the way through when delays slow the password form."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = forms.SignInLinkForm()
    if form.validate_on_submit():
        signin.send_sign_in_link(form.email.data)
        db.session.commit()
        # the same answer whether or not the address has an account
        flash(_("If an account uses this address, a sign-in link is on its way. It works "
                "once, for %(minutes)s minutes.",
                minutes=number_filter(current_app.config["SIGNIN_LINK_MINUTES"], 0)), "info")
        return redirect(url_for("auth.login"))
    return render_template("accounts/sign_in_link.html", form=form), 400 if form.errors else 200


@auth.route("/login/link/<token>", methods=["GET", "POST"])
def use_link(token):
    """GET only shows a button: mail scanners that open links must not use them up."""
    form = forms.ConfirmForm()
    if request.method == "POST":
        form.validate_on_submit() or abort(400)
        try:
            user = signin.user_for_link(token)
        except ValidationError as error:
            db.session.rollback()
            return render_template("accounts/invitation_invalid.html",
                                   message=error.message), 400
        return _begin_sign_in(user, "link")
    return render_template("accounts/use_link.html", form=form)


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


# --- the second factor and confirming it is you --------------------------------------------------

# endpoints a person who must enrol may still use
_WHILE_ENROLLING = {"auth.two_factor", "auth.logout", "auth.switch_language", "static",
                    "auth.passkey_options", "auth.add_passkey",
                    "home.healthz", "home.readyz"}
# changes that need the password or a code from the last REAUTH_MINUTES (POST only)
SENSITIVE = {"users.add_membership", "users.remove_membership", "users.reset_two_factor",
             "turnover.tokens", "turnover.revoke_token", "auth.remove_two_factor",
             "auth.renew_recovery_codes", "auth.remove_passkey"}


@auth.before_app_request
def _second_factor_gate():
    # the session only, not current_user: kept pages are sent without loading the person
    if not session.get("_user_id"):
        return None
    if session.get(MUST_ENROL) and request.endpoint not in _WHILE_ENROLLING:
        # the enrolment page itself says why they are there
        return redirect(url_for("auth.two_factor"))
    if request.method == "POST" and request.endpoint in SENSITIVE:
        minutes = current_app.config["REAUTH_MINUTES"]
        if time.time() - session.get(AUTH_AT, 0) > minutes * 60:
            flash(_("Please confirm it is you before this change."), "info")
            return redirect(url_for("auth.confirm_identity", next=_page_it_came_from()))
    return None


def _page_it_came_from():
    """The path of the page the form was on (same site only), to go back to afterwards."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/"):
        return url_for("home.index")
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


@auth.route("/account/confirm", methods=["GET", "POST"])
@login_required
def confirm_identity():
    form = forms.ConfirmIdentityForm()
    if form.validate_on_submit():
        key = f"reauth:{current_user.id}"
        seconds = signin.seconds_to_wait(key)
        if seconds:
            return _too_soon("accounts/confirm_identity.html", seconds, form=form)
        if current_user.has_two_factor and form.code.data:
            confirmed = signin.check_second_factor(current_user, form.code.data)
        else:
            confirmed = services.password_matches(current_user, form.password.data)
        if confirmed:
            signin.clear_failures(key)
            audit.record(current_user, "identity_confirmed", current_user)
            db.session.commit()
            session[AUTH_AT] = time.time()
            return redirect(safe_next())
        db.session.rollback()
        signin.record_failure(key, current_app.config["LOGIN_FREE_FAILURES_ACCOUNT"])
        audit.record(current_user, "identity_confirmation_failed", current_user)
        db.session.commit()
        flash(_("That is not correct."), "danger")
        return render_template("accounts/confirm_identity.html", form=form), 401
    return render_template("accounts/confirm_identity.html", form=form)


@auth.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up the authenticator app: scan the QR code or type the secret, then one code."""
    form = forms.CodeForm()
    codes = None
    if not current_user.has_totp:
        signin.start_enrolment(current_user)
        db.session.commit()
        if form.validate_on_submit():
            try:
                codes = signin.confirm_enrolment(current_user, form.code.data)
            except ValidationError as error:
                db.session.rollback()
                form_errors_into(form, error)
            else:
                db.session.commit()
                session.pop(MUST_ENROL, None)
                session[AUTH_AT] = time.time()
                flash(_("Your second factor is on."), "success")
    status = 400 if form.errors else 200
    return render_template(
        "accounts/two_factor.html", form=form, codes=codes, confirm=forms.ConfirmForm(),
        required=signin.two_factor_required(current_user),
        qr=None if current_user.has_totp else signin.qr_svg(current_user),
        secret=signin.spaced_secret(current_user.totp_secret or ""),
        unused=signin.unused_recovery_codes(current_user)), status


@auth.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def renew_recovery_codes():
    forms.ConfirmForm().validate_on_submit() or abort(400)
    require(current_user.has_two_factor)
    codes = signin.regenerate_recovery_codes(current_user)
    db.session.commit()
    return render_template("accounts/two_factor.html", form=forms.CodeForm(), codes=codes,
                           confirm=forms.ConfirmForm(), qr=None, secret=None,
                           required=signin.two_factor_required(current_user),
                           unused=len(codes))


@auth.route("/account/two-factor/remove", methods=["POST"])
@login_required
def remove_two_factor():
    """A union director may turn the offered second factor off; a required one stays."""
    forms.ConfirmForm().validate_on_submit() or abort(400)
    require(current_user.has_two_factor and not signin.two_factor_required(current_user))
    signin.turn_off_own(current_user)
    db.session.commit()
    # this session stays; its id carries the new version
    login_user(current_user._get_current_object())
    flash(_("Your second factor is off."), "success")
    return redirect(url_for("auth.two_factor"))


@auth.route("/account/passkeys/options", methods=["POST"])
@login_required
def passkey_options():
    """Options for the browser to create a passkey; the challenge stays in the session."""
    options, challenge = passkeys.registration_options(current_user)
    session[PASSKEY_CHALLENGE] = challenge
    return current_app.response_class(options, mimetype="application/json")


@auth.route("/account/passkeys", methods=["POST"])
@login_required
def add_passkey():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    challenge = session.pop(PASSKEY_CHALLENGE, None)  # answers once
    try:
        passkeys.register(current_user, data.get("credential"), challenge, data.get("name"))
    except ValidationError as error:
        db.session.rollback()
        return _json_error(error.message, 400)
    db.session.commit()
    session.pop(MUST_ENROL, None)
    session[AUTH_AT] = time.time()
    flash(_("Your passkey is added. It now works as your second factor."), "success")
    return {"redirect": url_for("auth.two_factor")}


@auth.route("/account/passkeys/<int:passkey_id>/remove", methods=["POST"])
@login_required
def remove_passkey(passkey_id):
    forms.ConfirmForm().validate_on_submit() or abort(400)
    key = passkeys.own_key(current_user, passkey_id)
    try:
        passkeys.remove(current_user, key)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("auth.two_factor"))
    db.session.commit()
    login_user(current_user._get_current_object())  # this session carries the new version
    flash(_("The passkey is removed."), "success")
    return redirect(url_for("auth.two_factor"))


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
    """Change one's password or e-mail address; both need the current password, and wrong
    guesses at it cost the same growing delays as at the sign-in form."""
    password_form = forms.ChangePasswordForm(prefix="pw")
    email_form = forms.ChangeEmailForm(prefix="em")
    submitted = password_form if "pw-current" in request.form else email_form
    if request.method == "POST" and submitted.validate_on_submit():
        key = f"current-password:{current_user.id}"
        seconds = signin.seconds_to_wait(key)
        if seconds:
            return _too_soon("accounts/security.html", seconds, password_form=password_form,
                             email_form=email_form)
        try:
            if submitted is password_form:
                services.change_password(current_user, password_form.current.data,
                                         password_form.password.data)
                done = _("Your password is changed. Other sessions were signed out.")
            else:
                services.change_email(current_user, email_form.current.data,
                                      email_form.email.data)
                # the same answer whether or not the address already has an account
                done = _("We sent a link to the new address. Your e-mail address changes "
                         "when you open it.")
        except ValidationError as error:
            db.session.rollback()
            if error.details.get("field") == "current":
                signin.record_failure(key, current_app.config["LOGIN_FREE_FAILURES_ACCOUNT"])
                audit.record(current_user, "current_password_failed", current_user)
                db.session.commit()
            message = form_errors_into(submitted, error)
            if message:
                flash(message, "danger")
        else:
            signin.clear_failures(key)
            db.session.commit()
            session[AUTH_AT] = time.time()
            # this session stays; its id carries the new version
            login_user(current_user._get_current_object())
            flash(done, "success")
            return redirect(url_for("auth.security"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/security.html", password_form=password_form,
                           email_form=email_form), status


@auth.route("/account/email/<token>", methods=["GET", "POST"])
def confirm_email(token):
    """GET shows a button; the POST applies the change (mail scanners open links too)."""
    form = forms.ConfirmForm()
    if request.method == "POST":
        form.validate_on_submit() or abort(400)
        try:
            services.confirm_email_change(token)
        except ValidationError as error:
            db.session.rollback()
            return render_template("accounts/invitation_invalid.html",
                                   message=error.message), 400
        db.session.commit()
        flash(_("Your e-mail address is changed."), "success")
        return redirect(url_for("auth.security") if current_user.is_authenticated
                        else url_for("auth.login"))
    return render_template("accounts/confirm_email.html", form=form)


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
    rows = db.session.execute(_audit_query().limit(50_000)).scalars()
    values = audit_log.can_read_values(current_user)
    header = ["when_utc", "who", "who_email", "action", "record", "record_id", "address"] + (
        ["before", "after"] if values else [])
    body = ([e.created_at.isoformat(timespec="seconds"),
             e.actor.full_name if e.actor else "", e.actor.email if e.actor else "",
             e.action, e.object_type, e.object_id or "", e.remote_addr or ""] + (
        [json.dumps(e.before, ensure_ascii=False) if e.before else "",
         json.dumps(e.after, ensure_ascii=False) if e.after else ""] if values else [])
        for e in rows)
    return tabular.export_response(header, body, "audit-log", "csv")


from portal.accounts.organisation_views import orgs  # noqa: E402 - same area, second module

blueprints = (auth, users, orgs, audit_bp)
