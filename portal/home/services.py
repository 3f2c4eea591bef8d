"""What comes next for the person on the home page: meetings ahead and invitations to answer,
minutes to write, approve or sign off, feedback waiting for them, commitments due, reports and
deliveries due, sorted by urgency.

Every source starts from the owning area's visibility helper (portal.permissions), so the list
never shows another network's or a confidential record the person could not open. The sources
are read in ONE statement (a UNION ALL of small, limited selects with a window count each),
whatever the person's role and however much data there is: the home page has a fixed budget of
statements (tests/test_home_query_counts.py). The network overview's counts ride in the same
statement for the same reason.
"""
import dataclasses
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import g, has_request_context

from portal import permissions
from portal.accounts.models import Membership, Organisation, Role, User
from portal.branches import permissions as branches_permissions
from portal.branches.models import Branch, DeliveryOutcome, ServiceDelivery
from portal.branches.services import target_days
from portal.core import versions, workdays
from portal.core.clock import END_OF_DAY, reader_today, reader_zone
from portal.core.models import utcnow
from portal.core.notify import Notification
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import OPEN_STATES, FeedbackItem, Response, State
from portal.meetings import permissions as meetings_permissions
from portal.meetings.models import (
    OPEN_COMMITMENT,
    Commitment,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingOrganisation,
    MeetingState,
    Minutes,
)
from portal.products.models import Product
from portal.turnover import permissions as turnover_permissions
from portal.turnover.models import PeriodStatus, ReportingPeriod, TurnoverReport

# entries read per source (the most urgent of each) and shown on the page
PER_SOURCE = 10
SHOWN = 12
# commitments appear this many days before they fall due
COMMITMENT_NOTICE_DAYS = 30

# the columns every source fills (NULL where it has nothing to say), in this order
_COLUMNS = (
    ("kind", sa.String(20)),      # the source: meeting, minutes, sign_off, feedback ...
    ("ref_id", sa.Integer()),     # the record the entry is about
    ("parent_id", sa.Integer()),  # the meeting of a commitment, the branch of a delivery ...
    ("title", sa.Text()),
    ("detail", sa.Text()),        # an organisation's name
    ("due_at", sa.DateTime()),    # a moment (naive UTC) ...
    ("due_on", sa.Date()),        # ... or a day
    ("version", sa.Integer()),    # the meeting's version_id, for the reply form
    ("state", sa.String(40)),     # the invitation's reply, the item's state ...
    ("number", sa.Integer()),     # a count, or a delivery's target in working days
    ("country", sa.String(2)),
    ("total", sa.Integer()),      # how many rows the source has before the limit
)


@dataclasses.dataclass
class NextStep:
    """One entry of the list: what it is about, when, and where its action is."""

    kind: str
    action: str                     # what to do: reply, prepare, mark_held, write, approve ...
    ref_id: int
    title: str
    when: date | datetime | None    # a day, or a moment (naive UTC) shown in the reader's zone
    overdue: bool = False
    parent_id: int | None = None
    detail: str | None = None
    version: int | None = None
    reply: str | None = None

    @property
    def is_day(self):
        return isinstance(self.when, date) and not isinstance(self.when, datetime)

    def sort_key(self):
        """Overdue first, then the earliest date; a day counts until its end for the reader."""
        if self.when is None:
            moment = datetime.max
        elif self.is_day:
            local = datetime.combine(self.when, END_OF_DAY, tzinfo=reader_zone())
            moment = local.astimezone(UTC).replace(tzinfo=None)
        else:
            moment = self.when
        return (not self.overdue, moment, self.kind, self.ref_id)


@dataclasses.dataclass
class HomeFacts:
    steps: list            # NextStep, most urgent first, at most SHOWN
    more: dict             # kind -> how many of that source are not shown
    network_counts: dict   # OrgKind value -> active organisations (whole-network readers)
    has_submitted: bool    # a director's organisations have sent feedback before

    @property
    def hidden(self):
        return sum(self.more.values())


# --- the sources -----------------------------------------------------------------------------

def _row(query, order_by, limit=PER_SOURCE, **values):
    """A source as a subquery of the common columns, its most urgent PER_SOURCE rows with the
    count of all of them (a window count, taken before the LIMIT)."""
    columns = []
    for name, type_ in _COLUMNS:
        if name == "total":
            value = sa.func.count().over()
        elif name == "kind":
            value = sa.literal(values["kind"], type_)
        else:
            value = values.get(name)
        columns.append(_typed(value, type_).label(name))
    inner = query.with_only_columns(*columns).order_by(*order_by).limit(limit).subquery()
    return sa.select(*inner.c)


def _typed(value, type_):
    """A column of the common type: a typed NULL, or the value read as that type (no SQL
    CAST: SQLite would turn a date into the number of its year)."""
    if value is None:
        return sa.cast(sa.null(), type_)
    return sa.type_coerce(value, type_)


def _my_organisations(user):
    return sa.select(Membership.organisation_id).where(Membership.user_id == user.id)


def _own_ids(user, *roles):
    return sorted({m.organisation_id for m in user.memberships if not roles or m.role in roles})


def _meetings_ahead(user, now):
    """Planned meetings the person is invited to, their organisation is invited to, or they
    record; with their own invitation's reply. The recorder also sees a planned meeting whose
    time has passed: it waits to be marked held."""
    mine = sa.orm.aliased(Invitation)
    query = meetings_permissions.visible_meetings(user).outerjoin(
        mine, sa.and_(mine.meeting_id == Meeting.id, mine.user_id == user.id)).where(
        Meeting.state == MeetingState.PLANNED,
        sa.or_(Meeting.ends_at >= now, Meeting.recorder_id == user.id),
        sa.or_(mine.id.is_not(None), Meeting.recorder_id == user.id,
               Meeting.organisations.any(
                   MeetingOrganisation.organisation_id.in_(_my_organisations(user)))))
    recorder = sa.case((Meeting.recorder_id == user.id, 1), else_=0)
    return _row(query, (Meeting.starts_at, Meeting.id), kind="meeting", ref_id=Meeting.id,
                title=Meeting.title, due_at=Meeting.starts_at, version=Meeting.version_id,
                state=mine.reply, number=recorder)


def _minutes_to_do(user):
    """Held meetings whose minutes the person writes (the recorder or organiser, as
    meetings.permissions.can_record_meeting) or approves (they, or the chair, as
    can_approve_minutes)."""
    written = sa.exists().where(Minutes.meeting_id == Meeting.id)
    if permissions.is_relationship_manager(user):
        manager = sa.or_(Meeting.recorder_id == user.id, Meeting.created_by_id == user.id)
    elif permissions.is_admin(user):
        manager = Meeting.recorder_id == user.id
    else:
        manager = sa.false()
    query = meetings_permissions.visible_meetings(user).where(
        Meeting.state == MeetingState.HELD,
        sa.or_(manager, sa.and_(Meeting.chair_id == user.id, written)))
    return _row(query, (Meeting.ends_at, Meeting.id), kind="minutes", ref_id=Meeting.id,
                title=Meeting.title, due_at=Meeting.ends_at,
                state=sa.case((written, "approve"), else_="write"))


def _sign_off(user):
    """Consultation sessions with approved minutes, waiting for the ministry (as
    meetings.services.review_queue), oldest first."""
    query = meetings_permissions.visible_meetings(user).where(
        Meeting.kind == MeetingKind.CONSULTATION_SESSION,
        Meeting.state == MeetingState.MINUTES_APPROVED)
    return _row(query, (Meeting.minutes_approved_at, Meeting.id), kind="sign_off",
                ref_id=Meeting.id, title=Meeting.title, due_at=Meeting.minutes_approved_at)


def _feedback_queue(user):
    """Open items the person owns (their queue): to acknowledge by the acknowledgement
    deadline, then to answer by the response deadline; a drafted answer waits to be
    published."""
    due = sa.case((FeedbackItem.state == State.SUBMITTED, FeedbackItem.acknowledge_due_at),
                  else_=FeedbackItem.answer_due_at)
    drafted = FeedbackItem.responses.any(Response.published_at.is_(None))
    query = feedback_permissions.visible_feedback(user).join(FeedbackItem.organisation).where(
        FeedbackItem.owner_id == user.id, FeedbackItem.state.in_(OPEN_STATES))
    return _row(query, (due, FeedbackItem.id), kind="feedback", ref_id=FeedbackItem.id,
                title=FeedbackItem.title, detail=Organisation.name, due_at=due,
                state=sa.case((drafted, "drafted"), else_=FeedbackItem.state))


def _answers_to_read(user, own):
    """Items of the director's organisations that the bank has answered: to close, or to
    reopen once."""
    query = feedback_permissions.visible_feedback(user).where(
        FeedbackItem.organisation_id.in_(own), FeedbackItem.state == State.ANSWERED)
    return _row(query, (FeedbackItem.answered_at, FeedbackItem.id), kind="answer",
                ref_id=FeedbackItem.id, title=FeedbackItem.title, due_at=FeedbackItem.answered_at)


def _feedback_history(user, own):
    """A row when the director's organisations have ever sent an item (for the empty state)."""
    query = feedback_permissions.visible_feedback(user).where(FeedbackItem.organisation_id.in_(own))
    return _row(query, (FeedbackItem.id,), limit=1, kind="history", ref_id=FeedbackItem.id)


def _commitments_due(user, today):
    """Open commitments the person or their organisation owes, due within the notice period
    or overdue, and the overdue ones of meetings the person recorded (to follow up), made at
    meetings the person may see."""
    recorded = sa.select(Meeting.id).where(Meeting.recorder_id == user.id)
    query = sa.select(Commitment).join(Commitment.organisation).where(
        Commitment.status.in_(OPEN_COMMITMENT),
        Commitment.due_on <= today + timedelta(days=COMMITMENT_NOTICE_DAYS),
        sa.or_(Commitment.owner_id == user.id,
               Commitment.organisation_id.in_(_my_organisations(user)),
               sa.and_(Commitment.due_on < today, Commitment.meeting_id.in_(recorded))),
        Commitment.meeting_id.in_(
            meetings_permissions.visible_meetings(user).with_only_columns(Meeting.id)))
    return _row(query, (Commitment.due_on, Commitment.id), kind="commitment",
                ref_id=Commitment.id, parent_id=Commitment.meeting_id,
                title=Commitment.description, detail=Organisation.name,
                due_on=Commitment.due_on)


def _turnover_due(user, own, today):
    """Open reporting periods, up to this month, for which a director's organisation has not
    reported its turnover yet."""
    reported = sa.exists().where(TurnoverReport.organisation_id == Organisation.id,
                                 TurnoverReport.period_id == ReportingPeriod.id)
    query = turnover_permissions.visible_turnover_organisations(user).join(
        ReportingPeriod, ReportingPeriod.country == Organisation.country).where(
        Organisation.id.in_(own), Organisation.is_active,
        ReportingPeriod.status == PeriodStatus.OPEN,
        ReportingPeriod.month <= today.replace(day=1), ~reported)
    return _row(query, (ReportingPeriod.month, Organisation.id), kind="turnover",
                ref_id=ReportingPeriod.id, parent_id=Organisation.id, title=Organisation.name,
                due_on=ReportingPeriod.month)


def _deliveries_due(user, branch_orgs):
    """Services the person's branch was asked for and has not delivered yet, oldest first;
    each due by its product's target turnaround (branches.services.target_days)."""
    query = branches_permissions.visible_deliveries(user).join(
        ServiceDelivery.organisation).outerjoin(
        Product, Product.id == ServiceDelivery.product_id).where(
        ServiceDelivery.branch_id.in_(
            sa.select(Branch.id).where(Branch.organisation_id.in_(branch_orgs))),
        ServiceDelivery.outcome == DeliveryOutcome.PENDING,
        ServiceDelivery.delivered_on.is_(None))
    return _row(query, (ServiceDelivery.requested_on, ServiceDelivery.id), kind="delivery",
                ref_id=ServiceDelivery.id, parent_id=ServiceDelivery.branch_id,
                title=Organisation.name, due_on=ServiceDelivery.requested_on,
                number=Product.target_days, country=Organisation.country)


NETWORK_TABLES = ("organisation",)


def network_counts(user, read):
    """Active organisations of the person's network by kind, {OrgKind value: count}: read
    with what comes next when nothing is memoised, else kept in this process per network
    until an organisation changes (a whole network's sequential scan: 12-15 ms on the bench
    data set)."""
    if versions.current(NETWORK_TABLES) is None:
        return read
    scope = permissions.network_scope(user)
    return versions.remembered("network_counts", NETWORK_TABLES, tuple(scope), lambda: {
        row.state: row.number for row in db.session.execute(_network_counts(user))})


def _network_counts(user):
    """Active organisations of the person's network by kind (the network overview panel)."""
    query = permissions.visible_organisations(user).where(Organisation.is_active).group_by(
        Organisation.kind)
    columns = []
    for name, type_ in _COLUMNS:
        value = {"kind": sa.literal("network", type_), "state": Organisation.kind,
                 "number": sa.func.count()}.get(name)
        columns.append(_typed(value, type_).label(name))
    return sa.select(*query.with_only_columns(*columns).subquery().c)


def _sources(user, now, today):
    sources = [_meetings_ahead(user, now), _minutes_to_do(user), _commitments_due(user, today)]
    if meetings_permissions.can_review_meetings(user):
        sources.append(_sign_off(user))
    if permissions.is_bank_staff(user):
        sources.append(_feedback_queue(user))
    directed = _own_ids(user, Role.UNION_DIRECTOR)
    if directed:
        sources += [_answers_to_read(user, directed), _feedback_history(user, directed),
                    _turnover_due(user, directed, today)]
    branch_orgs = _own_ids(user, Role.BRANCH_STAFF)
    if branch_orgs:
        sources.append(_deliveries_due(user, branch_orgs))
    if permissions.sees_whole_network(user) and versions.current(NETWORK_TABLES) is None:
        # nothing memoised in this process: the counts ride in the same statement
        sources.append(_network_counts(user))
    return sources


# --- from rows to entries --------------------------------------------------------------------

def _meeting_step(row, now):
    if row.number and row.due_at < now:
        action = "mark_held"
    elif row.state == "pending":
        action = "reply"
    elif row.state in ("accepted", "declined"):
        action = row.state
    elif row.number:
        action = "prepare"
    else:
        action = "attend"
    return NextStep("meeting", action, row.ref_id, row.title, row.due_at,
                    version=row.version, reply=row.state)


def _delivery_due_on(row):
    days = row.number if row.number is not None else target_days()
    return workdays.add_working_days(row.due_on, days, row.country)


def _step(row, now, today):
    """The entry for one row, with its action and whether it is late."""
    if row.kind == "meeting":
        return _meeting_step(row, now)
    if row.kind == "minutes":
        return NextStep("minutes", row.state, row.ref_id, row.title, row.due_at)
    if row.kind == "sign_off":
        return NextStep("sign_off", "sign_off", row.ref_id, row.title, row.due_at)
    if row.kind == "feedback":
        action = {"drafted": "publish", State.SUBMITTED.value: "acknowledge"}.get(
            row.state, "answer")
        return NextStep("feedback", action, row.ref_id, row.title, row.due_at,
                        overdue=row.due_at < now, detail=row.detail)
    if row.kind == "answer":
        return NextStep("answer", "read_answer", row.ref_id, row.title, row.due_at)
    if row.kind == "commitment":
        return NextStep("commitment", "commitment", row.ref_id, row.title, row.due_on,
                        overdue=row.due_on < today, parent_id=row.parent_id,
                        detail=row.detail)
    if row.kind == "turnover":
        return NextStep("turnover", "report_turnover", row.ref_id, row.title, row.due_on,
                        parent_id=row.parent_id)
    if row.kind == "delivery":
        due = _delivery_due_on(row)
        return NextStep("delivery", "deliver", row.ref_id, row.title, due,
                        overdue=due < today, parent_id=row.parent_id)
    raise ValueError(row.kind)


def _read(user):
    now, today = utcnow(), reader_today()
    rows = versions.remembered_as_read(
        "home_rows", (user.id, tuple(permissions.network_scope(user)), today, _bucket(now)),
        lambda: _rows(user, now, today))
    steps, totals, network, submitted = [], {}, {}, False
    for row in rows:
        if row.kind == "network":
            network[row.state] = row.number
        elif row.kind == "history":
            submitted = True
        else:
            steps.append(_step(row, now, today))
            totals[row.kind] = row.total
    if permissions.sees_whole_network(user):
        network = network_counts(user, network)
    steps.sort(key=NextStep.sort_key)
    shown = steps[:SHOWN]
    more = {}
    for kind, total in totals.items():
        hidden = total - sum(1 for s in shown if s.kind == kind)
        if hidden > 0:
            more[kind] = hidden
    return HomeFacts(shown, more, network, submitted)


# The rows are kept until a table they were read from is written, or for at most five
# minutes: what passing time changes in the statement itself (a meeting that has ended leaves
# "meetings ahead") shows within that; what is overdue is decided on every reading (_step).
# Building and sending the statement is most of a home page (20-25 ms of 50 on the bench).
BUCKET_MINUTES = 5


def _bucket(now):
    return now.replace(minute=now.minute - now.minute % BUCKET_MINUTES, second=0, microsecond=0)


def _rows(user, now, today):
    sources = _sources(user, now, today)
    return tuple(db.session.execute(sa.union_all(*sources)).all()) if sources else ()


_FACTS_KEY = "portal_home_facts"


def home_facts(user):
    """What comes next for this person, and the network counts, read once per request."""
    if not has_request_context():
        return _read(user)
    found = g.get(_FACTS_KEY)
    if found is None or found[0] != user.id:
        found = (user.id, _read(user))
        setattr(g, _FACTS_KEY, found)
    return found[1]


# --- notifications and the administrator's panel -------------------------------------------

def notifications_of(user):
    """A select() of this person's notifications, newest first."""
    return sa.select(Notification).where(Notification.user_id == user.id) \
        .order_by(Notification.created_at.desc(), Notification.id.desc())


def open_notification(user, note_id):
    """The person's own notification, marked read (once); None for anyone else's."""
    note = db.session.get(Notification, note_id)
    if note is None or note.user_id != user.id:
        return None
    note.read_at = note.read_at or utcnow()
    db.session.flush()
    return note


def read_all_notifications(user):
    db.session.execute(sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))


def people_by_role():
    """({role: people}, invitations pending) in one statement: the people by role, each row
    also carrying the pending invitations (a scalar subquery). An administrator's own
    membership makes at least one row. Kept in this process until a person or a membership
    changes (portal/core/versions.py): 10-14 ms of the administrator's home otherwise."""
    return versions.remembered("people_by_role", ("user", "membership"), None, _people_by_role)


def _people_by_role():
    pending = sa.select(sa.func.count()).select_from(User).where(
        User.password_hash.is_(None), User.is_active)
    rows = db.session.execute(
        sa.select(Membership.role, sa.func.count(sa.distinct(Membership.user_id)),
                  pending.scalar_subquery()).group_by(Membership.role)).all()
    people = {role: count for role, count, _pending in rows}
    waiting = rows[0][2] if rows else db.session.scalar(pending)
    return people, waiting
