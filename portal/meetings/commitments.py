"""Commitments made at a meeting: recorded with an owner and a due date, moved on with history
(at a later meeting of the series once the meeting that made them is signed off), carried
forward, listed for tables, and reminded once overdue."""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import Organisation
from portal.core import audit, clock
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.core.sanitize import plain_text
from portal.extensions import db
from portal.meetings import permissions as meetings_permissions
from portal.meetings.models import (
    OPEN_COMMITMENT,
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    Meeting,
    touch,
)
from portal.meetings.notices import link

COMMITMENT_FIELDS = ("status", "drop_reason", "due_on", "owner_id", "organisation_id")


def add_commitment(actor, meeting, *, description, organisation, due_on, owner=None):
    require(meetings_permissions.can_record_meeting(actor, meeting))
    description = plain_text(description or "", 5000)
    if not description:
        raise ValidationError(_("Say what was committed."), field="description")
    if organisation is None:
        raise ValidationError(_("Choose the organisation that owns it."),
                              field="organisation_id")
    if not isinstance(due_on, date):
        raise ValidationError(_("Give a due date."), field="due_on")
    if owner is not None and not any(
            m.organisation_id == organisation.id or organisation in m.organisation.ancestors()
            for m in owner.memberships):
        raise ValidationError(_("The owner must belong to the organisation that owns it "
                                "(or one below it)."), field="owner_id")
    commitment = Commitment(meeting=meeting, series_id=meeting.series_id,
                            description=description, organisation=organisation,
                            owner=owner, due_on=due_on, status=CommitmentStatus.OPEN)
    commitment.events.append(CommitmentEvent(actor_id=actor.id, meeting_id=meeting.id,
                                             status=CommitmentStatus.OPEN))
    db.session.add(commitment)
    touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_commitment_added", commitment,
                 after=audit.snapshot(commitment, COMMITMENT_FIELDS))
    if owner is not None and owner.id != actor.id:
        notify(owner, "meeting_commitment",
               lambda: (_("A commitment is yours: %(what)s", what=description[:200]),
                        meeting.title), link=link(meeting))
    return commitment


def set_commitment_status(actor, commitment, status, note=None, at_meeting=None,
                          expected_version=None):
    """Move a commitment on; dropping it needs a reason. Every change joins its history."""
    require(meetings_permissions.can_update_commitment(actor, commitment, at_meeting))
    commitment.check_version(expected_version)
    status = CommitmentStatus(status)
    note = plain_text(note or "", 2000) or None
    if status == CommitmentStatus.DROPPED and not note:
        raise ValidationError(_("Say why the commitment is dropped."), field="note")
    if status == commitment.status and not note:
        return commitment
    before = audit.snapshot(commitment, COMMITMENT_FIELDS)
    commitment.status = status
    commitment.drop_reason = note if status == CommitmentStatus.DROPPED else None
    commitment.closed_at = None if status.is_open else (commitment.closed_at or utcnow())
    commitment.events.append(CommitmentEvent(
        actor_id=actor.id, status=status, note=note,
        meeting_id=(at_meeting or commitment.meeting).id))
    touch(commitment)
    db.session.flush()
    audit.record(actor, "meeting_commitment_status", commitment, before,
                 audit.snapshot(commitment, COMMITMENT_FIELDS))
    return commitment


def record_progress(actor, meeting, changes):
    """Several commitments moved on at once, from one table of the meeting page. changes:
    [(commitment, status, note, expected_version)], each made at this meeting or carried
    forward to it (then recorded as progress at this meeting). A row left as it was is skipped;
    the others go through set_commitment_status. Every refused row is reported at once:
    ValidationError with details rows={index: message}; a stale row raises Conflict. Either
    way the caller rolls back, so the table is saved whole or not at all. Returns how many
    commitments changed."""
    refused, changed = {}, 0
    for index, (commitment, status, note, expected_version) in enumerate(changes):
        if status == commitment.status.value and not (note or "").strip():
            continue
        at_meeting = meeting if commitment.meeting_id != meeting.id else None
        try:
            set_commitment_status(actor, commitment, status, note, at_meeting,
                                  expected_version)
        except ValidationError as error:
            refused[index] = error.message
        else:
            changed += 1
    if refused:
        raise ValidationError(_("Nothing was saved: check the commitments marked below."),
                              rows=refused)
    return changed


def carried_commitments(meeting, visible_meetings=None):
    """Commitments of earlier meetings in the series that were still open when this meeting
    took place (or are open now): they appear on every later meeting until closed. For a table
    (see load_commitments)."""
    if meeting.series_id is None:
        return []
    earlier = sa.select(Meeting.id).where(Meeting.series_id == meeting.series_id,
                                          Meeting.starts_at < meeting.starts_at,
                                          Meeting.id != meeting.id)
    return load_commitments(sa.select(Commitment).where(
        Commitment.series_id == meeting.series_id, Commitment.meeting_id.in_(earlier),
        sa.or_(Commitment.status.in_(OPEN_COMMITMENT),
               Commitment.closed_at > meeting.starts_at))
        .order_by(Commitment.due_on, Commitment.id), visible_meetings)


def commitment_table_options():
    """Loader options for what a commitment table shows of each row: the meeting it was made
    at, its organisation and owner, and its history with who moved it and at which meeting.
    All joined into the statement that loads the commitments, so a table costs one statement
    however many rows and events it has (a commitment's history stays short)."""
    history = sa.orm.joinedload(Commitment.events)
    return (sa.orm.joinedload(Commitment.meeting), sa.orm.joinedload(Commitment.organisation),
            sa.orm.joinedload(Commitment.owner),
            history.joinedload(CommitmentEvent.actor),
            history.joinedload(CommitmentEvent.meeting))


def load_commitments(query, visible_meetings=None):
    """The commitments query selects, ready for a table (commitment_table_options). Given
    visible_meetings (a query of the meetings a reader may see), only the commitments made at
    those meetings: the filter is a subquery of the same statement, not a second round trip."""
    if visible_meetings is not None:
        query = query.where(Commitment.meeting_id.in_(
            visible_meetings.with_only_columns(Meeting.id)))
    # unique(): the joined history repeats each commitment once per event
    return db.session.scalars(query.options(*commitment_table_options())).unique().all()


def _past_due(today=None):
    """Due before today: a given date (the reader's, on a page), or else before the local date
    of the organisation that made the commitment (for reminders, which have no reader)."""
    if today is not None:
        return Commitment.due_on < today
    todays, elsewhere = clock.country_todays()
    by_date = {}
    for country, day in todays.items():
        by_date.setdefault(day, []).append(country)
    return Commitment.organisation.has(sa.or_(
        sa.and_(Organisation.country.not_in(list(todays)), Commitment.due_on < elsewhere),
        *(sa.and_(Organisation.country.in_(countries), Commitment.due_on < day)
          for day, countries in by_date.items())))


def overdue_query(today=None, user=None):
    """Open commitments past their due date, oldest first; with user, only those the person
    owns or recorded. Without today, each is past due by its organisation's own date."""
    query = sa.select(Commitment).where(Commitment.status.in_(OPEN_COMMITMENT),
                                        _past_due(today))
    if user is not None:
        query = query.where(sa.or_(Commitment.owner_id == user.id, Commitment.meeting.has(
            Meeting.recorder_id == user.id)))
    return query.order_by(Commitment.due_on, Commitment.id)


def overdue_commitments(today=None, user=None):
    return db.session.scalars(overdue_query(today, user)).all()


def remind_overdue(today=None):
    """Tell the owner and the recorder of each overdue commitment, once per due date, once
    the due date has passed where the committing organisation is (or before the given today).
    Returns how many commitments were reminded."""
    count = 0
    for commitment in overdue_commitments(today):
        if commitment.reminded_for == commitment.due_on:
            continue
        people = {p.id: p for p in (commitment.owner, commitment.meeting.recorder) if p}
        for person in people.values():
            notify(person, "meeting_commitment_overdue",
                   lambda c=commitment: (_("Overdue commitment: %(what)s",
                                           what=c.description[:200]),
                                         _("It was due on %(date)s.",
                                           date=c.due_on.isoformat())),
                   link=link(commitment.meeting))
        commitment.reminded_for = commitment.due_on
        audit.record(None, "meeting_commitment_reminded", commitment,
                     after={"due_on": commitment.due_on.isoformat()})
        count += 1
    db.session.flush()
    return count


def series_open_commitments(series, visible_meetings=None):
    """The series' open commitments, for a table (see load_commitments)."""
    return load_commitments(sa.select(Commitment).where(
        Commitment.series_id == series.id, Commitment.status.in_(OPEN_COMMITMENT))
        .order_by(Commitment.due_on, Commitment.id), visible_meetings)
