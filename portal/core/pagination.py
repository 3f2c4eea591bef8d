"""Pagination of scoped queries, with a capped count.

Why capped: an exact count(*) of a list over 100,000 feedback items cost 12-84 ms a page on the
bench data set (bench/README.md, "Profile"), more than the rest of the page. Nobody reads page
400; they narrow the filter. So the count stops after COUNT_CAP rows past the start of the
page: below that the total is exact, above it the page says "more than" and the pager offers
the next page without a last one. A first page that is not full is its own count (no count
statement at all).
"""
import sqlalchemy as sa
from flask import current_app, request

from portal.extensions import db

# rows counted at most beyond those before the current page (app.config PAGE_COUNT_CAP)
COUNT_CAP = 1000


class Page:
    """One page of a list: items, page (1-based), per_page, total, and whether total is exact
    (total_known) or only a lower bound ("more than total")."""

    def __init__(self, items, page, per_page, total, total_known):
        self.items, self.page, self.per_page = items, page, per_page
        self.total, self.total_known = total, total_known

    def __iter__(self):
        return iter(self.items)

    @property
    def pages(self):
        """How many pages there are; None while the total is not known."""
        if not self.total_known:
            return None
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def prev_num(self):
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self):
        return not self.total_known or self.page * self.per_page < self.total

    @property
    def next_num(self):
        return self.page + 1 if self.has_next else None

    @property
    def several(self):
        """More than one page: the pager is shown."""
        return self.page > 1 or self.has_next


def paginate(query, per_page=None, cap=None):
    """A Page of a select() by the request's ?page=, never erroring on a page out of range.

    At most two statements (the rows, then a count over at most cap rows past the page's
    start), one when the page is the first and not full."""
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = per_page or current_app.config["PAGE_SIZE"]
    cap = cap or current_app.config.get("PAGE_COUNT_CAP", COUNT_CAP)
    offset = (page - 1) * per_page
    items = db.session.execute(query.limit(per_page).offset(offset)).unique().scalars().all()
    if len(items) < per_page and (items or page == 1):
        return Page(items, page, per_page, offset + len(items), True)
    limit = offset + max(cap, per_page) + 1
    # the count reads one constant per row, not the page's columns (a feedback item's
    # texts, an organisation's names): the same rows, without building them
    counted = (query.options(sa.orm.lazyload("*")).order_by(None)
               .with_only_columns(sa.literal_column("1"), maintain_column_froms=True)
               .limit(limit).subquery())
    total = db.session.execute(sa.select(sa.func.count()).select_from(counted)).scalar()
    if total >= limit:
        return Page(items, page, per_page, limit - 1, False)
    return Page(items, page, per_page, total, True)


def paginate_ids(ids, load, per_page=None):
    """A Page of a list already known as ids (e.g. kept by core/versions.py): the page's rows
    are read by load(ids of the page), in their order; no count(*) or sort runs again on each
    request. A page out of range is empty, never an error."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    page = max(request.args.get("page", 1, type=int), 1)
    items = load(list(ids[(page - 1) * per_page:page * per_page]))
    return Page(items, page, per_page, len(ids), True)
