"""Indicator pages: the district dashboard (scorecard, ratings, communes), the printable
monthly report, exports, imports and the administrator's thresholds."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core import charts, unit_of_work
from portal.core.errors import ValidationError, require
from portal.core.kept_pages import kept_page
from portal.core.tabular import export_response
from portal.core.views import after_upload, save_or_explain
from portal.extensions import db
from portal.home.panels import home_panel, nav_item
from portal.i18n import is_rtl, month_filter, percent_filter
from portal.indicators import forms, importing, services
from portal.indicators import permissions as indicators_permissions
from portal.indicators.models import Indicator, Unit

bp = Blueprint("indicators", __name__, url_prefix="/indicators", template_folder="templates")
TABLES = ("scorecard", "ratings", "communes", "fell")


@bp.route("/")
@login_required
@kept_page
def index():
    require(indicators_permissions.can_view_indicators(current_user))
    districts = services.district_dashboards(current_user)
    shown = {o.id for o in districts}
    return render_template("indicators/index.html", districts=districts, organisations=[
        o for o in services.plan_holders(current_user) if o.id not in shown])


def _period(org):
    available = services.periods_for(org)
    wanted = request.args.get("period", "")
    for month in available:
        if f"{month:%Y-%m}" == wanted:
            return month, available
    return (available[0] if available else None), available


def _context(org):
    period, available = _period(org)
    plan_year, plans = services.plans_of(org)
    # plans of a year without figures yet (just imported, say) are shown on their own
    context = {"org": org, "period": period, "available": available, "plan_year": plan_year,
               "plans": plans if period is None or plan_year != period.year else []}
    if period is None:
        return context
    rows = services.scorecard(org, period)
    ratings, groups = services.rating_summary(org, period)
    by_commune = services.rollups(org, period, ("outstanding_loans", "overdue_ratio"))
    communes, overdue = by_commune["outstanding_loans"], by_commune["overdue_ratio"]
    without, overdue_communes = services.without_amount(overdue)
    context.update(
        rows=rows, ratings=ratings, groups=groups, fell=services.fell_a_grade(org, period),
        communes=communes, several_districts=len({r.within for r in communes}) > 1,
        overdue={(r.within, r.place): r for r in overdue},
        without_overdue=without, overdue_communes=overdue_communes,
        **_charts(period, rows, ratings, compact=False),
        **_charts(period, rows, ratings, compact=True),
    )
    return context


def _charts(period, rows, ratings, compact):
    """The scorecard's charts, for wide screens or (compact) laid out for a phone."""
    suffix = "_phone" if compact else ""
    return {
        "attainment_chart" + suffix: charts.bar_chart(
            _("Attainment against the plan, %(month)s", month=month_filter(period)),
            _("Each indicator's actual value as a share of its plan."),
            [(str(r["indicator"].label), float(r["attainment"]), percent_filter(r["attainment"]))
             for r in rows if r["attainment"] is not None], rtl=is_rtl(), max_value=1.2,
            threshold=(1.0, percent_filter(1, 0)), compact=compact),
        "ratings_chart" + suffix: charts.bar_chart(
            _("Groups by rating"), _("Number of savings-and-loan groups rated good, fair, "
                                     "average and weak."),
            [(str(r["grade"].label), r["share"], percent_filter(r["share"])) for r in ratings],
            rtl=is_rtl(), compact=compact),
    }


@bp.route("/<int:org_id>")
@login_required
@kept_page
def dashboard(org_id):
    return _page("indicators/dashboard.html", org_id)


@bp.route("/<int:org_id>/report")
@login_required
def report(org_id):
    """The monthly district report, laid out for printing."""
    return _page("indicators/report.html", org_id)


def _page(template, org_id):
    """The dashboard or the report of an organisation the reader may see."""
    require(indicators_permissions.can_view_indicators(current_user))
    org = services.get_visible_organisation(current_user, org_id)
    return render_template(template, **_context(org), Unit=Unit)


def _rounded(value, places):
    """A computed ratio for the exports, exact to `places` decimals and written without
    trailing zeros (0.75, not 0.750000); amounts go out as they are kept (300.00)."""
    if value is None:
        return None
    value = round(value, places).normalize()
    return value if value.as_tuple().exponent <= 0 else value.quantize(1)


def _value(row):
    if row["indicator"].unit == Unit.RATIO:
        return _rounded(row["value"], 6)
    return row["value"]


@bp.route("/<int:org_id>/export/<table>.<fmt>")
@login_required
def export(org_id, table, fmt):
    require(indicators_permissions.can_view_indicators(current_user))
    org = services.get_visible_organisation(current_user, org_id)
    if table not in TABLES:
        abort(404)
    context = _context(org)
    period = context["period"] or abort(404)
    if table == "scorecard":
        header = [_("Indicator"), _("Actual"), _("Plan"), _("Attainment"), _("Status")]
        rows = [[str(r["indicator"].label), _value(r), r["plan"],
                 _rounded(r["attainment"], 4),
                 str(r["light"].label) if r["light"] else ""] for r in context["rows"]]
    elif table == "ratings":
        header = [_("Rating"), _("Groups"), _("Share"), _("Change since last month")]
        rows = [[str(r["grade"].label), r["count"], round(r["share"], 4), r["change"]]
                for r in context["ratings"]]
    elif table == "communes":
        header = [_("Commune"), _("District"), _("Outstanding loans"), _("Overdue debt")]
        overdue = context["overdue"]
        rows = [[r.place, r.within, r.amount, overdue[r.within, r.place].amount
                 if (r.within, r.place) in overdue else None] for r in context["communes"]]
    else:
        header = [_("Code"), _("Group"), _("Commune"), _("Rating last month"),
                  _("Rating this month")]
        rows = [[o.code, o.name, o.commune, str(b.label), str(n.label)]
                for o, b, n in context["fell"]]
    return export_response(header, rows, f"indicators-{table}-{org.code}-{period:%Y-%m}", fmt)


@bp.route("/import/<any(actuals, plans, ratings):kind>", methods=["GET", "POST"])
@login_required
def import_file(kind):
    require(indicators_permissions.can_manage_indicators(current_user) if kind == "plans"
            else indicators_permissions.can_import_indicators(current_user))
    form = forms.ImportForm()
    bad_rows, message, status = [], None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = upload.read()
        finally:
            upload.close()
        try:
            imported = importing.import_file(current_user, kind, upload.filename, data)
        except ValidationError as error:  # ImportRejected too: it lists the bad rows
            unit_of_work.discard()
            bad_rows, message, status = getattr(error, "rows", [])[:1000], error.message, 400
        else:
            flash(_("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                    created=imported.created, updated=imported.updated,
                    unchanged=imported.unchanged), "success")
            return after_upload(_landing(kind, imported))
    elif form.errors:
        status = 400
    return render_template("indicators/import.html", form=form, kind=kind,
                           kind_label=importing.KIND_LABELS[kind], bad_rows=bad_rows,
                           message=message, columns=importing.KINDS[kind]), status


# the part of the dashboard each kind of file fills (plans: the plans of their year)
LANDING_SECTIONS = {"actuals": "scorecard-title", "ratings": "ratings-title"}


def _landing(kind, imported):
    """The dashboard of what was imported, at its month and section; the index (which lists
    every dashboard the person may open) when the file spans several districts."""
    org = services.landing_organisation(current_user, kind, imported)
    if org is None:
        return url_for("indicators.index")
    if kind == "plans":
        # the scorecard holds the plans of its month's year; other years are listed apart
        available, (year, _plans) = services.periods_for(org), services.plans_of(org)
        in_scorecard = bool(available) and available[0].year == year
        return url_for("indicators.dashboard", org_id=org.id,
                       _anchor="scorecard-title" if in_scorecard else "plans-title")
    return url_for("indicators.dashboard", org_id=org.id, period=f"{imported.latest:%Y-%m}",
                   _anchor=LANDING_SECTIONS[kind])


@bp.route("/import/<any(actuals, plans, ratings):kind>/template.<fmt>")
@login_required
def import_template(kind, fmt):
    require(indicators_permissions.can_import_indicators(current_user))
    return export_response(list(importing.KINDS[kind]), importing.EXAMPLES[kind],
                    f"indicators-{kind}-template", fmt)


@bp.route("/definitions", methods=["GET", "POST"])
@login_required
def definitions():
    """The indicators and their thresholds (reference data: the migrations write them)."""
    require(indicators_permissions.can_manage_indicators(current_user))
    message, status = None, 200
    if request.method == "POST":
        indicator_id = request.form.get("indicator_id", type=int)
        indicator = (db.session.get(Indicator, indicator_id) if indicator_id else None) \
            or abort(404)
        form = forms.ThresholdForm()
        if form.validate_on_submit():
            # the page lists every indicator, not this form's fields: the reason goes above
            _saved, message, status = save_or_explain(None, lambda: services.set_thresholds(
                current_user, indicator, form.green_at.data / 100, form.amber_at.data / 100,
                form.version_id.data))
            if status == 200:
                flash(_("Saved."), "success")
                return redirect(url_for("indicators.definitions"))
            if status == 409:
                message = _("Someone else changed this first.")
        else:
            message, status = _("Enter the thresholds as percentages."), 400
    return render_template("indicators/definitions.html", indicators=services.indicators(),
                           message=message), status


nav_item("indicators.index", _l("Indicators"), visible=indicators_permissions.can_view_indicators,
         order=65)


@home_panel
def indicators_panel(user):
    if not indicators_permissions.can_view_indicators(user):
        return None
    dashboards = services.panel_dashboards(user)
    if not dashboards:
        return None
    return {"template": "indicators/panel.html", "order": 45,
            "organisations": dashboards[:services.PANEL_SHOWN],
            "more": len(dashboards) > services.PANEL_SHOWN}


@bp.app_context_processor
def _organisation_page_links():
    """indicator_links(org) for the organisation page: its dashboard, ratings and district
    dashboard, when the reader may see them (services.dashboard_links)."""
    return {"indicator_links": lambda org: services.dashboard_links(current_user, org)}


blueprints = (bp,)
