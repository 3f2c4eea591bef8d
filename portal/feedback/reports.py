"""Summaries of feedback: counts, median response time, share answered on time, ageing, and
a server-rendered SVG bar chart (no script, accessible title and table fallback); the rows of
the list's CSV and spreadsheet exports."""
import statistics

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from portal.accounts.models import Organisation
from portal.core import charts
from portal.extensions import db
from portal.feedback.models import (
    OPEN_STATES,
    FeedbackItem,
    Kind,
    State,
    Topic,
)

GROUPINGS = {
    "kind": (_l("Kind"), FeedbackItem.kind, Kind),
    "state": (_l("State"), FeedbackItem.state, State),
    "topic": (_l("Topic"), FeedbackItem.topic, Topic),
    "branch": (_l("Branch"), FeedbackItem.branch_id, None),
}

EXPORT_HEADER = ("id", "kind", "state", "outcome", "topic", "title", "organisation",
                 "owner", "submitted", "acknowledge_due", "answer_due", "answered",
                 "escalation_level", "endorsements")


def export_rows(query):
    """One row per item of the query (EXPORT_HEADER's columns), by number."""
    items = db.session.scalars(query.options(
        sa.orm.joinedload(FeedbackItem.organisation), sa.orm.joinedload(FeedbackItem.owner))
        .order_by(FeedbackItem.id)).unique()
    for item in items:
        yield (item.id, item.kind.value, item.state.value,
               item.outcome.value if item.outcome else "", item.topic.value, item.title,
               item.organisation.name, item.owner.full_name if item.owner else "",
               item.created_at.isoformat(timespec="minutes"),
               item.acknowledge_due_at.isoformat(timespec="minutes"),
               item.answer_due_at.isoformat(timespec="minutes"),
               item.answered_at.isoformat(timespec="minutes") if item.answered_at else "",
               item.escalation_level, item.endorsement_count)


def summary(query, by):
    """Per group: total, answered, share answered on time, median days to answer."""
    _title, column, values = GROUPINGS[by]
    items = query.subquery()
    group = items.c[column.key]
    answered = sa.case((items.c.answered_at.is_not(None), 1), else_=0)
    on_time = sa.case((items.c.answered_at <= items.c.answer_due_at, 1), else_=0)
    rows = db.session.execute(
        sa.select(group, sa.func.count(), sa.func.sum(answered), sa.func.sum(on_time))
        .group_by(group)).all()
    durations = {}
    for key, created, done in db.session.execute(
            sa.select(group, items.c.created_at, items.c.answered_at)
            .where(items.c.answered_at.is_not(None))):
        durations.setdefault(key, []).append((done - created).total_seconds() / 86400)
    names = {value: value.label for value in values} if values else \
        _branch_names([r[0] for r in rows])
    result = []
    for key, total, done, timely in rows:
        days = durations.get(key, [])
        result.append({
            "label": names.get(key, _l("None")) if key is not None else _l("None"),
            "total": total, "answered": done or 0,
            "on_time_share": (timely or 0) / done if done else None,
            "median_days": statistics.median(days) if days else None,
        })
    return sorted(result, key=lambda r: -r["total"])


def _branch_names(ids):
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def bar_chart(rows, rtl=False, number=str):
    """The totals per group as the portal's shared horizontal bar chart (mirrored in
    right-to-left pages); number formats the totals in the reader's digits."""
    if not rows:
        return Markup("")
    biggest = max(r["total"] for r in rows) or 1
    return charts.bar_chart(
        str(_l("Items per group")), str(_l("Number of items in each group")),
        [(str(r["label"]), r["total"], number(r["total"])) for r in rows],
        rtl=rtl, max_value=biggest)


def ageing_buckets(items, now):
    """Open items by how late they are: on time, up to a week late, up to a month, older."""
    buckets = {"on_time": 0, "week": 0, "month": 0, "older": 0}
    for item in items:
        late = (now - item.answer_due_at).days
        if item.answer_due_at >= now:
            buckets["on_time"] += 1
        elif late <= 7:
            buckets["week"] += 1
        elif late <= 30:
            buckets["month"] += 1
        else:
            buckets["older"] += 1
    return buckets


def owner_counts(owner_id, now):
    open_items = sa.and_(FeedbackItem.owner_id == owner_id, FeedbackItem.state.in_(OPEN_STATES))
    total, overdue, waiting = db.session.execute(sa.select(
        sa.func.count(),
        sa.func.sum(sa.case((FeedbackItem.answer_due_at < now, 1), else_=0)),
        sa.func.sum(sa.case((FeedbackItem.state == State.SUBMITTED, 1), else_=0)),
    ).where(open_items)).one()
    return {"open": total, "overdue": overdue or 0, "unacknowledged": waiting or 0}
