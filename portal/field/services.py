"""Preparing groups for the field and settling what comes back.

An entry recorded on a device is checked as the online forms would check it, through the
meetings, feedback and indicators rules: a periodic group meeting planned, held, its attendance
and minutes recorded, each recommendation a statement from the floor (a feedback item credited
to the group), and the group's rating for the month. Services flush; the view commits.
"""
import html
import os
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _

from portal.accounts.models import Membership, Organisation, User
from portal.core import audit, clock
from portal.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from portal.core.sanitize import plain_text
from portal.extensions import db
from portal.feedback.models import Kind, Topic
from portal.field import permissions as field_permissions
from portal.field.models import FieldSubmission
from portal.i18n import current_language, date_filter, parsing, reader_calendar
from portal.i18n.fields import unreadable_message
from portal.indicators.models import Grade, GroupRating
from portal.meetings import services as meetings
from portal.meetings.models import Meeting, MeetingKind, MeetingState

RECORDED, DROPPED = "recorded", "dropped"
KEEP_MINE, KEEP_THEIRS = "keep_mine", "keep_theirs"
MAX_RECOMMENDATIONS = 50
MAX_ENTRIES = 50


def keep_days():
    """Days prepared data may stay on a device without a sync (PORTAL_FIELD_KEEP_DAYS)."""
    configured = current_app.config.get("FIELD_KEEP_DAYS")
    if configured is None:
        configured = os.environ.get("PORTAL_FIELD_KEEP_DAYS", "7")
    return max(1, int(configured))


# --- preparing -------------------------------------------------------------------------------

def groups_to_choose(user):
    return db.session.scalars(field_permissions.field_groups(user).order_by(
        Organisation.commune, Organisation.name).limit(1000)).all()


def _members(group):
    return db.session.scalars(sa.select(User).join(Membership).where(
        Membership.organisation_id == group.id, User.is_active).order_by(User.full_name)).all()


def _latest_grade(group):
    return db.session.scalar(sa.select(GroupRating.grade).where(
        GroupRating.organisation_id == group.id).order_by(GroupRating.period.desc()).limit(1))


def prepare(user, group_ids):
    """The groups chosen for a trip, as the device stores them: only groups the officer may
    take (field_permissions.field_groups); any other id is refused as unknown (NotFound)."""
    ids = {int(i) for i in group_ids}
    if not ids or len(ids) > 100:
        raise ValidationError(_("Choose between 1 and 100 groups."))
    groups = db.session.scalars(field_permissions.field_groups(user).where(
        Organisation.id.in_(sorted(ids)))).all()
    if len(groups) != len(ids):
        raise NotFound()
    return [group_data(group) for group in sorted(groups, key=lambda g: (g.commune or "",
                                                                          g.name))]


def group_data(group):
    grade = _latest_grade(group)
    return {"id": group.id, "name": group.name, "code": group.code, "commune": group.commune,
            "version": group.version_id, "grade": grade.value if grade else None,
            "members": [{"id": m.id, "name": m.full_name} for m in _members(group)]}


# --- settling an entry -----------------------------------------------------------------------

def settled(user, client_id):
    return db.session.scalar(sa.select(FieldSubmission).where(
        FieldSubmission.user_id == user.id, FieldSubmission.client_id == client_id))


def _text(entry, name, length):
    value = entry.get(name)
    return plain_text(value if isinstance(value, str) else "", length)


def _day(entry):
    """The meeting's day as the officer typed it, in their calendar and digits."""
    try:
        day = parsing.parse_date(_text(entry, "day", 40), reader_calendar(), current_language())
    except parsing.Unreadable as error:
        raise ValidationError(unreadable_message(error), field="day") from None
    if day is None:
        raise ValidationError(_("Give the day of the meeting."), field="day")
    return day


def _clock(entry, name, default):
    text = parsing.ascii_digits(_text(entry, name, 10)) or default
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("Write the time as hours and minutes, e.g. 08:30."),
                              field=name) from None


def _recommendations(entry):
    found = entry.get("recommendations") or []
    if not isinstance(found, list) or len(found) > MAX_RECOMMENDATIONS:
        raise ValidationError(_("Too many recommendations in one meeting."))
    cleaned = []
    for said in found:
        said = said if isinstance(said, dict) else {}
        title = _text(said, "title", 200)
        if not title:
            raise ValidationError(_("Give each recommendation a short title."),
                                  field="recommendations")
        cleaned.append({"title": title, "body": _text(said, "body", 5000),
                        "kind": Kind.CRITIQUE.value if said.get("kind") == "critique"
                        else Kind.PROPOSAL.value,
                        "topic": said.get("topic") if said.get("topic") in set(Topic)
                        else Topic.OTHER.value})
    return cleaned


def _grade(entry):
    value = entry.get("grade") or ""
    if not value:
        return None
    try:
        return Grade(value)
    except ValueError:
        raise ValidationError(_("Choose a rating from the list."), field="grade") from None


def _present(entry):
    ids = entry.get("present") or []
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise ValidationError(_("Mark who was present from the group's members."))
    count = entry.get("members_present")
    if count in (None, ""):
        return set(ids), None
    try:
        count = int(parsing.ascii_digits(str(count)))
    except ValueError:
        raise ValidationError(_("Write how many members came as a number."),
                              field="members_present") from None
    if not 0 <= count <= 10000:
        raise ValidationError(_("Write how many members came as a number."),
                              field="members_present")
    return set(ids), count


def read_entry(entry):
    """The entry's values, checked as the online form checks them (ValidationError)."""
    day = _day(entry)
    starts, ends = _clock(entry, "start", "08:00"), _clock(entry, "end", "10:00")
    present, count = _present(entry)
    return {"day": day, "starts": starts, "ends": ends, "present": present,
            "members_present": count, "place": _text(entry, "place", 300),
            "notes": _text(entry, "notes", 20000), "grade": _grade(entry),
            "recommendations": _recommendations(entry)}


def _group(user, entry):
    group_id = entry.get("group_id")
    group = db.session.scalar(field_permissions.field_groups(user).where(
        Organisation.id == (group_id if isinstance(group_id, int) else -1)))
    if group is None:
        raise PermissionDenied(_("This group is not among those you may record for."))
    return group


def _zone_name(group):
    return clock.COUNTRY_ZONES.get((group.country or "").upper(), clock.DEFAULT_ZONE)


def meeting_on(group, day):
    """The group's periodic meeting on that local day, if one was recorded (not cancelled)."""
    zone = _zone_name(group)
    start = meetings.to_utc(datetime.combine(day, time.min), zone)
    end = meetings.to_utc(datetime.combine(day + timedelta(days=1), time.min), zone)
    return db.session.scalar(sa.select(Meeting).where(
        Meeting.kind == MeetingKind.PERIODIC_GROUP_MEETING,
        Meeting.host_organisation_id == group.id, Meeting.state != MeetingState.CANCELLED,
        Meeting.starts_at >= start, Meeting.starts_at < end).order_by(Meeting.id).limit(1))


def _theirs(meeting):
    """The online meeting as the officer compares it with their own entry."""
    minutes = meetings.html_to_text(meeting.minutes.body_html) if meeting.minutes else ""
    present = [i.user.full_name for i in meeting.invitations if i.attended]
    return {"kind": "meeting", "title": meeting.title, "day": date_filter(meeting.starts_at),
            "place": meeting.place or "",
            "state": str(meeting.state.label), "notes": minutes, "present": present,
            "recommendations": [s.item.title for s in meeting.statements],
            "url": url_for("meetings.show", meeting_id=meeting.id)}


def _conflict(user, group, entry, values):
    """What changed online since the officer prepared: the group itself, or its meeting of
    that day. None when nothing collides."""
    existing = meeting_on(group, values["day"])
    if existing is not None:
        return {"reason": _("This group's meeting of that day was recorded online meanwhile."),
                "theirs": _theirs(existing)}
    if entry.get("group_version") != group.version_id:
        return {"reason": _("The group was changed online since you prepared it."),
                "theirs": {"kind": "group", **group_data(group)}}
    return None


def _minutes_body(values, members):
    paragraphs = []
    if values["members_present"] is not None:
        paragraphs.append(_("Members present: %(count)s", count=values["members_present"]))
    if values["present"]:
        names = ", ".join(m.full_name for m in members if m.id in values["present"])
        paragraphs.append(_("Present from the group: %(names)s", names=names))
    paragraphs += [line for line in values["notes"].splitlines() if line.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def _meeting_for(user, group, values, existing):
    """The meeting to record into: the online one when the officer kept theirs over it,
    otherwise a new periodic meeting hosted by the group, the group invited."""
    meeting = existing
    if meeting is None:
        zone = _zone_name(group)
        meeting = meetings.plan_meeting(
            user, kind=MeetingKind.PERIODIC_GROUP_MEETING,
            title=_("Periodic group meeting: %(group)s", group=group.name),
            starts_local=datetime.combine(values["day"], values["starts"]),
            ends_local=datetime.combine(values["day"], values["ends"]), timezone=zone,
            place=values["place"] or group.commune or group.name, online_link=None,
            host_organisation=group, chair=None, chair_name=None, recorder=user,
            confidential=False)
    if meeting.state == MeetingState.PLANNED:
        if group.id not in {mo.organisation_id for mo in meeting.organisations}:
            meetings.invite(user, meeting, organisations=[group])
        meetings.mark_held(user, meeting)
    return meeting


def _rate(user, group, day, grade):
    """The group's rating for the month of the meeting, as an import would set it."""
    if not field_permissions.may_rate(user):
        raise PermissionDenied(_("You may not rate groups."))
    month = date(day.year, day.month, 1)
    rating = db.session.scalar(sa.select(GroupRating).where(
        GroupRating.organisation_id == group.id, GroupRating.period == month))
    before = {"grade": rating.grade.value} if rating else None
    if rating is None:
        rating = GroupRating(organisation_id=group.id, period=month, grade=grade)
        db.session.add(rating)
    rating.grade = grade
    db.session.flush()
    audit.record(user, "group_rated_in_field", group, before, {
        "period": month.isoformat(), "grade": grade.value})


def _write(user, group, values, existing):
    members = _members(group)
    meeting = _meeting_for(user, group, values, existing)
    invited = {i.user_id for i in meeting.invitations}
    meetings.record_attendance(
        user, meeting, organisation_ids=[group.id] if values["present"] or
        values["members_present"] else [], user_ids=values["present"] & invited)
    body = _minutes_body(values, members)
    if body:
        meetings.save_minutes(user, meeting, body)
    items = [meetings.record_statement(
        user, meeting, organisation=group, kind=said["kind"], title=said["title"],
        body_html=f"<p>{html.escape(said['body'] or said['title'])}</p>", topic=said["topic"])
        for said in values["recommendations"]]
    if values["grade"] is not None:
        _rate(user, group, values["day"], values["grade"])
    return meeting, items


def settle(user, entry):
    """Settle one entry from a device. Returns the result the device shows:
    {"status": "recorded" | "dropped" | "refused" | "conflict", ...}.

    A client id already settled returns its stored result (a replay writes nothing). A refused
    entry carries the reasons in the officer's language; a conflict carries the online
    version, and nothing is written until the officer sends the entry again with
    "resolution": "keep_mine" or "keep_theirs"."""
    client_id = entry.get("client_id") if isinstance(entry, dict) else None
    if not isinstance(client_id, str) or not 8 <= len(client_id) <= 36:
        return {"status": "refused", "reasons": [_("The entry has no identifier.")]}
    done = settled(user, client_id)
    if done is not None:
        return {**done.result, "client_id": client_id, "replayed": True}
    try:
        with db.session.begin_nested():
            result = _settle_new(user, client_id, entry)
    except sa.exc.IntegrityError:
        # the same entry, sent twice at once, was settled by the other request
        done = settled(user, client_id)
        if done is None:
            raise
        return {**done.result, "client_id": client_id, "replayed": True}
    except (ValidationError, PermissionDenied, NotFound, Conflict) as error:
        return {"status": "refused", "client_id": client_id,
                "reasons": [str(error.message or _("This entry cannot be recorded."))]}
    return {**result, "client_id": client_id}


def _settle_new(user, client_id, entry):
    group = _group(user, entry)
    values = read_entry(entry)
    resolution = entry.get("resolution")
    conflict = _conflict(user, group, entry, values)
    if conflict is not None and resolution not in (KEEP_MINE, KEEP_THEIRS):
        return {"status": "conflict", **conflict}
    if conflict is not None and resolution == KEEP_THEIRS:
        return _store(user, client_id, group, None, {"status": DROPPED})
    existing = meeting_on(group, values["day"])
    meeting, items = _write(user, group, values, existing)
    return _store(user, client_id, group, meeting, {
        "status": RECORDED, "meeting_id": meeting.id,
        "meeting_url": url_for("meetings.show", meeting_id=meeting.id),
        "feedback_ids": [item.id for item in items]})


def _store(user, client_id, group, meeting, result):
    db.session.add(FieldSubmission(user_id=user.id, client_id=client_id,
                                   organisation_id=group.id,
                                   meeting_id=meeting.id if meeting else None,
                                   status=result["status"], result=result))
    db.session.flush()
    audit.record(user, "field_entry_settled", group, after={
        "client_id": client_id, **{k: v for k, v in result.items() if k != "meeting_url"}})
    return result


def settle_all(user, entries):
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise ValidationError(_("Send at most %(n)s entries at once.", n=MAX_ENTRIES))
    return [settle(user, entry) for entry in entries]

