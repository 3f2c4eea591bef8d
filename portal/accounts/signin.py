"""Signing in as a bank expects it: the second factor (authenticator app), recovery codes,
growing delays after failed attempts, sign-in links by e-mail and remembered devices.

Services here flush (never commit) and write their audit entries, like services.py; the
request's unit of work commits once (portal/core/unit_of_work.py).
"""
import secrets
import time
from datetime import timedelta

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.security import check_password_hash, generate_password_hash

from portal import permissions
from portal.accounts.models import RecoveryCode, SignInThrottle, User
from portal.core import audit, outbox
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.extensions import db
from portal.i18n.parsing import ascii_digits

ISSUER = "Cooperative Bank Portal"
RECOVERY_CODES = 10
# a code typed a little late (or early, by a phone whose clock drifts) is still accepted
TOTP_WINDOW = 1


# --- who must use a second factor --------------------------------------------------------------

def two_factor_required(user):
    """True when one of the person's roles is in TWO_FACTOR_REQUIRED_ROLES."""
    required = set(current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ()))
    return any(role.value in required for role in user.roles)


def must_enrol(user):
    return two_factor_required(user) and not user.has_two_factor


# --- authenticator app (TOTP) ----------------------------------------------------------------

def enrolment_secret(user, shown=None):
    """The secret for the person to scan: the one they were already shown (the caller keeps it
    in their session), else a new one. Nothing is written: showing the enrolment page must not
    change anything; confirm_enrolment stores the secret with the code that proves the app has
    it. (A secret stored by an earlier version of this page is kept.)"""
    if user.has_totp:
        raise ValidationError(_("A second factor is already set up."))
    return user.totp_secret or shown or pyotp.random_base32()


def provisioning_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user, secret):
    """The enrolment QR code as inline SVG: no image request, nothing leaves the portal."""
    svg = segno.make(provisioning_uri(user, secret), error="m").svg_inline(
        scale=5, dark="#000", light="#fff", omitsize=False)
    return Markup(svg)  # noqa: S704 - segno writes path data only, no text of anyone's  # nosec B704


def spaced_secret(secret):
    """The secret in groups of four, as people type it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalise_code(code):
    """Digits of any script (Persian, Arabic-Indic, Thai ...) to ASCII; spaces and dashes out."""
    text = ascii_digits(code or "")
    return "".join(ch for ch in text if ch not in " -\u200c\u00a0\t").lower()


def _accept_totp(user, code):
    """True when code is the current one (±1 step) and newer than the last one accepted."""
    if not user.totp_secret or not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    step_now = int(time.time()) // totp.interval
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        step = step_now + offset
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # already used: a replay
            user.totp_last_step = step
            return True
    return False


def confirm_enrolment(user, code, secret):
    """Turn the second factor on once a code from the app proves it was set up with secret
    (from enrolment_secret); stores the secret and returns the recovery codes, to be shown
    once. A wrong code raises ValidationError: the caller rolls back, nothing is stored."""
    if user.has_totp:
        raise ValidationError(_("A second factor is already set up."))
    user.totp_secret = secret
    if not _accept_totp(user, normalise_code(code)):
        raise ValidationError(_("That code is not correct. Check the time on your phone and "
                                "type the six digits the app shows now."), field="code")
    first_factor = not user.has_two_factor
    user.two_factor_since = utcnow()
    # a person who already has passkeys keeps the recovery codes written down then
    codes = _new_recovery_codes(user) if first_factor or not unused_recovery_codes(user) \
        else None
    db.session.flush()
    audit.record(user, "two_factor_enabled", user)
    if first_factor:
        tell_two_factor_on(user)
    return codes


def tell_two_factor_on(user):
    _tell(user, SUBJECT_TWO_FACTOR_ON, "accounts/email/two_factor_on.txt")


def drop_recovery_codes(user):
    """No second factor left: its recovery codes go with it."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _new_recovery_codes(user):
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 10 hex characters, 40 bits: shown as xxxxx-xxxxx
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=generate_password_hash(raw)))
    return codes


def regenerate_recovery_codes(user):
    """New codes; the old ones stop working."""
    require(user.has_two_factor)
    codes = _new_recovery_codes(user)
    db.session.flush()
    audit.record(user, "recovery_codes_renewed", user)
    return codes


def unused_recovery_codes(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def _use_recovery_code(user, code):
    raw = code.replace("-", "")
    if len(raw) != 10:
        return False
    for stored in db.session.scalars(sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))):
        if check_password_hash(stored.code_hash, raw):
            stored.used_at = utcnow()
            audit.record(user, "recovery_code_used", user)
            return True
    return False


def check_second_factor(user, code):
    """True when code is the app's current code or an unused recovery code (used up now)."""
    code = normalise_code(code)
    accepted = _accept_totp(user, code) or _use_recovery_code(user, code)
    db.session.flush()
    return accepted


def remove_second_factor(actor, user):
    """The lost-device path: an administrator turns a person's second factor off (they enrol
    again at their next sign-in when their role requires it). The person is told."""
    require(permissions.can_manage_users(actor))
    if not (user.has_two_factor or user.totp_secret):
        raise ValidationError(_("This person has no second factor."))
    _remove_every_factor(user)
    user.session_version += 1  # whoever holds the lost phone and a session is signed out
    db.session.flush()
    audit.record(actor, "two_factor_reset", user)
    _tell(user, SUBJECT_TWO_FACTOR_RESET, "accounts/email/two_factor_reset.txt")


def turn_off_own(user):
    """A person whose roles do not require it turns their own second factor off."""
    require(user.has_two_factor and not two_factor_required(user))
    _remove_every_factor(user)
    user.session_version += 1
    db.session.flush()
    audit.record(user, "two_factor_disabled", user)
    _tell(user, SUBJECT_TWO_FACTOR_RESET, "accounts/email/two_factor_reset.txt")


def _remove_every_factor(user):
    """The authenticator app, every passkey and security key, and the recovery codes."""
    user.totp_secret = None
    user.two_factor_since = None
    user.totp_last_step = None
    user.passkeys.clear()
    drop_recovery_codes(user)


# --- e-mails to the owner ----------------------------------------------------------------------

# the subjects, translated when _tell writes the e-mail in the owner's language
SUBJECT_TWO_FACTOR_ON = _l("A second factor now protects your account")
SUBJECT_TWO_FACTOR_RESET = _l("The second factor of your account was removed")
SUBJECT_NEW_DEVICE = _l("A sign-in to your account from a new device")
SUBJECT_FAILURES = _l("Repeated failed sign-ins to your account")
SUBJECT_LINK = _l("Your sign-in link")
SUBJECT_EMAIL_TAKEN = _l("Someone tried to use your e-mail address")


def _tell(user, subject, template, **context):
    """An e-mail to the owner, in their language, through the outbox (sent after commit)."""
    locale = user.preferred_locale or "en"
    with force_locale(locale):
        body = render_template(template, user=user, **context)
        outbox.enqueue(user.email, str(subject), body, locale=locale)


# --- growing delays instead of a lock-out ------------------------------------------------------

def _throttle(key):
    return db.session.get(SignInThrottle, key)


def account_key(email):
    return "account:" + (email or "").strip().lower()[:300]


def address_key(address):
    return "address:" + (address or "?")[:300]


def seconds_to_wait(key):
    """0 when an attempt may be made now, else how many seconds are left."""
    row = _throttle(key)
    if row is None or row.wait_until is None:
        return 0
    left = (row.wait_until - utcnow()).total_seconds()
    return max(0, int(left + 0.999))


def _delay_for(failures, free):
    """Nothing for the first `free` failures, then 1, 2, 4, 8 ... seconds, capped: the owner
    is never locked out for long, and a guesser gets a few hundred tries a day at most."""
    if failures < free:
        return 0
    return min(2 ** (failures - free), current_app.config["LOGIN_DELAY_CAP_SECONDS"])


def record_failure(key, free):
    """Count a failed attempt; returns the row (failures, wait_until)."""
    row = _throttle(key)
    if row is None:
        row = SignInThrottle(key=key, failures=0)
        db.session.add(row)
    now = utcnow()
    row.failures += 1
    row.last_failure_at = now
    delay = _delay_for(row.failures, free)
    row.wait_until = now + timedelta(seconds=delay) if delay else None
    db.session.flush()
    return row


def clear_failures(key):
    db.session.execute(sa.delete(SignInThrottle).where(SignInThrottle.key == key))


def tell_owner_of_failures(user, row):
    """Once the delays begin, the owner hears of it by e-mail (at most once an hour), with a
    sign-in link as the way through."""
    now = utcnow()
    if row.owner_told_at is not None and now - row.owner_told_at < timedelta(hours=1):
        return
    row.owner_told_at = now
    _tell(user, SUBJECT_FAILURES, "accounts/email/failed_sign_ins.txt",
          failures=row.failures, link_page=_absolute(url_for("auth.request_link")))
    db.session.flush()


# --- sign-in links by e-mail -------------------------------------------------------------------

def _link_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sign-in-link")


def _absolute(path):
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def send_sign_in_link(email):
    """Queue a single-use link to the account with this address, if there is one. The answer
    to the person asking is the same either way, so it reveals nobody's account."""
    user = db.session.scalar(sa.select(User).where(
        User.email == (email or "").strip().lower()))
    if user is None or not user.is_active or user.password_hash is None:
        return None
    user.signin_link_nonce += 1
    db.session.flush()
    token = _link_serializer().dumps({"u": user.id, "n": user.signin_link_nonce})
    link = _absolute(url_for("auth.use_link", token=token))
    _tell(user, SUBJECT_LINK, "accounts/email/sign_in_link.txt", link=link,
          minutes=current_app.config["SIGNIN_LINK_MINUTES"])
    audit.record(user, "sign_in_link_sent", user)
    return link


def user_for_link(token):
    """The person a sign-in link belongs to (the link is used up now); ValidationError when
    expired, used or replaced."""
    max_age = current_app.config["SIGNIN_LINK_MINUTES"] * 60
    try:
        data = _link_serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature) as exc:
        raise ValidationError(_("This sign-in link has expired or is not valid. Ask for a new "
                                "one.")) from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active or user.signin_link_nonce != data.get("n"):
        raise ValidationError(_("This sign-in link has already been used or replaced by a "
                                "newer one."))
    user.signin_link_nonce += 1
    db.session.flush()
    return user


# --- remembered devices --------------------------------------------------------------------------

DEVICE_COOKIE = "portal_device"


def _device_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device")


def device_cookie_value(user):
    return _device_serializer().dumps({"u": user.id, "d": secrets.token_hex(8)})


def device_known(cookie, user):
    """True when the browser's device cookie was issued at one of this person's sign-ins."""
    if not cookie:
        return False
    try:
        data = _device_serializer().loads(
            cookie, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400)
    except BadSignature:
        return False
    return data.get("u") == user.id


def tell_owner_of_new_device(user, user_agent):
    _tell(user, SUBJECT_NEW_DEVICE, "accounts/email/new_device.txt",
          device=(user_agent or "")[:200], when=utcnow())


def tell_owner_email_taken(user):
    """Someone tried to move their account to this person's address: tell this person, and
    only them (the one trying hears the same as for a free address)."""
    _tell(user, SUBJECT_EMAIL_TAKEN, "accounts/email/email_taken.txt")
