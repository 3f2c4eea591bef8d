"""The JSON API for the bank's core systems: submit and read turnover in batches.

Tokens are issued by an administrator, carry scopes (turnover:read, turnover:write), can be
revoked and are stored only as their SHA-256. A batch carries an Idempotency-Key: the same
key with the same body returns the first answer again without applying anything; the same
key with another body is refused (409). Figures that arrive here are marked as coming from
the bank's systems. The OpenAPI description is served at /api/v1/openapi.json.
"""
import hashlib
import json
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _

from portal.accounts.models import Organisation
from portal.core import audit
from portal.core.errors import NotFound, PermissionDenied, ValidationError, require
from portal.core.models import utcnow
from portal.extensions import csrf, db, limiter
from portal.turnover import importing, services
from portal.turnover import permissions as turnover_permissions
from portal.turnover.models import (
    FIGURES,
    ApiScope,
    ApiSubmission,
    ApiToken,
    ReportingPeriod,
    TurnoverReport,
    TurnoverSource,
)

bp = Blueprint("turnover_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _token_key():
    """Count per token (a core system may call from several hosts); without one, per address.
    The token's hash, not the token, is what the limiter's storage (Redis) holds."""
    from flask_limiter.util import get_remote_address

    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer ") and header[7:].strip():
        return "api-token:" + _hash(header[7:].strip())[:32]
    return get_remote_address()


def _token_limit():
    return current_app.config["RATELIMIT_API_TOKEN"]


# every endpoint of the API, reads and batches alike: a runaway client slows nobody else
limiter.limit(_token_limit, key_func=_token_key)(bp)
MAX_BATCH = 50_000
USE_NOTED_EVERY = timedelta(minutes=1)
MAX_LIMIT, MAX_OFFSET = 10_000, 2_147_483_647
TOKEN_PREFIX = "cbp_"  # noqa: S105 - a visible prefix, not a secret  # nosec B105


def _hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- tokens (administrators, through the turnover pages) -------------------------------------

def issue_token(actor, name, scopes):
    """Create a token; returns (ApiToken, the token text, shown once and never stored)."""
    require(turnover_permissions.can_manage_api_tokens(actor))
    scopes = [s for s in scopes if s in {x.value for x in ApiScope}]
    if not scopes:
        raise ValidationError(_("Choose what the token may do."), field="scopes")
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip()[:120], prefix=text[:10], token_hash=_hash(text),
                     scopes=" ".join(sorted(scopes)), created_by_id=actor.id)
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token_issued", token, after={"name": token.name,
                                                          "scopes": token.scopes})
    return token, text


def revoke_token(actor, token):
    require(turnover_permissions.can_manage_api_tokens(actor))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record(actor, "api_token_revoked", token)
    return token


# --- authentication --------------------------------------------------------------------------

def _error(status, message):
    return jsonify(error=message), status


def _authenticate(scope):
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _error(401, _("Send a token as “Authorization: Bearer …”."))
    token = db.session.scalar(sa.select(ApiToken).where(
        ApiToken.token_hash == _hash(header[7:].strip())))
    if token is None or not token.is_active:
        return _error(401, _("The token is unknown or has been revoked."))
    if scope.value not in token.scope_set:
        return _error(403, _("The token may not do this."))
    _note_use(token)
    g.api_token = token
    return None


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


@bp.errorhandler(ValidationError)
@bp.errorhandler(PermissionDenied)
@bp.errorhandler(NotFound)
def _portal_error(error):
    db.session.rollback()
    return _error(error.status, str(error.message or ""))


# --- endpoints -------------------------------------------------------------------------------

def _report_json(report, org, period):
    return {"organisation_code": org.code, "period": period.key, "currency": report.currency,
            **{f: getattr(report, f) for f in FIGURES}, "source": report.source.value,
            "version": report.version_id}


@bp.route("/turnover", methods=["GET"])
def list_turnover():
    refused = _authenticate(ApiScope.READ)
    if refused:
        return refused
    month = services.parse_month(request.args.get("period", ""))
    if month is None:
        return _error(400, _("Give the period as ?period=2025-08."))
    query = sa.select(TurnoverReport, Organisation, ReportingPeriod).join(
        Organisation, Organisation.id == TurnoverReport.organisation_id).join(
        ReportingPeriod, ReportingPeriod.id == TurnoverReport.period_id).where(
        ReportingPeriod.month == month).order_by(Organisation.code, TurnoverReport.currency)
    country = request.args.get("country", "").upper()
    if country:
        query = query.where(ReportingPeriod.country == country)
    # out of range values are brought into range (the answer says which were used): a
    # negative or huge LIMIT/OFFSET would otherwise fail in the database
    limit = _in_range("limit", 1000, 1, MAX_LIMIT)
    offset = _in_range("offset", 0, 0, MAX_OFFSET)
    rows = db.session.execute(query.limit(limit).offset(offset)).all()
    return jsonify(rows=[_report_json(*row) for row in rows], limit=limit, offset=offset)


def _in_range(name, default, low, high):
    """?name= as a whole number brought into [low, high]; unreadable or 0: the default.
    (Not args.get(type=int): that treats a number beyond any id as unreadable.)"""
    text = request.args.get(name, "").strip()
    try:
        number = int(text[:40]) if text.lstrip("-").isascii() and text.lstrip("-").isdigit() \
            else 0
    except ValueError:
        number = 0
    return min(max(number or default, low), high)


def _rows_from_json(body):
    if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
        raise ValidationError(_("The body must be a JSON object with a list “rows”."))
    if not body["rows"] or len(body["rows"]) > MAX_BATCH:
        raise ValidationError(_("A batch holds from 1 to %(n)d rows.", n=MAX_BATCH))
    rows = []
    for number, item in enumerate(body["rows"], start=1):
        if not isinstance(item, dict):
            item = {}
        rows.append((number, ["" if item.get(c) is None else str(item.get(c))
                              for c in importing.COLUMNS]))
    return rows


@bp.route("/turnover/batches", methods=["POST"])
def submit_batch():
    refused = _authenticate(ApiScope.WRITE)
    if refused:
        return refused
    token = g.api_token
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        return _error(400, _("Send an Idempotency-Key header of 1 to 100 characters."))
    raw = request.get_data()
    body_hash = hashlib.sha256(raw).hexdigest()
    earlier = db.session.scalar(sa.select(ApiSubmission).where(
        ApiSubmission.token_id == token.id, ApiSubmission.client_key == key))
    if earlier is not None:
        if earlier.body_hash != body_hash:
            return _error(409, _("This Idempotency-Key was used for a different batch."))
        response = jsonify(earlier.response)
        response.status_code = earlier.status
        response.headers["Idempotent-Replayed"] = "true"
        return response
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return _error(400, _("The body is not valid JSON."))
    rows = _rows_from_json(body)
    staged, needed, bad = importing.validate(None, list(importing.COLUMNS), rows,
                                             everyone=True)
    if bad:
        # a row can fail for several reasons: count the rows, list every reason
        status, result = 422, {"error": _("The batch was not applied: %(n)d rows have errors.",
                                          n=len({line for line, _reason in bad})),
                               "errors": [{"row": line, "reason": reason}
                                          for line, reason in bad]}
    else:
        created, updated, unchanged = importing.write_rows(None, staged, needed,
                                                           TurnoverSource.BANK_SYSTEM)
        status, result = 200, {"created": created, "updated": updated,
                               "unchanged": unchanged}
        audit.record(None, "turnover_api_batch", "TurnoverReport",
                     after={"token": token.prefix, "key": key, **result})
    db.session.add(ApiSubmission(token_id=token.id, client_key=key, body_hash=body_hash,
                                 status=status, response=result))
    db.session.commit()
    return jsonify(result), status


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app.config.get("PUBLIC_URL", "")))


def openapi_document(server):
    figures = {f: {"type": "integer", "minimum": 0, "maximum": importing.FIGURE_MAX[f]}
               for f in FIGURES}
    row = {"type": "object", "additionalProperties": False,
           "required": list(importing.COLUMNS),
           "properties": {"organisation_code": {"type": "string", "maxLength": 40},
                          "period": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                          "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                          **figures}}
    report = {"type": "object", "required": list(importing.COLUMNS) + ["source", "version"],
              "properties": {**row["properties"],
                             "source": {"type": "string",
                                        "enum": [s.value for s in TurnoverSource]},
                             "version": {"type": "integer"}}}
    error = {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "row": {"type": "integer"}, "reason": {"type": "string"}}}}}}

    def answer(description, schema=None):
        content = {"application/json": {"schema": schema or {"$ref":
                                                            "#/components/schemas/Error"}}}
        return {"description": description, "content": content}

    return {
        "openapi": "3.0.3",
        "info": {"title": "Cooperative Bank Portal: turnover API", "version": "1.0.0",
                 "description": "For the bank's core systems: submit and read the turnover "
                                "of the cooperative network, month by month."},
        "servers": [{"url": server.rstrip("/") + "/api/v1"}] if server else [],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Row": row, "Report": report, "Error": error},
        },
        "paths": {
            "/turnover": {"get": {
                "operationId": "listTurnover",
                "summary": "The reports of one month",
                "parameters": [
                    {"name": "period", "in": "query", "required": True,
                     "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}},
                    {"name": "country", "in": "query",
                     "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"}},
                    {"name": "limit", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
                    {"name": "offset", "in": "query",
                     "schema": {"type": "integer", "minimum": 0}}],
                "responses": {
                    "200": answer("The reports", {"type": "object", "required": ["rows"],
                                                  "properties": {"rows": {
                                                      "type": "array", "items": {
                                                          "$ref": "#/components/schemas/Report"
                                                      }},
                                                      "limit": {"type": "integer"},
                                                      "offset": {"type": "integer"}}}),
                    "400": answer("The period is missing or malformed"),
                    "401": answer("No token, an unknown one or a revoked one"),
                    "403": answer("The token may not read")}}},
            "/turnover/batches": {"post": {
                "operationId": "submitBatch",
                "summary": "Submit a batch of monthly figures (all rows or none)",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                                "schema": {"type": "string", "minLength": 1,
                                           "maxLength": 100}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["rows"], "properties": {
                        "rows": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                                 "items": {"$ref": "#/components/schemas/Row"}}}}}}},
                "responses": {
                    "200": answer("Applied (or replayed)", {
                        "type": "object", "required": ["created", "updated", "unchanged"],
                        "properties": {k: {"type": "integer"} for k in
                                       ("created", "updated", "unchanged")}}),
                    "400": answer("Malformed request"),
                    "401": answer("No token, an unknown one or a revoked one"),
                    "403": answer("The token may not write"),
                    "409": answer("The key was used for another batch"),
                    "422": answer("Rows with errors; nothing was applied")}}},
        },
    }
