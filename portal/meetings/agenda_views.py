"""The agenda of a meeting: items added, changed where they stand, moved and removed."""
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.meetings import forms, services
from portal.meetings import permissions as meetings_permissions
from portal.meetings.meeting_page import (
    agenda_item_form,
    back_to,
    load_for,
    refuse,
    submit,
)
from portal.meetings.views import bp


def _agenda_item(meeting, item_id):
    item = next((a for a in meeting.agenda if a.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.route("/<int:meeting_id>/agenda", methods=["POST"])
@login_required
def add_agenda(meeting_id):
    meeting = load_for(meetings_permissions.can_edit_meeting, meeting_id)
    form = forms.AgendaForm()
    return submit(meeting, form, "agenda_form", lambda: services.add_agenda_item(
        current_user, meeting, title=form.title.data, presenter=form.presenter.data,
        duration=form.duration.data), anchor="#agenda")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["POST"])
@login_required
def edit_agenda(meeting_id, item_id):
    """An agenda item changed where it stands: its title, presenter and time."""
    meeting = load_for(meetings_permissions.may_edit_agenda, meeting_id)
    item = _agenda_item(meeting, item_id)
    form = agenda_item_form(item)
    return submit(meeting, form, "agenda_item_form", lambda: services.update_agenda_item(
        current_user, meeting, item, title=form.title.data, presenter=form.presenter.data,
        duration=form.duration.data), _("The agenda item is updated."),
        f"#agenda-item-{item_id}")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["POST"])
@login_required
def remove_agenda(meeting_id, item_id):
    meeting = load_for(meetings_permissions.can_edit_meeting, meeting_id)
    services.remove_agenda_item(current_user, meeting, _agenda_item(meeting, item_id))
    return back_to(meeting_id, "#agenda")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
@login_required
def move_agenda(meeting_id, item_id):
    meeting = load_for(meetings_permissions.may_edit_agenda, meeting_id)
    item = _agenda_item(meeting, item_id)
    step = -1 if request.form.get("direction") == "up" else 1
    if not meetings_permissions.may_move(current_user, meeting, item, step):
        return refuse(meeting_id, meetings_permissions.move_refusal(step))
    services.move_agenda_item(current_user, meeting, item, step)
    return back_to(meeting_id, "#agenda")
