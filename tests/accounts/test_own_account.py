"""A person changes their own password or e-mail address; sessions time out."""
import re

import sqlalchemy as sa
from freezegun import freeze_time

from portal.accounts.models import User
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


def _link_in(db, address):
    message = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == address).order_by(OutboxMessage.id.desc())).first()
    assert message is not None, f"nothing was sent to {address}"
    return message, re.search(r"http://portal\.test(/\S+)", message.body_text).group(1)


def test_changing_the_email_happens_from_the_link_sent_to_it_and_tells_the_old_address(
        client, make_user, db):
    user = make_user("union_director")
    old_address = user.email
    _sign_in(client, old_address)
    response = client.post("/account/security", data={
        "em-email": "new.address@cooperative.example", "em-current": PASSWORD})
    assert response.status_code == 302
    assert db.session.get(User, user.id).email == old_address  # not yet
    _message, path = _link_in(db, "new.address@cooperative.example")
    assert "Confirm" in client.get(path).text  # opening the link changes nothing by itself
    assert db.session.get(User, user.id).email == old_address
    assert client.post(path).status_code == 302
    to_old = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == old_address))
    assert to_old is not None and "new.address@cooperative.example" in to_old.body_text
    assert client.post(path).status_code == 400  # used once only
    client.post("/logout")
    assert _sign_in(client, "new.address@cooperative.example").status_code == 302


def test_the_email_form_does_not_tell_whether_an_address_has_an_account(client, make_user, db):
    user = make_user("union_director")
    taken = make_user("union_director", email="taken@cooperative.example")
    _sign_in(client, user.email)
    answers = []
    for address in (taken.email, "free@cooperative.example"):
        response = client.post("/account/security", data={
            "em-email": address, "em-current": PASSWORD}, follow_redirects=True)
        answers.append(re.sub(r'name="csrf_token"[^>]*>', "", response.text)
                       .replace(address, "ADDRESS"))
    assert "already exists" not in answers[0]
    assert answers[0] == answers[1]
    # the owner of the taken address hears of it; nothing changed
    told, _path = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == taken.email)), None
    assert told is not None and "tried to give their account your e-mail address" in \
        told.body_text
    assert db.session.get(User, user.id).email != taken.email


def test_guessing_the_current_password_is_slowed_down(app, client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    free = app.config["LOGIN_FREE_FAILURES_ACCOUNT"]
    for n in range(free):
        wrong = client.post("/account/security", data={
            "em-email": f"x{n}@cooperative.example", "em-current": f"guess number {n}"})
        assert wrong.status_code == 400
    # even the right password now waits: the answer no longer tells right from wrong
    held = client.post("/account/security", data={
        "em-email": "x@cooperative.example", "em-current": PASSWORD},
        headers={"Accept-Language": "fa"})
    assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
    assert "تلاش ناموفق" in held.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.to_address == "x@cooperative.example")) == 0


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
