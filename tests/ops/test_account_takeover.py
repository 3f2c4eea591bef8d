"""Someone holding a signed-in session (a borrowed laptop, a stolen cookie) cannot take the
account over: changing the e-mail address needs the current password, and the owner is told.
A forgotten password is reset by a new invitation from an administrator (there is no
self-service reset link to phish): its link works once, expires, ends every session, and
replaces any older link."""
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from portal.accounts.models import User
from portal.core.notify import Notification
from portal.core.outbox import OutboxMessage
from tests.factories import PASSWORD


def _sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_changing_the_email_needs_the_current_password(client, make_user, db):
    user = make_user("union_director")
    old_address = user.email
    _sign_in(client, old_address)
    for current in ("not-the-password", ""):
        response = client.post("/account/security", data={
            "em-email": "thief@evil.example", "em-current": current})
        assert response.status_code == 400, current
    assert "current password is not correct" in response.text or "required" in response.text
    assert db.session.get(User, user.id).email == old_address
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert _sign_in(client.application.test_client(), "thief@evil.example").status_code == 401


def test_changing_the_password_with_a_wrong_current_one_changes_nothing_and_tells_nobody(
        client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    before = db.session.get(User, user.id).password_hash
    response = client.post("/account/security", data={
        "pw-current": "", "pw-password": "a brand new phrase", "pw-confirm": "a brand new phrase"})
    assert response.status_code == 400
    assert db.session.get(User, user.id).password_hash == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def _latest_link(db):
    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://portal\.test(/invitation/\S+)", message.body_text).group(1)


def test_a_password_reset_link_works_once_ends_every_session_and_replaces_older_links(
        app, client, login_as, make_user, db):
    person = make_user("union_director")
    laptop = app.test_client()
    assert _sign_in(laptop, person.email).status_code == 302
    login_as("administrator")
    assert client.post(f"/admin/users/{person.id}/invite").status_code == 302
    older = _latest_link(db)
    assert client.post(f"/admin/users/{person.id}/invite").status_code == 302
    link = _latest_link(db)
    assert older != link
    anonymous = app.test_client()
    assert anonymous.get(older).status_code == 400  # replaced by the newer one
    done = anonymous.post(link, data={"password": "a freshly chosen phrase",
                                      "confirm": "a freshly chosen phrase"})
    assert done.status_code == 302
    assert laptop.get("/").status_code == 302  # the session opened before the reset is gone
    again = app.test_client().post(link, data={"password": "another chosen phrase",
                                               "confirm": "another chosen phrase"})
    assert again.status_code == 400 and "already been used" in again.text
    assert _sign_in(app.test_client(), person.email).status_code == 401  # old password
    assert _sign_in(app.test_client(), person.email,
                    "a freshly chosen phrase").status_code == 302


def test_a_password_reset_link_expires(app, client, login_as, make_user, db):
    person = make_user("union_director")
    login_as("administrator")
    client.post(f"/admin/users/{person.id}/invite")
    link = _latest_link(db)
    days = app.config["INVITATION_DAYS"]
    now = datetime.now(UTC)
    with freeze_time(now + timedelta(days=days, minutes=-1)):
        assert app.test_client().get(link).status_code == 200
    with freeze_time(now + timedelta(days=days, minutes=1)):
        late = app.test_client().post(link, data={"password": "a freshly chosen phrase",
                                                  "confirm": "a freshly chosen phrase"})
    assert late.status_code == 400 and "expired" in late.text
    assert _sign_in(app.test_client(), person.email).status_code == 302  # password unchanged
