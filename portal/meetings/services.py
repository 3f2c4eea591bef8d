"""Meeting operations. Each checks permission, validates, changes, flushes, writes the audit
entry and notifies through the outbox; the view (or CLI command) commits once."""
import difflib
import html
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts.models import Membership, Organisation, Role, User
from portal.core import audit, clock
from portal.core.errors import PermissionDenied, ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.core.sanitize import plain_text, rich_text
from portal.core.textnorm import search_key
from portal.extensions import db
from portal.feedback import services as feedback_services
from portal.i18n import calendars, formatting
from portal.i18n.display import timezone_label
from portal.meetings import ical, rules
from portal.meetings import permissions as meetings_permissions
from portal.meetings.models import (
    OPEN_COMMITMENT,
    AgendaItem,
    Commitment,
    CommitmentEvent,
    CommitmentStatus,
    ConsultationSeries,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingOrganisation,
    MeetingState,
    MeetingStatement,
    Minutes,
    MinutesDraft,
    MinutesRevision,
    Reply,
)

MAX_MINUTES = 200_000
MEETING_FIELDS = ("state", "title", "starts_at", "ends_at", "timezone", "place", "online_link",
                  "host_organisation_id", "chair_id", "recorder_id", "confidential",
                  "cancel_reason", "sign_off_comment", "sent_back_reason")
COMMITMENT_FIELDS = ("status", "drop_reason", "due_on", "owner_id", "organisation_id")
_TAGS = re.compile(r"<[^>]+>")
# the sanitiser strips the tags of a script but keeps its text; minutes drop it altogether
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|tr|blockquote|pre)>|<br\s*/?>|<hr\s*/?>", re.I)


def link(meeting):
    return url_for("meetings.show", meeting_id=meeting.id)


def _touch(obj):
    """Bump the row's version even when only a related row changed: a stale form is refused."""
    obj.updated_at = utcnow()


# --- times -----------------------------------------------------------------------------------

def zone(name):
    """The IANA time zone called name, or a ValidationError."""
    try:
        return ZoneInfo(str(name or ""))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Choose a time zone from the list."), field="timezone") from None


def to_utc(local, tz_name):
    """A naive wall-clock time in the meeting's zone, as naive UTC for storage."""
    return local.replace(tzinfo=zone(tz_name)).astimezone(UTC).replace(tzinfo=None)


def in_zone(value, tz_name):
    """A stored naive-UTC time as an aware time in the meeting's own zone."""
    return value.replace(tzinfo=UTC).astimezone(zone(tz_name))


def format_in_zone(value, tz_name, style="medium", locale=None, calendar=None, native=None):
    """The date and time of value in the meeting's zone, in the reader's calendar and digits."""
    if value is None:
        return ""
    locale = str(locale or get_locale() or "en")
    if calendar is None or native is None:
        from portal import i18n

        calendar = calendar or i18n.reader_calendar()
        native = i18n.native_digits() if native is None else native
    local = in_zone(value, tz_name)
    text = f"{calendars.format_date(local, style, locale, calendar)} " \
           f"{calendars.format_time(local, locale)}"
    return formatting.to_persian_digits(text) if native else text


def _when_for(user, meeting):
    """When and where, in the recipient's own language and calendar (notifications)."""
    locale = user.preferred_locale or "en"
    calendar = user.calendar or calendars.default_calendar(locale)
    native = locale == "fa" and bool(user.persian_digits)
    when = format_in_zone(meeting.starts_at, meeting.timezone, "long", locale, calendar, native)
    return _("%(when)s (%(zone)s), %(place)s", when=when, zone=timezone_label(meeting.timezone),
             place=meeting.place or meeting.online_link or "")


# --- series ----------------------------------------------------------------------------------

def _clean_titles(title, titles):
    titles = {k: plain_text(v, 300) for k, v in (titles or {}).items() if plain_text(v or "")}
    title = plain_text(title or "", 300) or next(iter(titles.values()), "")
    if not title:
        raise ValidationError(_("Give the series a title."), field="title")
    return title, titles or None


def create_series(actor, *, title, host_organisation, purpose="", titles=None,
                  invited_organisations=()):
    """A relationship manager or administrator opens a consultation series, hosted by and
    inviting organisations they may name (rules.meeting_organisations)."""
    require(meetings_permissions.can_organise_meetings(actor))
    if host_organisation is None:
        raise ValidationError(_("Choose the host organisation."), field="host_organisation_id")
    if not all(rules.may_name(actor, org) for org in (host_organisation,
                                                       *invited_organisations)):
        raise ValidationError(_("Choose an organisation from the list."),
                              field="organisation_ids")
    title, titles = _clean_titles(title, titles)
    series = ConsultationSeries(title=title, titles=titles,
                                purpose=plain_text(purpose or "", 5000),
                                host_organisation=host_organisation, created_by_id=actor.id)
    series.invited_organisations = list(dict.fromkeys(invited_organisations))
    db.session.add(series)
    db.session.flush()
    audit.record(actor, "meeting_series_created", series,
                 after={"title": title, "organisations": [
                     o.id for o in series.invited_organisations]})
    return series


def series_open_commitments(series, visible_meetings=None):
    """The series' open commitments, for a table (see load_commitments)."""
    return load_commitments(sa.select(Commitment).where(
        Commitment.series_id == series.id, Commitment.status.in_(OPEN_COMMITMENT))
        .order_by(Commitment.due_on, Commitment.id), visible_meetings)


def series_participation(series, meetings):
    """(organisations that have taken part so far, those invited to the series still to come).
    meetings: the series' meetings the reader may see."""
    taken_part = []
    for meeting in meetings:
        if meeting.state in (MeetingState.PLANNED, MeetingState.CANCELLED):
            continue
        for mo in meeting.organisations:
            if mo.attended is not False and mo.organisation not in taken_part:
                taken_part.append(mo.organisation)
    to_come = [o for o in series.invited_organisations if o not in taken_part]
    return taken_part, to_come


# --- meetings --------------------------------------------------------------------------------

def _check_people(recorder, chair):
    if recorder is None or not recorder.is_active or \
            not recorder.has_role(Role.RELATIONSHIP_MANAGER):
        raise ValidationError(_("The recorder must be one of the bank's relationship managers."),
                              field="recorder_id")
    if chair is not None and not chair.is_active:
        raise ValidationError(_("The chair's account is not active."), field="chair_id")


def _set_details(meeting, *, title, starts_local, ends_local, timezone, place, online_link,
                 host_organisation, chair, chair_name, recorder, confidential):
    title = plain_text(title or "", 300)
    if not title:
        raise ValidationError(_("Give the meeting a title."), field="title")
    if host_organisation is None:
        raise ValidationError(_("Choose the host organisation."), field="host_organisation_id")
    _check_people(recorder, chair)
    starts_at, ends_at = to_utc(starts_local, timezone), to_utc(ends_local, timezone)
    if ends_at <= starts_at:
        raise ValidationError(_("The meeting must end after it starts."), field="end_time")
    online_link = plain_text(online_link or "", 500) or None
    if online_link and not online_link.startswith(("https://", "http://")):
        raise ValidationError(_("The online link must start with https://."),
                              field="online_link")
    place = plain_text(place or "", 300) or None
    if not place and not online_link:
        raise ValidationError(_("Give a place or an online link."), field="place")
    meeting.title, meeting.starts_at, meeting.ends_at = title, starts_at, ends_at
    meeting.timezone, meeting.place, meeting.online_link = str(timezone), place, online_link
    meeting.host_organisation = host_organisation
    meeting.chair, meeting.recorder = chair, recorder
    meeting.chair_name = plain_text(chair_name or "", 200) or None
    meeting.confidential = bool(confidential)
    meeting.search_key = search_key(title, place, host_organisation.name,
                                    meeting.series.title if meeting.series else None)


def _check_host(actor, host, current=None):
    """The host is an organisation the actor may name (rules.meeting_organisations); a
    meeting keeps the host it has even if that one has since closed."""
    if host is not None and host != current and not rules.may_name(actor, host):
        raise ValidationError(_("Choose an organisation from the list."),
                              field="host_organisation_id")


def plan_meeting(actor, *, kind, series=None, **details):
    """Plan a meeting (in a series or standing alone). Times are wall-clock times in the
    meeting's own time zone; they are stored in UTC. Any organisation the actor may name
    hosts it, a savings group as much as a union or a branch."""
    require(meetings_permissions.can_organise_meetings(actor))
    _check_host(actor, details.get("host_organisation"))
    kind = MeetingKind(kind)
    meeting = Meeting(kind=kind, state=MeetingState.PLANNED, created_by_id=actor.id)
    with db.session.no_autoflush:
        meeting.series = series
        _set_details(meeting, **details)
    db.session.add(meeting)
    db.session.flush()
    audit.record(actor, "meeting_planned", meeting, after=audit.snapshot(meeting,
                                                                         MEETING_FIELDS))
    return meeting


def update_meeting(actor, meeting, expected_version=None, **details):
    require(meetings_permissions.can_edit_meeting(actor, meeting))
    meeting.check_version(expected_version)
    _check_host(actor, details.get("host_organisation"), meeting.host_organisation)
    before = audit.snapshot(meeting, MEETING_FIELDS)
    moved = (meeting.starts_at, meeting.ends_at, meeting.timezone)
    was_confidential = meeting.confidential
    _set_details(meeting, **details)
    db.session.flush()
    audit.record(actor, "meeting_updated", meeting, before,
                 audit.snapshot(meeting, MEETING_FIELDS))
    if meeting.confidential != was_confidential:
        carry_confidentiality(actor, meeting)
    if moved != (meeting.starts_at, meeting.ends_at, meeting.timezone):
        _tell_invitees(meeting, "meeting_moved",
                       lambda user: (_("Meeting moved: %(title)s", title=meeting.title),
                                     _when_for(user, meeting)), with_ics=True)
    return meeting


def _tell_invitees(meeting, kind, render_for, with_ics=False, people=None):
    attachments = None
    if with_ics:
        attachments = [("meeting.ics", "text/calendar",
                        ical.calendar_bytes([meeting], meeting.title))]
    for invitation in (people if people is not None else meeting.invitations):
        user = invitation.user
        notify(user, kind, lambda user=user: render_for(user), link=link(meeting),
               attachments=attachments)


# --- agenda ----------------------------------------------------------------------------------

def _agenda_fields(title, presenter, duration):
    """(title, presenter, minutes) of an agenda item as stored, or ValidationError."""
    title = plain_text(title or "", 300)
    if not title:
        raise ValidationError(_("Give the agenda item a title."), field="title")
    if duration is not None and not 0 < duration <= 600:
        raise ValidationError(_("Set aside between 1 and 600 minutes."), field="duration")
    return title, plain_text(presenter or "", 200) or None, duration


def add_agenda_item(actor, meeting, *, title, presenter=None, duration=None):
    require(meetings_permissions.can_edit_meeting(actor, meeting))
    title, presenter, duration = _agenda_fields(title, presenter, duration)
    position = max((a.position for a in meeting.agenda), default=0) + 1
    item = AgendaItem(title=title, presenter=presenter, minutes=duration, position=position)
    meeting.agenda.append(item)
    _touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_agenda_added", meeting, after={"title": title})
    return item


def remove_agenda_item(actor, meeting, item):
    require(meetings_permissions.can_edit_meeting(actor, meeting))
    meeting.agenda.remove(item)
    for number, remaining in enumerate(meeting.agenda, start=1):
        remaining.position = number
    _touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_agenda_removed", meeting, before={"title": item.title})


def update_agenda_item(actor, meeting, item, *, title, presenter=None, duration=None):
    """Change an item's text where it stands on the agenda; its place is kept."""
    require(meetings_permissions.can_edit_meeting(actor, meeting))
    title, presenter, duration = _agenda_fields(title, presenter, duration)
    before = {"title": item.title, "presenter": item.presenter, "minutes": item.minutes}
    item.title, item.presenter, item.minutes = title, presenter, duration
    _touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_agenda_changed", meeting, before=before,
                 after={"title": title, "presenter": presenter, "minutes": duration})
    return item


def move_agenda_item(actor, meeting, item, step):
    """Move an item one place up (step -1) or down (+1). The first item does not move up nor
    the last down: ValidationError, as the page offers neither."""
    require(meetings_permissions.can_edit_meeting(actor, meeting))
    if not rules.may_move(actor, meeting, item, step):
        raise ValidationError(str(rules.move_refusal(step)))
    items = list(meeting.agenda)
    index = items.index(item)
    other = index + (1 if step > 0 else -1)
    items[index].position, items[other].position = items[other].position, \
        items[index].position
    _touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_agenda_moved", meeting, after={"title": item.title})


# --- invitations and attendance --------------------------------------------------------------

def _directors(organisation):
    return db.session.scalars(sa.select(User).join(Membership).where(
        Membership.organisation_id == organisation.id, Membership.role == Role.UNION_DIRECTOR,
        User.is_active).order_by(User.id)).all()


def invite(actor, meeting, organisations=(), people=()):
    """Invite organisations (their directors get a personal invitation) and people. Everyone
    newly invited is told, with the meeting as an .ics attachment. Returns the new invitations."""
    require(meetings_permissions.can_edit_meeting(actor, meeting))
    if meeting.state != MeetingState.PLANNED:
        raise ValidationError(_("Invitations go out before the meeting."))
    if not all(rules.may_name(actor, org) for org in organisations):
        raise ValidationError(_("Choose an organisation from the list."),
                              field="organisation_ids")
    invited_orgs = {mo.organisation_id for mo in meeting.organisations}
    invited_people = {i.user_id for i in meeting.invitations}
    new = []
    for org in organisations:
        if org.id not in invited_orgs:
            meeting.organisations.append(MeetingOrganisation(organisation=org))
            invited_orgs.add(org.id)
        for director in _directors(org):
            if director.id not in invited_people:
                new.append(Invitation(user=director, organisation=org))
                invited_people.add(director.id)
    for person in people:
        if person.id not in invited_people and person.is_active:
            org = person.organisations[0] if person.organisations else None
            new.append(Invitation(user=person, organisation=org))
            invited_people.add(person.id)
    meeting.invitations.extend(new)
    _touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_invited", meeting, after={
        "organisations": sorted(invited_orgs), "people": [i.user_id for i in new]})
    _tell_invitees(meeting, "meeting_invitation",
                   lambda user: (_("Invitation: %(title)s", title=meeting.title),
                                 _when_for(user, meeting)), with_ics=True, people=new)
    return new


def reply(actor, meeting, answer):
    """An invited person accepts or declines."""
    require(meetings_permissions.can_reply_to_invitation(actor, meeting))
    answer = Reply(answer)
    if answer == Reply.PENDING:
        raise ValidationError(_("Accept or decline."))
    invitation = next(i for i in meeting.invitations if i.user_id == actor.id)
    before = {"reply": invitation.reply.value}
    invitation.reply, invitation.replied_at = answer, utcnow()
    db.session.flush()
    audit.record(actor, "meeting_replied", meeting, before, {"reply": answer.value})
    return invitation


def record_attendance(actor, meeting, organisation_ids=(), user_ids=()):
    """Mark who attended, by organisation and by person. Only invitees can be marked."""
    require(meetings_permissions.can_record_attendance(actor, meeting))
    organisation_ids, user_ids = set(organisation_ids), set(user_ids)
    invited_orgs = {mo.organisation_id for mo in meeting.organisations}
    invited_people = {i.user_id for i in meeting.invitations}
    if organisation_ids - invited_orgs or user_ids - invited_people:
        raise ValidationError(_("Only invited organisations and people can be marked as "
                                "present."))
    for mo in meeting.organisations:
        mo.attended = mo.organisation_id in organisation_ids
    for invitation in meeting.invitations:
        invitation.attended = invitation.user_id in user_ids
        if invitation.attended and invitation.organisation_id:
            # a person present means their organisation was present
            for mo in meeting.organisations:
                if mo.organisation_id == invitation.organisation_id:
                    mo.attended = True
    _touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_attendance", meeting, after={
        "organisations": sorted(o.organisation_id for o in meeting.organisations if o.attended),
        "people": sorted(user_ids)})


# --- minutes ---------------------------------------------------------------------------------

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
        reason = plain_text(reason or "", 2000)
        if not reason:
            raise ValidationError(_("Say why the approved minutes are corrected."),
                                  field="reason")
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


# --- statements from the floor ---------------------------------------------------------------

def record_statement(actor, meeting, *, organisation, kind, title, body_html, topic,
                     **kind_fields):
    """What an organisation said, logged by the recorder; it becomes a feedback item (through
    the feedback area's service) linked back to the meeting, submitted in the organisation's
    name (its directors hear of the acknowledgement, the answer and any escalation) and
    showing the actor as the one who recorded it.

    Only an organisation invited to the meeting speaks from the floor (ValidationError), and
    only one in the recorder's portfolio, unless an administrator records it
    (PermissionDenied). A confidential meeting gives a confidential item, which follows the
    meeting's confidentiality from then on (carry_confidentiality)."""
    require(meetings_permissions.can_record_meeting(actor, meeting))
    if organisation is None or organisation.id not in {
            mo.organisation_id for mo in meeting.organisations}:
        raise ValidationError(_("Only an organisation invited to the meeting can speak from "
                                "the floor."), field="organisation_id")
    if not rules.may_speak_for(actor, meeting, organisation):
        raise PermissionDenied(_("%(organisation)s is not in your portfolio: a statement can be "
                                 "recorded only in the name of an organisation you serve.",
                                 organisation=organisation.name), field="organisation_id")
    item = feedback_services.submit(
        actor, kind=kind, organisation=organisation, title=title, body_html=body_html,
        topic=topic, visibility="confidential" if meeting.confidential else "public",
        origin=(meeting.title, link(meeting)), **kind_fields)
    meeting.statements.append(MeetingStatement(feedback_item_id=item.id,
                                               confidential_by_meeting=meeting.confidential))
    _touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_statement_recorded", meeting,
                 after={"feedback_item_id": item.id, "kind": str(kind)})
    return item


def carry_confidentiality(actor, meeting):
    """Give the meeting's statements its confidentiality: when it becomes confidential, every
    public statement becomes confidential (kept off search and public lists) and is marked as
    confidential because of the meeting; when it becomes public again, only those so marked
    become public, so an item confidential on its own stays confidential. Returns how many
    items changed."""
    changed = 0
    for statement in db.session.scalars(sa.select(MeetingStatement).where(
            MeetingStatement.meeting_id == meeting.id).options(
            sa.orm.joinedload(MeetingStatement.item))):
        item = statement.item
        if meeting.confidential and item.visibility == "public":
            statement.confidential_by_meeting = True
            changed += feedback_services.follow_origin_visibility(
                actor, item, "confidential")
        elif not meeting.confidential and statement.confidential_by_meeting:
            statement.confidential_by_meeting = False
            changed += feedback_services.follow_origin_visibility(
                actor, item, "public")
    db.session.flush()
    return changed


# --- commitments -----------------------------------------------------------------------------

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
    _touch(meeting)
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
    _touch(commitment)
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


# --- the state machine -----------------------------------------------------------------------

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
    if not rules.has_started(meeting, now):
        raise ValidationError(str(rules.NOT_STARTED))
    _step(actor, meeting, True, MeetingState.HELD, "meeting_held", expected_version,
          held_at=now)


def cancel(actor, meeting, reason, expected_version=None):
    """planned → cancelled, with a reason the invitees are told."""
    require(meetings_permissions.can_cancel_meeting(actor, meeting))
    reason = plain_text(reason or "", 2000)
    if not reason:
        raise ValidationError(_("Say why the meeting is cancelled."), field="reason")
    _step(actor, meeting, True, MeetingState.CANCELLED, "meeting_cancelled", expected_version,
          cancel_reason=reason)
    _tell_invitees(meeting, "meeting_cancelled",
                   lambda user: (_("Meeting cancelled: %(title)s", title=meeting.title),
                                 reason), with_ics=True)


def approve_minutes(actor, meeting, expected_version=None):
    """held → minutes approved: the minutes freeze; consultation sessions go to the ministry."""
    require(meetings_permissions.can_approve_minutes(actor, meeting))
    if not rules.minutes_written(meeting) or not meeting.minutes.revisions:
        raise ValidationError(str(rules.NO_MINUTES))
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
    reason = plain_text(reason or "", 5000)
    if not reason:
        raise ValidationError(_("Say what needs to change."), field="reason")
    _step(actor, meeting, True, MeetingState.HELD, "meeting_sent_back", expected_version,
          sent_back_at=utcnow(), sent_back_reason=reason, minutes_approved_at=None,
          minutes_approved_by_id=None)
    notify(meeting.recorder, "meeting_sent_back",
           lambda: (_("Sent back by the ministry: %(title)s", title=meeting.title), reason),
           link=link(meeting))


def review_queue(user):
    """Held consultation sessions whose minutes are approved and await the ministry."""
    return db.session.scalars(meetings_permissions.visible_meetings(user).where(
        Meeting.kind == MeetingKind.CONSULTATION_SESSION,
        Meeting.state == MeetingState.MINUTES_APPROVED)
        .order_by(Meeting.minutes_approved_at, Meeting.id)).all()


def organisation_by_id(organisation_id):
    return db.session.get(Organisation, organisation_id) if organisation_id else None


def user_by_id(user_id):
    return db.session.get(User, user_id) if user_id else None


def parse_local(day, clock):
    """A date and a time typed in the meeting's zone, as one naive local datetime."""
    return datetime.combine(day, clock)
