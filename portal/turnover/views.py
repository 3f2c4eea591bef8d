"""Turnover pages: the concentration dashboard, its exports, a union's report and a period.

The blueprint's other pages live beside this module, one file a sub-topic: report_views.py
(a report, its corrections and confirmation) and admin_views.py (imports, periods, the
threshold and the API tokens); portal.turnover.api is the JSON API for the bank's systems.
"""
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core import tabular, versions
from portal.core.errors import require
from portal.core.kept_pages import kept_page
from portal.extensions import db
from portal.home.panels import home_panel, nav_item
from portal.turnover import api, forms, presenting, queries, services, unions
from portal.turnover import permissions as turnover_permissions
from portal.turnover.models import ReportingPeriod

bp = Blueprint("turnover", __name__, url_prefix="/turnover", template_folder="templates")


def require_reader():
    require(turnover_permissions.can_read_turnover(current_user))


@bp.route("/")
@login_required
@kept_page
def dashboard():
    require_reader()
    available = queries.periods_with_data(current_user)
    window = presenting.selected_window(available, request.args)
    months, quarters = presenting.window_choices(available)
    level = presenting.level_asked(current_user, request.args)
    context = {"available": available, "window": window, "level": level,
               "months": months, "quarters": quarters,
               "window_label": presenting.window_label,
               "window_option": presenting.window_option(months),
               "levels": presenting.LEVEL_LABELS, "threshold": services.threshold()}
    if window is not None:
        context.update(presenting.dashboard_figures(current_user, window, level,
                                                    context["threshold"], available))
    return render_template("turnover/dashboard.html", **context)


@bp.route("/export/<table>.<fmt>")
@login_required
def export(table, fmt):
    require_reader()
    if table not in presenting.TABLES:
        abort(404)
    window = presenting.selected_window(queries.periods_with_data(current_user), request.args)
    if window is None:
        abort(404)
    level = presenting.level_asked(current_user, request.args)
    header, rows = presenting.table(current_user, table, window, level)
    return tabular.export_response(header, rows, f"turnover-{table}-{window.key}", fmt)


@bp.route("/unions/<int:org_id>/report")
@login_required
def union_report(org_id):
    """The monthly (or quarterly) report of one union and its members, laid out for
    printing: its share and trend, each member's share and change."""
    require_reader()
    union = queries.visible_organisation(current_user, org_id) or abort(404)
    available = queries.periods_with_data(current_user, country=union.country)
    window = presenting.selected_window(available, request.args)
    context = {"union": union, "window": window, "window_label": presenting.window_label}
    if window is not None:
        members, totals = unions.union_report(current_user, union, window)
        trend = presenting.trend(current_user, window,
                                 unions.union_trend(current_user, union, window.country))
        context.update(
            members=members, totals=totals, trend=trend,
            trend_label=presenting.trend_label(window),
            **presenting.trend_charts(window, trend, _("Trend of the in-bank share")))
    return render_template("turnover/union_report.html", **context)


@bp.route("/periods/<int:period_id>")
@login_required
def period(period_id):
    require_reader()
    period = db.session.get(ReportingPeriod, period_id)
    if not turnover_permissions.can_see_period(current_user, period):
        abort(404)
    reports = [(rep, org) for rep, org, _period in
               services.reports_for(current_user, [period.id])]
    return render_template("turnover/period.html", period=period, reports=reports,
                           form=forms.ConfirmForm())


nav_item("turnover.dashboard", _l("Turnover"), visible=turnover_permissions.can_read_turnover,
         order=60)


@home_panel
def turnover_panel(user):
    if not turnover_permissions.can_read_turnover(user):
        return None
    found = versions.remembered("turnover_panel", queries.FIGURE_TABLES,
                                queries.reader_key(user),
                                lambda: _panel_figures(user))
    if found is None:
        return None
    period_id, network = found
    return {"template": "turnover/panel.html", "order": 40,
            "period": db.session.get(ReportingPeriod, period_id), "network": network}


def _panel_figures(user):
    latest = queries.latest_period_with_data(user)
    if latest is None:
        return None
    return latest.id, tuple(services.shares(user, [latest.id], "network"))


# the blueprint's other pages register their routes on bp when imported
from portal.turnover import admin_views, report_views  # noqa: E402, F401, I001

blueprints = (bp, api.bp)
