"""What a meeting produced: statements from the floor (feedback items in an organisation's
name) and commitments, with their progress recorded table by table."""
from flask import abort, flash, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal.core import unit_of_work
from portal.core.errors import PermissionDenied, ValidationError, require
from portal.core.views import form_errors_into, save_or_explain
from portal.meetings import forms, services
from portal.meetings import permissions as meetings_permissions
from portal.meetings.meeting_page import (
    back_to,
    load_for,
    load_record,
    refused_form,
    show_page,
    statement_choices,
    submit,
    visible_commitments,
)
from portal.meetings.views import bp


@bp.route("/<int:meeting_id>/statements", methods=["POST"])
@login_required
def statement(meeting_id):
    meeting = load_for(meetings_permissions.can_record_meeting, meeting_id)
    form = forms.StatementForm()
    statement_choices(form)
    if not form.validate_on_submit():
        return show_page(meeting, status=400, statement_form=form)
    try:
        item, message, status = save_or_explain(form, lambda: services.record_statement(
            current_user, meeting,
            organisation=services.organisation_by_id(form.organisation_id.data),
            kind=form.kind.data, topic=form.topic.data, title=form.title.data,
            body_html=form.body.data))
    except PermissionDenied as error:
        # not in the recorder's portfolio: 403, what was typed kept on the page with the reason
        unit_of_work.discard()
        item, message, status = None, form_errors_into(form, error), error.status
    if item is None:
        return refused_form(meeting_id, status, message, statement_form=form)
    flash(_("The statement is recorded as feedback item %(id)s; its answer is tracked there.",
            id=item.id), "success")
    return back_to(meeting_id, "#statements")


@bp.route("/<int:meeting_id>/commitments", methods=["POST"])
@login_required
def commitment(meeting_id):
    meeting = load_for(meetings_permissions.can_record_meeting, meeting_id)
    form = forms.CommitmentForm()
    return submit(meeting, form, "commitment_form", lambda: services.add_commitment(
        current_user, meeting, description=form.description.data,
        organisation=services.organisation_by_id(form.organisation_id.data),
        owner=services.user_by_id(form.owner_id.data), due_on=form.due_on.data),
        _("The commitment is recorded."), "#commitments")


@bp.route("/<int:meeting_id>/commitments/progress", methods=["POST"])
@login_required
def commitment_progress(meeting_id):
    """Progress on the commitments of one table of the meeting page (made here, or carried
    forward from earlier meetings of the series), with one Save: each row moves on as
    set_commitment_status does, all or none."""
    meeting = load_record(meeting_id)
    table = request.form.get("table", "")
    if table not in forms.CommitmentProgressForm.TABLES:
        abort(400)
    form = forms.CommitmentProgressForm(prefix=table)
    form.table = table
    # only the commitments this page shows, and only those the reader may see
    listed = meeting.commitments if table == "made" else \
        visible_commitments(services.carried_commitments, meeting)
    by_id = {c.id: c for c in listed}
    rows = [(row, by_id.get(_int(row.commitment_id.data))) for row in form.rows]
    if not rows or any(c is None for _row, c in rows):
        abort(404)
    for _row, found in rows:
        require(meetings_permissions.can_update_commitment(
            current_user, found, meeting if table == "carried" else None))
    if not form.validate_on_submit():
        return show_page(meeting, status=400, progress_form=form)

    def record():
        try:
            return services.record_progress(current_user, meeting, [
                (found, row.status.data, row.note.data, row.version_id.data)
                for row, found in rows])
        except ValidationError as error:
            # each refused row says why under its note
            for index, reason in error.details.get("rows", {}).items():
                form.rows[index].note.errors = [*form.rows[index].note.errors, reason]
            raise

    changed, message, status = save_or_explain(form, record)
    if status == 409:
        flash(_("Someone else updated one of these commitments first. Here they are as they "
                "are now."), "warning")
        return show_page(load_record(meeting_id), status=409)
    if status != 200:
        return refused_form(meeting_id, status, message, progress_form=form)
    flash(ngettext("%(num)s commitment is updated.", "%(num)s commitments are updated.",
                   changed) if changed else _("Nothing was changed."), "success")
    return back_to(meeting_id, "#commitments")


def _int(text):
    return int(text) if text and str(text).isdecimal() else None
