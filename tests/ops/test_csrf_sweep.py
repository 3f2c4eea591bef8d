"""CSRF sweep: every route that accepts POST refuses a request without a valid CSRF token
(400, the "did not come from this site" page, nothing changed), and takes the same request
with the token its form page carries.

The rest of the suite runs with WTF_CSRF_ENABLED off; these tests turn it on for their own
requests. CSRFProtect reads app.config["WTF_CSRF_ENABLED"] on every request (its
before_request hook, and FlaskForm when a form is made), so toggling the setting is enough.

A new POST route fails test_every_post_route_is_swept until tests/ops/post_routes.py knows a
request for it (or tests/<area>/routes.py declares it as a POST). The only routes without
CSRF are the bank systems' API under /api/v1: bearer tokens, no cookies.
"""
import re

import pytest

from tests.ops.post_routes import (
    csrf_exempt_endpoints,
    post_endpoints,
    post_routes,
)
from tests.ops.snapshot import changed_tables, snapshot
from tests.test_route_roles import ANON, _world

POSTS = post_routes()
# the API for the bank's systems authenticates with a bearer token, never a session cookie;
# the one-click unsubscribe (RFC 8058) is posted by a mail client, which has no form token: the
# signed token in its address is the credential, and all it can do is turn e-mail off
EXEMPT = {"turnover_api.submit_batch", "digests.unsubscribe"}
EXEMPT_PATHS = ("/api/v1/", "/unsubscribe/")
CSRF_REFUSED = "did not come from this site"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture()
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_every_post_route_is_swept(app):
    endpoints = post_endpoints(app)
    missing = endpoints - POSTS.keys() - EXEMPT
    assert not missing, (
        f"POST routes the CSRF sweep does not know how to call: {sorted(missing)}; declare "
        "them in tests/<area>/routes.py as a POST or in EXTRA_POSTS in tests/ops/post_routes.py")
    assert not POSTS.keys() - endpoints, "swept routes that no longer take POST"
    assert EXEMPT <= endpoints


def test_only_the_token_api_and_the_one_click_unsubscribe_are_exempt_from_csrf(app):
    exempt = csrf_exempt_endpoints(app)
    assert exempt & post_endpoints(app) == EXEMPT
    for rule in app.url_map.iter_rules():
        if rule.endpoint in exempt and "POST" in rule.methods:
            assert rule.rule.startswith(EXEMPT_PATHS), rule.rule


def test_the_exempt_api_ignores_the_session_cookie(app, client, login_as, csrf_on):
    """Without CSRF, a cross-site POST carries the victim's cookie: it must count for nothing."""
    login_as("administrator")
    response = client.post("/api/v1/turnover/batches", json={"items": []})
    assert response.status_code == 401


def _token_from(client, path):
    response = client.get(path)
    text = response.get_data(as_text=True)
    response.close()
    found = TOKEN.search(text)
    return response.status_code, (found.group(1) if found else None)


def _form_token(app, client, endpoint, path, signed_in):
    """The token from the route's own form page when it has one, else from a page every
    person of that kind gets (the sign-in form, or the sign-out button on the home page)."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    if "GET" in rule.methods:
        status, token = _token_from(client, path)
        if status == 200:
            assert token, f"{endpoint}: the form page carries no csrf_token"
            return token
    status, token = _token_from(client, "/" if signed_in else "/login")
    assert status == 200 and token
    return token


@pytest.mark.parametrize("endpoint", sorted(POSTS.keys() - EXEMPT))
def test_a_post_without_a_valid_csrf_token_is_refused(endpoint, app, client, login_as, db,
                                                      csrf_on):
    role, template, form_template, expected = POSTS[endpoint]
    ids = _world()
    db.session.commit()
    if role != ANON:
        login_as(role)
    path = template.format(**ids)
    form = {k: v.format(**ids) for k, v in form_template.items()}

    before = snapshot()
    for forged in ({}, {"csrf_token": "forged"}):
        response = client.post(path, data=form | forged)
        assert response.status_code == 400, (endpoint, forged, response.status_code)
        assert CSRF_REFUSED in response.text, endpoint
        assert not changed_tables(before, snapshot()), endpoint

    token = _form_token(app, client, endpoint, path, signed_in=role != ANON)
    response = client.post(path, data=form | {"csrf_token": token})
    text = response.get_data(as_text=True)
    response.close()
    assert CSRF_REFUSED not in text, endpoint
    assert response.status_code == expected, (endpoint, role, response.status_code, text[:300])
