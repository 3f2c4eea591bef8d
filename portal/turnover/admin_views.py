"""The turnover pages that feed and set up the figures: importing a file, its template, the
reporting periods, the concentration threshold and the bank systems' API tokens.

Routes of the turnover blueprint (portal.turnover.views). The request's unit of work commits
what a successful POST wrote and rolls back a refused one.
"""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core import tabular, unit_of_work
from portal.core.errors import ValidationError, require
from portal.core.forms import choices
from portal.core.views import after_upload, save_or_explain
from portal.extensions import db
from portal.turnover import forms, importing, queries, services
from portal.turnover import permissions as turnover_permissions
from portal.turnover import tokens as api_tokens
from portal.turnover.models import ApiToken, PeriodStatus, ReportingPeriod
from portal.turnover.views import bp


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_file():
    require(turnover_permissions.can_import_turnover(current_user))
    form = forms.ImportForm()
    bad_rows, total_bad, message, status = [], 0, None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = upload.read()
        finally:
            upload.close()  # a large upload is a temporary file on disk
        try:
            created, updated, unchanged = importing.import_turnover(
                current_user, upload.filename, data)
        except importing.ImportRejected as error:
            unit_of_work.discard()
            total_bad, bad_rows = len(error.rows), error.rows[:importing.MAX_LISTED]
            message, status = error.message, 400
        except ValidationError as error:
            unit_of_work.discard()
            message, status = error.message, 400
        except sa.exc.IntegrityError:
            # another import (or a correction) wrote the same reports while this file was
            # being written: theirs stands, this file is undone whole
            unit_of_work.discard()
            message, status = _("Another import wrote figures for the same months while this "
                                "file was being imported. Their figures are kept and nothing "
                                "from this file was imported: import it again."), 409
        else:
            flash(_("Imported: %(created)d new, %(updated)d corrected, %(unchanged)d "
                    "unchanged.", created=created, updated=updated, unchanged=unchanged),
                  "success")
            return after_upload(url_for("turnover.dashboard"))
    elif form.errors:
        status = 400
    return render_template("turnover/import.html", form=form, bad_rows=bad_rows,
                           total_bad=total_bad, message=message,
                           columns=importing.COLUMNS), status


@bp.route("/import/template.<fmt>")
@login_required
def import_template(fmt):
    require(turnover_permissions.can_import_turnover(current_user))
    month = services.parse_month(request.args.get("period", ""))
    key = f"{month:%Y-%m}" if month else ""
    orgs = queries.template_organisations(current_user)
    return tabular.export_response(list(importing.COLUMNS), importing.template_rows(key, orgs),
                                   f"turnover-template-{key or 'month'}", fmt)


@bp.route("/periods", methods=["GET", "POST"])
@login_required
def periods():
    require(turnover_permissions.can_manage_periods(current_user))
    form, message, status = forms.PeriodForm(), None, 200
    if form.validate_on_submit():
        month = services.parse_month(form.month.data)
        if month is None:
            form.month.errors = [_("Write the month as 2025-08.")]
            status = 400
        else:
            _period, message, status = save_or_explain(form, lambda: services.open_period(
                current_user, form.country.data.upper(), month))
            if status == 200:
                flash(_("Saved."), "success")
                return redirect(url_for("turnover.periods"))
    elif form.errors:
        status = 400
    threshold_form = forms.ThresholdForm(percent=round(services.threshold() * 100, 2))
    return render_template("turnover/periods.html", form=form, message=message,
                           periods=services.periods(), confirm=forms.ConfirmForm(),
                           threshold_form=threshold_form), status


@bp.route("/periods/<int:period_id>/<any(close, reopen):action>", methods=["POST"])
@login_required
def period_status(period_id, action):
    require(turnover_permissions.can_manage_periods(current_user))
    period = db.session.get(ReportingPeriod, period_id) or abort(404)
    forms.ConfirmForm().validate_on_submit() or abort(400)
    services.set_period_status(current_user, period, PeriodStatus.CLOSED if action == "close"
                               else PeriodStatus.OPEN)
    flash(_("Saved."), "success")
    return redirect(url_for("turnover.periods"))


@bp.route("/threshold", methods=["POST"])
@login_required
def threshold():
    require(turnover_permissions.can_manage_periods(current_user))
    form = forms.ThresholdForm()
    if not form.validate_on_submit():
        flash(_("Enter a percentage between 0 and 100."), "danger")
        return redirect(url_for("turnover.periods"))
    services.set_threshold(current_user, form.percent.data / 100)
    flash(_("Saved."), "success")
    return redirect(url_for("turnover.periods"))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    require(turnover_permissions.can_manage_api_tokens(current_user))
    form = forms.TokenForm()
    form.scopes.choices = choices([
        ("turnover:write turnover:read", _("Submit and read figures")),
        ("turnover:read", _("Read figures only")), ("turnover:write", _("Submit only"))])
    issued, status = None, 200
    if form.validate_on_submit():
        result, _message, status = save_or_explain(form, lambda: api_tokens.issue_token(
            current_user, form.name.data, form.scopes.data.split()))
        issued = result[1] if result else None
    elif form.errors:
        status = 400
    return render_template("turnover/tokens.html", form=form, issued=issued,
                           tokens=api_tokens.all_tokens(), confirm=forms.ConfirmForm()), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    require(turnover_permissions.can_manage_api_tokens(current_user))
    token = db.session.get(ApiToken, token_id) or abort(404)
    forms.ConfirmForm().validate_on_submit() or abort(400)
    api_tokens.revoke_token(current_user, token)
    flash(_("The token is revoked; the bank's systems can no longer use it."), "success")
    return redirect(url_for("turnover.tokens"))
