"""The feedback list counts at most PAGE_COUNT_CAP items past the page's start (issue 19: an
exact count of 100,000 items cost more than the rest of the page): below the cap the reader
sees the exact number and "Page 1 of 2"; above it "More than N items", "Page 1" and a next
link that works, in the reader's language and digits."""
import re

import pytest

from tests.feedback import helpers


@pytest.fixture()
def five_items(app):
    _union, director, manager = helpers.union_with_manager()
    with app.test_request_context():
        for n in range(5):
            helpers.submit(director, title=f"Slow account opening {n}")
    return manager


def _pager(html):
    found = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', html, re.S)
    return found.group(1) if found else ""


def _sizes(monkeypatch, app, page_size, cap):
    # the app is shared by the whole suite: the sizes go back after the test
    monkeypatch.setitem(app.config, "PAGE_SIZE", page_size)
    monkeypatch.setitem(app.config, "PAGE_COUNT_CAP", cap)


def test_below_the_cap_the_total_and_the_last_page_are_exact(app, client, login, five_items,
                                                             monkeypatch):
    _sizes(monkeypatch, app, 3, 10)
    login(five_items)
    html = client.get("/feedback/").get_data(as_text=True)
    assert "5 items" in html
    assert "Page 1 of 2" in _pager(html)


def test_above_the_cap_the_page_says_more_than_and_offers_the_next(app, client, login,
                                                                  five_items, monkeypatch):
    _sizes(monkeypatch, app, 2, 2)
    login(five_items)
    html = client.get("/feedback/").get_data(as_text=True)
    # page 1 counts at most 2 rows past its start (0): 3 found, so "more than 2"
    assert "More than 2 items" in html
    pager = _pager(html)
    assert "Page 1" in pager and " of " not in pager
    assert 'href="/feedback/?page=2"' in pager
    second = client.get("/feedback/?page=2").get_data(as_text=True)
    assert second.count('feedback-card') >= 2
    # page 3 holds the last item: its start is known, the total exact again
    last = client.get("/feedback/?page=3").get_data(as_text=True)
    assert "5 items" in last and "Page 3 of 3" in _pager(last)


def test_the_capped_pager_is_translated(app, client, db, login, five_items, monkeypatch):
    _sizes(monkeypatch, app, 2, 2)
    login(five_items)
    five_items.preferred_locale = "fa"
    db.session.commit()
    html = client.get("/feedback/").get_data(as_text=True)
    assert "بیش از ۲ مورد" in html
    assert "صفحه ۱" in _pager(html)
