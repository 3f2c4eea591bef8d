"""Helpers every area's views use."""
from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core import unit_of_work
from portal.core.errors import Conflict, ValidationError


def safe_next(default_endpoint="home.index"):
    """A redirect target from ?next= or the form, only if it stays on this site."""
    target = request.values.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc \
            and "\\" not in target:
        return target
    return url_for(default_endpoint)


def form_errors_into(form, error):
    """Show a service's ValidationError next to the field it names, or above the form."""
    field = error.details.get("field")
    if field and hasattr(form, field):
        getattr(form, field).errors = list(getattr(form, field).errors) + [error.message]
        # listed in the page's error summary too, like a field the form itself refused
        g.setdefault("refused_forms", []).append(form)
        return None
    return error.message


def after_upload(url):
    """Where to go after an accepted upload. A page that sent the file with upload progress
    (static/js/upload-progress.js) gets the address as JSON and goes there itself; a plain
    form post is redirected. Either way the flashed message waits in the session."""
    from flask import jsonify, redirect, request

    if request.headers.get("X-Upload-Progress"):
        return jsonify(next=url)
    return redirect(url)


def conflict_message():
    return _("Someone else changed this while you were editing. Their change is kept; your "
             "text is below so you can apply it again.")


def save_or_explain(form, action):
    """Run a form's service call; on a stale version (409) or a service's refusal (400) undo
    it, audit entry included, and say why next to the field or above the form.
    Returns (result, message, status). The request's unit of work (core/unit_of_work.py)
    commits when the view answers with success."""
    try:
        result = action()
    except Conflict:
        unit_of_work.discard()
        return None, conflict_message(), 409
    except ValidationError as error:
        unit_of_work.discard()
        return None, form_errors_into(form, error), 400
    return result, None, 200


def save_form(form, save, template, saved_url, context=None, message=None, conflict=None):
    """The edit page of a record: on a valid POST run save() (a service call), say "Saved."
    and go to saved_url(result). A stale version (409), a service's refusal or the form's own
    (400) shows the page again with what was typed and why; the unit of work then rolls back.
    message: a notice shown when nothing was refused; conflict: the area's own words for a
    stale version, instead of conflict_message()."""
    status = 200
    if form.validate_on_submit():
        saved, refusal, status = save_or_explain(form, save)
        if status == 200:
            flash(_("Saved."), "success")
            return redirect(saved_url(saved))
        message = conflict if status == 409 and conflict else refusal
    elif form.errors:
        status = 400
    return render_template(template, form=form, message=message, **(context or {})), status


def record_form(form, record, save, template, saved_url, context=None, message=None,
                conflict=None):
    """The page that creates (record=None) or edits a record two people may edit (a
    version_id column). Opening an existing record puts the version it was read at into the
    form, so a save over someone else's change is a 409, not a silent overwrite; a valid POST
    calls save(current_user, form.data_for_service(), record, expected_version=...), the
    area's create-or-update service, through save_form."""
    if request.method == "GET" and record is not None:
        form.version_id.data = record.version_id
    return save_form(
        form, lambda: save(current_user, form.data_for_service(), record,
                           expected_version=form.version_id.data),
        template, saved_url, context, message=message, conflict=conflict)
