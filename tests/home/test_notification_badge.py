"""The header's notification badge: what a person has not read yet, in their digits, on every
page; gone once they read it; and counted in the statement that loads the signed-in person
rather than by a statement of its own on every page."""
import re

from portal.core.notify import notify
from portal.extensions import db
from tests import factories
from tests.statements import captured

BADGE = re.compile(r'<span class="badge text-bg-warning">([^<]+)<span class="visually-hidden">')


def _badge(client, path="/results/"):
    found = BADGE.search(client.get(path).text)
    return found.group(1) if found else None


def _tell(person, n):
    for number in range(n):
        notify(person, "test", lambda number=number: (f"پیام {number}", "متن"))
    db.session.commit()


def test_the_badge_counts_what_someone_else_sent_and_goes_once_read(client, login):
    director = login(factories.make_user("union_director", preferred_locale="fa"))
    assert _badge(client) is None
    _tell(director, 3)  # as another person's request would, between two of the director's
    assert _badge(client) == "۳"
    assert _badge(client, "/") == "۳"
    client.post("/notifications/read-all", data={})
    assert _badge(client) is None
    _tell(director, 1)
    assert _badge(client) == "۱"


def test_the_badge_costs_no_statement_of_its_own(client, login):
    """Counted with the person, also right after a notification was written (when a count kept
    per process would have to be counted again)."""
    director = login(factories.make_user("union_director", preferred_locale="vi"))
    client.get("/results/").close()
    _tell(director, 2)
    db.session.expunge_all()
    with captured() as statements:
        page = client.get("/results/").text
    assert BADGE.search(page).group(1) == "2"
    naming = [s for s in statements if "notification" in s]
    assert len(naming) == 1 and re.search(r'\nFROM "?user"? ', naming[0])  # the person's
