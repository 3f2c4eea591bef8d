"""Meeting operations: series, planning, agenda, invitations, attendance and statements from
the floor. Each checks permission, validates, changes, flushes, writes the audit entry and
notifies through the outbox; the request's unit of work (or a CLI command) commits once.

The minutes, the commitments and the state machine have modules of their own; their
operations are named here too, so that other areas (and the demo) reach every meeting
operation through this one module."""
import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import Membership, Organisation, Role, User
from portal.core import audit
from portal.core.errors import PermissionDenied, ValidationError, require
from portal.core.models import utcnow
from portal.core.sanitize import plain_text
from portal.extensions import db
from portal.feedback import services as feedback_services
from portal.meetings import permissions as meetings_permissions
from portal.meetings.commitments import (  # noqa: F401 - for other areas, see above
    add_commitment,
    carried_commitments,
    commitment_table_options,
    overdue_commitments,
    overdue_query,
    record_progress,
    remind_overdue,
    series_open_commitments,
    set_commitment_status,
)
from portal.meetings.minutes import (  # noqa: F401 - for other areas, see above
    autosave,
    diff,
    draft_for,
    html_to_text,
    save_minutes,
)
from portal.meetings.models import (
    MEETING_FIELDS,
    AgendaItem,
    ConsultationSeries,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingOrganisation,
    MeetingState,
    MeetingStatement,
    Reply,
    touch,
)
from portal.meetings.notices import link, tell_invitees, when_for
from portal.meetings.states import (  # noqa: F401 - for other areas, see above
    approve_minutes,
    cancel,
    mark_held,
    send_back,
    sign_off,
)
from portal.meetings.times import (  # noqa: F401 - for other areas, see above
    format_in_zone,
    in_zone,
    parse_local,
    to_utc,
    zone,
)

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
    inviting organisations they may name (meetings_permissions.meeting_organisations)."""
    require(meetings_permissions.can_organise_meetings(actor))
    if host_organisation is None:
        raise ValidationError(_("Choose the host organisation."), field="host_organisation_id")
    if not all(meetings_permissions.may_name(actor, org) for org in (host_organisation,
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


def _check_host(actor, host, current=None):
    """The host is an organisation the actor may name (permissions.meeting_organisations);
    a meeting keeps the host it has even if that one has since closed."""
    if host is not None and host != current and not meetings_permissions.may_name(actor, host):
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
        tell_invitees(meeting, "meeting_moved",
                       lambda user: (_("Meeting moved: %(title)s", title=meeting.title),
                                     when_for(user, meeting)), with_ics=True)
    return meeting


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
    touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_agenda_added", meeting, after={"title": title})
    return item


def remove_agenda_item(actor, meeting, item):
    require(meetings_permissions.can_edit_meeting(actor, meeting))
    meeting.agenda.remove(item)
    for number, remaining in enumerate(meeting.agenda, start=1):
        remaining.position = number
    touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_agenda_removed", meeting, before={"title": item.title})


def update_agenda_item(actor, meeting, item, *, title, presenter=None, duration=None):
    """Change an item's text where it stands on the agenda; its place is kept."""
    require(meetings_permissions.can_edit_meeting(actor, meeting))
    title, presenter, duration = _agenda_fields(title, presenter, duration)
    before = {"title": item.title, "presenter": item.presenter, "minutes": item.minutes}
    item.title, item.presenter, item.minutes = title, presenter, duration
    touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_agenda_changed", meeting, before=before,
                 after={"title": title, "presenter": presenter, "minutes": duration})
    return item


def move_agenda_item(actor, meeting, item, step):
    """Move an item one place up (step -1) or down (+1). The first item does not move up nor
    the last down: ValidationError, as the page offers neither."""
    require(meetings_permissions.can_edit_meeting(actor, meeting))
    if not meetings_permissions.may_move(actor, meeting, item, step):
        raise ValidationError(str(meetings_permissions.move_refusal(step)))
    items = list(meeting.agenda)
    index = items.index(item)
    other = index + (1 if step > 0 else -1)
    items[index].position, items[other].position = items[other].position, \
        items[index].position
    touch(meeting)
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
    if not all(meetings_permissions.may_name(actor, org) for org in organisations):
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
    touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_invited", meeting, after={
        "organisations": sorted(invited_orgs), "people": [i.user_id for i in new]})
    tell_invitees(meeting, "meeting_invitation",
                   lambda user: (_("Invitation: %(title)s", title=meeting.title),
                                 when_for(user, meeting)), with_ics=True, people=new)
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
    touch(meeting)
    db.session.flush()
    audit.record(actor, "meeting_attendance", meeting, after={
        "organisations": sorted(o.organisation_id for o in meeting.organisations if o.attended),
        "people": sorted(user_ids)})


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
    if not meetings_permissions.may_speak_for(actor, meeting, organisation):
        raise PermissionDenied(_("%(organisation)s is not in your portfolio: a statement can be "
                                 "recorded only in the name of an organisation you serve.",
                                 organisation=organisation.name), field="organisation_id")
    item = feedback_services.submit(
        actor, kind=kind, organisation=organisation, title=title, body_html=body_html,
        topic=topic, visibility="confidential" if meeting.confidential else "public",
        origin=(meeting.title, link(meeting)), **kind_fields)
    meeting.statements.append(MeetingStatement(feedback_item_id=item.id,
                                               confidential_by_meeting=meeting.confidential))
    touch(meeting)
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

def organisation_by_id(organisation_id):
    return db.session.get(Organisation, organisation_id) if organisation_id else None


def user_by_id(user_id):
    return db.session.get(User, user_id) if user_id else None
