"""The bank systems' API tokens: issued and revoked by administrators (through the turnover
pages), and checked on every call to the API.

A token carries scopes (turnover:read, turnover:write), can be revoked and is stored only as
its SHA-256; the token itself is shown once, when it is issued.
"""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.extensions import db
from portal.turnover import permissions as turnover_permissions
from portal.turnover.models import ApiScope, ApiToken

TOKEN_PREFIX = "cbp_"  # noqa: S105 - a visible prefix, not a secret  # nosec B105
USE_NOTED_EVERY = timedelta(minutes=1)


class TokenRefused(Exception):
    """A call without a usable token (401) or with one that may not do this (403)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bearer(header):
    """The token of an `Authorization: Bearer …` header, or None."""
    if header.startswith("Bearer ") and header[7:].strip():
        return header[7:].strip()
    return None


def issue_token(actor, name, scopes):
    """Create a token; returns (ApiToken, the token text, shown once and never stored).
    Administrators only; a token with no known scope is refused (ValidationError)."""
    require(turnover_permissions.can_manage_api_tokens(actor))
    scopes = [s for s in scopes if s in {x.value for x in ApiScope}]
    if not scopes:
        raise ValidationError(_("Choose what the token may do."), field="scopes")
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip()[:120], prefix=text[:10], token_hash=token_hash(text),
                     scopes=" ".join(sorted(scopes)), created_by_id=actor.id)
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token_issued", token, after={"name": token.name,
                                                          "scopes": token.scopes})
    return token, text


def revoke_token(actor, token):
    """Revoke a token (once; revoking it again changes nothing). Administrators only."""
    require(turnover_permissions.can_manage_api_tokens(actor))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record(actor, "api_token_revoked", token)
    return token


def all_tokens():
    """Every token, newest first, for the administrators' tokens page."""
    return db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())).all()


def authenticate(header, scope):
    """The active token of an Authorization header that carries this scope; raises
    TokenRefused (401: none, unknown or revoked; 403: without the scope)."""
    if not header.startswith("Bearer "):
        raise TokenRefused(401, _("Send a token as “Authorization: Bearer …”."))
    token = db.session.scalar(sa.select(ApiToken).where(
        ApiToken.token_hash == token_hash(header[7:].strip())))
    if token is None or not token.is_active:
        raise TokenRefused(401, _("The token is unknown or has been revoked."))
    if scope.value not in token.scope_set:
        raise TokenRefused(403, _("The token may not do this."))
    _note_use(token)
    return token


def _note_use(token):
    """When the token was last used, to the minute, for the tokens page.

    Written in a short transaction of its own: a read through the API must not write through
    the request's unit of work (a GET never commits), and a refused request still used the
    token. At most once a minute, so a busy client costs no write per call."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < USE_NOTED_EVERY:
        return
    with db.engine.begin() as connection:
        connection.execute(sa.update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now))
