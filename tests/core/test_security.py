"""Security defaults visible on every response, and CSRF on forms."""
import re


def test_every_page_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_served_over_https(client):
    response = client.get("/login", base_url="https://portal.test")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_pages_have_no_inline_script(client, login_as):
    login_as("administrator")
    for path in ("/", "/organisations/", "/admin/users/", "/login"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert " onclick=" not in html and " onload=" not in html


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    from tests.factories import PASSWORD

    user = make_user("union_director")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_form_without_csrf_token_is_refused(app, db, make_user):
    from tests.factories import PASSWORD

    user = make_user("union_director")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400
        assert "did not come from this site" in response.text
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_error_pages_are_translated_and_show_no_internals(client, login_as):
    login_as("union_director", preferred_locale="fa")
    response = client.get("/admin/users/")
    assert response.status_code == 403
    assert 'dir="rtl"' in response.text
    assert "Traceback" not in response.text
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and 'lang="fa"' in missing.text


def test_health_endpoints(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["database"] == "ok"
