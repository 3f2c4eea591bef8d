"""The security headers are on every response, not just the sign-in page: every page of every
area (signed in and anonymous), redirects, error pages, JSON, downloads and static files."""
from tests import factories
from tests.test_route_roles import ROUTES, _world


def _assert_headers(response, where):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, where
    assert "frame-ancestors 'none'" in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert "Strict-Transport-Security" not in headers, where  # plain HTTP here


def test_every_response_carries_the_security_headers(app, client, login, db):
    ids = _world()
    admin = factories.make_user("administrator")
    db.session.commit()
    seen = set()
    for signed_in in (False, True):
        if signed_in:
            login(admin)
        for endpoint, (method, template, _expected, _form) in sorted(ROUTES.items()):
            if method != "GET":
                continue
            response = client.get(template.format(**ids))
            seen.add(response.status_code)
            _assert_headers(response, (endpoint, signed_in, response.status_code))
            response.close()
    for path in ("/no-such-page", "/static/css/portal.css", "/healthz", "/readyz"):
        response = client.get(path)
        _assert_headers(response, path)
        response.close()  # a static file is streamed from disk
    _assert_headers(client.delete("/login"), "405")
    _assert_headers(client.post("/organisations/import", data=b"x" * (
        app.config["MAX_CONTENT_LENGTH"] + 1), content_type="application/octet-stream"), "413")
    assert {200, 302, 403, 404} <= seen, seen
