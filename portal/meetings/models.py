"""Consultation series, meetings with their agenda, invitations and attendance, minutes with
revisions and autosaved drafts, statements from the floor (links to feedback items) and
commitments carried forward from meeting to meeting."""
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import local_today, organisation_zone
from portal.core.models import (
    LabelledEnum,
    TimestampMixin,
    VersionedMixin,
    enum_column,
    link_table,
    utcnow,
)
from portal.core.search import SearchableMixin
from portal.extensions import db


class MeetingKind(LabelledEnum):
    CONSULTATION_SESSION = "consultation_session", _l("Consultation session")
    PERIODIC_GROUP_MEETING = "periodic_group_meeting", _l("Periodic group meeting")
    AD_HOC = "ad_hoc", _l("Ad-hoc meeting")


class MeetingState(LabelledEnum):
    PLANNED = "planned", _lp("meeting state", "Planned")
    HELD = "held", _l("Held")
    MINUTES_APPROVED = "minutes_approved", _l("Minutes approved")
    SIGNED_OFF = "signed_off", _l("Signed off by the ministry")
    CANCELLED = "cancelled", _l("Cancelled")


class Reply(LabelledEnum):
    PENDING = "pending", _l("No answer yet")
    ACCEPTED = "accepted", _lp("invitation reply", "Accepted")
    DECLINED = "declined", _l("Declined")


class CommitmentStatus(LabelledEnum):
    OPEN = "open", _lp("commitment status", "Open")
    IN_PROGRESS = "in_progress", _l("In progress")
    DONE = "done", _l("Done")
    DROPPED = "dropped", _l("Dropped")

    @property
    def is_open(self):
        return self in OPEN_COMMITMENT


OPEN_COMMITMENT = (CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)
# what the audit log keeps of a meeting's state and details
MEETING_FIELDS = ("state", "title", "starts_at", "ends_at", "timezone", "place", "online_link",
                  "host_organisation_id", "chair_id", "recorder_id", "confidential",
                  "cancel_reason", "sign_off_comment", "sent_back_reason")


def touch(row):
    """Bump the row's version even when only a related row changed: a stale form is refused."""
    row.updated_at = utcnow()


series_organisation = link_table("meeting_series_organisation",
                                 ("series_id", "meeting_series"),
                                 ("organisation_id", "organisation"))


class ConsultationSeries(TimestampMixin, VersionedMixin, db.Model):
    """A series of sessions the bank holds with the network (seed 000)."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the title in the language it was written in, and {locale: title} for the others
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    titles: Mapped[dict | None] = mapped_column(sa.JSON)
    purpose: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    host_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                      nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    host_organisation = relationship("Organisation")
    invited_organisations = relationship("Organisation", secondary=series_organisation,
                                         order_by="Organisation.name")
    meetings = relationship("Meeting", back_populates="series",
                            order_by="Meeting.starts_at")

    def display_title(self, locale=None):
        locale = str(locale or get_locale() or "en")
        return (self.titles or {}).get(locale) or self.title


class Meeting(SearchableMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting_series.id"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind), nullable=False,
                                              index=True)
    state: Mapped[MeetingState] = mapped_column(enum_column(MeetingState), nullable=False,
                                                default=MeetingState.PLANNED, index=True)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    # naive UTC, like every stored time; timezone is where the meeting takes place
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False, index=True)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime, nullable=False)
    timezone: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    place: Mapped[str | None] = mapped_column(sa.String(300))
    online_link: Mapped[str | None] = mapped_column(sa.String(500))
    host_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                      nullable=False, index=True)
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # the chair may have no account (a group leader): then only the name is kept
    chair_name: Mapped[str | None] = mapped_column(sa.String(200))
    recorder_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False,
                                             index=True)
    confidential: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    held_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    minutes_approved_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    minutes_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    sign_off_comment: Mapped[str | None] = mapped_column(sa.Text)
    sent_back_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    sent_back_reason: Mapped[str | None] = mapped_column(sa.Text)
    search_key: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    __searchable__ = ("title", "place", "host_organisation", "host_organisation_id", "series",
                      "series_id")

    series = relationship("ConsultationSeries", back_populates="meetings")
    host_organisation = relationship("Organisation")
    chair = relationship("User", foreign_keys=[chair_id])
    recorder = relationship("User", foreign_keys=[recorder_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    minutes_approved_by = relationship("User", foreign_keys=[minutes_approved_by_id])
    signed_off_by = relationship("User", foreign_keys=[signed_off_by_id])
    agenda = relationship("AgendaItem", back_populates="meeting",
                          order_by="AgendaItem.position", cascade="all, delete-orphan")
    organisations = relationship("MeetingOrganisation", back_populates="meeting",
                                 cascade="all, delete-orphan")
    invitations = relationship("Invitation", back_populates="meeting",
                               order_by="Invitation.id", cascade="all, delete-orphan")
    minutes = relationship("Minutes", back_populates="meeting", uselist=False,
                           cascade="all, delete-orphan")
    statements = relationship("MeetingStatement", order_by="MeetingStatement.created_at",
                              cascade="all, delete-orphan")
    commitments = relationship("Commitment", back_populates="meeting",
                               order_by="Commitment.id")

    def search_parts(self):
        host, series = self.host_organisation, self.series
        return [self.title, self.place, host.name if host else None,
                series.title if series else None]

    @property
    def name(self):
        return self.title

    @property
    def is_signed_off(self):
        return self.state == MeetingState.SIGNED_OFF

    @property
    def final_state(self):
        """Consultation sessions end with the ministry's sign-off; other meetings with
        approved minutes."""
        if self.kind == MeetingKind.CONSULTATION_SESSION:
            return MeetingState.SIGNED_OFF
        return MeetingState.MINUTES_APPROVED

    @property
    def invited_organisations(self):
        return [mo.organisation for mo in sorted(self.organisations,
                                                 key=lambda mo: mo.organisation.name)]


class AgendaItem(db.Model):
    __tablename__ = "meeting_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    presenter: Mapped[str | None] = mapped_column(sa.String(200))
    minutes: Mapped[int | None] = mapped_column(sa.Integer)  # minutes set aside for it

    meeting = relationship("Meeting", back_populates="agenda")


class MeetingOrganisation(db.Model):
    """An organisation invited to a meeting, and whether it was there."""

    __tablename__ = "meeting_organisation"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"),
                                            primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 primary_key=True, index=True)
    attended: Mapped[bool | None] = mapped_column(sa.Boolean)

    meeting = relationship("Meeting", back_populates="organisations")
    organisation = relationship("Organisation")


class Invitation(db.Model):
    """A person invited to a meeting: their answer and, afterwards, whether they came."""

    __tablename__ = "meeting_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False, index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    reply: Mapped[Reply] = mapped_column(enum_column(Reply), nullable=False,
                                         default=Reply.PENDING)
    replied_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    attended: Mapped[bool | None] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    meeting = relationship("Meeting", back_populates="invitations")
    user = relationship("User")
    organisation = relationship("Organisation")

    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id",
                                          name="uq_meeting_invitation_person"),)


class Minutes(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "meeting_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"),
                                            nullable=False, unique=True)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    meeting = relationship("Meeting", back_populates="minutes")
    updated_by = relationship("User")
    revisions = relationship("MinutesRevision", back_populates="minutes",
                             order_by="MinutesRevision.number", cascade="all, delete-orphan")


class MinutesRevision(db.Model):
    """Every saved text of the minutes: who, when, and for a correction after approval, why."""

    __tablename__ = "meeting_minutes_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting_minutes.id", ondelete="CASCADE"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), nullable=False)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    minutes = relationship("Minutes", back_populates="revisions")
    author = relationship("User")

    __table_args__ = (sa.UniqueConstraint("minutes_id", "number",
                                          name="uq_meeting_minutes_revision_number"),)


# How many revisions the minutes have, for the meeting page's "Revisions (n)" link: a subquery
# read with the minutes when a query asks for it (undefer), rather than loading every revision's
# full text to count them.
Minutes.revision_count = sa.orm.column_property(
    sa.select(sa.func.count(MinutesRevision.id))
    .where(MinutesRevision.minutes_id == Minutes.id)
    .correlate_except(MinutesRevision).scalar_subquery(),
    deferred=True)


class MinutesDraft(db.Model):
    """What a person is typing into the minutes, saved every few seconds by the browser, so a
    timeout or a closed tab loses nothing. One per person per meeting."""

    __tablename__ = "meeting_minutes_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"),
                                            nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # the version of the minutes the person started from: a restored draft is still checked
    base_version: Mapped[int | None] = mapped_column(sa.Integer)
    saved_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id",
                                          name="uq_meeting_minutes_draft_person"),)


class MeetingStatement(db.Model):
    """A statement from the floor: the feedback item it became, linked back to the meeting."""

    __tablename__ = "meeting_statement"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"),
                                            primary_key=True)
    feedback_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("feedback_item.id", ondelete="CASCADE"), primary_key=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    # the item is confidential only because the meeting is: it becomes public again with the
    # meeting, whereas an item confidential on its own stays so
    confidential_by_meeting: Mapped[bool] = mapped_column(sa.Boolean, nullable=False,
                                                          default=False)

    item = relationship("FeedbackItem")


class Commitment(TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "meeting_commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), nullable=False,
                                            index=True)
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting_series.id"),
                                                  index=True)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False)
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False, index=True)
    status: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus), nullable=False, default=CommitmentStatus.OPEN,
        index=True)
    drop_reason: Mapped[str | None] = mapped_column(sa.Text)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # the due date the last overdue reminder was sent for: one reminder per due date
    reminded_for: Mapped[date | None] = mapped_column(sa.Date)

    meeting = relationship("Meeting", back_populates="commitments")
    owner = relationship("User")
    organisation = relationship("Organisation")
    events = relationship("CommitmentEvent", back_populates="commitment",
                          order_by="CommitmentEvent.id", cascade="all, delete-orphan")

    def overdue(self, today=None):
        """Past due by the given date (a page passes its reader's), else by the committing
        organisation's own date."""
        today = today or local_today(organisation_zone(self.organisation))
        return self.status.is_open and self.due_on < today


class CommitmentEvent(db.Model):
    """The commitment's history: each change of status, who, when, at which meeting."""

    __tablename__ = "meeting_commitment_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting_commitment.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id"))
    status: Mapped[CommitmentStatus] = mapped_column(enum_column(CommitmentStatus),
                                                     nullable=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    commitment = relationship("Commitment", back_populates="events")
    actor = relationship("User")
    meeting = relationship("Meeting")
