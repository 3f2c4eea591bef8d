"""Who comes to a meeting: invitations sent, answered, and attendance recorded."""
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.meetings import forms, queries, services
from portal.meetings import permissions as meetings_permissions
from portal.meetings.meeting_page import act, load_for, submit
from portal.meetings.views import bp


@bp.route("/<int:meeting_id>/invite", methods=["POST"])
@login_required
def invite(meeting_id):
    meeting = load_for(meetings_permissions.can_edit_meeting, meeting_id)
    form = forms.InviteForm()
    form.organisation_ids.offer(meetings_permissions.meeting_organisations(current_user))
    return submit(meeting, form, "invite_form", lambda: services.invite(
        current_user, meeting, queries.organisations_by_ids(form.organisation_ids.data),
        queries.people_by_ids(form.user_ids.data)),
        _("The invitations are sent."), "#participants")


@bp.route("/<int:meeting_id>/reply", methods=["POST"])
@login_required
def reply(meeting_id):
    meeting = load_for(meetings_permissions.can_reply_to_invitation, meeting_id)
    answer = request.form.get("reply", "")
    if answer not in ("accepted", "declined"):
        abort(400)
    return act(meeting, lambda m, f: services.reply(current_user, m, answer),
            _("Thank you for your answer."))


@bp.route("/<int:meeting_id>/attendance", methods=["POST"])
@login_required
def attendance(meeting_id):
    meeting = load_for(meetings_permissions.can_record_attendance, meeting_id)
    return act(meeting, lambda m, f: services.record_attendance(
        current_user, m, request.form.getlist("organisation_ids", type=int),
        request.form.getlist("user_ids", type=int)),
        _("Attendance is recorded."), anchor="#participants")
