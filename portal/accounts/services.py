"""Account operations. Each flushes (never commits) and writes its audit entry; the caller
commits once, so a failure anywhere leaves nothing half-done."""
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from portal import permissions
from portal.accounts.models import Membership, Organisation, OrgKind, Role, Sector, User
from portal.core import audit, outbox
from portal.core.errors import NotFound, ValidationError, require
from portal.core.notify import notify
from portal.core.sanitize import plain_text
from portal.extensions import db

USER_FIELDS = ("email", "full_name", "is_active", "preferred_locale")
ORG_FIELDS = ("code", "name", "name_en", "kind", "parent_id", "country", "province",
              "district", "commune", "currency", "sector", "is_active")
_COMMON = None


def _common_passwords():
    global _COMMON
    if _COMMON is None:
        path = Path(__file__).with_name("common_passwords.txt")
        _COMMON = {line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                   if line.strip() and not line.startswith("#")}
    return _COMMON


def check_password_strength(password, email=""):
    """Raise ValidationError with a translated reason when the password is too weak."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise ValidationError(_("The password must be at least %(n)d characters long.",
                                n=minimum))
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        raise ValidationError(_("This password is too common. Choose one that is harder to "
                                "guess."))
    if email and lowered == email.lower():
        raise ValidationError(_("The password must not be your e-mail address."))


def normalise_email(email):
    return (email or "").strip().lower()


# --- signing in ------------------------------------------------------------------------------

def user_by_email(email):
    """The account with this address (as people type it), or None."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def authenticate(email, password):
    """Return the active user with this e-mail and password, or None. Constant-ish time."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.password_hash:
        # spend the same effort as a real check so timing does not reveal who exists
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


def password_matches(user, password):
    return bool(user.password_hash) and check_password_hash(user.password_hash, password or "")


_DUMMY_HASH = generate_password_hash("not-a-real-password-only-for-timing")


def end_all_sessions(user):
    """Every session cookie issued before now stops working."""
    user.session_version += 1


def load_session_user(session_id):
    """Flask-Login's loader: the id carries the session version, so old cookies are refused."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except (ValueError, AttributeError):
        return None
    # one statement with the memberships and their organisations (joined: 1.3 ms less on
    # every request than a second statement for them) and the unread notifications' count
    user = db.session.get(User, user_id, options=[sa.orm.joinedload(User.memberships),
                                                  sa.orm.undefer(User.unread_notifications)])
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


# --- invitations -----------------------------------------------------------------------------

def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def invitation_token(user):
    return _serializer().dumps({"u": user.id, "n": user.invitation_nonce})


def send_invitation(actor, user):
    """Issue a new invitation link (older links stop working) and queue the e-mail."""
    require(permissions.can_manage_users(actor))
    require(user.is_active, _("A deactivated user cannot be invited."))
    user.invitation_nonce += 1
    db.session.flush()
    link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for(
        "auth.accept_invitation", token=invitation_token(user))
    with force_locale(user.preferred_locale or "en"):
        subject = _("Your invitation to the Cooperative Bank Portal")
        body = render_template("accounts/email/invitation.txt", user=user, link=link,
                               days=current_app.config["INVITATION_DAYS"])
    outbox.enqueue(user.email, subject, body, locale=user.preferred_locale or "en")
    audit.record(actor, "invitation_sent", user)
    return link


def user_for_invitation(token):
    """The user an invitation link belongs to; ValidationError when expired or already used."""
    max_age = current_app.config["INVITATION_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ValidationError(_("This invitation has expired. Ask an administrator for a new "
                                "one.")) from exc
    except BadSignature as exc:
        raise NotFound() from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active or user.invitation_nonce != data.get("n"):
        raise ValidationError(_("This invitation link has already been used or replaced by a "
                                "newer one."))
    return user


def accept_invitation(token, password):
    """Set the invited user's password; the link cannot be used again."""
    user = user_for_invitation(token)
    check_password_strength(password, user.email)
    user.password_hash = generate_password_hash(password)
    user.invitation_nonce += 1
    end_all_sessions(user)
    audit.record(user, "invitation_accepted", user)
    db.session.flush()
    return user


# --- users -----------------------------------------------------------------------------------

def _email_taken(email, except_id=None):
    query = sa.select(User.id).where(User.email == email)
    if except_id:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def create_user(actor, *, email, full_name, preferred_locale=None, organisation=None,
                role=None, invite=True):
    """Create a user (no password yet) with an optional first membership, and invite them."""
    require(permissions.can_manage_users(actor))
    email = normalise_email(email)
    if _email_taken(email):
        raise ValidationError(_("A user with this e-mail address already exists."),
                              field="email")
    user = User(email=email, full_name=plain_text(full_name, 200),
                preferred_locale=preferred_locale or None)
    db.session.add(user)
    db.session.flush()
    if organisation is not None and role is not None:
        add_membership(actor, user, organisation, role)
    audit.record(actor, "user_created", user, after=audit.snapshot(user, USER_FIELDS))
    if invite:
        send_invitation(actor, user)
    return user


def update_user(actor, user, *, expected_version, email, full_name, preferred_locale):
    require(permissions.can_manage_users(actor))
    user.check_version(expected_version)
    email = normalise_email(email)
    if _email_taken(email, except_id=user.id):
        raise ValidationError(_("A user with this e-mail address already exists."),
                              field="email")
    before = audit.snapshot(user, USER_FIELDS)
    user.email, user.full_name = email, plain_text(full_name, 200)
    user.preferred_locale = preferred_locale or None
    db.session.flush()
    audit.record(actor, "user_updated", user, before, audit.snapshot(user, USER_FIELDS))
    return user


def set_user_active(actor, user, active):
    """Deactivate (signed out on their next request) or reactivate a user."""
    require(permissions.can_manage_users(actor))
    if not active and user.id == actor.id:
        raise ValidationError(_("You cannot deactivate your own account."))
    before = audit.snapshot(user, ("is_active",))
    user.is_active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()
    audit.record(actor, "user_activated" if active else "user_deactivated", user, before,
                 audit.snapshot(user, ("is_active",)))


def add_membership(actor, user, organisation, role):
    require(permissions.can_manage_users(actor))
    role = Role(role)
    exists = any(m.organisation_id == organisation.id and m.role == role
                 for m in user.memberships)
    if exists:
        raise ValidationError(_("This person already has that role in that organisation."))
    if role in (Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.ADMINISTRATOR) \
            and not organisation.is_bank:
        raise ValidationError(_("Bank roles can only be held in the bank's head office or "
                                "branches."))
    if role == Role.MINISTRY_OFFICIAL and organisation.kind != OrgKind.MINISTRY:
        raise ValidationError(_("A ministry official must belong to the ministry."))
    membership = Membership(user=user, organisation=organisation, role=role)
    db.session.add(membership)
    db.session.flush()
    audit.record(actor, "membership_added", user,
                 after={"organisation_id": organisation.id, "role": role.value})
    return membership


def remove_membership(actor, membership):
    require(permissions.can_manage_users(actor))
    user = membership.user
    if membership.role == Role.ADMINISTRATOR and user.id == actor.id:
        raise ValidationError(_("You cannot remove your own administrator role."))
    audit.record(actor, "membership_removed", user,
                 before={"organisation_id": membership.organisation_id,
                         "role": membership.role.value})
    user.memberships.remove(membership)
    db.session.flush()


def set_portfolio(actor, manager, organisations):
    """Replace a relationship manager's portfolio with the given organisations."""
    require(permissions.can_manage_users(actor))
    if not manager.has_role(Role.RELATIONSHIP_MANAGER):
        raise ValidationError(_("Only a relationship manager has a portfolio."))
    before = sorted(o.id for o in manager.portfolio)
    manager.portfolio = list(organisations)
    db.session.flush()
    audit.record(actor, "portfolio_set", manager, {"organisations": before},
                 {"organisations": sorted(o.id for o in manager.portfolio)})


def update_preferences(user, *, preferred_locale, timezone, calendar, persian_digits,
                       email_notifications):
    user.preferred_locale = preferred_locale or None
    user.timezone = timezone or None
    user.calendar = calendar or None
    user.persian_digits = bool(persian_digits)
    user.email_notifications = bool(email_notifications)
    db.session.flush()
    audit.record(user, "preferences_updated", user)


# --- organisations ---------------------------------------------------------------------------

def _check_parent(org, parent):
    node = parent
    while node is not None:
        if node is org:
            raise ValidationError(_("An organisation cannot be placed under itself."),
                                  field="parent_id")
        node = node.parent


def _code_taken(code, except_id=None):
    query = sa.select(Organisation.id).where(Organisation.code == code)
    if except_id:
        query = query.where(Organisation.id != except_id)
    return db.session.scalar(query) is not None


def _apply_org_fields(org, data):
    org.code = plain_text(data["code"], 40)
    org.name = plain_text(data["name"], 200)
    org.name_en = plain_text(data.get("name_en") or "", 200) or None
    org.kind = OrgKind(data["kind"])
    org.country = data["country"].upper()
    org.currency = data["currency"].upper()
    org.sector = Sector(data["sector"]) if data.get("sector") else None
    for field in ("province", "district", "commune"):
        setattr(org, field, plain_text(data.get(field) or "", 120) or None)


def save_organisation(actor, data, org=None, expected_version=None):
    """Create (org=None) or update an organisation from validated form data."""
    require(permissions.can_manage_organisations(actor))
    if org is not None:
        org.check_version(expected_version)
    if _code_taken(data["code"], except_id=org.id if org else None):
        raise ValidationError(_("Another organisation already uses this code."), field="code")
    parent = db.session.get(Organisation, data["parent_id"]) if data.get("parent_id") else None
    before = audit.snapshot(org, ORG_FIELDS) if org else None
    if org is None:
        org = Organisation()
        db.session.add(org)
    _check_parent(org, parent)
    org.parent = parent
    _apply_org_fields(org, data)
    db.session.flush()
    audit.record(actor, "organisation_updated" if before else "organisation_created", org,
                 before, audit.snapshot(org, ORG_FIELDS))
    return org


def set_organisation_active(actor, org, active):
    require(permissions.can_manage_organisations(actor))
    before = audit.snapshot(org, ("is_active",))
    org.is_active = active
    db.session.flush()
    audit.record(actor, "organisation_activated" if active else "organisation_deactivated",
                 org, before, audit.snapshot(org, ("is_active",)))


def ensure_administrator(email, full_name, password, organisation=None):
    """Create (or reset the password of) an administrator, for the CLI and the demo seed.

    The administrator belongs to the bank's head office; one is created when none exists.
    """
    email = normalise_email(email)
    if organisation is None:
        organisation = db.session.scalar(sa.select(Organisation).where(
            Organisation.kind == OrgKind.BANK_HEAD_OFFICE).order_by(Organisation.id))
    if organisation is None:
        organisation = Organisation(code="BANK-HO", name="Bank head office",
                                    kind=OrgKind.BANK_HEAD_OFFICE, country="IR", currency="IRR")
        db.session.add(organisation)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=full_name)
        db.session.add(user)
    user.password_hash = generate_password_hash(password)
    if not user.has_role(Role.ADMINISTRATOR):
        user.memberships.append(Membership(organisation=organisation, role=Role.ADMINISTRATOR))
    db.session.flush()
    audit.record(None, "administrator_ensured", user)
    return user


# --- the person's own account ----------------------------------------------------------------

def _check_current_password(user, password):
    if not user.password_hash or not check_password_hash(user.password_hash, password or ""):
        raise ValidationError(_("Your current password is not correct."), field="current")


def change_password(user, current, new_password):
    """Needs the current password; every other session of this person ends; they are told."""
    _check_current_password(user, current)
    check_password_strength(new_password, user.email)
    user.password_hash = generate_password_hash(new_password)
    end_all_sessions(user)
    db.session.flush()
    audit.record(user, "password_changed", user)
    notify(user, "password_changed", lambda: (
        _("Your password was changed"),
        _("If you did not change it, tell your administrator at once.")))


def _email_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-change")


def change_email(user, current, new_email):
    """Needs the current password. Nothing changes yet: a link goes to the new address and
    the change happens when it is opened. When the address already has an account, its owner
    is told instead, and the person asking sees the same answer, so the form tells nobody
    which addresses have accounts."""
    _check_current_password(user, current)
    new_email = normalise_email(new_email)
    if new_email == user.email:
        return None
    owner = db.session.scalar(sa.select(User).where(User.email == new_email))
    if owner is not None:
        from portal.accounts import signin

        signin.tell_owner_email_taken(owner)
        audit.record(user, "email_change_refused", user, after={"email": new_email})
        return None
    token = _email_serializer().dumps({"u": user.id, "old": user.email, "new": new_email})
    link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for("auth.confirm_email",
                                                                   token=token)
    with force_locale(user.preferred_locale or "en"):
        subject = _("Confirm your new e-mail address")
        body = render_template("accounts/email/confirm_email.txt", user=user, link=link)
    outbox.enqueue(new_email, subject, body, locale=user.preferred_locale or "en")
    audit.record(user, "email_change_asked", user, after={"email": new_email})
    return link


def confirm_email_change(token):
    """Apply an e-mail change from the link sent to the new address (valid a day, once: the
    old address must still be the account's). The old address is told."""
    try:
        data = _email_serializer().loads(token, max_age=86400)
    except BadSignature as exc:  # expired included
        raise ValidationError(_("This link has expired or is not valid.")) from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.is_active or user.email != data.get("old"):
        raise ValidationError(_("This link has already been used."))
    new_email = data["new"]
    if _email_taken(new_email, except_id=user.id):
        raise ValidationError(_("This link can no longer be used."))
    old_email = user.email
    with force_locale(user.preferred_locale or "en"):
        subject = _("Your e-mail address was changed")
        body = _("The e-mail address of your account is now %(email)s. If you did not change "
                 "it, tell your administrator at once.", email=new_email)
    outbox.enqueue(old_email, subject, body, locale=user.preferred_locale or "en")
    user.email = new_email
    db.session.flush()
    audit.record(user, "email_changed", user, {"email": old_email}, {"email": new_email})
    return user
