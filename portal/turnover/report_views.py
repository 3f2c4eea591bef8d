"""One organisation's report of a period: reading it, reporting and correcting its figures,
the turnover it ran through other banks, and the director's confirmation.

Routes of the turnover blueprint (portal.turnover.views). The request's unit of work commits
what a successful POST wrote and rolls back a refused one.
"""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.models import Organisation
from portal.core.errors import require
from portal.core.forms import choices
from portal.core.views import save_or_explain
from portal.extensions import db
from portal.i18n import month_filter
from portal.i18n.display import country_name
from portal.turnover import concentration, forms, queries, services
from portal.turnover import permissions as turnover_permissions
from portal.turnover.models import FIGURE_LABELS, FIGURES, ReportingPeriod, TurnoverReport
from portal.turnover.views import bp, require_reader


@bp.route("/reports/<int:report_id>")
@login_required
def report(report_id):
    require_reader()
    report = services.get_report(current_user, report_id)
    return _report_page(report, forms.OtherBankForm(formdata=None))


def _report_page(report, bank_form, status=200, message=None):
    return render_template("turnover/report.html", report=report, form=forms.ConfirmForm(),
                           bank_form=bank_form, figures=FIGURES, labels=FIGURE_LABELS,
                           message=message), status


def _other_banks_changed(report_id, bank_form, action, done):
    """Run a change to the other banks' rows; back to the report's section when it is
    saved, the report again with the reason (400) when the service refuses it."""
    _result, message, status = save_or_explain(bank_form, action)
    if status != 200:
        return _report_page(services.get_report(current_user, report_id), bank_form, status,
                            message)
    flash(done, "success")
    return redirect(url_for("turnover.report", report_id=report_id) + "#other-banks")


@bp.route("/reports/<int:report_id>/other-banks", methods=["POST"])
@login_required
def save_other_bank(report_id):
    require_reader()
    report = services.get_report(current_user, report_id)
    require(turnover_permissions.can_edit_turnover(current_user, report.organisation))
    form = forms.OtherBankForm()
    if not form.validate_on_submit():
        return _report_page(report, form, 400)
    return _other_banks_changed(report_id, form, lambda: concentration.save_other_bank(
        current_user, report, form.bank_name.data, form.amount.data), _("Saved."))


@bp.route("/reports/<int:report_id>/other-banks/<int:row_id>/delete", methods=["POST"])
@login_required
def delete_other_bank(report_id, row_id):
    require_reader()
    report = services.get_report(current_user, report_id)
    row = next((r for r in report.other_banks if r.id == row_id), None) or abort(404)
    forms.ConfirmForm().validate_on_submit() or abort(400)
    return _other_banks_changed(report_id, forms.OtherBankForm(formdata=None),
                                lambda: concentration.delete_other_bank(current_user, row),
                                _("Removed."))


@bp.route("/reports/<int:report_id>/confirm", methods=["POST"])
@login_required
def confirm(report_id):
    require_reader()
    report = services.get_report(current_user, report_id)
    forms.ConfirmForm().validate_on_submit() or abort(400)
    services.confirm_report(current_user, report)
    flash(_("The figures are confirmed."), "success")
    return redirect(url_for("turnover.report", report_id=report.id))


def _report_form(report=None):
    form = forms.ReportForm(obj=report)
    open_periods = queries.open_periods() if report is None else [report.period]
    form.organisation_id.offer(queries.editable_organisations(current_user) if report is None
                               else sa.select(Organisation).where(
                                   Organisation.id == report.organisation_id))
    several = len({p.country for p in open_periods}) > 1
    form.period_id.choices = choices(
        (p.id, _("%(period)s, %(country)s", period=month_filter(p.month),
                 country=country_name(p.country)) if several else month_filter(p.month))
        for p in open_periods)
    if request.method == "GET" and report is not None:
        form.version_id.data = report.version_id
    return form


def _save(report=None):
    form = _report_form(report)
    message, status = None, 200
    if form.validate_on_submit():
        org = report.organisation if report else db.session.get(Organisation,
                                                                 form.organisation_id.data)
        period = report.period if report else db.session.get(ReportingPeriod,
                                                              form.period_id.data)
        saved, message, status = save_or_explain(form, lambda: services.save_report(
            current_user, org, period, {f: getattr(form, f).data for f in FIGURES},
            currency=report.currency if report else None,
            expected_version=form.version_id.data))
        if status == 200:
            flash(_("Saved."), "success")
            return redirect(url_for("turnover.report", report_id=saved.id))
        if status == 409:
            message = _("Someone else changed these figures while you were editing. Their "
                        "change is kept; your figures are below so you can apply them again.")
            # the form now carries their version, so saving again applies these figures
            form.version_id.data = db.session.get(TurnoverReport, report.id).version_id
    elif form.errors:
        status = 400
    return render_template("turnover/report_form.html", form=form, report=report,
                           message=message), status


@bp.route("/reports/new", methods=["GET", "POST"])
@login_required
def new_report():
    require(turnover_permissions.can_import_turnover(current_user))
    return _save()


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit_report(report_id):
    require_reader()
    report = services.get_report(current_user, report_id)
    require(turnover_permissions.can_edit_turnover(current_user, report.organisation))
    return _save(report)
