"""Structured JSON logs with a request id on every line.

The request id comes from the proxy's X-Request-ID when it sends one (so a line in nginx's log
and ours can be matched), otherwise it is generated; it is echoed back in the response.
"""
import json
import logging
import sys
import time
import uuid

from flask import g, has_request_context, request

_SAFE_ID = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class JsonFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            line["request_id"] = getattr(g, "request_id", None)
            line["method"], line["path"] = request.method, request.path
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def _incoming_id():
    given = request.headers.get("X-Request-ID", "")
    if given and len(given) <= 64 and set(given) <= _SAFE_ID:
        return given
    return uuid.uuid4().hex


def init_app(app):
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("portal")
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    @app.before_request
    def _start():
        g.request_id = _incoming_id()
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.endpoint != "static":
            # a kept page (core/kept_pages) says whether it was sent again or rendered
            logger.info("%s %s %s %.1fms%s", request.method, request.path,
                        response.status_code,
                        (time.perf_counter() - g.get("started", time.perf_counter())) * 1000,
                        f" kept:{g.kept_page}" if g.get("kept_page") else "")
        return response
