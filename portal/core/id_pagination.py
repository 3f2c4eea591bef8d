"""Paging a list already known as ids (e.g. kept by core/versions.py): the page's rows are then
read by id, and no count(*) or sort runs again on each request. Beside pagination.py, with
the attributes the pager macro reads."""
import math

from flask import current_app, request


class IdPage:
    """One page of `ids`: items are load(the ids of this page), in their order."""

    def __init__(self, ids, page, per_page, load):
        self.total, self.per_page = len(ids), per_page
        self.pages = math.ceil(self.total / per_page)
        self.page = max(page, 1)
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num = self.page - 1 if self.has_prev else None
        self.next_num = self.page + 1 if self.has_next else None
        self.items = load(ids[(self.page - 1) * per_page:self.page * per_page])


def paginate_ids(ids, load, per_page=None):
    """The request's ?page= of these ids; a page out of range is empty, never an error."""
    return IdPage(ids, request.args.get("page", 1, type=int),
                  per_page or current_app.config["PAGE_SIZE"], load)
