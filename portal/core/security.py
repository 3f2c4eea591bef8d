"""Security headers on every response; no direction override on any page."""
import re

from flask import current_app, request

from portal.core.sanitize import strip_bidi_overrides

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("PORTAL_HTTPS") or request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        # pages carry personal data: never kept by shared caches
        headers["Cache-Control"] = "no-store"
    return response


_BIDI_OVERRIDE = re.compile("[\u202a\u202b\u202d\u202e]")


def no_bidi_overrides(value):
    """Jinja's finalize: every value a template prints loses U+202A/B/D/E, whatever the form
    or import that stored it did, so no name or title can display as something else.
    (str.translate on Markup returns Markup: sanitised HTML stays HTML.)"""
    # most values hold no override: a C-speed search spares Markup's Python-level translate
    if isinstance(value, str) and _BIDI_OVERRIDE.search(value):
        return strip_bidi_overrides(value)
    return value


def init_app(app):
    app.after_request(set_security_headers)
    app.jinja_env.finalize = no_bidi_overrides
