"""Signing in and out, rate limits, and sessions that die with logout or deactivation."""
from portal.accounts.models import User
from tests.factories import PASSWORD


def _sign_in(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_right_password_signs_in_and_lands_home(client, make_user):
    user = make_user("union_director")
    response = _sign_in(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert user.full_name in page.text


def test_wrong_password_is_refused_with_a_translated_message_and_keeps_the_email(
        client, make_user):
    user = make_user("union_director")
    response = client.post("/login", data={"email": user.email, "password": "nope-nope-nope"},
                           headers={"Accept-Language": "vi"})
    assert response.status_code == 401
    assert "Địa chỉ e-mail hoặc mật khẩu không đúng" in response.text
    assert f'value="{user.email}"' in response.text
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, make_user):
    response = _sign_in(client, "nobody@portal.test", "whatever-password")
    assert response.status_code == 401


def test_sixth_failed_attempt_on_one_account_within_a_minute_is_refused_with_429(
        client, make_user):
    user = make_user("union_director")
    for _ in range(5):
        assert _sign_in(client, user.email, "wrong-password-1").status_code == 401
    blocked = _sign_in(client, user.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text


def test_failed_attempts_on_other_accounts_do_not_lock_this_one(client, make_user):
    user = make_user("union_director")
    for n in range(5):
        _sign_in(client, f"other{n}@portal.test", "wrong-password-1")
    assert _sign_in(client, user.email, PASSWORD).status_code == 302


def test_per_address_limit_stops_spraying_many_accounts(app, client, make_user):
    app.config["RATELIMIT_LOGIN_ADDRESS"] = "3 per minute"
    try:
        for n in range(3):
            _sign_in(client, f"spray{n}@portal.test", "wrong-password-1")
        assert _sign_in(client, "spray9@portal.test", "wrong-password-1").status_code == 429
    finally:
        app.config["RATELIMIT_LOGIN_ADDRESS"] = "30 per minute"


def test_a_deactivated_user_is_signed_out_on_their_next_request(client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email, PASSWORD)
    assert client.get("/").status_code == 200
    db.session.get(User, user.id).is_active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_deactivated_user_cannot_sign_in(client, make_user, db):
    user = make_user("union_director", is_active=False)
    assert _sign_in(client, user.email, PASSWORD).status_code == 401


def test_a_cookie_replayed_after_logout_is_refused(app, client, make_user):
    user = make_user("union_director")
    _sign_in(client, user.email, PASSWORD)
    stolen = client.get_cookie("session").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302


def test_next_parameter_cannot_send_the_user_to_another_site(client, make_user):
    user = make_user("union_director")
    response = client.post("/login?next=//evil.example/x",
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    response = client.post("/logout")
    response = client.post("/login?next=/organisations/",
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/organisations/"
