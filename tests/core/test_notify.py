"""Notifications reach the person in their language, in the portal and (if chosen) by e-mail."""
import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core.notify import Notification, notify
from portal.core.outbox import OutboxMessage


def _render():
    return _("Notifications"), "body"


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_notify_writes_a_notification_and_an_email_only_when_chosen(db, make_user):
    wants_mail = make_user("union_director", preferred_locale="vi")
    portal_only = make_user("union_director", email_notifications=False)
    notify(wants_mail, "test", _render, link="/")
    notify(portal_only, "test", _render, link="/")
    db.session.commit()
    assert _count(db, Notification) == 2
    mails = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [m.to_address for m in mails] == [wants_mail.email]


def test_the_unread_count_shows_and_opening_marks_read(client, login_as, db):
    user = login_as("union_director")
    notify(user, "test", _render, link="/organisations/")
    db.session.commit()
    assert "1<span class=\"visually-hidden\"> unread" in client.get("/").text
    note = db.session.scalar(sa.select(Notification))
    response = client.post(f"/notifications/{note.id}/open")
    assert response.headers["Location"] == "/organisations/"
    assert "visually-hidden\"> unread" not in client.get("/").text


def test_nobody_opens_another_persons_notification(client, login_as, db, make_user):
    other = make_user("union_director")
    notify(other, "test", _render, link="/")
    db.session.commit()
    login_as("administrator")
    note = db.session.scalar(sa.select(Notification))
    assert client.post(f"/notifications/{note.id}/open").status_code == 404
    assert db.session.get(Notification, note.id).read_at is None


def test_a_note_written_in_persian_stays_marked_persian_after_a_language_switch(
        client, login_as, db):
    user = login_as("union_director", preferred_locale="fa")
    notify(user, "test", _render, link="/")
    user.preferred_locale = "en"  # the person reads the portal in English from now on
    db.session.commit()
    page = client.get("/notifications").text
    note = page[page.index('<ul class="list-group">'):]
    assert '<div lang="fa" dir="rtl">' in note
    assert "اعلان" in note  # written in Persian when it was sent
