"""Signing in: the password or an e-mailed link, the second step (a code or a passkey),
signing out, and confirming it is you before a sensitive change. Routes of the auth blueprint
(portal.accounts.views)."""
import json
import time
from urllib.parse import urlsplit

from flask import (
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

from portal.accounts import forms, passkeys, services, signin
from portal.accounts.views import auth
from portal.core import audit, unit_of_work
from portal.core.errors import ValidationError
from portal.core.models import utcnow
from portal.core.views import safe_next
from portal.extensions import limiter
from portal.i18n import number_filter

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
    user = services.user_by_email(email)
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


def too_soon(template, seconds, **context):
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
    user = services.user_by_email(email)
    audit.record(user, "login_failed", user if user is not None else "User",
                 after={"email": services.normalise_email(email)[:254]})
    if user is not None and row.failures >= config["LOGIN_FREE_FAILURES_ACCOUNT"]:
        signin.tell_owner_of_failures(user, row)


def refused_but_counted():
    """A wrong password, code or passkey: undo whatever the attempt wrote, and keep what is
    written next (the failure count, the audit entry, the owner's warning) although the answer
    is a refusal (portal/core/unit_of_work.py)."""
    unit_of_work.discard()
    unit_of_work.keep_on_refusal()


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
            return too_soon("accounts/login.html", seconds, form=form)
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            return _begin_sign_in(user, "password")
        refused_but_counted()
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
            return too_soon("accounts/second_factor.html", seconds, form=form, user=user)
        if signin.check_second_factor(user, form.code.data):
            signin.clear_failures(key)
            return _finish_sign_in(user, pending["via"] + "+code", pending["next"])
        refused_but_counted()
        signin.record_failure(key, current_app.config["LOGIN_FREE_FAILURES_ACCOUNT"])
        audit.record(user, "second_factor_failed", user)
        form.code.errors = [_("That code is not correct. Type the six digits your app shows "
                              "now, or one of your recovery codes.")]
        return render_template("accounts/second_factor.html", form=form, user=user), 401
    return render_template("accounts/second_factor.html", form=form, user=user)


# --- passkeys and security keys at the second step (JSON, CSRF token in X-CSRFToken) ----------

PASSKEY_CHALLENGE = "_passkey_challenge"


def json_error(message, status):
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
        return json_error(_("Please sign in again."), 401)
    options, challenge = passkeys.authentication_options(user)
    session[PENDING] = {**pending, "challenge": challenge}
    return current_app.response_class(options, mimetype="application/json")


@auth.route("/login/passkey", methods=["POST"])
def passkey_sign_in():
    """The second step with a passkey or security key instead of a code."""
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        return json_error(_("Please sign in again."), 401)
    key = f"code:{user.id}"
    seconds = signin.seconds_to_wait(key)
    if seconds:
        return json_error(_("Too many failed attempts. Wait %(seconds)s seconds and try "
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
    refused_but_counted()
    signin.record_failure(key, current_app.config["LOGIN_FREE_FAILURES_ACCOUNT"])
    audit.record(user, "second_factor_failed", user, after={"via": "passkey"})
    return json_error(_("The passkey was not accepted. Try again, or type a code instead."),
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
        # the same answer whether or not the address has an account
        flash(_("If an account uses this address, a sign-in link is on its way. It works "
                "once, for %(minutes)s minutes.",
                minutes=number_filter(current_app.config["SIGNIN_LINK_MINUTES"], 0)), "info")
        return redirect(url_for("auth.login"))
    return render_template("accounts/sign_in_link.html", form=form), 400 if form.errors else 200


def emailed_link_page(template, use, then):
    """The page a link sent by e-mail opens. GET only shows a button (template): mail scanners
    open links too and must not use them up. The POST calls use(), the service that checks the
    link's token and acts on it, and answers with then(what use returned); a link refused
    (expired, already used) says why."""
    form = forms.ConfirmForm()
    if request.method != "POST":
        return render_template(template, form=form)
    form.validate_on_submit() or abort(400)
    try:
        used = use()
    except ValidationError as error:
        unit_of_work.discard()
        return render_template("accounts/invitation_invalid.html", message=error.message), 400
    return then(used)


@auth.route("/login/link/<token>", methods=["GET", "POST"])
def use_link(token):
    return emailed_link_page("accounts/use_link.html", lambda: signin.user_for_link(token),
                             lambda user: _begin_sign_in(user, "link"))


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_all_sessions(current_user)
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
    # the session only, not current_user: the gate is decided before the person is loaded
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
            return too_soon("accounts/confirm_identity.html", seconds, form=form)
        if current_user.has_two_factor and form.code.data:
            confirmed = signin.check_second_factor(current_user, form.code.data)
        else:
            confirmed = services.password_matches(current_user, form.password.data)
        if confirmed:
            signin.clear_failures(key)
            audit.record(current_user, "identity_confirmed", current_user)
            session[AUTH_AT] = time.time()
            return redirect(safe_next())
        refused_but_counted()
        signin.record_failure(key, current_app.config["LOGIN_FREE_FAILURES_ACCOUNT"])
        audit.record(current_user, "identity_confirmation_failed", current_user)
        flash(_("That is not correct."), "danger")
        return render_template("accounts/confirm_identity.html", form=form), 401
    return render_template("accounts/confirm_identity.html", form=form)
