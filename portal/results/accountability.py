""""You said, we did": per theme, what the network's unions said, what the bank answered and
what it did about it. Public items only, whoever reads: the page is the bank's account to the
whole network, printed and exported, so a confidential item never appears on it, not even for
the bank's staff.
"""
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal import permissions
from portal.accounts.models import Organisation
from portal.extensions import db
from portal.feedback.models import FeedbackItem, Outcome, State, Topic, Visibility
from portal.meetings import permissions as meetings_permissions
from portal.meetings.models import Meeting, MeetingStatement
from portal.results import permissions as results_permissions
from portal.results import services
from portal.results.models import Result, ResultStatus, result_feedback_item

ANSWERED = (State.ANSWERED, State.CLOSED)


@dataclass
class Theme:
    topic: Topic
    items: list = field(default_factory=list)
    results: list = field(default_factory=list)

    @property
    def endorsements(self):
        return sum(item.endorsement_count for item in self.items)

    @property
    def answered(self):
        return sum(1 for item in self.items if item.state in ANSWERED)

    def outcomes(self):
        """{outcome: count} of the answered items, in the enum's order."""
        counts = defaultdict(int)
        for item in self.items:
            if item.outcome is not None and item.state in ANSWERED:
                counts[item.outcome] += 1
        return [(outcome, counts[outcome]) for outcome in Outcome if counts[outcome]]

    @property
    def done(self):
        return sum(1 for r in self.results if r.status == ResultStatus.DONE)


def public_items(actor, union_id=None, series_id=None, topic=None):
    """The public items of the network the actor looks at, narrowed to a union (and the
    organisations under it) or to what was said in a consultation series' meetings."""
    query = permissions.within_network(sa.select(FeedbackItem), actor,
                                       FeedbackItem.organisation_id)
    if not permissions.is_signed_in(actor):
        return query.where(sa.false())
    query = query.where(FeedbackItem.visibility == Visibility.PUBLIC)
    if union_id:
        query = query.where(FeedbackItem.organisation_id.in_(sa.select(Organisation.id).where(
            sa.or_(Organisation.id == union_id, Organisation.parent_id == union_id))))
    if series_id:
        query = query.where(FeedbackItem.id.in_(
            sa.select(MeetingStatement.feedback_item_id).join(
                Meeting, Meeting.id == MeetingStatement.meeting_id)
            .where(Meeting.series_id == series_id)))
    if topic in {t.value for t in Topic}:
        query = query.where(FeedbackItem.topic == Topic(topic))
    return query


def themes(actor, union_id=None, series_id=None, topic=None):
    """[Theme] in the order of Topic, each with its public items (most endorsed first) and the
    results of the network that answer them."""
    items = list(db.session.scalars(
        public_items(actor, union_id, series_id, topic)
        .options(selectinload(FeedbackItem.organisation))
        .order_by(FeedbackItem.endorsement_count.desc(), FeedbackItem.id)))
    by_topic = {t: Theme(t) for t in Topic}
    for item in items:
        by_topic[item.topic].items.append(item)
    _attach_results(actor, by_topic, items)
    return [theme for theme in by_topic.values() if theme.items]


def _attach_results(actor, by_topic, items):
    if not items:
        return
    topic_of = {item.id: item.topic for item in items}
    links = db.session.execute(sa.select(result_feedback_item.c.result_id,
                                         result_feedback_item.c.item_id)
                               .where(result_feedback_item.c.item_id.in_(topic_of))).all()
    results = {r.id: r for r in db.session.scalars(
        results_permissions.visible_results(actor).where(Result.id.in_({r for r, _i in links})))}
    placed = set()
    for result_id, item_id in links:
        key = (topic_of[item_id], result_id)
        if result_id in results and key not in placed:
            placed.add(key)
            by_topic[topic_of[item_id]].results.append(results[result_id])


def union_choices(actor):
    """Unions of the network that have said something in public."""
    said = sa.select(FeedbackItem.organisation_id).where(
        FeedbackItem.visibility == Visibility.PUBLIC)
    query = permissions.network_organisations(actor).where(Organisation.id.in_(said))
    return list(db.session.scalars(query.order_by(Organisation.name)))


def series_choices(actor):
    from portal.meetings.models import ConsultationSeries

    return list(db.session.scalars(meetings_permissions.visible_series(actor)
                                   .order_by(ConsultationSeries.title)))


def export_rows(theme_list, locale):
    """One row per item: theme, what was said, the answer, and what the bank did."""
    rows = []
    for theme in theme_list:
        for item in theme.items:
            done = [r for r in theme.results if item in r.items]
            rows.append([
                str(theme.topic.label), f"#{item.id}", str(item.kind.label), item.title,
                item.organisation.name, item.endorsement_count, str(item.state.label),
                str(item.outcome.label) if item.outcome else "",
                "; ".join(r.title_in(locale) for r in done),
                "; ".join(str(r.status.label) for r in done),
                "; ".join(f"{services.progress(r)}%" for r in done)])
    return rows
