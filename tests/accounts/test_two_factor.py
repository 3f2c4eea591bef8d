"""The second factor: enrolment with an authenticator app, the code after the password,
recovery codes, the lost-device path, roles that require it, and confirming it is you."""
import re
import time

import pyotp
import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from portal.accounts.models import Membership, RecoveryCode, User
from portal.core.audit import AuditEntry
from portal.core.outbox import OutboxMessage
from tests import factories
from tests.factories import PASSWORD

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def _code(secret, later=0):
    """The code the app shows `later` steps of 30 seconds from now (each is usable once)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * later)


def _enrol(client, user, db):
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "<svg" in page.text  # the QR code, inline
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    done = client.post("/account/two-factor", data={"code": _code(secret).translate(PERSIAN)},
                       headers={"Accept-Language": "fa"})
    assert done.status_code == 200
    codes = re.findall(r"<bdi>([0-9a-f]{5}-[0-9a-f]{5})</bdi>", done.text)
    return secret, codes


@pytest.fixture()
def required(app):
    old = app.config["TWO_FACTOR_REQUIRED_ROLES"]
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ("administrator", "relationship_manager",
                                               "branch_staff", "ministry_official")
    yield
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = old


def test_enrolling_with_a_code_in_persian_digits_turns_it_on_and_shows_recovery_codes_once(
        client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    secret, codes = _enrol(client, user, db)
    assert db.session.get(User, user.id).has_two_factor
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}
    again = client.get("/account/two-factor")
    assert codes[0] not in again.text and secret not in again.text.replace(" ", "")
    assert db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "two_factor_enabled", AuditEntry.object_id == user.id))
    assert db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == user.email,
        OutboxMessage.subject.contains("second factor")))


def test_a_wrong_code_does_not_turn_it_on(client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    response = client.post("/account/two-factor", data={"code": "000000"})
    assert response.status_code == 400 and "not correct" in response.text
    assert not db.session.get(User, user.id).has_two_factor


def test_after_the_password_only_the_code_page_opens_and_a_thai_digit_code_signs_in(
        app, client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    secret, _codes = _enrol(client, user, db)
    client.post("/logout")

    response = _sign_in(client, user.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    # half signed in: nothing else opens
    for path in ("/", "/account/security", "/organisations/"):
        assert client.get(path).headers["Location"].startswith("/login")
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 401 and "not correct" in wrong.text
    code = _code(secret, later=1)
    done = client.post("/login/code", data={"code": code.translate(THAI)})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    # the same code cannot be used a second time (seen over a shoulder, replayed)
    other = app.test_client()
    _sign_in(other, user.email)
    assert other.post("/login/code", data={"code": code}).status_code == 401
    assert other.get("/").status_code == 302


def test_a_recovery_code_signs_in_once(app, client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    _secret, codes = _enrol(client, user, db)
    client.post("/logout")
    _sign_in(client, user.email)
    assert client.post("/login/code", data={"code": codes[3].upper()}).status_code == 302
    client.post("/logout")
    _sign_in(client, user.email)
    assert client.post("/login/code", data={"code": codes[3]}).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) == 9


def test_the_code_page_is_slowed_down_after_wrong_codes(app, client, make_user, db):
    user = make_user("union_director")
    _sign_in(client, user.email)
    secret, _codes = _enrol(client, user, db)
    client.post("/logout")
    _sign_in(client, user.email)
    for _n in range(app.config["LOGIN_FREE_FAILURES_ACCOUNT"]):
        assert client.post("/login/code", data={"code": "111111"}).status_code == 401
    held = client.post("/login/code", data={"code": _code(secret, later=1)})
    assert held.status_code == 429
    assert client.get("/").status_code == 302


def test_a_required_role_is_sent_to_enrolment_and_can_do_nothing_else_until_enrolled(
        client, db, required):
    manager = factories.make_user("relationship_manager")
    response = _sign_in(client, manager.email)
    assert response.headers["Location"].endswith("/account/two-factor")
    for path in ("/", "/organisations/", "/account/security"):
        assert client.get(path).headers["Location"].endswith("/account/two-factor")
    assert "needs a second factor" in client.get("/account/two-factor").text
    _enrol(client, manager, db)
    assert client.get("/organisations/").status_code == 200


def test_a_union_director_is_offered_it_and_may_turn_it_off_a_required_role_may_not(
        client, make_user, db, required):
    director = make_user("union_director")
    assert _sign_in(client, director.email).headers["Location"] == "/"
    _enrol(client, director, db)
    assert client.post("/account/two-factor/remove").status_code == 302
    assert not db.session.get(User, director.id).has_two_factor

    client.post("/logout")
    official = factories.make_user("ministry_official")
    _sign_in(client, official.email)
    _enrol(client, official, db)
    assert client.post("/account/two-factor/remove").status_code == 403
    assert db.session.get(User, official.id).has_two_factor


def test_an_administrator_removes_a_lost_second_factor_audited_and_the_person_is_told(
        app, client, make_user, login, db):
    person = make_user("union_director")
    _sign_in(client, person.email)
    _enrol(client, person, db)
    client.post("/logout")

    admin_client = app.test_client()
    admin = make_user("administrator")
    _sign_in(admin_client, admin.email)
    assert "authenticator app protects this account" in \
        admin_client.get(f"/admin/users/{person.id}").text
    response = admin_client.post(f"/admin/users/{person.id}/two-factor/reset")
    assert response.status_code == 302
    assert not db.session.get(User, person.id).has_two_factor
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "two_factor_reset"))
    assert entry.actor_id == admin.id and entry.object_id == person.id
    assert db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == person.email,
        OutboxMessage.subject.contains("removed")))
    # the password alone signs in again
    assert _sign_in(client, person.email).headers["Location"] == "/"


def test_a_sensitive_change_asks_to_confirm_it_is_you_after_some_minutes(
        app, client, make_user, db):
    admin = make_user("administrator")
    person = make_user("union_director")
    other_org = factories.make_org("cooperative")
    db.session.commit()
    with freeze_time("2026-03-01 09:00:00"):
        _sign_in(client, admin.email)
    with freeze_time("2026-03-01 09:30:00"):
        asked = client.post(f"/admin/users/{person.id}/memberships", data={
            "m-organisation_id": other_org.id, "m-role": "union_director"},
            headers={"Referer": f"http://localhost/admin/users/{person.id}"})
        assert asked.headers["Location"].startswith("/account/confirm")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(
            Membership.user_id == person.id)) == 1
        assert client.post(asked.headers["Location"],
                           data={"password": "not my password"}).status_code == 401
        confirmed = client.post(asked.headers["Location"], data={"password": PASSWORD})
        assert confirmed.headers["Location"].endswith(f"/admin/users/{person.id}")
        done = client.post(f"/admin/users/{person.id}/memberships", data={
            "m-organisation_id": other_org.id, "m-role": "union_director"})
        assert done.headers["Location"].endswith(f"/admin/users/{person.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(
        Membership.user_id == person.id)) == 2
