"""A lock-out that never locks out the owner: growing delays per account and per address, a
sign-in link by e-mail as the way through, the owner's own browser not slowed by a stranger,
and the owner told of repeated failures and of sign-ins from new devices."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from portal.accounts.models import SignInThrottle
from portal.core.audit import AuditEntry
from portal.core.models import utcnow
from portal.core.outbox import OutboxMessage
from tests.factories import PASSWORD


def _sign_in(client, email, password=PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


@pytest.fixture(autouse=True)
def _no_burst_limit(app):
    """The per-minute burst limit (Flask-Limiter) is tested in test_login.py; here the delays
    alone are watched."""
    old = app.config["RATELIMIT_LOGIN_ACCOUNT"], app.config["RATELIMIT_LOGIN_ADDRESS"]
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = app.config["RATELIMIT_LOGIN_ADDRESS"] = \
        "1000 per minute"
    yield
    app.config["RATELIMIT_LOGIN_ACCOUNT"], app.config["RATELIMIT_LOGIN_ADDRESS"] = old


def _mail_to(db, address, subject_part):
    return db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == address,
        OutboxMessage.subject.contains(subject_part)).order_by(OutboxMessage.id)).all()


def test_after_five_failures_each_attempt_waits_longer_and_then_gets_through(
        app, client, make_user, db):
    user = make_user("union_director")
    start = utcnow()
    with freeze_time(start) as clock:
        for _n in range(5):
            assert _sign_in(client, user.email, "wrong guess here").status_code == 401
        held = _sign_in(client, user.email, headers={"Accept-Language": "th"})
        assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
        assert "รอ 1 วินาที" in held.text  # told in Thai how long to wait
        waits = []
        for _n in range(4):
            clock.tick(timedelta(seconds=2 ** 10))
            assert _sign_in(client, user.email, "wrong guess here").status_code == 401
            row = db.session.get(SignInThrottle, f"account:{user.email}")
            waits.append((row.wait_until - row.last_failure_at).total_seconds())
        assert waits == [2, 4, 8, 16]
        # never more than the cap, and never a lock-out: after the wait the owner gets in
        clock.tick(timedelta(seconds=16))
        assert _sign_in(client, user.email).status_code == 302
    assert db.session.get(SignInThrottle, f"account:{user.email}") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "login_failed", AuditEntry.object_id == user.id)) == 9


def test_the_delay_is_capped(app, client, make_user, db):
    user = make_user("union_director")
    with freeze_time(utcnow()) as clock:
        for _n in range(20):
            _sign_in(client, user.email, "wrong guess here")
            clock.tick(timedelta(hours=1))
        assert _sign_in(client, user.email, "wrong guess here").status_code == 401
    row = db.session.get(SignInThrottle, f"account:{user.email}")
    assert (row.wait_until - row.last_failure_at).total_seconds() == \
        app.config["LOGIN_DELAY_CAP_SECONDS"]


def test_a_stranger_guessing_does_not_slow_the_owners_own_browser(app, make_user, db):
    owner = make_user("union_director")
    laptop = app.test_client()
    assert _sign_in(laptop, owner.email).status_code == 302  # the device is remembered
    laptop.post("/logout")
    stranger = app.test_client()
    for _n in range(8):
        _sign_in(stranger, owner.email, "wrong guess here")
    assert _sign_in(stranger, owner.email).status_code == 429
    assert _sign_in(laptop, owner.email).status_code == 302


def test_the_owner_is_told_of_repeated_failures_once_an_hour_with_the_way_through(
        app, client, make_user, db):
    user = make_user("union_director", preferred_locale="fa")
    with freeze_time(utcnow()) as clock:
        for _n in range(8):
            _sign_in(client, user.email, "wrong guess here")
            clock.tick(timedelta(seconds=300))
    told = _mail_to(db, user.email, "")
    assert len(told) == 1
    assert told[0].locale == "fa" and "/login/link" in told[0].body_text


def test_a_sign_in_link_by_email_is_the_way_through_once_and_briefly(app, client, make_user,
                                                                     db):
    user = make_user("union_director")
    for _n in range(8):
        _sign_in(client, user.email, "wrong guess here")
    assert _sign_in(client, user.email).status_code == 429
    asked = client.post("/login/link", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/login/link", data={"email": "nobody@portal.test"},
                          follow_redirects=True)
    assert asked.text.replace(user.email, "") == unknown.text.replace("nobody@portal.test", "")
    assert "sign-in link is on its way" in asked.text
    message = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == user.email, OutboxMessage.subject.contains("link")))
    path = re.search(r"http://portal\.test(/login/link/\S+)", message.body_text).group(1)
    assert client.get(path).status_code == 200  # a mail scanner opening it uses nothing up
    assert client.post(path).headers["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.post(path).status_code == 400  # once only


def test_a_sign_in_link_expires(app, client, make_user, db):
    user = make_user("union_director")
    client.post("/login/link", data={"email": user.email})
    body = db.session.scalar(sa.select(OutboxMessage.body_text).where(
        OutboxMessage.to_address == user.email))
    path = re.search(r"http://portal\.test(/login/link/\S+)", body).group(1)
    with freeze_time(utcnow() + timedelta(minutes=app.config["SIGNIN_LINK_MINUTES"] + 1)):
        response = client.post(path)
    assert response.status_code == 400 and "expired" in response.text


def test_a_sign_in_link_still_asks_for_the_second_factor(app, client, make_user, db):
    user = make_user("union_director", totp_secret="JBSWY3DPEHPK3PXP",
                     two_factor_since=utcnow())
    client.post("/login/link", data={"email": user.email})
    body = db.session.scalar(sa.select(OutboxMessage.body_text).where(
        OutboxMessage.to_address == user.email))
    path = re.search(r"http://portal\.test(/login/link/\S+)", body).group(1)
    assert client.post(path).headers["Location"].endswith("/login/code")
    assert client.get("/").status_code == 302


def test_the_owner_is_told_of_a_sign_in_from_a_new_device_only(app, make_user, db):
    user = make_user("union_director")
    laptop = app.test_client()
    _sign_in(laptop, user.email)  # the first sign-in ever: nothing to compare with
    assert _mail_to(db, user.email, "new device") == []
    laptop.post("/logout")
    _sign_in(laptop, user.email)
    assert _mail_to(db, user.email, "new device") == []
    phone = app.test_client()
    _sign_in(phone, user.email, headers={"User-Agent": "Mozilla/5.0 (Android 14) Chrome"})
    told = _mail_to(db, user.email, "new device")
    assert len(told) == 1 and "Android 14" in told[0].body_text


def test_many_accounts_from_one_address_are_slowed_by_address(app, client, make_user, db):
    free = app.config["LOGIN_FREE_FAILURES_ADDRESS"]
    for n in range(free):
        assert _sign_in(client, f"spray{n}@portal.test", "wrong guess here").status_code == 401
    user = make_user("union_director")
    assert _sign_in(client, user.email, "wrong guess here").status_code == 429
