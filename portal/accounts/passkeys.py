"""Passkeys and security keys (WebAuthn) as a second factor, next to the authenticator app.

The two ceremonies each take two requests: the browser asks for options (a fresh challenge,
kept in the session), the authenticator signs them, and the server verifies the answer with
the `webauthn` package. Only public keys are stored. Services flush; the views commit.
"""
import json
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app
from flask_babel import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.accounts import signin
from portal.accounts.models import Passkey
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.extensions import db

NAME_MAX = 100


def relying_party():
    """(rp id, origin): configured, or the host and origin of PUBLIC_URL."""
    config = current_app.config
    public = urlsplit(config["PUBLIC_URL"])
    rp_id = config.get("WEBAUTHN_RP_ID") or public.hostname
    origin = config.get("WEBAUTHN_ORIGIN") or f"{public.scheme}://{public.netloc}"
    return rp_id, origin.rstrip("/")


def _descriptors(user):
    return [PublicKeyCredentialDescriptor(id=key.credential_id) for key in user.passkeys]


def _user_handle(user):
    # opaque and stable, never the e-mail address (the authenticator may show or keep it)
    return f"portal-user-{user.id}".encode()


# --- registration ------------------------------------------------------------------------------

def registration_options(user):
    """(options as JSON text for the browser, the challenge to keep in the session)."""
    rp_id, _origin = relying_party()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=signin.ISSUER, user_id=_user_handle(user), user_name=user.email,
        user_display_name=user.full_name,
        # a key already registered is not registered twice
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED))
    return options_to_json(options), bytes_to_base64url(options.challenge)


def clean_name(name):
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Give the passkey a name, for example the device it is on."),
                              field="name")
    if len(name) > NAME_MAX:
        raise ValidationError(_("The name is too long: at most %(num)s characters.",
                                num=NAME_MAX), field="name")
    return name


def register(user, credential, challenge, name):
    """Verify the authenticator's answer to registration_options and keep the new key."""
    name = clean_name(name)
    if not challenge:
        raise ValidationError(_("The passkey could not be added. Please try again."))
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=json.dumps(credential), expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id, expected_origin=origin)
    except (InvalidRegistrationResponse, ValueError, TypeError, KeyError) as exc:
        raise ValidationError(_("The passkey could not be added. Please try again.")) from exc
    if db.session.scalar(sa.select(Passkey.id).where(
            Passkey.credential_id == verified.credential_id)) is not None:
        raise ValidationError(_("This passkey is already registered."))
    first_factor = not user.has_two_factor
    key = Passkey(user=user, credential_id=verified.credential_id,
                  public_key=verified.credential_public_key, sign_count=verified.sign_count,
                  name=name)
    db.session.add(key)
    db.session.flush()
    audit.record(user, "passkey_added", user, after={"passkey": key.id, "name": name})
    if first_factor:
        signin.tell_two_factor_on(user)
    return key


# --- signing in --------------------------------------------------------------------------------

def authentication_options(user):
    """(options as JSON text, challenge) for the person's own keys only."""
    rp_id, _origin = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id, allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options), bytes_to_base64url(options.challenge)


def _own_key(user, credential):
    """The person's key the answer names; None for a key of someone else or none at all."""
    try:
        raw_id = base64url_to_bytes(str(credential.get("rawId") or credential.get("id") or ""))
    except (ValueError, TypeError, AttributeError):
        return None
    for key in user.passkeys:
        if secrets.compare_digest(key.credential_id, raw_id):
            return key
    return None


def authenticate(user, credential, challenge):
    """True when the answer is signed by one of the person's keys for this challenge, with a
    counter above the last one seen (a replayed or cloned key's answer is refused)."""
    if not challenge or not isinstance(credential, dict):
        return False
    key = _own_key(user, credential)
    if key is None:
        return False
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=json.dumps(credential), expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id, expected_origin=origin, credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count)
    except (InvalidAuthenticationResponse, ValueError, TypeError, KeyError):
        return False
    key.sign_count = verified.new_sign_count
    key.last_used_at = utcnow()
    db.session.flush()
    return True


# --- the person's list ---------------------------------------------------------------------------

def own_key(user, key_id):
    """One of the person's own keys by id; 404 for anyone else's (nothing to tell apart)."""
    key = db.session.scalar(sa.select(Passkey).where(
        Passkey.id == key_id, Passkey.user_id == user.id))
    if key is None:
        abort(404)
    return key


def remove(user, key):
    """Remove one of the person's keys; the last factor of a role that needs one stays."""
    require(key.user_id == user.id)
    others = [k for k in user.passkeys if k.id != key.id]
    if signin.two_factor_required(user) and not (user.has_totp or others):
        raise ValidationError(_("Your role needs a second factor: add another passkey or an "
                                "authenticator app before removing this one."))
    user.passkeys.remove(key)
    if not (user.has_totp or others):
        signin.drop_recovery_codes(user)
    user.session_version += 1  # a session opened with the removed key ends
    db.session.flush()
    audit.record(user, "passkey_removed", user, before={"passkey": key.id, "name": key.name})
