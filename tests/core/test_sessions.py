"""The idle limit holds for the very first cookie a sign-in hands out (issue 20: that cookie
carried no stamps and was treated as fresh, so replaying it outlived the idle limit)."""
from freezegun import freeze_time

from tests.factories import PASSWORD

SIGNED_IN_AT = "2026-11-23 08:00"
IDLE_PAST_THE_LIMIT = "2026-11-23 09:01"  # SESSION_IDLE_MINUTES is 60


def _first_cookie(client, user):
    """Sign in through the form; the session cookie exactly as the sign-in answered it."""
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    return client.get_cookie("session").value


def _replayed(app, cookie):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def test_the_first_cookie_replayed_after_the_idle_limit_is_signed_out(app, client, make_user,
                                                                      db):
    user = make_user("union_director")
    with freeze_time(SIGNED_IN_AT):
        cookie = _first_cookie(client, user)
        assert _replayed(app, cookie).get("/organisations/").status_code == 200
    with freeze_time(IDLE_PAST_THE_LIMIT):
        response = _replayed(app, cookie).get("/organisations/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "next=" in response.headers["Location"]  # where they were going is kept


def test_the_first_cookie_used_within_the_idle_limit_stays_signed_in(app, client, make_user, db):
    user = make_user("union_director")
    with freeze_time(SIGNED_IN_AT):
        cookie = _first_cookie(client, user)
    with freeze_time("2026-11-23 08:59"):
        assert _replayed(app, cookie).get("/organisations/").status_code == 200


def test_a_signed_in_session_without_stamps_is_ended_in_the_readers_language(app, make_user,
                                                                           db):
    # a cookie signed with the portal's key but made before sign-ins stamped the session
    user = make_user("union_director")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    persian = {"Accept-Language": "fa-IR,fa;q=0.9"}
    response = client.get("/organisations/", headers=persian)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"], headers=persian)
    assert "نشست کاری شما به پایان رسیده است" in page.text


def test_signing_in_again_in_the_same_session_keeps_the_absolute_lifetime(app, client,
                                                                         make_user, db):
    # changing the password signs the session in again: that must not restart its lifetime
    from portal.core.sessions import stamp

    with app.test_request_context():
        from flask import session

        stamp(session, now=1000.0)
        stamp(session, now=5000.0)
        assert session["_started"] == 1000.0 and session["_seen"] == 5000.0
