"""What the meeting pages read: every query starts from the reader's scope
(permissions.visible_meetings, visible_series, meeting_organisations, meeting_people), so one
network never sees another's meetings, nor a reader a confidential one not theirs."""
import datetime
import typing

import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Organisation, Role, User
from portal.core import versions
from portal.core.errors import require
from portal.core.textnorm import matches_all_words
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import FeedbackItem
from portal.i18n.fields import within_filter_days
from portal.meetings import permissions as meetings_permissions
from portal.meetings.commitments import overdue_query
from portal.meetings.models import (
    Commitment,
    ConsultationSeries,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingOrganisation,
    MeetingState,
    MeetingStatement,
)

# --- meetings and series ---------------------------------------------------------------------

def filtered_meetings(user, args, organisation_id=None):
    """The meetings the user may see that match the list's filters; organisation_id (read by
    the filter form's organisation picker) keeps those it hosted or was invited to."""
    query = meetings_permissions.visible_meetings(user)
    for name, column, enum in (("kind", Meeting.kind, MeetingKind),
                               ("state", Meeting.state, MeetingState)):
        value = args.get(name, "")
        if value in {e.value for e in enum}:
            query = query.where(column == enum(value))
    series_id = args.get("series", type=int)
    if series_id:
        query = query.where(Meeting.series_id == series_id)
    if organisation_id:
        query = query.where(sa.or_(Meeting.host_organisation_id == organisation_id,
                                   Meeting.organisations.any(organisation_id=organisation_id)))
    if args.get("district"):
        place = matches_all_words(Organisation.search_key, args["district"])
        query = query.where(sa.or_(
            Meeting.host_organisation.has(place),
            Meeting.organisations.any(MeetingOrganisation.organisation.has(place))))
    query = query.where(*within_filter_days(Meeting.starts_at, args))
    if args.get("q"):
        query = query.where(matches_all_words(Meeting.search_key, args["q"]))
    return query


def meeting_list(user, args, organisation_id=None):
    """filtered_meetings, latest first, with the host and series each row names."""
    return filtered_meetings(user, args, organisation_id).order_by(
        Meeting.starts_at.desc(), Meeting.id.desc()).options(
        sa.orm.joinedload(Meeting.host_organisation), sa.orm.joinedload(Meeting.series))


def series_list(user, newest_first=False):
    """The series the user may see, by title (or newest first)."""
    order = ConsultationSeries.created_at.desc() if newest_first else ConsultationSeries.title
    return db.session.scalars(meetings_permissions.visible_series(user).order_by(order)).all()


def series_choices(user, language):
    """(id, title in the reader's language) of the series the user may see, by title: the
    meetings list's filter, read as columns (a network holds hundreds of series; loading each
    whole and asking it its title in the template cost 15-20 ms a page)."""
    rows = db.session.execute(meetings_permissions.visible_series(user).with_only_columns(
        ConsultationSeries.id, ConsultationSeries.title, ConsultationSeries.titles)
        .order_by(ConsultationSeries.title))
    return [(row.id, (row.titles or {}).get(language) or row.title) for row in rows]


def visible_series_by_id(user, series_id):
    """The series if the user may see it, else None."""
    if not series_id:
        return None
    return db.session.scalar(meetings_permissions.visible_series(user).where(
        ConsultationSeries.id == series_id))


def series_meetings(user, series, *options):
    """The series' meetings the user may see, in order, with options to load what the caller
    reads of each."""
    return db.session.scalars(meetings_permissions.visible_meetings(user).where(
        Meeting.series_id == series.id).order_by(Meeting.starts_at).options(*options)).all()


def own_meetings(user, *options):
    """The meetings the user records, chairs or is invited to (their calendar feed)."""
    return db.session.scalars(meetings_permissions.visible_meetings(user).where(sa.or_(
        Meeting.recorder_id == user.id, Meeting.chair_id == user.id,
        Meeting.invitations.any(Invitation.user_id == user.id))).order_by(
        Meeting.starts_at).options(*options)).all()


def review_queue(user):
    """Held consultation sessions whose minutes are approved and await the ministry."""
    return db.session.scalars(meetings_permissions.visible_meetings(user).where(
        Meeting.kind == MeetingKind.CONSULTATION_SESSION,
        Meeting.state == MeetingState.MINUTES_APPROVED)
        .order_by(Meeting.minutes_approved_at, Meeting.id)).all()


def statements_heard(user, meeting):
    """The statements of the meeting the reader may see: confidential items stay with the bank.
    One statement: the meeting's statements as a subquery, each item's organisation joined."""
    said_here = sa.select(MeetingStatement.feedback_item_id).where(
        MeetingStatement.meeting_id == meeting.id)
    return db.session.scalars(feedback_permissions.visible_feedback(user).where(
        FeedbackItem.id.in_(said_here)).options(sa.orm.joinedload(FeedbackItem.organisation))
        .order_by(FeedbackItem.id)).all()


class OverdueCommitment(typing.NamedTuple):
    meeting_id: int
    description: str
    organisation_name: str
    due_on: datetime.date


OVERDUE_TABLES = ("meeting_commitment", "meeting", "organisation")


def overdue_in_network(user, today, limit=8):
    """(the first overdue commitments of the network the person looks at, how many there
    are), for those who see every meeting of it (the ministry, administrators). Kept in this
    process per network and day until a commitment, meeting or organisation changes
    (portal/core/versions.py); computed, one statement, otherwise."""
    require(permissions.sees_whole_network(user))
    scope = tuple(permissions.network_scope(user))
    return versions.remembered("overdue_in_network", OVERDUE_TABLES, (scope, today),
                               lambda: _overdue_in_network(user, today, limit))


def _overdue_in_network(user, today, limit):
    visible = meetings_permissions.visible_meetings(user).with_only_columns(Meeting.id)
    query = overdue_query(today).where(Commitment.meeting_id.in_(visible)).join(
        Commitment.organisation).with_only_columns(
        Commitment.meeting_id, Commitment.description, Organisation.name, Commitment.due_on,
        sa.func.count().over())
    rows = db.session.execute(query.limit(limit)).all()
    return (tuple(OverdueCommitment(*row[:4]) for row in rows), rows[0][4] if rows else 0)


# --- whom a meeting names --------------------------------------------------------------------

def organisations_by_ids(ids):
    return db.session.scalars(sa.select(Organisation).where(
        Organisation.id.in_(ids or []))).all()


def people_by_ids(ids):
    return db.session.scalars(sa.select(User).where(User.id.in_(ids or []))).all()


def host_choices(user, meeting=None):
    """Any organisation the person may name hosts (a savings group its own meeting); an
    existing meeting keeps its host even if that one has since closed."""
    allowed = meetings_permissions.meeting_organisations(user)
    if meeting is not None:
        allowed = sa.select(Organisation).where(sa.or_(
            Organisation.id.in_(allowed.with_only_columns(Organisation.id)),
            Organisation.id == meeting.host_organisation_id))
    return allowed


def invitable_people(user):
    """(id, name) of the active people of the organiser's network, for the invitation form."""
    return [tuple(row) for row in db.session.execute(
        meetings_permissions.meeting_people(user).with_only_columns(User.id, User.full_name)
        .order_by(User.full_name, User.id))]


def people_to_name(user, named=(), role=None):
    """The active people of the user's network (of a role: the recorders), by name, plus those
    an edited meeting already names."""
    query = meetings_permissions.meeting_people(user, role)
    if named:
        query = sa.select(User).where(sa.or_(
            User.id.in_(query.with_only_columns(User.id)), User.id.in_(named)))
    return db.session.scalars(query.order_by(User.full_name, User.id)).all()


def default_host(user):
    """The organisation a new meeting or series is hosted by unless the organiser chooses
    another, always in the network the organiser looks at: their own bank office there (where
    they manage relationships), else another organisation of theirs there, else that network's
    bank head office. Never another network's, so never another country's: None when the
    network has nothing to offer."""
    scope = permissions.network_scope(user)

    def here(organisation):
        return organisation.is_active and (
            scope.everything or organisation.network_id == scope.network_id)

    for role in (Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR):
        for organisation in user.organisations_with(role):
            if here(organisation):
                return organisation
    own = next((o for o in user.organisations if here(o)), None)
    if own is not None or scope.network_id is None:
        return own
    head_office = db.session.get(Organisation, scope.network_id)
    return head_office if head_office is not None and head_office.is_active else None
