"""The feedback list as cards (issue 17, part 7): each item with its state, kind, organisation,
how many organisations endorse it and its deadline, in the reader's digits and calendar; an
overdue deadline is said in words, not only in colour."""
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.feedback import services
from portal.feedback.models import FeedbackItem
from tests import factories
from tests.feedback import helpers

LATE = "تأخیر در پرداخت تسهیلات سرمایه در گردش"
ON_TIME = "ขอผลิตภัณฑ์สินเชื่อสำหรับกลุ่มออมทรัพย์"
# (page language, how the late deadline reads, how the one on time reads, the endorsements)
READERS = {
    "fa": ("۱۴۰۴", "۲۱", "۱۴۰۹", "۲ سازمان", "با تأخیر"),
    "th": ("2568", "12", "2574", "2 องค์กร", "เกินกำหนด"),
}


def _card(page, title):
    cards = page.split('<article class="card h-100 feedback-card')[1:]
    found = [card.split("</article>")[0] for card in cards if title in card]
    assert len(found) == 1, title
    return found[0]


def _deadline(card):
    return re.search(r'feedback-card-deadline">(.*?)</dd>', card, re.S).group(1)


@pytest.fixture()
def listed(app):
    factories.bank("IR")
    union, director, manager = helpers.union_with_manager("اتحادیه سراسری تعاونی‌های فرش")
    endorsers = [helpers.union_with_manager(name)[:2] for name in (
        "اتحادیه سراسری تعاونی‌های کشاورزی", "اتحادیه سراسری تعاونی‌های مسکن")]
    with app.test_request_context():
        late = helpers.submit(director, title=LATE)
        on_time = helpers.submit(director, kind="proposal", title=ON_TIME)
        for organisation, endorser in endorsers:
            services.endorse(endorser, late, organisation, "ما هم همین مشکل را داریم")
        # answer due 12 August 2025 (21 Mordad 1404, BE 2568), long past; the other in 2031
        late.answer_due_at = datetime(2025, 8, 12, 8, 0)
        on_time.answer_due_at = on_time.acknowledge_due_at = datetime(2031, 3, 1, 8, 0)
        db.session.commit()
    return manager


@pytest.mark.parametrize("locale", sorted(READERS))
def test_each_card_says_state_kind_organisation_endorsements_and_deadline(
        client, login, db, listed, locale):
    late_year, late_day, later_year, endorsed, overdue = READERS[locale]
    listed.preferred_locale = locale
    db.session.commit()
    login(listed)
    page = client.get("/feedback/").text

    late = _card(page, LATE)
    assert "اتحادیه سراسری تعاونی‌های فرش" in late
    assert endorsed in late
    deadline = _deadline(late)
    assert late_year in deadline and late_day in deadline
    assert overdue in deadline and "text-danger" in deadline  # said, and highlighted
    assert "border-danger" in late

    on_time = _card(page, ON_TIME)
    assert later_year in _deadline(on_time)
    assert overdue not in _deadline(on_time) and "border-danger" not in on_time
    assert endorsed.replace("2", "0").replace("۲", "۰") in on_time  # none yet, said so


def test_the_list_is_sorted_by_endorsements_with_the_counts_shown(client, login, db, listed):
    login(listed)
    page = client.get("/feedback/?sort=endorsements").text
    assert page.index(LATE) < page.index(ON_TIME)
    assert "2 organisations" in _card(page, LATE)
    assert "0 organisations" in _card(page, ON_TIME)


def test_the_queue_shows_the_same_cards(client, login, db, listed):
    login(listed)
    page = client.get("/feedback/queue").text
    assert "2 organisations" in _card(page, LATE)
    assert "(overdue)" in _deadline(_card(page, LATE))



def test_an_item_not_acknowledged_in_time_says_so_on_its_card(app, client, login, db, listed):
    late = db.session.scalar(sa.select(FeedbackItem).where(FeedbackItem.title == LATE))
    with app.test_request_context():
        waiting = helpers.submit(late.submitted_by, title="اعلام وصول نامه اتحادیه فراموش شد")
        waiting.acknowledge_due_at = datetime(2025, 8, 12, 8, 0)
        waiting.answer_due_at = datetime(2031, 3, 1, 8, 0)
        db.session.commit()
    login(listed)
    deadline = _deadline(_card(client.get("/feedback/").text, waiting.title))
    assert "Answer due" in deadline and "Answer was due" not in deadline
    assert "Acknowledgement was due" in deadline and "(overdue)" in deadline
