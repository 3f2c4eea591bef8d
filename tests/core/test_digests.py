"""E-mail as each person chose it: right away, in a daily or weekly digest at their local
morning, or not at all; never a digest twice, nothing lost while the mail server is down; a
one-click unsubscribe in every message (RFC 8058)."""
from datetime import datetime

import pytest
import sqlalchemy as sa

from portal.accounts.digests import send_digests
from portal.accounts.models import OrgKind
from portal.core import digests, outbox
from portal.core.notify import Notification, notify
from portal.core.outbox import OutboxMessage
from portal.extensions import db
from tests import factories


@pytest.fixture(autouse=True)
def request_context(app, db):
    with app.test_request_context(base_url="http://portal.test"):
        yield


def _person(country="IR", locale="fa", **fields):
    organisation = factories.make_org(OrgKind.NATIONAL_UNION, country=country,
                                      name=f"union {country}")
    return factories.make_user("union_director", organisation, preferred_locale=locale,
                               **fields)


def _tell(user, kind="feedback_answered", title="پاسخ رسمی به نقد شما"):
    notify(user, kind, lambda: (title, "متن پاسخ"), link="/feedback/1")
    db.session.commit()


def _messages(user):
    return list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.to_address == user.email).order_by(OutboxMessage.id)))


def test_right_away_by_default_with_a_one_click_unsubscribe(db, smtp):
    user = _person()
    _tell(user)
    (message,) = _messages(user)
    assert message.list_unsubscribe.startswith("http://portal.test/unsubscribe/")
    outbox.deliver()
    (sent,) = smtp.messages
    assert sent["List-Unsubscribe"] == f"<{message.list_unsubscribe}>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "http://portal.test/notifications/preferences" in sent.get_body(
        ("plain",)).get_content()


def test_security_notices_are_always_sent_and_carry_no_unsubscribe(db):
    user = _person()
    digests.set_frequency(user, "feedback", "none")
    _tell(user, kind="password_changed", title="رمز عبور شما تغییر کرد")
    (message,) = _messages(user)
    assert message.list_unsubscribe is None


def test_a_daily_digest_goes_out_at_the_persons_local_morning_once(db):
    tehran = _person("IR", "fa")
    hanoi = _person("VN", "vi")
    for user in (tehran, hanoi):
        digests.set_frequency(user, "feedback", "daily")
        _tell(user)
        _tell(user, title="مورد شما به سطح بعد ارجاع شد")
    assert not _messages(tehran) and not _messages(hanoi)
    # 01:00 UTC: 08:00 in Hanoi, 04:30 in Tehran
    assert send_digests(datetime(2026, 12, 7, 1, 0)) == 1
    db.session.commit()
    assert len(_messages(hanoi)) == 1 and not _messages(tehran)
    # 04:00 UTC: 07:30 in Tehran; Hanoi already had today's
    assert send_digests(datetime(2026, 12, 7, 4, 0)) == 1
    db.session.commit()
    (digest,) = _messages(tehran)
    assert "۲" in digest.subject and "2" not in digest.subject        # Persian digits
    assert "پاسخ رسمی به نقد شما" in digest.body_text
    assert "مورد شما به سطح بعد ارجاع شد" in digest.body_text
    assert digest.list_unsubscribe is not None
    # run again the same morning: nothing twice
    assert send_digests(datetime(2026, 12, 7, 5, 0)) == 0
    db.session.commit()
    assert len(_messages(tehran)) == 1
    # the next notice waits for the next morning
    _tell(tehran, title="پاسخ دوم")
    assert send_digests(datetime(2026, 12, 7, 10, 0)) == 0
    assert send_digests(datetime(2026, 12, 8, 4, 0)) == 1
    db.session.commit()
    assert "پاسخ دوم" in _messages(tehran)[-1].body_text
    # the notices stay in the portal all along
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == tehran.id)) == 3


def test_a_weekly_digest_waits_for_the_first_day_of_the_readers_week(db):
    tehran = _person("IR", "fa")      # the Persian week starts on Saturday
    digests.set_frequency(tehran, "meetings", "weekly")
    _tell(tehran, kind="meeting_invited", title="دعوت به نشست")
    # Friday 11 December 2026, 09:00 Tehran: not yet
    assert send_digests(datetime(2026, 12, 11, 5, 30)) == 0
    # Saturday 12 December, 09:00 Tehran
    assert send_digests(datetime(2026, 12, 12, 5, 30)) == 1


def test_nothing_is_lost_while_the_mail_server_is_down(db, smtp):
    user = _person("VN", "vi")
    digests.set_frequency(user, "results", "daily")
    _tell(user, kind="result.created", title="Ngân hàng cam kết một kết quả")
    send_digests(datetime(2026, 12, 7, 1, 0))
    db.session.commit()
    smtp.refuse = True
    assert outbox.deliver() == (0, 1)
    smtp.refuse = False
    (message,) = _messages(user)
    message.next_attempt_at = datetime(2000, 1, 1)     # its retry is due
    db.session.commit()
    assert outbox.deliver() == (1, 0)
    assert outbox.deliver() == (0, 0)
    assert len(smtp.messages) == 1
    assert "Ngân hàng cam kết một kết quả" in smtp.messages[0].get_body(
        ("plain",)).get_content()


def test_one_click_unsubscribe_needs_no_sign_in_and_stops_that_kind_only(client, db):
    user = _person()
    _tell(user)
    token_url = _messages(user)[0].list_unsubscribe.removeprefix("http://portal.test")
    response = client.post(token_url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert digests.preferences(user)["feedback"] == digests.Frequency.NONE
    assert digests.preferences(user)["meetings"] == digests.Frequency.IMMEDIATE
    _tell(user)
    assert len(_messages(user)) == 1                      # no new e-mail about feedback
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2
    assert client.post("/unsubscribe/not-a-token").status_code == 404
    forged = token_url[:-3] + "abc"
    assert client.post(forged).status_code == 404


def test_a_person_chooses_in_the_preferences(client, login, db):
    user = login(_person("TH", "th"))
    page = client.get("/notifications/preferences")
    assert page.status_code == 200 and "สรุปรายวัน" in page.text
    client.post("/notifications/preferences", data={"feedback": "weekly", "results": "none"})
    chosen = digests.preferences(user)
    assert chosen["feedback"] == digests.Frequency.WEEKLY
    assert chosen["results"] == digests.Frequency.NONE
    assert chosen["meetings"] == digests.Frequency.IMMEDIATE
