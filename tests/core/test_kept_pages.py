"""Pages kept per reader until a table they read is written (portal/core/kept_pages.py): sent
again without rendering while nothing they show has changed, ended by a write to what they
read (from any person, through the portal or not), kept past writes to what they do not read,
and never sent to anyone but the reader, in the state, language and host they were made for."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import template_rendered
from freezegun import freeze_time

from portal.accounts.models import Organisation
from portal.core import versions
from portal.core.models import utcnow
from portal.core.notify import Notification
from portal.core.sessions import stamp
from portal.extensions import db as _db
from tests import factories
from tests.conftest import AuthActions
from tests.feedback import helpers

FA = {"Accept-Language": "fa"}


@contextmanager
def renders(app):
    """The templates rendered inside the block (none: the page was sent as kept)."""
    names = []

    def noted(_sender, template, context, **_extra):
        names.append(template.name)

    template_rendered.connect(noted, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(noted, app)


def _twice(app, client, path, **kwargs):
    """The page opened twice; (second answer, templates the second rendered). As after a
    sign-in, the session already holds its CSRF secret (the sign-in form made it)."""
    with client.session_transaction() as session:
        session.setdefault("csrf_token", "a-secret-made-by-the-sign-in-form")
    first = client.get(path, **kwargs)
    assert first.status_code == 200, (path, first.status_code)
    with renders(app) as names:
        again = client.get(path, **kwargs)
    assert again.status_code == 200
    assert again.text == first.text  # kept or not, the reader sees the same page
    return again, names


@pytest.fixture()
def world(app, db):
    union, director, manager = helpers.union_with_manager(name="اتحادیه فرش دستباف")
    with app.test_request_context():
        item = helpers.submit(director, title="کندی افتتاح حساب در شعبه ویژه")
    return {"union": union, "director": director, "manager": manager, "item": item}


def test_a_page_opened_again_is_sent_without_rendering(app, client, login, world):
    login(world["director"])
    page, names = _twice(app, client, f"/feedback/{world['item'].id}", headers=FA)
    assert names == []
    assert "کندی افتتاح حساب در شعبه ویژه" in page.text


def test_a_message_from_someone_else_ends_the_item_page(app, client, login, world):
    login(world["director"])
    path = f"/feedback/{world['item'].id}"
    _twice(app, client, path, headers=FA)
    manager_client = _signed_in_client(app, world["manager"])
    answer = manager_client.post(f"{path}/discussion",
                                 data={"comment-body": "<p>شعبه تا سه روز حساب باز می‌کند.</p>"})
    assert answer.status_code == 302
    page = client.get(path, headers=FA)
    assert "شعبه تا سه روز حساب باز می‌کند" in page.text


def _signed_in_client(app, person):
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = person.get_id()
        stamp(session)
    return other


def test_a_message_on_another_item_keeps_the_item_page(app, client, login, world):
    with app.test_request_context():
        other_item = helpers.submit(world["director"], title="نرخ سود تسهیلات فرش")
    reader = factories.make_user("ministry_official")  # told of neither message
    login(reader)
    path = f"/feedback/{world['item'].id}"
    _twice(app, client, path, headers=FA)
    manager = _signed_in_client(app, world["manager"])
    assert manager.post(f"/feedback/{other_item.id}/discussion",
                        data={"comment-body": "<p>در دست بررسی است.</p>"}).status_code == 302
    with renders(app) as names:
        assert client.get(path, headers=FA).status_code == 200
    assert names == []
    # and the item that received the message shows it to the same reader at once
    assert "در دست بررسی است" in client.get(f"/feedback/{other_item.id}", headers=FA).text


def test_someone_signing_in_keeps_the_pages_that_name_them(app, client, login, world):
    login(world["manager"])
    path = f"/feedback/{world['item'].id}"
    page, _ = _twice(app, client, path, headers=FA)
    assert world["director"].full_name in page.text
    # the submitter signs in through the real form in their own browser
    signed_in = AuthActions(app.test_client()).login(world["director"])
    assert signed_in.status_code == 200
    with renders(app) as names:
        assert client.get(path, headers=FA).status_code == 200
    assert names == []


def test_a_write_outside_the_portal_ends_the_pages_that_read_it(app, client, login, world):
    login(world["director"])
    _twice(app, client, "/organisations/", headers=FA)
    world["union"].name = "اتحادیه سراسری فرش دستباف"  # an administrator's script, say
    _db.session.commit()
    page = client.get("/organisations/", headers=FA)
    assert "اتحادیه سراسری فرش دستباف" in page.text


def test_a_write_to_what_a_page_does_not_read_keeps_it(app, client, login, world):
    # a ministry official: the message below notifies the submitter, not them
    login(factories.make_user("ministry_official"))
    _twice(app, client, "/organisations/", headers=FA)
    # a discussion message: the organisation list reads no feedback table
    with app.test_request_context():
        from portal.feedback import conversation

        conversation.post(world["manager"], world["item"], "<p>بررسی شد.</p>")
        _db.session.commit()
    with renders(app) as names:
        assert client.get("/organisations/", headers=FA).status_code == 200
    assert names == []


def test_each_reader_has_their_own_page(app, client, login, world):
    other_union = factories.make_org(name="اتحادیه تعاونی‌های روستایی")
    other = factories.make_user("union_director", other_union, full_name="مریم احمدی")
    login(world["director"])
    mine, _ = _twice(app, client, "/", headers=FA)
    login(other)  # the same browser, the same session's secret: another person
    theirs = client.get("/", headers=FA)
    assert "مریم احمدی" in theirs.text and "مریم احمدی" not in mine.text
    assert theirs.text != mine.text


def test_a_new_notification_shows_in_the_badge_at_once(app, client, login, world):
    login(world["director"])
    _twice(app, client, "/organisations/", headers=FA)
    _db.session.add(Notification(user_id=world["director"].id, kind="feedback.answered",
                                 title="پاسخ داده شد", link="/"))
    _db.session.commit()
    with renders(app) as names:
        page = client.get("/organisations/", headers=FA)
    assert names  # rendered again: the person's unread count is part of what keeps a page
    assert 'class="badge' in page.text and "۱" in page.text


def test_a_change_of_language_is_never_answered_with_the_old_page(app, client, login, world):
    login(world["director"])
    _twice(app, client, "/meetings/", headers=FA)
    world["director"].preferred_locale = "th"
    _db.session.commit()
    page = client.get("/meetings/", headers=FA)
    assert 'lang="th"' in page.text


def test_a_page_is_not_sent_to_another_host(app, client, login, world):
    login(world["director"])
    _twice(app, client, "/organisations/", headers=FA)
    # the same person's cookie, sent to the portal under another host name
    client.set_cookie("session", client.get_cookie("session").value, domain="portal.example")
    with renders(app) as names:
        page = client.get("/organisations/", headers=FA, base_url="http://portal.example")
    assert page.status_code == 200 and names  # the same person, rendered for that host


def test_a_page_is_kept_no_longer_than_its_lifetime(app, client, login, world):
    login(world["director"])
    _twice(app, client, "/organisations/", headers=FA)
    later = utcnow() + timedelta(seconds=app.config["KEPT_PAGE_SECONDS"] + 1)
    with freeze_time(later), renders(app) as names:
        client.get("/organisations/", headers=FA)
    assert names


def test_a_page_that_flashed_a_message_is_not_kept(app, client, login, world):
    login(world["director"])
    client.get("/", headers=FA)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "پیام یک‌باره")]
    first = client.get("/", headers=FA)
    assert "پیام یک‌باره" in first.text
    second = client.get("/", headers=FA)
    assert "پیام یک‌باره" not in second.text


def test_without_a_store_every_page_is_rendered(app, client, login, world):
    login(world["director"])
    from tests.statements import rendering_every_time

    with rendering_every_time(app):
        _, names = _twice(app, client, "/organisations/", headers=FA)
    assert names


def test_a_kept_page_depends_on_what_the_memos_it_used_read(app, db):
    """A page (outer) that uses an answer computed while it renders (inner) also ends with the
    inner answer's tables, and the inner answer with only its own."""
    with app.app_context(), app.test_request_context("/"):
        def inner():
            return _db.session.query(Organisation.id).count()

        def outer():
            value, tables, _ = versions.while_reading(inner)
            assert tables == ("organisation",)
            _db.session.query(Notification.id).count()
            return value

        _, tables, seen = versions.while_reading(outer, also=("membership",))
    assert tables == ("membership", "notification", "organisation")
    assert seen is not None and len(seen) == 4  # the three tables and "any table"


def test_the_first_page_after_signing_in_is_kept(app, client, world):
    """The sign-in starts a new session without a CSRF secret; the home page it lands on gets
    one before it is kept, so opening it again sends the kept page, and its forms work."""
    landed = AuthActions(client).login(world["director"])
    assert landed.status_code == 200
    with renders(app) as names:
        again = client.get("/")
    assert again.status_code == 200 and names == []
    assert again.text == landed.text


def test_a_form_page_is_kept_only_as_it_comes(app, client, login, world):
    """A GET of a form is kept; sending it is never answered from the kept page."""
    login(world["director"])
    _twice(app, client, "/feedback/new/critique", headers=FA)
    refused = client.post("/feedback/new/critique", headers=FA,
                          data={"title": "عنوان کوتاه", "body": ""})
    assert refused.status_code in (200, 400)
    assert "عنوان کوتاه" in refused.text  # what was typed comes back with the error


# --- what a page reads, as the statements name it ---------------------------------------------

def test_a_product_put_in_a_package_shows_on_the_product_page(app, client, login, world):
    """The product's page lists the packages that hold it through a statement whose FROM
    names two tables with a comma (product, service_package_product): the package's edit
    that changes only its products writes the second table alone."""
    from tests.products import helpers as products

    product = products.make_product()
    package = products.make_package(code="PKG-WEAVERS")
    _db.session.commit()
    login(world["director"])
    path = f"/products/{product.id}"
    page, _ = _twice(app, client, path)
    assert "Package for national unions" not in page.text
    package.products.append(product)  # what the package's edit form writes, and only that
    _db.session.commit()
    assert "Package for national unions" in client.get(path).text


def test_every_table_of_a_from_list_is_read(app, db):
    """SQLAlchemy writes a many-to-many load, and an EXISTS over one, as FROM a, b."""
    with app.test_request_context("/"):
        def read():
            _db.session.execute(sa.text(
                "SELECT organisation.id FROM organisation, portfolio_entry AS p, \"user\" "
                "WHERE organisation.id = p.organisation_id AND p.manager_id = \"user\".id"))

        _, tables, _ = versions.while_reading(read)
    assert tables == ("organisation", "portfolio_entry", "user")


def test_an_import_of_turnover_ends_the_home_page_that_asked_for_it(app, client, login):
    """On PostgreSQL the import sends its INSERT of the reports through the driver itself
    (psycopg's pipeline, portal/turnover/import_writing.py), past the events that note writes:
    the director's home went on asking for the turnover they had just imported."""
    from datetime import date

    from tests.turnover.helpers import csv_text, open_period, unions

    made, _coop = unions(1)
    director = factories.make_user("union_director", made[0])
    open_period("IR", date(2025, 8, 1))
    login(director)
    asked = "Report the turnover"
    page, _ = _twice(app, client, "/")
    assert asked in page.text
    body = csv_text([(made[0].code, "2025-08", 9_000_000, 3_000_000)]).encode()
    boundary = "portal-test-boundary"
    sent = client.post("/turnover/import", data=(
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
        f"filename=\"turnover.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + body
        + f"\r\n--{boundary}--\r\n".encode(),
        content_type=f"multipart/form-data; boundary={boundary}")
    assert sent.status_code == 302
    client.get(sent.location)  # the page the import leads to shows its message
    assert asked not in client.get("/").text


def test_a_message_past_its_correction_window_is_not_offered_for_correction(
        app, client, login, world):
    """The author may correct a message for its first 15 minutes: a page kept from minute 14
    would still offer the correction at minute 16, and refuse it when sent."""
    from portal.feedback import conversation

    with app.test_request_context():
        comment = conversation.post(world["director"], world["item"], "<p>سه شعبه دیگر هم.</p>")
        _db.session.commit()
    posted = comment.created_at
    login(world["director"])
    path = f"/feedback/{world['item'].id}"
    with freeze_time(posted + conversation.EDIT_WINDOW - timedelta(minutes=1)):
        page, _ = _twice(app, client, path)
    assert "Correct my message" in page.text
    with freeze_time(posted + conversation.EDIT_WINDOW + timedelta(minutes=1)):
        assert "Correct my message" not in client.get(path).text


def test_an_item_page_about_one_item_ends_with_what_it_reads_of_others(app, client, login, world):
    """The item page is about its own item (about()), yet whether the reader may open the
    withdrawn product it was answered by depends on their endorsements of *other* requests
    for it (feedback.offers.asked_for). An endorsement of another item must end it. (The
    portal's own endorse() also counts the item's endorsements, a write to feedback_item that
    ends the page anyway; an endorsement written by itself did not.)"""
    from portal.feedback import offers
    from portal.feedback.models import Endorsement
    from portal.products import services as product_services
    from portal.products.models import ProductStatus
    from tests.products.helpers import make_product

    other_union = factories.make_org(name="اتحادیه تعاونی‌های روستایی")
    reader = factories.make_user("union_director", other_union)
    product = make_product(code="CARPET-WC", status=ProductStatus.AVAILABLE)
    admin = factories.make_user("administrator")
    with app.test_request_context():
        shown = helpers.submit(world["director"], kind="product_request", title="وام پشم")
        other = helpers.submit(world["director"], kind="product_request", title="وام رنگ")
        offers.link_product(world["manager"], shown, product)
        offers.link_product(world["manager"], other, product)
        product_services.set_status(admin, product, ProductStatus.WITHDRAWN)
        _db.session.commit()
    login(reader)
    path, link = f"/feedback/{shown.id}", f'href="/products/{product.id}"'
    page, _ = _twice(app, client, path)
    assert link not in page.text  # withdrawn, and not asked for by the reader
    _db.session.add(Endorsement(item_id=other.id, organisation_id=other_union.id,
                                user_id=reader.id))
    _db.session.commit()
    assert link in client.get(path).text


def test_a_meeting_page_is_not_kept_past_the_meeting_s_start(app, client, login, db):
    """Nothing is written when a meeting starts, yet its recorder may then mark it as held:
    the page kept a few minutes before the start is not sent after it."""
    from tests.meetings import helpers as meeting_helpers

    with app.test_request_context(base_url="http://portal.test"):
        cast = meeting_helpers.Cast()
        soon = (utcnow() + timedelta(minutes=5)).replace(second=0, microsecond=0)
        meeting = meeting_helpers.plan(cast, starts=soon, timezone="UTC")
    login(cast.recorder)
    path = f"/meetings/{meeting.id}"
    before, _ = _twice(app, client, path)
    assert "/held" not in before.text
    with freeze_time(soon + timedelta(minutes=1)):
        started = client.get(path)
    assert f"/meetings/{meeting.id}/held" in started.text
