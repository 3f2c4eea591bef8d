"""An administrator creates a person; the invitation link sets a password once, then dies."""
import re

import sqlalchemy as sa
from freezegun import freeze_time

from portal.accounts.models import User
from portal.core import outbox
from portal.core.outbox import OutboxMessage


def _create_person(client, org, email="lan.tran@kimbang.example", locale="vi"):
    return client.post("/admin/users/new", data={
        "full_name": "Trần Thị Lan", "email": email, "preferred_locale": locale,
        "organisation_id": org.id, "role": "union_director"})


def _invitation_link(db):
    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://portal\.test(/invitation/\S+)", message.body_text).group(1), message


def test_admin_creates_a_person_who_gets_an_invitation_in_their_language_over_smtp(
        client, login_as, db, smtp):
    admin = login_as("administrator")
    org = admin.memberships[0].organisation
    response = _create_person(client, org)
    assert response.status_code == 302
    _path, message = _invitation_link(db)
    assert message.subject == "Lời mời tham gia Cổng thông tin Ngân hàng Hợp tác xã"
    assert outbox.deliver() == (1, 0)
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["To"] == "lan.tran@kimbang.example"
    assert "/invitation/" in smtp.messages[0].get_body(("plain",)).get_content()


def test_invitation_sets_the_password_once_and_the_link_cannot_be_reused(
        client, login_as, db, app):
    admin = login_as("administrator")
    _create_person(client, admin.memberships[0].organisation)
    path, _message = _invitation_link(db)
    client.post("/logout")
    fresh = app.test_client()
    assert fresh.get(path).status_code == 200
    done = fresh.post(path, data={"password": "mây trắng bay qua núi", "confirm":
                                  "mây trắng bay qua núi"})
    assert done.status_code == 302
    signed_in = fresh.post("/login", data={"email": "lan.tran@kimbang.example",
                                           "password": "mây trắng bay qua núi"})
    assert signed_in.status_code == 302
    again = app.test_client().get(path)
    assert again.status_code == 400
    assert "already been used" in again.text


def test_a_weak_or_common_password_is_refused_and_the_link_still_works(
        client, login_as, db, app):
    admin = login_as("administrator")
    _create_person(client, admin.memberships[0].organisation)
    path, _message = _invitation_link(db)
    anonymous = app.test_client()
    short = anonymous.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 10 characters" in short.text
    common = anonymous.post(path, data={"password": "password123", "confirm": "password123"})
    assert common.status_code == 400 and "too common" in common.text
    assert db.session.scalar(sa.select(User).where(
        User.email == "lan.tran@kimbang.example")).password_hash is None
    assert anonymous.get(path).status_code == 200


def test_an_expired_invitation_is_refused(client, login_as, db, app):
    admin = login_as("administrator")
    _create_person(client, admin.memberships[0].organisation)
    path, _message = _invitation_link(db)
    with freeze_time("2099-01-01"):
        response = app.test_client().get(path)
    assert response.status_code == 400
    assert "expired" in response.text


def test_a_newer_invitation_replaces_the_older_link(client, login_as, db, app):
    admin = login_as("administrator")
    _create_person(client, admin.memberships[0].organisation)
    old_path, _message = _invitation_link(db)
    user = db.session.scalar(sa.select(User).where(User.email == "lan.tran@kimbang.example"))
    client.post(f"/admin/users/{user.id}/invite")
    new_path, _message = _invitation_link(db)
    assert new_path != old_path
    assert app.test_client().get(old_path).status_code == 400
    assert app.test_client().get(new_path).status_code == 200


def test_a_duplicate_email_is_refused_and_the_form_keeps_what_was_typed(client, login_as, db):
    admin = login_as("administrator")
    org = admin.memberships[0].organisation
    _create_person(client, org)
    again = _create_person(client, org, email="LAN.TRAN@kimbang.example ")
    assert again.status_code == 400
    assert "already exists" in again.text
    assert "Trần Thị Lan" in again.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.email == "lan.tran@kimbang.example")) == 1


def test_a_tampered_link_is_not_found(app, db):
    assert app.test_client().get("/invitation/not-a-real-token").status_code == 404
