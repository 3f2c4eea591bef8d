"""A person changes their own password or e-mail address; sessions time out."""
import sqlalchemy as sa
from freezegun import freeze_time

from portal.core.notify import Notification
from portal.core.outbox import OutboxMessage
from tests.factories import PASSWORD


def _sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
        app, client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    other_device = app.test_client()
    _sign_in(other_device, user.email)
    wrong = client.post("/account/security", data={
        "pw-current": "not-it-at-all", "pw-password": "a brand new phrase", "pw-confirm":
        "a brand new phrase"})
    assert wrong.status_code == 400 and "current password is not correct" in wrong.text
    done = client.post("/account/security", data={
        "pw-current": PASSWORD, "pw-password": "a brand new phrase",
        "pw-confirm": "a brand new phrase"})
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other_device.get("/").status_code == 302  # the other one is signed out
    assert db.session.scalar(sa.select(Notification.kind).where(
        Notification.user_id == user.id)) == "password_changed"


def test_changing_the_email_tells_the_old_address(client, make_user, db):
    user = make_user("union_director")
    old_address = user.email
    _sign_in(client, old_address)
    response = client.post("/account/security", data={
        "em-email": "new.address@cooperative.example", "em-current": PASSWORD})
    assert response.status_code == 302
    to_old = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == old_address))
    assert to_old is not None and "new.address@cooperative.example" in to_old.body_text
    client.post("/logout")
    assert _sign_in(client, "new.address@cooperative.example").status_code == 302


def test_changing_the_email_to_one_in_use_is_refused(client, make_user, db):
    user = make_user("union_director")
    taken = make_user("union_director", email="taken@cooperative.example")
    _sign_in(client, user.email)
    response = client.post("/account/security", data={
        "em-email": taken.email, "em-current": PASSWORD})
    assert response.status_code == 400 and "already exists" in response.text


def test_an_idle_session_ends(app, client, make_user, db):
    user = make_user("union_director")
    with freeze_time("2026-11-23 08:00"):
        _sign_in(client, user.email)
        assert client.get("/").status_code == 200
    with freeze_time("2026-11-23 08:50"):
        assert client.get("/").status_code == 200  # used within the hour
    with freeze_time("2026-11-23 10:00"):
        response = client.get("/organisations/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert "next=" in response.headers["Location"]


def test_a_session_ends_after_its_absolute_lifetime_even_when_busy(app, client, make_user, db):
    user = make_user("union_director")
    with freeze_time("2026-11-23 06:00"):
        _sign_in(client, user.email)
    for hour in range(6, 18):
        with freeze_time(f"2026-11-23 {hour:02d}:30"):
            client.get("/")
    with freeze_time("2026-11-23 18:31"):
        assert client.get("/").status_code == 302
