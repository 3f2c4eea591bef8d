"""Turnover pages: the concentration dashboard, reports and corrections, imports, periods."""
from collections import namedtuple
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts.models import Organisation, Role, Sector
from portal.core import charts, tabular
from portal.core.errors import Conflict, ValidationError, require
from portal.core.forms import choices
from portal.core.pagecache import cached_page
from portal.core.views import after_upload, form_errors_into
from portal.extensions import db
from portal.home.panels import home_panel, nav_item
from portal.i18n import is_rtl, month_filter, percent_filter
from portal.i18n.display import country_name
from portal.turnover import api, concentration, forms, importing, services
from portal.turnover import permissions as turnover_permissions
from portal.turnover.models import (
    FIGURE_LABELS,
    FIGURES,
    ApiToken,
    PeriodStatus,
    ReportingPeriod,
    TurnoverReport,
)
from portal.turnover.windows import Window, parse_window

bp = Blueprint("turnover", __name__, url_prefix="/turnover", template_folder="templates")
LEVEL_LABELS = {"organisation": _l("Organisation"), "union": _l("Union"),
                "sector": _l("Sector"), "province": _l("Province"), "network": _l("Network")}
TABLES = ("shares", "reports", "laggards", "movers", "trend", "banks")
TrendRow = namedtuple("TrendRow", "month currency total bank share")


def _require_reader():
    require(turnover_permissions.can_read_turnover(current_user))


def _periods_with_data():
    """Periods in which the user can read at least one report, newest first."""
    reports = turnover_permissions.visible_turnover_reports(current_user).with_only_columns(
        TurnoverReport.period_id)
    return db.session.scalars(sa.select(ReportingPeriod).where(
        ReportingPeriod.id.in_(reports)).order_by(ReportingPeriod.month.desc(),
                                                  ReportingPeriod.country)).all()


def _selected_period(available):
    wanted = request.args.get("period", type=int)
    for period in available:
        if period.id == wanted:
            return period
    return available[0] if available else None


def _window_choices(available):
    """(months, quarters): the windows the dashboard offers, newest first."""
    months = [Window.of_period(p) for p in available]
    quarters = list(dict.fromkeys(Window.quarter_of(w.country, w.start) for w in months))
    return months, quarters


def _selected_window(available):
    """The month or quarter asked for (?window=IR-2025-08 or IR-2025-Q3; ?period=<id> as
    before), if the user can read any figures in it; else the latest month with figures."""
    months, quarters = _window_choices(available)
    wanted = parse_window(request.args.get("window"))
    if wanted in months or wanted in quarters:
        return wanted
    period = _selected_period(available)
    return Window.of_period(period) if period else None


def window_label(window):
    if window.length == 1:
        return month_filter(window.start)
    return _("%(first)s to %(last)s", first=month_filter(window.start),
             last=month_filter(window.last))


def _window_option(months):
    """How the period picker names a month or quarter: in words ("مرداد ۱۴۰۴"), with its
    country's name only when the picker offers the periods of more than one country."""
    several = len({w.country for w in months}) > 1

    def option(window):
        if not several:
            return window_label(window)
        return _("%(period)s, %(country)s", period=window_label(window),
                 country=country_name(window.country))
    return option


def _sector_names(rows):
    """At the sector level the name column holds the Sector value: show its label."""
    labels = {s.value: str(s.label) for s in Sector}
    return [SimpleNamespace(**{**r._asdict(), "name": labels.get(r.name, _("No sector given"))})
            for r in rows]


def _shares(window, level):
    rows = services.shares(current_user, window.period_ids(), level)
    return _sector_names(rows) if level == "sector" else rows


def _quarterly(trend):
    """Month rows of the trend added up into quarters (a few dozen rows, already summed)."""
    sums = {}
    for row in trend:
        key = (row.currency, Window.quarter_of("", row.month).start)
        total, bank = sums.get(key, (0, 0))
        sums[key] = (total + int(row.total or 0), bank + int(row.bank or 0))
    return [TrendRow(month, currency, total, bank, bank / total if total else None)
            for (currency, month), (total, bank) in sorted(sums.items())]


def _trend(window, rows=None):
    trend = services.trend(current_user, country=window.country) if rows is None else rows
    return _quarterly(trend) if window.length == 3 else trend


def _default_level():
    if permissions.is_admin(current_user) or permissions.is_ministry(current_user):
        return "union"
    return "organisation"


def _trend_charts(window, rows, title):
    """The trend as a chart for wide screens and one laid out for a phone."""
    return {"trend_chart": _trend_chart(window, rows, title),
            "trend_chart_phone": _trend_chart(window, rows, title, compact=True)}


def _trend_chart(window, rows, title, compact=False):
    rows = [r for r in rows if r.currency == rows[-1].currency] if rows else []
    months = [r.month for r in rows]
    label = window_label if window.length == 3 else month_filter
    if window.length == 3:
        months = [Window.quarter_of("", m) for m in months]
    ticks = [(v, percent_filter(v, 0)) for v in (0, 0.25, 0.5, 0.75, 1.0)]
    if window.length == 3:
        description = _("In-bank share of turnover by quarter, %(first)s to %(last)s",
                        first=month_filter(months[0].start) if months else "",
                        last=month_filter(months[-1].last) if months else "")
    else:
        description = _("In-bank share of turnover by month, %(first)s to %(last)s",
                        first=label(months[0]) if months else "",
                        last=label(months[-1]) if months else "")
    return charts.line_chart(
        title, description,
        [label(m) for m in months], [(_("In-bank share"), [r.share for r in rows])],
        ticks, rtl=is_rtl(), compact=compact)


@bp.route("/")
@cached_page
@login_required
def dashboard():
    _require_reader()
    available = _periods_with_data()
    window = _selected_window(available)
    months, quarters = _window_choices(available)
    level = request.args.get("level", _default_level())
    if level not in services.LEVELS:
        level = _default_level()
    context = {"available": available, "window": window, "level": level,
               "months": months, "quarters": quarters, "window_label": window_label,
               "window_option": _window_option(months),
               "levels": LEVEL_LABELS, "threshold": services.threshold()}
    if window is not None:
        context.update(_dashboard_figures(window, level, context["threshold"], available))
    return render_template("turnover/dashboard.html", **context)


SHOWN = 50  # rows of a long list on the page; the exports hold them all


def _dashboard_figures(window, level, below, available):
    rows = _shares(window, level)
    trend = _trend(window)
    laggards, laggard_count, up, down = services.comparison(current_user, window, below,
                                                            shown=SHOWN)
    return dict(
        period=next((p for p in available if p.country == window.country and
                     p.month in window.months), None),
        network=services.network_shares(current_user, window.period_ids()),
        rows=rows[:SHOWN * 2], row_count=len(rows), trend=trend,
        laggards=laggards, laggard_count=laggard_count, up=up, down=down,
        trend_label=(lambda m: window_label(Window.quarter_of("", m))) if window.length == 3
        else month_filter,
        concentration=concentration.concentration(current_user, window),
        **_trend_charts(window, trend, _("Trend of the in-bank share")),
        bars=_share_bars(window, level, rows, below),
        bars_phone=_share_bars(window, level, rows, below, compact=True),
    )


def _share_bars(window, level, rows, below, compact=False):
    # a phone has room for the ten largest; the table below lists them all
    return charts.bar_chart(
        _("In-bank share by %(level)s, %(month)s", level=LEVEL_LABELS[level],
          month=window_label(window)),
        _("Share of each one's turnover that went through the bank."),
        [(r.name or "—", r.share, percent_filter(r.share, 1))
         for r in rows[:10 if compact else 25]],
        rtl=is_rtl(), threshold=(below, percent_filter(below, 0)), compact=compact)


def _table(name, window, level):
    """(header, rows) of one dashboard table, raw values for CSV/XLSX."""
    user = current_user
    if name == "shares":
        header = [str(LEVEL_LABELS[level]), _("Currency"), _("Total turnover"),
                  _("Turnover through the bank"), _("In-bank share"), _("Organisations")]
        return header, [[r.name, r.currency, r.total, r.bank, _round(r.share), r.organisations]
                        for r in _shares(window, level)]
    if name == "reports":
        header = [_("Code"), _("Organisation"), _("Period"), _("Currency")] + \
            [str(FIGURE_LABELS[f]) for f in FIGURES] + [_("Source")]
        return header, [[org.code, org.name, f"{period.month:%Y-%m}", rep.currency] +
                        [getattr(rep, f) for f in FIGURES] + [rep.source.value]
                        for rep, org, period in services.reports_for(user,
                                                                     window.period_ids())]
    if name == "laggards":
        header = [_("Organisation"), _("Currency"), _("In-bank share"),
                  _("Last period"), _("Fell below this period")]
        return header, [[r.name, r.currency, _round(r.share), _round(r.previous),
                         _("yes") if r.fell else ""]
                        for r in services.laggards(user, window)]
    if name == "movers":
        up, down = services.movers(user, window, limit=50)
        header = [_("Organisation"), _("Currency"), _("In-bank share"), _("Last period"),
                  _("Change")]
        return header, [[r.name, r.currency, _round(r.share), _round(r.previous),
                         _round(r.change)] for r in up + down]
    if name == "banks":
        header = [_("Currency"), _("Bank"), _("Turnover"), _("Share"),
                  _("Herfindahl-Hirschman index")]
        return header, [[c.currency, b.name or _("This bank"), b.amount, _round(b.share), c.hhi]
                        for c in concentration.concentration(user, window) for b in c.banks]
    header = [_("Month"), _("Currency"), _("Total turnover"), _("Turnover through the bank"),
              _("In-bank share")]
    return header, [[f"{r.month:%Y-%m}", r.currency, r.total, r.bank, _round(r.share)]
                    for r in _trend(window)]


def _round(value):
    return None if value is None else round(float(value), 4)


@bp.route("/export/<table>.<fmt>")
@login_required
def export(table, fmt):
    _require_reader()
    if table not in TABLES:
        abort(404)
    window = _selected_window(_periods_with_data())
    if window is None:
        abort(404)
    level = request.args.get("level", _default_level())
    level = level if level in services.LEVELS else _default_level()
    header, rows = _table(table, window, level)
    return tabular.export_response(header, rows, f"turnover-{table}-{window.key}", fmt)


@bp.route("/unions/<int:org_id>/report")
@cached_page
@login_required
def union_report(org_id):
    """The monthly (or quarterly) report of one union and its members, laid out for
    printing: its share and trend, each member's share and change."""
    _require_reader()
    union = db.session.scalar(
        turnover_permissions.visible_turnover_organisations(current_user).where(
            Organisation.id == org_id)) or abort(404)
    available = [p for p in _periods_with_data() if p.country == union.country]
    window = _selected_window(available)
    context = {"union": union, "window": window, "window_label": window_label}
    if window is not None:
        members, totals = services.union_report(current_user, union, window)
        trend = _trend(window, services.union_trend(current_user, union, window.country))
        context.update(
            members=members, totals=totals, trend=trend,
            trend_label=(lambda m: window_label(Window.quarter_of("", m)))
            if window.length == 3 else month_filter,
            **_trend_charts(window, trend, _("Trend of the in-bank share")))
    return render_template("turnover/union_report.html", **context)


@bp.route("/periods/<int:period_id>")
@cached_page
@login_required
def period(period_id):
    _require_reader()
    period = db.session.get(ReportingPeriod, period_id)
    if not turnover_permissions.can_see_period(current_user, period):
        abort(404)
    reports = [(rep, org) for rep, org, _period in
               services.reports_for(current_user, [period.id])]
    return render_template("turnover/period.html", period=period, reports=reports,
                           form=forms.ConfirmForm())


@bp.route("/reports/<int:report_id>")
@cached_page
@login_required
def report(report_id):
    _require_reader()
    report = services.get_report(current_user, report_id)
    return _report_page(report, forms.OtherBankForm(formdata=None))


def _report_page(report, bank_form, status=200, message=None):
    return render_template("turnover/report.html", report=report, form=forms.ConfirmForm(),
                           bank_form=bank_form, figures=FIGURES, labels=FIGURE_LABELS,
                           message=message), status


@bp.route("/reports/<int:report_id>/other-banks", methods=["POST"])
@login_required
def save_other_bank(report_id):
    _require_reader()
    report = services.get_report(current_user, report_id)
    require(turnover_permissions.can_edit_turnover(current_user, report.organisation))
    form = forms.OtherBankForm()
    if not form.validate_on_submit():
        return _report_page(report, form, 400)
    try:
        concentration.save_other_bank(current_user, report, form.bank_name.data,
                                      form.amount.data)
    except ValidationError as error:
        db.session.rollback()
        return _report_page(services.get_report(current_user, report_id), form, 400,
                            form_errors_into(form, error))
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("turnover.report", report_id=report.id) + "#other-banks")


@bp.route("/reports/<int:report_id>/other-banks/<int:row_id>/delete", methods=["POST"])
@login_required
def delete_other_bank(report_id, row_id):
    _require_reader()
    report = services.get_report(current_user, report_id)
    row = next((r for r in report.other_banks if r.id == row_id), None) or abort(404)
    forms.ConfirmForm().validate_on_submit() or abort(400)
    try:
        concentration.delete_other_bank(current_user, row)
    except ValidationError as error:
        db.session.rollback()
        return _report_page(services.get_report(current_user, report_id),
                            forms.OtherBankForm(formdata=None), 400, error.message)
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for("turnover.report", report_id=report.id) + "#other-banks")


@bp.route("/reports/<int:report_id>/confirm", methods=["POST"])
@login_required
def confirm(report_id):
    _require_reader()
    report = services.get_report(current_user, report_id)
    forms.ConfirmForm().validate_on_submit() or abort(400)
    services.confirm_report(current_user, report)
    db.session.commit()
    flash(_("The figures are confirmed."), "success")
    return redirect(url_for("turnover.report", report_id=report.id))


def _editable_organisations():
    """The active organisations whose figures the user may report, as a query (what
    turnover_permissions.can_edit_turnover allows, for a whole list at once)."""
    query = sa.select(Organisation).where(Organisation.is_active)
    if permissions.is_admin(current_user):
        return permissions.visible_organisations(current_user).where(Organisation.is_active)
    if not current_user.has_role(Role.UNION_DIRECTOR, Role.RELATIONSHIP_MANAGER):
        return query.where(sa.false())
    return turnover_permissions.visible_turnover_organisations(current_user).where(
        Organisation.is_active)


def _report_form(report=None):
    form = forms.ReportForm(obj=report)
    open_periods = db.session.scalars(sa.select(ReportingPeriod).where(
        ReportingPeriod.status == PeriodStatus.OPEN).order_by(
        ReportingPeriod.month.desc())).all() if report is None else [report.period]
    form.organisation_id.offer(_editable_organisations() if report is None else sa.select(
        Organisation).where(Organisation.id == report.organisation_id))
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
        try:
            saved = services.save_report(current_user, org, period,
                                         {f: getattr(form, f).data for f in FIGURES},
                                         currency=report.currency if report else None,
                                         expected_version=form.version_id.data)
        except Conflict:
            db.session.rollback()
            message, status = _("Someone else changed these figures while you were editing. "
                                "Their change is kept; your figures are below so you can "
                                "apply them again."), 409
            report = db.session.get(TurnoverReport, report.id)
            form.version_id.data = report.version_id
        except ValidationError as error:
            db.session.rollback()
            message, status = form_errors_into(form, error), 400
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("turnover.report", report_id=saved.id))
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
    _require_reader()
    report = services.get_report(current_user, report_id)
    require(turnover_permissions.can_edit_turnover(current_user, report.organisation))
    return _save(report)


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
            db.session.rollback()
            total_bad, bad_rows = len(error.rows), error.rows[:importing.MAX_LISTED]
            message, status = error.message, 400
        except ValidationError as error:
            db.session.rollback()
            message, status = error.message, 400
        except sa.exc.IntegrityError:
            # another import (or a correction) wrote the same reports while this file was
            # being written: theirs stands, this file is undone whole
            db.session.rollback()
            message, status = _("Another import wrote figures for the same months while this "
                                "file was being imported. Their figures are kept and nothing "
                                "from this file was imported: import it again."), 409
        else:
            db.session.commit()
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
    orgs = [o for o in db.session.scalars(
        turnover_permissions.visible_turnover_organisations(current_user).where(Organisation.is_active)
        .order_by(Organisation.code).limit(5000))]
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
            try:
                services.open_period(current_user, form.country.data.upper(), month)
            except ValidationError as error:
                db.session.rollback()
                message, status = form_errors_into(form, error), 400
            else:
                db.session.commit()
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
    db.session.commit()
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
    db.session.commit()
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
        try:
            token, issued = api.issue_token(current_user, form.name.data,
                                            form.scopes.data.split())
        except ValidationError as error:
            db.session.rollback()
            form_errors_into(form, error)
            status = 400
        else:
            db.session.commit()
    elif form.errors:
        status = 400
    all_tokens = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())).all()
    return render_template("turnover/tokens.html", form=form, issued=issued,
                           tokens=all_tokens, confirm=forms.ConfirmForm()), status


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    require(turnover_permissions.can_manage_api_tokens(current_user))
    token = db.session.get(ApiToken, token_id) or abort(404)
    forms.ConfirmForm().validate_on_submit() or abort(400)
    api.revoke_token(current_user, token)
    db.session.commit()
    flash(_("The token is revoked; the bank's systems can no longer use it."), "success")
    return redirect(url_for("turnover.tokens"))


nav_item("turnover.dashboard", _l("Turnover"), visible=turnover_permissions.can_read_turnover,
         order=60)


@home_panel
def turnover_panel(user):
    if not turnover_permissions.can_read_turnover(user):
        return None
    with_data = turnover_permissions.visible_turnover_reports(user).with_only_columns(
        TurnoverReport.period_id)
    if turnover_permissions.turnover_scope_ids(user) is not None:
        # a subtree: the periods its organisations reported in (an index walk per
        # organisation), rather than probing every period of every country for any of them
        with_data = with_data.group_by(TurnoverReport.period_id)
    latest = db.session.scalar(sa.select(ReportingPeriod).where(
        ReportingPeriod.id.in_(with_data)).order_by(ReportingPeriod.month.desc()).limit(1))
    if latest is None:
        return None
    return {"template": "turnover/panel.html", "order": 40, "period": latest,
            "network": services.shares(user, [latest.id], "network")}


blueprints = (bp, api.bp)
