"""The meeting page, shared by the views that act on a meeting: loading a visible meeting with
all its page shows, rendering the page (again, with a refused form and why), and running one
action on it. The routes are in views.py and the *_views.py modules of the same blueprint."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.clock import reader_today
from portal.core.errors import require
from portal.core.forms import choices
from portal.core.models import get_visible
from portal.core.views import save_or_explain
from portal.feedback.models import Kind, Topic
from portal.meetings import forms, queries, services
from portal.meetings import permissions as meetings_permissions
from portal.meetings.feeds import feed_token
from portal.meetings.models import Invitation, Meeting, MeetingOrganisation, MeetingState, Minutes


def load(meeting_id, *options):
    """A meeting the reader may see (404 otherwise)."""
    return get_visible(meetings_permissions.visible_meetings(current_user).options(*options),
                       Meeting, meeting_id)


def load_for(rule, meeting_id, *options):
    """A meeting the reader may see (404 otherwise) and that rule(current_user, meeting), one
    of meetings.permissions' can_/may_ functions, lets them act on (403 otherwise): where
    every action on a meeting starts."""
    meeting = load(meeting_id, *options)
    require(rule(current_user, meeting))
    return meeting


def _record_options():
    """Loader options for everything the meeting page and its printable view show: the people
    and organisations named are joined into the statement that loads the meeting, and each
    collection (agenda, invited organisations, invitations, commitments with their history)
    costs one statement, however many rows it has."""
    orm = sa.orm
    return (
        orm.joinedload(Meeting.series), orm.joinedload(Meeting.host_organisation),
        orm.joinedload(Meeting.chair), orm.joinedload(Meeting.recorder),
        orm.joinedload(Meeting.signed_off_by),
        orm.joinedload(Meeting.minutes).options(orm.joinedload(Minutes.updated_by),
                                                orm.undefer(Minutes.revision_count)),
        orm.selectinload(Meeting.agenda),
        orm.selectinload(Meeting.organisations).joinedload(MeetingOrganisation.organisation),
        orm.selectinload(Meeting.invitations).options(orm.joinedload(Invitation.user),
                                                      orm.joinedload(Invitation.organisation)),
        orm.selectinload(Meeting.commitments).options(*services.commitment_table_options()),
    )


def load_record(meeting_id):
    """A visible meeting with all that its page shows (404 otherwise)."""
    return load(meeting_id, *_record_options())


def visible_commitments(load_commitments, *args):
    """Only the commitments made at meetings the reader may see: what was agreed at a
    confidential meeting stays with those who may read that meeting, on the series page and
    when it is carried forward to a later meeting. load_commitments is a service
    (carried_commitments, series_open_commitments) that filters by the reader's meetings in the
    statement that loads the commitments, so this costs no query of its own."""
    return load_commitments(*args,
                            visible_meetings=meetings_permissions.visible_meetings(current_user))


def page_context(meeting):
    """What the meeting page and its printable view show besides the meeting."""
    invitation = next((i for i in meeting.invitations if i.user_id == current_user.id), None)
    return dict(meeting=meeting, statements=queries.statements_heard(current_user, meeting),
                carried=visible_commitments(services.carried_commitments, meeting),
                today=reader_today(), my_invitation=invitation)


def agenda_item_form(item, **kwargs):
    """An agenda item's edit form: the same names for every item (the address says which
    item), ids of its own, so each label names its item's box."""
    form = forms.AgendaForm(prefix="item", **kwargs)
    form.item_id = item.id
    for field in form:
        field.id = f"item-{item.id}-{field.short_name}"
    return form


def _agenda_forms(meeting, edited=None):
    """{item id: its edit form}, filled with what the item says, for those who may edit the
    agenda; edited (a refused form) keeps what was typed for its item."""
    if not meetings_permissions.may_edit_agenda(current_user, meeting):
        return {}
    found = {}
    for item in meeting.agenda:
        if edited is not None and edited.item_id == item.id:
            found[item.id] = edited
            continue
        # formdata=None: on a page shown again after another form was refused, the items'
        # forms show the items, not the other form's post
        found[item.id] = agenda_item_form(item, formdata=None, data={
            "title": item.title, "presenter": item.presenter, "duration": item.minutes})
    return found


def _progress_form(meeting, table, commitments, given=None):
    """The progress form of one commitment table: a row for each commitment the reader may
    move on there, None when there is none. given (a refused form of this table) keeps what
    was typed and the rows' messages."""
    if given is not None and given.table == table:
        return given
    updatable = meetings_permissions.updatable_commitments(current_user, meeting, commitments,
                                                           carried=table == "carried")
    if not updatable:
        return None
    return forms.CommitmentProgressForm(formdata=None, prefix=table, data={"rows": [
        {"commitment_id": c.id, "version_id": c.version_id, "status": c.status.value}
        for c in updatable]})


def statement_choices(form):
    """The kinds and topics a statement from the floor may have."""
    form.kind.choices = choices(Kind.choices())
    form.topic.choices = choices(Topic.choices())


def show_page(meeting, status=200, **given):
    """The meeting page; given holds a refused form (what was typed stays) and a message."""
    version_form = forms.VersionForm()
    version_form.version_id.data = meeting.version_id
    invite_form = given.get("invite_form") or forms.InviteForm()
    statement_form = given.get("statement_form") or forms.StatementForm()
    commitment_form = given.get("commitment_form") or forms.CommitmentForm()
    # the invitation form shows only before the meeting (show.html): its long lists of the
    # whole network are read only then
    if meetings_permissions.can_edit_meeting(current_user, meeting) and \
            meeting.state == MeetingState.PLANNED:
        invite_form.organisation_ids.offer(meetings_permissions.meeting_organisations(
            current_user))
        invite_form.user_ids.choices = choices(queries.invitable_people(current_user))
    if meetings_permissions.can_record_meeting(current_user, meeting):
        invited = [(o.id, o.name) for o in meeting.invited_organisations]
        # only those the recorder may speak for: invited, and in their portfolio
        statement_form.organisation_id.choices = choices(
            (o.id, o.name) for o in meetings_permissions.speakers(current_user, meeting))
        statement_choices(statement_form)
        commitment_form.organisation_id.choices = choices(
            [(meeting.host_organisation_id, meeting.host_organisation.name)]
            + [pair for pair in invited if pair[0] != meeting.host_organisation_id])
        owners = {i.user_id: i.user.full_name for i in meeting.invitations}
        owners.setdefault(meeting.recorder_id, meeting.recorder.full_name)
        commitment_form.owner_id.choices = choices([("", _("— none —"))] + sorted(
            owners.items(), key=lambda pair: pair[1]))
    reason_form = given.get("reason_form") or forms.ReasonForm()
    reason_form.version_id.data = meeting.version_id
    sign_off_form = forms.SignOffForm()
    sign_off_form.version_id.data = meeting.version_id
    context = page_context(meeting)
    progress = given.get("progress_form")
    return render_template(
        "meetings/show.html", version_form=version_form, invite_form=invite_form,
        agenda_form=given.get("agenda_form") or forms.AgendaForm(),
        agenda_forms=_agenda_forms(meeting, given.get("agenda_item_form")),
        statement_form=statement_form, commitment_form=commitment_form,
        reason_form=reason_form, sign_off_form=sign_off_form,
        made_progress=_progress_form(meeting, "made", meeting.commitments, progress),
        carried_progress=_progress_form(meeting, "carried", context["carried"], progress),
        message=given.get("message"),
        feed_url=url_for("meetings.feed", token=feed_token(current_user), _external=True),
        **context), status


def refuse(meeting_id, message):
    """An action the meeting's state or date does not allow (its button is not on the page,
    but a page left open may still send it): the meeting page again, saying why."""
    flash(str(message), "danger")
    return show_page(load_record(meeting_id), status=400)


def back_to(meeting_id, anchor=""):
    """After an accepted change: the meeting page, at the part that changed."""
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + anchor)


def act(meeting, action, done, form_cls=forms.VersionForm, anchor=""):
    """Run one action on a meeting (loaded by load_for): 409 on a stale form, 400 on refused
    input, each with the page as it is now and why; the request's unit of work commits an
    accepted one."""
    meeting_id = meeting.id
    form = form_cls()
    if not form.validate_on_submit():
        flash(_("Check what you entered and try again."), "danger")
        return show_page(meeting, status=400)
    # no form to show a refusal next to: the page says why above everything
    _result, message, status = save_or_explain(None, lambda: action(meeting, form))
    if status == 409:
        flash(_("Someone else changed this meeting while you were looking at it. Here it is "
                "as it is now."), "warning")
        return show_page(load_record(meeting_id), status=409)
    if status != 200:
        flash(message, "danger")
        return show_page(load_record(meeting_id), status=status)
    flash(done, "success")
    return back_to(meeting_id, anchor)


def refused_form(meeting_id, status, message, **form):
    """The meeting page again after a service refused a form: reloaded (what the request wrote
    is undone), the form keeping what was typed, and why."""
    return show_page(load_record(meeting_id), status=status, message=message, **form)


def submit(meeting, form, given_as, action, done=None, anchor=""):
    """A form of the meeting page: refused by the form, the page again (400) with what was
    typed; refused by the service, the page reloaded (what the request wrote is undone) with
    why; accepted, done is said and the page shown at anchor. action() calls the service."""
    if not form.validate_on_submit():
        return show_page(meeting, status=400, **{given_as: form})
    _result, message, status = save_or_explain(form, action)
    if status != 200:
        return refused_form(meeting.id, status, message, **{given_as: form})
    if done:
        flash(done, "success")
    return back_to(meeting.id, anchor)
