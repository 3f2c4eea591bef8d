"""The OpenAPI description of the turnover API, served at /api/v1/openapi.json.

It is the contract with the bank's core systems: the limits it states (MAX_BATCH rows in a
batch, MAX_LIMIT rows in a page) are the ones portal.turnover.api enforces.
"""
from portal.turnover import importing
from portal.turnover.models import FIGURES, TurnoverSource

MAX_BATCH = 50_000
MAX_LIMIT = 10_000


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
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
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
