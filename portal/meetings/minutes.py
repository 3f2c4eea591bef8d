"""The minutes of a meeting: saved as revisions (a correction after approval needs a reason),
autosaved drafts nobody else sees, and the line-by-line comparison of two revisions."""
import difflib
import html
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.sanitize import plain_text, required_reason, rich_text
from portal.extensions import db
from portal.meetings import permissions as meetings_permissions
from portal.meetings.models import MeetingState, Minutes, MinutesDraft, MinutesRevision

MAX_MINUTES = 200_000
_TAGS = re.compile(r"<[^>]+>")
# the sanitiser strips the tags of a script but keeps its text; minutes drop it altogether
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|tr|blockquote|pre)>|<br\s*/?>|<hr\s*/?>", re.I)


def _clean_minutes(body):
    cleaned = str(rich_text(_SCRIPT.sub("", body or "")))
    if len(cleaned) > MAX_MINUTES:
        raise ValidationError(_("The minutes are too long: at most %(n)s characters.",
                                n=MAX_MINUTES), field="body")
    if not plain_text(html_to_text(cleaned)):
        raise ValidationError(_("The minutes are empty."), field="body")
    return cleaned


def save_minutes(actor, meeting, body, expected_version=None, reason=None):
    """Save the minutes as a new revision. Before approval: the recorder. After approval: a
    correction, which needs a reason. A stale version raises Conflict (the other text stays).
    The saving person's autosaved draft is discarded."""
    minutes = meeting.minutes
    correcting = meeting.state == MeetingState.MINUTES_APPROVED
    if correcting:
        require(meetings_permissions.can_correct_minutes(actor, meeting))
        reason = required_reason(reason, 2000, _("Say why the approved minutes are corrected."))
    else:
        require(meetings_permissions.can_record_meeting(actor, meeting))
        reason = plain_text(reason or "", 2000) or None
    if minutes is not None:
        minutes.check_version(expected_version)
    body_html = _clean_minutes(body)
    if minutes is None:
        minutes = Minutes(body_html=body_html, updated_by_id=actor.id)
        meeting.minutes = minutes
    elif minutes.body_html == body_html:
        _discard_draft(actor, meeting)
        db.session.flush()
        return minutes
    else:
        minutes.body_html, minutes.updated_by_id = body_html, actor.id
    number = len(minutes.revisions) + 1
    minutes.revisions.append(MinutesRevision(number=number, body_html=body_html,
                                             author_id=actor.id, reason=reason))
    _discard_draft(actor, meeting)
    db.session.flush()
    audit.record(actor, "meeting_minutes_corrected" if correcting else "meeting_minutes_saved",
                 meeting, after={"revision": number, "reason": reason})
    return minutes


def draft_for(user, meeting):
    return db.session.scalar(sa.select(MinutesDraft).where(
        MinutesDraft.meeting_id == meeting.id, MinutesDraft.user_id == user.id))


def autosave(actor, meeting, body, base_version=None):
    """Keep what the person is typing. Not a revision, not audited: nobody else sees it."""
    require(meetings_permissions.can_record_meeting(actor, meeting)
            or meetings_permissions.can_correct_minutes(actor, meeting))
    body = str(body or "")
    if len(body) > MAX_MINUTES:
        raise ValidationError(_("The minutes are too long: at most %(n)s characters.",
                                n=MAX_MINUTES), field="body")
    draft = draft_for(actor, meeting)
    if draft is None:
        draft = MinutesDraft(meeting_id=meeting.id, user_id=actor.id)
        db.session.add(draft)
    draft.body, draft.saved_at = body, utcnow()
    try:
        draft.base_version = int(base_version) if base_version not in (None, "") else None
    except ValueError:
        draft.base_version = None
    db.session.flush()
    return draft


def _discard_draft(actor, meeting):
    draft = draft_for(actor, meeting)
    if draft is not None:
        db.session.delete(draft)


def html_to_text(body_html):
    """Minutes as lines of plain text, one per paragraph or list item: what a diff compares."""
    text = _BLOCK_END.sub("\n", body_html or "")
    text = html.unescape(_TAGS.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def diff(old_html, new_html):
    """[(op, line)] with op 'same', 'removed' or 'added', line by line (difflib)."""
    old, new = html_to_text(old_html).splitlines(), html_to_text(new_html).splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new,
                                                       autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [("same", line) for line in old[i1:i2]]
            continue
        rows += [("removed", line) for line in old[i1:i2]]
        rows += [("added", line) for line in new[j1:j2]]
    return rows
