"""A meeting's state machine: planned → held (or cancelled) → minutes approved → signed off by
the ministry, or sent back to held. Each step checks who may take it, refuses a stale form and
is audited; those concerned are told."""
import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import Role, User
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.core.sanitize import plain_text, required_reason
from portal.extensions import db
from portal.meetings import permissions as meetings_permissions
from portal.meetings.models import MEETING_FIELDS, MeetingKind, MeetingState
from portal.meetings.notices import link, tell_invitees


def _step(actor, meeting, allowed, to_state, action, expected_version=None, **changes):
    require(allowed)
    meeting.check_version(expected_version)
    before = audit.snapshot(meeting, MEETING_FIELDS)
    meeting.state = to_state
    for name, value in changes.items():
        setattr(meeting, name, value)
    db.session.flush()
    audit.record(actor, action, meeting, before, audit.snapshot(meeting, MEETING_FIELDS))


def mark_held(actor, meeting, expected_version=None, now=None):
    """planned → held, once the meeting has started."""
    now = now or utcnow()
    require(meetings_permissions.can_mark_held(actor, meeting))
    if not meetings_permissions.has_started(meeting, now):
        raise ValidationError(str(meetings_permissions.NOT_STARTED))
    _step(actor, meeting, True, MeetingState.HELD, "meeting_held", expected_version,
          held_at=now)


def cancel(actor, meeting, reason, expected_version=None):
    """planned → cancelled, with a reason the invitees are told."""
    require(meetings_permissions.can_cancel_meeting(actor, meeting))
    reason = required_reason(reason, 2000, _("Say why the meeting is cancelled."))
    _step(actor, meeting, True, MeetingState.CANCELLED, "meeting_cancelled", expected_version,
          cancel_reason=reason)
    tell_invitees(meeting, "meeting_cancelled",
                   lambda user: (_("Meeting cancelled: %(title)s", title=meeting.title),
                                 reason), with_ics=True)


def approve_minutes(actor, meeting, expected_version=None):
    """held → minutes approved: the minutes freeze; consultation sessions go to the ministry."""
    require(meetings_permissions.can_approve_minutes(actor, meeting))
    if not meetings_permissions.minutes_written(meeting) or not meeting.minutes.revisions:
        raise ValidationError(str(meetings_permissions.NO_MINUTES))
    _step(actor, meeting, True, MeetingState.MINUTES_APPROVED, "meeting_minutes_approved",
          expected_version, minutes_approved_at=utcnow(), minutes_approved_by_id=actor.id)
    if meeting.kind == MeetingKind.CONSULTATION_SESSION:
        for official in _ministry_officials():
            notify(official, "meeting_review",
                   lambda: (_("Minutes to review: %(title)s", title=meeting.title), ""),
                   link=link(meeting))


def _ministry_officials():
    return db.session.scalars(sa.select(User).where(
        User.is_active, User.memberships.any(role=Role.MINISTRY_OFFICIAL))
        .order_by(User.id)).all()


def sign_off(actor, meeting, comment=None, expected_version=None):
    """The ministry signs off a consultation session: everything of it becomes read-only."""
    require(meetings_permissions.can_sign_off(actor, meeting))
    _step(actor, meeting, True, MeetingState.SIGNED_OFF, "meeting_signed_off",
          expected_version, signed_off_at=utcnow(), signed_off_by_id=actor.id,
          sign_off_comment=plain_text(comment or "", 5000) or None)
    notify(meeting.recorder, "meeting_signed_off",
           lambda: (_("Signed off by the ministry: %(title)s", title=meeting.title),
                    meeting.sign_off_comment or ""), link=link(meeting))


def send_back(actor, meeting, reason, expected_version=None):
    """The ministry sends the minutes back to the recorder, with a reason: back to held."""
    require(meetings_permissions.can_send_back(actor, meeting))
    reason = required_reason(reason, 5000, _("Say what needs to change."))
    _step(actor, meeting, True, MeetingState.HELD, "meeting_sent_back", expected_version,
          sent_back_at=utcnow(), sent_back_reason=reason, minutes_approved_at=None,
          minutes_approved_by_id=None)
    notify(meeting.recorder, "meeting_sent_back",
           lambda: (_("Sent back by the ministry: %(title)s", title=meeting.title), reason),
           link=link(meeting))

