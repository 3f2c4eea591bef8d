"""One's own account: the second factor (authenticator app, passkeys, recovery codes), the
invitation, preferences, password and e-mail address, language and network. Routes of the
auth blueprint (portal.accounts.views)."""
import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import permissions
from portal.accounts import forms, passkeys, services, signin
from portal.accounts.signin_views import (
    AUTH_AT,
    MUST_ENROL,
    PASSKEY_CHALLENGE,
    emailed_link_page,
    json_error,
    refused_but_counted,
    too_soon,
)
from portal.accounts.views import auth
from portal.core import audit, unit_of_work
from portal.core.errors import ValidationError, require
from portal.core.kept_pages import kept_page
from portal.core.views import form_errors_into, safe_next, save_or_explain
from portal.i18n import current_language
from portal.i18n.display import default_timezone

# the authenticator app's secret while it is being set up: shown, not yet confirmed by a code
ENROLMENT_KEY = "_totp_enrolment"


@auth.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up the authenticator app: scan the QR code or type the secret, then one code. The
    secret waits in the session until a code proves the app has it: the page writes nothing."""
    form = forms.CodeForm()
    codes, secret, status = None, None, 200
    if not current_user.has_totp:
        secret = session[ENROLMENT_KEY] = signin.enrolment_secret(current_user,
                                                                session.get(ENROLMENT_KEY))
        if form.validate_on_submit():
            codes, message, status = save_or_explain(
                form, lambda: signin.confirm_enrolment(current_user, form.code.data, secret))
            if message:
                flash(message, "danger")
            if status == 200:
                session.pop(ENROLMENT_KEY, None)
                session.pop(MUST_ENROL, None)
                session[AUTH_AT] = time.time()
                flash(_("Your second factor is on."), "success")
    if form.errors and status == 200:
        status = 400
    return render_template(
        "accounts/two_factor.html", form=form, codes=codes, confirm=forms.ConfirmForm(),
        required=signin.two_factor_required(current_user),
        qr=None if current_user.has_totp else signin.qr_svg(current_user, secret),
        secret=signin.spaced_secret(secret or ""),
        unused=signin.unused_recovery_codes(current_user)), status


@auth.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def renew_recovery_codes():
    forms.ConfirmForm().validate_on_submit() or abort(400)
    require(current_user.has_two_factor)
    codes = signin.regenerate_recovery_codes(current_user)
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
        unit_of_work.discard()
        return json_error(error.message, 400)
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
        unit_of_work.discard()
        flash(error.message, "danger")
        return redirect(url_for("auth.two_factor"))
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
            unit_of_work.discard()
            form.password.errors = [error.message]
        else:
            logout_user()
            flash(_("Your password is set. You can now sign in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("accounts/invitation.html", form=form, invited=invited), \
        400 if form.errors else 200


@auth.route("/account/preferences", methods=["GET", "POST"])
@login_required
@kept_page  # the form as it comes (a GET); a POST is never kept
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
            return too_soon("accounts/security.html", seconds, password_form=password_form,
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
            if error.details.get("field") == "current":
                refused_but_counted()
                signin.record_failure(key, current_app.config["LOGIN_FREE_FAILURES_ACCOUNT"])
                audit.record(current_user, "current_password_failed", current_user)
            else:
                unit_of_work.discard()
            message = form_errors_into(submitted, error)
            if message:
                flash(message, "danger")
        else:
            signin.clear_failures(key)
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
    def changed(_user):
        flash(_("Your e-mail address is changed."), "success")
        return redirect(url_for("auth.security") if current_user.is_authenticated
                        else url_for("auth.login"))

    return emailed_link_page("accounts/confirm_email.html",
                             lambda: services.confirm_email_change(token), changed)


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
