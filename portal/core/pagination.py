"""Pagination of scoped queries."""
from flask import current_app, request

from portal.extensions import db


def paginate(query, per_page=None):
    """Paginate a select() by the request's ?page=, never erroring on a page out of range."""
    page = request.args.get("page", 1, type=int)
    return db.paginate(
        query,
        page=max(page, 1),
        per_page=per_page or current_app.config["PAGE_SIZE"],
        error_out=False,
    )
