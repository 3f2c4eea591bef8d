"""Passkeys and security keys as a second factor: adding one, signing in with it, what is
refused (someone else's key, another site's origin, a replayed counter), listing, removing."""
import re

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from portal.accounts.models import Passkey, RecoveryCode, User
from portal.core.audit import AuditEntry
from portal.core.outbox import OutboxMessage
from tests import factories
from tests.accounts.soft_authenticator import SoftAuthenticator, b64url
from tests.factories import PASSWORD

ORIGIN = "http://portal.test"  # the tests' PUBLIC_URL: rp id portal.test


def _sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def _device():
    return SoftAuthenticator(rp_id="portal.test", origin=ORIGIN)


def _add(client, device, name="گوشی سارا", origin=None):
    options = client.post("/account/passkeys/options").get_json()
    answer = device.create(options, origin=origin)
    return client.post("/account/passkeys", json={"name": name, "credential": answer})


def _second_step(client, device, **kwargs):
    options = client.post("/login/passkey/options")
    assert options.status_code == 200, options.text
    return client.post("/login/passkey", json=device.get(options.get_json(), **kwargs))


@pytest.fixture()
def required(app):
    old = app.config["TWO_FACTOR_REQUIRED_ROLES"]
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("relationship_manager", "ministry_official")
    yield
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = old


def test_a_passkey_is_added_with_its_persian_name_listed_audited_and_the_owner_told(
        client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    device = _device()
    options = client.post("/account/passkeys/options").get_json()
    # the person's own handle, not their address; the portal as the relying party
    assert options["rp"]["id"] == "portal.test" and user.email not in options["user"]["id"]
    done = client.post("/account/passkeys", json={"name": "  گوشی   سارا ",
                                                  "credential": device.create(options)})
    assert done.status_code == 200 and done.get_json()["redirect"] == "/account/two-factor"
    key = db.session.scalar(sa.select(Passkey).where(Passkey.user_id == user.id))
    assert key.name == "گوشی سارا" and key.credential_id == device.credential_id
    assert db.session.get(User, user.id).has_two_factor
    page = client.get("/account/two-factor", headers={"Accept-Language": "fa"})
    assert "<bdi>گوشی سارا</bdi>" in page.text
    assert db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "passkey_added", AuditEntry.object_id == user.id))
    assert db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == user.email, OutboxMessage.subject.contains("second factor")))
    # the same key again is refused (the browser is told to exclude it, too)
    options = client.post("/account/passkeys/options").get_json()
    assert options["excludeCredentials"][0]["id"] == b64url(device.credential_id)
    again = client.post("/account/passkeys", json={"name": "again",
                                                   "credential": device.create(options)})
    assert again.status_code == 400 and "already registered" in again.get_json()["error"]


def test_adding_is_refused_for_another_origin_a_used_challenge_or_no_name(client, make_user,
                                                                           db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    assert _add(client, _device(), origin="http://evil.example").status_code == 400
    assert _add(client, _device(), name="   ").get_json()["error"].startswith("Give the passkey")
    # an answer to a challenge already used (or never asked for) is refused
    device = _device()
    options = client.post("/account/passkeys/options").get_json()
    answer = device.create(options)
    assert client.post("/account/passkeys", json={"name": "a", "credential": answer}
                       ).status_code == 200
    assert client.post("/account/passkeys", json={"name": "b", "credential": answer}
                       ).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Passkey)) == 1


def test_after_the_password_the_passkey_signs_in_and_its_counter_is_kept(client, make_user,
                                                                        db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    device = _device()
    assert _add(client, device).status_code == 200
    client.post("/logout")

    response = _sign_in(client, user.email)
    assert response.headers["Location"].endswith("/login/code")
    page = client.get("/login/code")
    assert 'id="passkey-use"' in page.text and "js/passkeys" in page.text
    assert client.get("/").status_code == 302  # half signed in
    done = _second_step(client, device)
    assert done.status_code == 200 and done.get_json()["redirect"] == "/"
    assert client.get("/").status_code == 200
    key = db.session.scalar(sa.select(Passkey).where(Passkey.user_id == user.id))
    assert key.sign_count == 1 and key.last_used_at is not None
    login = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "login", AuditEntry.object_id == user.id).order_by(
        AuditEntry.id.desc()))
    assert login.after["via"] == "password+passkey"


def test_a_replayed_counter_another_origin_or_someone_elses_key_is_refused(
        app, client, make_user, db):
    user = make_user("union_director")
    other = make_user("union_director")
    _sign_in(client, user.email)
    device = _device()
    _add(client, device)
    client.post("/logout")
    other_client = app.test_client()
    _sign_in(other_client, other.email)
    stranger = _device()
    _add(other_client, stranger)

    _sign_in(client, user.email)
    assert _second_step(client, device).status_code == 200  # counter 1
    client.post("/logout")
    _sign_in(client, user.email)
    # the same counter again: a replayed answer or a cloned key
    assert _second_step(client, device, count_up=False).status_code == 401
    # signed for another site
    assert _second_step(client, device, origin="http://evil.example").status_code == 401
    # the other person's key, with its own valid signature, is not this person's
    assert _second_step(client, stranger).status_code == 401
    # a right answer to no challenge at all (the options never asked for)
    options = client.post("/login/passkey/options").get_json()
    answer = device.get(options)
    assert client.post("/login/passkey", json=answer).status_code == 200
    client.post("/logout")
    _sign_in(client, user.email)
    assert client.post("/login/passkey", json=answer).status_code == 401
    assert client.get("/").status_code == 302
    failures = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "second_factor_failed", AuditEntry.object_id == user.id))
    assert failures == 4
    # after the free failures, even a right answer waits
    for _n in range(app.config["LOGIN_FREE_FAILURES_ACCOUNT"]):
        _second_step(client, device, origin="http://evil.example")
    assert _second_step(client, device).status_code == 429


def test_without_a_pending_sign_in_the_passkey_step_refuses(client, make_user, db):
    assert client.post("/login/passkey/options").status_code == 401
    assert client.post("/login/passkey", json={}).status_code == 401


def test_a_required_role_enrols_with_a_passkey_alone(client, db, required):
    manager = factories.make_user("relationship_manager")
    assert _sign_in(client, manager.email).headers["Location"].endswith("/account/two-factor")
    assert client.get("/organisations/").status_code == 302
    device = _device()
    assert _add(client, device, name="YubiKey 5").status_code == 200
    assert client.get("/organisations/").status_code == 200
    client.post("/logout")
    _sign_in(client, manager.email)
    # no authenticator app: the page offers the key, and recovery codes without a phone
    page = client.get("/login/code")
    assert "Open your authenticator app" not in page.text and "recovery codes" in page.text
    assert _second_step(client, device).status_code == 200


def test_removing_a_passkey_own_only_confirmed_and_the_last_required_one_stays(
        app, client, db, required):
    manager = factories.make_user("relationship_manager")
    director = factories.make_user("union_director")
    _sign_in(client, manager.email)
    _add(client, _device(), name="laptop")
    _add(client, _device(), name="phone")
    first, last = db.session.scalars(sa.select(Passkey.id).where(
        Passkey.user_id == manager.id).order_by(Passkey.id)).all()
    other_client = app.test_client()
    _sign_in(other_client, director.email)
    # someone else's key: not found, and still there
    assert other_client.post(f"/account/passkeys/{first}/remove").status_code == 404
    assert db.session.get(Passkey, first) is not None

    assert client.post(f"/account/passkeys/{first}/remove").status_code == 302
    assert db.session.get(Passkey, first) is None
    assert db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "passkey_removed", AuditEntry.object_id == manager.id))
    # the last second factor of a role that needs one stays
    refused = client.post(f"/account/passkeys/{last}/remove", follow_redirects=True)
    assert "Your role needs a second factor" in refused.text
    assert db.session.get(Passkey, last) is not None


def test_removing_a_passkey_long_after_signing_in_asks_to_confirm_it_is_you(
        client, make_user, db):
    user = make_user("union_director")
    with freeze_time("2026-03-01 09:00:00"):
        _sign_in(client, user.email)
        _add(client, _device())
    key_id = db.session.scalar(sa.select(Passkey.id).where(Passkey.user_id == user.id))
    with freeze_time("2026-03-01 10:00:00"):
        asked = client.post(f"/account/passkeys/{key_id}/remove",
                            headers={"Referer": "http://localhost/account/two-factor"})
        assert asked.headers["Location"].startswith("/account/confirm")
        assert db.session.get(Passkey, key_id) is not None
        client.post(asked.headers["Location"], data={"password": PASSWORD})
        assert client.post(f"/account/passkeys/{key_id}/remove").status_code == 302
    assert db.session.get(Passkey, key_id) is None
    # nothing left: no second factor, no recovery codes
    assert not db.session.get(User, user.id).has_two_factor
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id))


def test_an_administrators_reset_removes_the_passkeys_too(app, client, make_user, db):
    person = make_user("union_director")
    _sign_in(client, person.email)
    _add(client, _device())
    client.post("/logout")
    admin_client = app.test_client()
    admin = make_user("administrator")
    _sign_in(admin_client, admin.email)
    assert "1 passkey or security key protects this account" in \
        admin_client.get(f"/admin/users/{person.id}").text
    assert admin_client.post(f"/admin/users/{person.id}/two-factor/reset").status_code == 302
    assert not db.session.scalar(sa.select(Passkey).where(Passkey.user_id == person.id))
    assert _sign_in(client, person.email).headers["Location"] == "/"


def test_with_a_passkey_alone_the_page_asks_for_recovery_codes_which_then_sign_in(
        client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    _add(client, _device())
    page = client.get("/account/two-factor")
    assert "You have no recovery codes" in page.text
    made = client.post("/account/two-factor/recovery-codes")
    codes = re.findall(r"<bdi>([0-9a-f]{5}-[0-9a-f]{5})</bdi>", made.text)
    assert len(codes) == 10
    client.post("/logout")
    _sign_in(client, user.email)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
