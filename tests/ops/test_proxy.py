"""X-Forwarded-* is trusted only from the configured number of proxies (PORTAL_PROXY_COUNT):
a client cannot spoof its address past the per-address sign-in limit, nor pretend to be on
HTTPS. With PORTAL_HTTPS the session cookie is Secure and HSTS is sent on every response."""
import pytest

from portal import create_app
from portal.extensions import db as _db
from tests.conftest import give_the_limiter_back


def _fresh_app(app, **config):
    """A second app on the suite's database, as a web worker started with other settings."""
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "RATELIMIT_STORAGE_URI": "memory://",
                       "RATELIMIT_LOGIN_ADDRESS": "3 per minute"} | config)


@pytest.fixture()
def fresh_app(app, db):
    made = []

    def _make(**config):
        made.append(_fresh_app(app, **config))
        return made[-1]

    yield _make
    for other in made:
        with other.app_context():
            _db.engine.dispose()
    give_the_limiter_back(app)


def _fail_sign_in(client, n, forwarded_for):
    return client.post("/login", data={"email": f"spoof{n}@portal.test",
                                       "password": "wrong-password-1"},
                       headers={"X-Forwarded-For": forwarded_for}).status_code


def test_without_a_configured_proxy_x_forwarded_for_is_ignored(fresh_app):
    app = fresh_app(PROXY_COUNT=0)
    client = app.test_client()
    # a new made-up address on every attempt changes nothing: the socket's address counts
    statuses = [_fail_sign_in(client, n, f"198.51.100.{n}") for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    spoofed = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


def test_behind_one_proxy_only_the_address_it_adds_is_trusted(fresh_app):
    app = fresh_app(PROXY_COUNT=1)
    client = app.test_client()
    # nginx appends the real address to whatever the client sent: only the last one counts
    statuses = [_fail_sign_in(client, n, f"198.51.100.{n}, 203.0.113.7") for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    # another real client behind the same proxy is not blocked by the first one's failures
    assert _fail_sign_in(client, 9, "203.0.113.8") == 401
    secure = client.get("/login", headers={"X-Forwarded-Proto": "https",
                                           "X-Forwarded-For": "203.0.113.8"})
    assert "max-age" in secure.headers["Strict-Transport-Security"]


def test_with_https_configured_cookies_are_secure_and_hsts_is_always_sent(
        fresh_app, monkeypatch, make_user):
    from tests.factories import PASSWORD

    user = make_user("union_director")
    _db.session.commit()
    monkeypatch.setenv("PORTAL_HTTPS", "1")
    app = fresh_app()
    client = app.test_client()
    # TLS ends at the proxy: the portal itself sees plain HTTP
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert "max-age" in client.get("/login").headers["Strict-Transport-Security"]


def test_without_https_configured_the_cookie_is_not_marked_secure(fresh_app, make_user):
    from tests.factories import PASSWORD

    user = make_user("union_director")
    _db.session.commit()
    client = fresh_app().test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers
