"""Every response carries a request id, and log lines are JSON with that id."""
import json
import logging

from portal.core.logs import JsonFormatter


def test_a_request_id_is_generated_or_taken_from_the_proxy(client, db):
    generated = client.get("/login").headers["X-Request-ID"]
    assert len(generated) == 32
    given = client.get("/login", headers={"X-Request-ID": "edge-42"}).headers["X-Request-ID"]
    assert given == "edge-42"
    forged = client.get("/login", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert forged != "<script>"


def test_log_lines_are_json_with_the_request_id(app, client, db, caplog):
    with caplog.at_level(logging.INFO, logger="portal"):
        client.get("/login", headers={"X-Request-ID": "trace-7"})
    with app.test_request_context("/login"):
        from flask import g

        g.request_id = "trace-7"
        line = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert line["request_id"] == "trace-7" and "GET /login 200" in line["message"]


def test_no_stack_trace_reaches_the_user(app, db):
    from portal import create_app

    fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI":
                        app.config["SQLALCHEMY_DATABASE_URI"]})

    @fresh.route("/__boom_for_test")
    def boom():
        raise RuntimeError("secret internals: SELECT * FROM user")

    response = fresh.test_client().get("/__boom_for_test")
    with fresh.app_context():
        from portal.extensions import db as fresh_db

        fresh_db.engine.dispose()
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
