"""The minutes of a meeting: written (with an autosaved draft), compared revision by revision,
approved, and signed off or sent back by the ministry."""
from flask import flash, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.richtext import outline_html
from portal.core.views import save_or_explain
from portal.i18n import number_filter
from portal.meetings import forms, services
from portal.meetings import permissions as meetings_permissions
from portal.meetings.meeting_page import act, back_to, load, load_for, refuse
from portal.meetings.models import MeetingState
from portal.meetings.views import bp


def _agenda_outline(meeting):
    """A new editor starts with the agenda as headings (in the reader's digits), each with a
    line to write under, so minutes can follow it."""
    return outline_html(f"{number_filter(item.position)}. {item.title}" for item in meeting.agenda)


@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(meeting_id):
    meeting = load_for(meetings_permissions.may_write_minutes, meeting_id)
    form = forms.MinutesForm()
    correcting = meeting.state == MeetingState.MINUTES_APPROVED
    message, status, restored, theirs = None, 200, None, None
    if request.method == "GET":
        draft = services.draft_for(current_user, meeting)
        current = meeting.minutes
        form.version_id.data = current.version_id if current else ""
        form.body.data = current.body_html if current else _agenda_outline(meeting)
        if draft is not None and draft.body and (current is None or
                                                 draft.body != current.body_html):
            form.body.data, restored = draft.body, draft
            if draft.base_version is not None:
                form.version_id.data = draft.base_version
    elif form.validate_on_submit():
        saved, message, status = save_or_explain(form, lambda: services.save_minutes(
            current_user, meeting, form.body.data, form.version_id.data, form.reason.data))
        if saved is not None:
            flash(_("The minutes are saved."), "success")
            return back_to(meeting_id, "#minutes")
        meeting = load(meeting_id)
        if status == 409:
            theirs = meeting.minutes
            # the next save is measured against their text, which the page shows for merging
            form.version_id.data = theirs.version_id
            message = _("Someone else saved the minutes while you were writing. Their text "
                        "is kept and shown below; yours is in the editor so you can merge "
                        "the two and save again.")
    else:
        status = 400
    return render_template("meetings/minutes.html", meeting=meeting, form=form,
                           correcting=correcting, message=message, restored=restored,
                           theirs=theirs), status


@bp.route("/<int:meeting_id>/minutes/autosave", methods=["POST"])
@login_required
def autosave(meeting_id):
    meeting = load_for(meetings_permissions.may_write_minutes, meeting_id)
    draft, message, status = save_or_explain(None, lambda: services.autosave(
        current_user, meeting, request.form.get("body", ""), request.form.get("version_id")))
    if draft is None:
        return jsonify(saved=False, message=message), status
    return jsonify(saved=True, saved_at=draft.saved_at.isoformat() + "Z")


@bp.route("/<int:meeting_id>/minutes/revisions")
@login_required
def revisions(meeting_id):
    meeting = load_for(meetings_permissions.can_see_minutes_history, meeting_id)
    revs = list(meeting.minutes.revisions) if meeting.minutes else []
    by_number = {r.number: r for r in revs}
    new = by_number.get(request.args.get("to", type=int) or 0) or (revs[-1] if revs else None)
    old = by_number.get(request.args.get("from", type=int) or 0)
    if old is None and new is not None:
        old = by_number.get(new.number - 1)
    rows = services.diff(old.body_html if old else "", new.body_html) if new else []
    return render_template("meetings/revisions.html", meeting=meeting, revisions=revs,
                           old=old, new=new, rows=rows)


@bp.route("/<int:meeting_id>/approve", methods=["POST"])
@login_required
def approve_minutes(meeting_id):
    meeting = load_for(meetings_permissions.can_approve_minutes, meeting_id)
    if not meetings_permissions.may_approve_minutes(current_user, meeting):
        return refuse(meeting_id, meetings_permissions.NO_MINUTES)
    return act(meeting, lambda m, f: services.approve_minutes(current_user, m,
                                                              f.version_id.data),
            _("The minutes are approved and frozen."))


@bp.route("/<int:meeting_id>/sign-off", methods=["POST"])
@login_required
def sign_off(meeting_id):
    meeting = load_for(meetings_permissions.can_sign_off, meeting_id)
    return act(meeting, lambda m, f: services.sign_off(current_user, m, f.comment.data,
                                                       f.version_id.data),
            _("Signed off. The outcome of this meeting is now read-only."),
            forms.SignOffForm)


@bp.route("/<int:meeting_id>/send-back", methods=["POST"])
@login_required
def send_back(meeting_id):
    meeting = load_for(meetings_permissions.can_send_back, meeting_id)
    return act(meeting, lambda m, f: services.send_back(current_user, m, f.reason.data,
                                                        f.version_id.data),
            _("The minutes are sent back to the recorder."), forms.ReasonForm)
