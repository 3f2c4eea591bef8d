"""The JSON API for the bank's core systems: submit and read turnover in batches.

Tokens (portal.turnover.tokens) carry the scopes a call needs. A batch carries an
Idempotency-Key: the same key with the same body returns the first answer again without
applying anything; the same key with another body is refused (409). Figures that arrive here
are marked as coming from the bank's systems. The OpenAPI description (portal.turnover.openapi)
is served at /api/v1/openapi.json.

Like every request, a call is committed once by the unit of work when it succeeds and rolled
back when it is refused; a batch refused for its rows (422) keeps its answer under its key.
"""
import hashlib
import json

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from portal.core import audit, unit_of_work
from portal.core.errors import NotFound, PermissionDenied, ValidationError
from portal.extensions import csrf, db, limiter
from portal.turnover import import_writing, importing, queries, services, tokens
from portal.turnover.models import FIGURES, ApiScope, ApiSubmission, TurnoverSource
from portal.turnover.openapi import MAX_BATCH, MAX_LIMIT, openapi_document

bp = Blueprint("turnover_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
MAX_OFFSET = 2_147_483_647


def _token_key():
    """Count per token (a core system may call from several hosts); without one, per address.
    The token's hash, not the token, is what the limiter's storage (Redis) holds."""
    token = tokens.bearer(request.headers.get("Authorization", ""))
    return "api-token:" + tokens.token_hash(token)[:32] if token else get_remote_address()


def _token_limit():
    return current_app.config["RATELIMIT_API_TOKEN"]


# every endpoint of the API, reads and batches alike: a runaway client slows nobody else
limiter.limit(_token_limit, key_func=_token_key)(bp)


def _error(status, message):
    return jsonify(error=message), status


def _authenticate(scope):
    return tokens.authenticate(request.headers.get("Authorization", ""), scope)


@bp.errorhandler(tokens.TokenRefused)
@bp.errorhandler(ValidationError)
@bp.errorhandler(PermissionDenied)
@bp.errorhandler(NotFound)
def _refused(error):
    return _error(error.status, str(error.message or ""))


def _report_json(report, org, period):
    return {"organisation_code": org.code, "period": period.key, "currency": report.currency,
            **{f: int(getattr(report, f)) for f in FIGURES},  # whole units: JSON numbers
            "source": report.source.value, "version": report.version_id}


@bp.route("/turnover", methods=["GET"])
def list_turnover():
    _authenticate(ApiScope.READ)
    month = services.parse_month(request.args.get("period", ""))
    if month is None:
        return _error(400, _("Give the period as ?period=2025-08."))
    # out of range values are brought into range (the answer says which were used): a
    # negative or huge LIMIT/OFFSET would otherwise fail in the database
    limit = _in_range("limit", 1000, 1, MAX_LIMIT)
    offset = _in_range("offset", 0, 0, MAX_OFFSET)
    rows = queries.reports_of_month(month, request.args.get("country", "").upper(),
                                    limit, offset)
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
    token = _authenticate(ApiScope.WRITE)
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
        # nothing was applied, but the answer is kept under its key so a replay gets it again
        unit_of_work.keep_on_refusal()
    else:
        created, updated, unchanged = import_writing.write_rows(None, staged, needed,
                                                                TurnoverSource.BANK_SYSTEM)
        status, result = 200, {"created": created, "updated": updated,
                               "unchanged": unchanged}
        audit.record(None, "turnover_api_batch", "TurnoverReport",
                     after={"token": token.prefix, "key": key, **result})
    db.session.add(ApiSubmission(token_id=token.id, client_key=key, body_hash=body_hash,
                                 status=status, response=result))
    db.session.flush()
    return jsonify(result), status


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app.config.get("PUBLIC_URL", "")))
