"""Results: the list, a result's page, and the forms of the bank staff who answer for them."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts.models import User
from portal.core import charts
from portal.core.clock import reader_today
from portal.core.errors import ValidationError, require
from portal.core.forms import choices
from portal.core.kept_pages import kept_page
from portal.core.pagination import paginate
from portal.core.tabular import export_response
from portal.core.views import save_or_explain
from portal.extensions import db
from portal.feedback import queries as feedback_queries
from portal.home.panels import nav_item
from portal.i18n import current_language, is_rtl, month_filter, number_filter, percent_filter
from portal.i18n.fields import reader_digits
from portal.results import accountability, forms, measures, queries, services
from portal.results import permissions as results_permissions
from portal.results.models import LOCALES, MeasureKind, ResultStatus

bp = Blueprint("results", __name__, url_prefix="/results", template_folder="templates")
blueprints = (bp,)

nav_item("results.index", _l("Results"), visible=lambda user: user.is_authenticated, order=45)


@bp.route("/")
@login_required
@kept_page
def index():
    status = request.args.get("status", "")
    overdue = request.args.get("overdue") == "1"
    today = reader_today()
    page = paginate(services.listed(current_user, status=status, overdue=overdue, today=today))
    return render_template("results/index.html", page=page, today=today,
                           locale=current_language(), statuses=list(ResultStatus),
                           filters={"status": status, "overdue": overdue},
                           progress=services.progress)


def _figure_value(result, value):
    if value is None:
        return ""
    if not measures.is_ratio(result):
        return number_filter(value)
    # as few decimals as the figure needs: "52%" for a share, "0.45%" for an overdue ratio
    decimals = next((d for d in (0, 1, 2) if abs(value * 100 - round(value * 100, d)) < 1e-9), 2)
    return percent_filter(value, decimals)


def _figure_chart(result, series, compact=False):
    """The actuals towards the target, drawn on the server (mirrored on a Persian page)."""
    if not series:
        return None
    # the figures are exact Decimals; a drawing's coordinates are floats
    actual = [float(v) for _m, v in series]
    target = float(result.target)
    top = max(max(actual + [float(result.baseline), target]) * 1.15, 1e-9)
    ticks = [(top * k / 4, _figure_value(result, top * k / 4)) for k in range(5)]
    return charts.line_chart(
        _("%(figure)s towards the target", figure=measure_name(result)),
        _("From %(first)s to %(last)s; target %(target)s", first=month_filter(series[0][0]),
          last=month_filter(series[-1][0]), target=_figure_value(result, result.target)),
        [month_filter(m) for m, _v in series],
        [(_("Actual"), actual), (_("Target"), [target] * len(series))],
        ticks, rtl=is_rtl(), y_max=top, compact=compact)


def measure_name(result):
    if result.measure == MeasureKind.IN_BANK_SHARE:
        return _("In-bank share")
    return result.measure_indicator.label if result.measure_indicator else ""


def _show_page(result, milestone_form=None):
    series = measures.actuals(result)
    return render_template(
        "results/show.html", result=result, locale=current_language(), today=reader_today(),
        series=series, figure_value=lambda v: _figure_value(result, v),
        measure_name=measure_name(result), figure_chart=_figure_chart(result, series),
        figure_chart_phone=_figure_chart(result, series, compact=True),
        items=results_permissions.visible_items(current_user, result), progress=services.progress,
        commitments=results_permissions.visible_commitments(current_user, result),
        offers=results_permissions.visible_offers(current_user, result),
        status_form=forms.StatusForm(version_id=result.version_id),
        milestone_form=milestone_form or forms.MilestoneForm(), children=result.children)


@bp.route("/<int:result_id>")
@login_required
@kept_page
def show(result_id):
    return _show_page(results_permissions.readable_result(current_user, result_id))


OFFER_FIELDS = ("products", "packages", "branches")


def _offers_of(form):
    """The offers and branches chosen, each one of those the person may see."""
    return queries.chosen_offers(current_user,
                                 {kind: form[kind].data for kind in OFFER_FIELDS})


def _fill_choices(form, result=None):
    for kind, offered in queries.offer_choices(current_user, current_language()).items():
        form[kind].choices = choices(offered)
    form.measure.choices = choices(
        [("", _("Nothing: progress typed, or computed from its parts")),
         (MeasureKind.IN_BANK_SHARE.value, MeasureKind.IN_BANK_SHARE.label)]
        + [(f"indicator:{i.id}", _("Indicator: %(name)s", name=i.label))
           for i in queries.indicators()])
    form.measure_organisation_id.offer(permissions.network_organisations(current_user),
                                       blank=_("Choose…"))
    owners = services.owner_choices(current_user)
    form.owner_id.choices = choices([("", _("Choose…"))] + [(u.id, u.full_name) for u in owners])
    parents = services.parent_choices(current_user, result)
    locale = current_language()
    form.parent_id.choices = choices([("", _("Nothing: a result of its own"))] + [
        (p.id, p.title_in(locale)) for p in parents])


def _linked(text, named, message, field):
    """The records named by number in a form field, each one the person may see (named: a
    results.queries function); the rest are refused by number so nothing is linked
    silently."""
    numbers = forms.item_numbers(text)
    if not numbers:
        return []
    found, missing = named(current_user, numbers)
    if missing:
        # numbers as names, in the reader's digits but never grouped: "#۱۲۶۳", not "#۱٬۲۶۳"
        raise ValidationError(message % {"numbers": ", ".join(
            "#" + reader_digits(str(n)) for n in missing)}, field=field)
    return found


def _linked_items(text):
    return _linked(text, queries.named_items,
                   _("No item you may read has the number %(numbers)s."), "items")


def _linked_commitments(text):
    return _linked(text, queries.named_commitments,
                   _("No commitment you may see has the number %(numbers)s."), "commitments")


def _measure_of(form):
    """The figure named in the form, its percentages (shares, ratios) read as 0-1."""
    kind, _sep, indicator_id = (form.measure.data or "").partition(":")
    if not kind:
        return None
    indicator, organisation, ratio = queries.measure(
        current_user, kind, int(indicator_id) if indicator_id.isdigit() else None,
        form.measure_organisation_id.data)

    def scaled(value):
        return None if value is None else (value / 100 if ratio else value)

    return {"kind": kind, "indicator": indicator, "organisation": organisation,
            "baseline": scaled(form.baseline.data), "target": scaled(form.target.data),
            "baseline_on": form.baseline_on.data, "target_on": form.target_on.data}


def _load_measure(form, result):
    if result.measure is None:
        return
    form.measure.data = (f"indicator:{result.measure_indicator_id}"
                         if result.measure == MeasureKind.INDICATOR else result.measure.value)
    form.measure_organisation_id.data = result.measure_organisation_id
    factor = 100 if measures.is_ratio(result) else 1
    form.baseline.data = None if result.baseline is None else result.baseline * factor
    form.target.data = None if result.target is None else result.target * factor
    form.baseline_on.data, form.target_on.data = result.baseline_on, result.target_on


def _save(form, result):
    owner = db.session.get(User, form.owner_id.data) if form.owner_id.data else None
    parent = None
    if form.parent_id.data:
        parent = results_permissions.readable_result(current_user, form.parent_id.data)
    return services.save_result(
        current_user, texts=form.texts(), owner=owner, due_on=form.due_on.data, parent=parent,
        weight=form.weight.data or 1, typed_progress=form.typed_progress.data or 0,
        items=_linked_items(form.items.data),
        commitments=_linked_commitments(form.commitments.data), offers=_offers_of(form),
        measure=_measure_of(form),
        result=result,
        expected_version=form.version_id.data if result is not None else None)


def _result_form(result=None):
    form = forms.ResultForm(obj=result)
    if request.method == "GET" and result is not None:
        form.version_id.data = result.version_id
        form.load_texts(result)
        form.items.data = ", ".join(f"#{item.id}" for item in result.items)
        form.commitments.data = ", ".join(f"#{c.id}" for c in result.commitments)
        form.products.data = [p.id for p in result.products]
        form.packages.data = [p.id for p in result.packages]
        form.branches.data = [b.id for b in result.branches]
        _load_measure(form, result)
    elif request.method == "GET" and request.args.get("item"):
        form.items.data = "#" + request.args["item"][:12]
    _fill_choices(form, result)
    message, status = None, 200
    if form.validate_on_submit():
        saved, message, status = save_or_explain(form, lambda: _save(form, result))
        if saved is not None:
            flash(_("Saved."), "success")
            return redirect(url_for("results.show", result_id=saved.id))
    elif form.errors:
        status = 400
    return render_template("results/form.html", form=form, result=result, message=message,
                           locales=LOCALES), status


def _managed_result(result_id):
    """A result its page would show (404 otherwise), for the people who manage results (403
    otherwise): where every change to one starts."""
    require(results_permissions.can_manage_results(current_user))
    return results_permissions.readable_result(current_user, result_id)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(results_permissions.can_create_result(current_user),
            None if results_permissions.can_manage_results(current_user)
            else _("Only the bank's relationship managers and administrators set up results."))
    return _result_form()


@bp.route("/<int:result_id>/edit", methods=["GET", "POST"])
@login_required
def edit(result_id):
    return _result_form(_managed_result(result_id))


@bp.route("/<int:result_id>/status", methods=["POST"])
@login_required
def change_status(result_id):
    result = _managed_result(result_id)
    form = forms.StatusForm()
    if not form.validate_on_submit():
        flash(_("Choose a status."), "danger")
        return redirect(url_for("results.show", result_id=result.id))
    saved, message, _status = save_or_explain(form, lambda: services.set_status(
        current_user, result, form.status.data, form.reason.data,
        expected_version=form.version_id.data))
    if saved is None:
        flash(message or form.reason.errors[-1], "danger")
    else:
        flash(_("The status is now “%(status)s”.", status=saved.status.label), "success")
    return redirect(url_for("results.show", result_id=result_id))


@bp.route("/<int:result_id>/milestones", methods=["POST"])
@login_required
def add_milestone(result_id):
    result = _managed_result(result_id)
    form = forms.MilestoneForm()
    if form.validate_on_submit():
        saved, message, _status = save_or_explain(form, lambda: services.add_milestone(
            current_user, result, day=form.day.data, title=form.title.data,
            note=form.note.data, reached=form.reached.data))
        if saved is not None:
            flash(_("Milestone recorded."), "success")
            return redirect(url_for("results.show", result_id=result.id))
    # refused: the page again, with what was typed and why
    return _show_page(result, form), 400


# --- you said, we did --------------------------------------------------------------------------

def _said_and_done_filters():
    def number(name):
        value = request.args.get(name, "")
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

    return {"union": number("union"), "series": number("series"),
            "topic": request.args.get("topic", "")}


@bp.route("/said-and-done")
@login_required
def said_and_done():
    filters = _said_and_done_filters()
    return render_template(
        "results/said_and_done.html", filters=filters, locale=current_language(),
        themes=accountability.themes(current_user, filters["union"], filters["series"],
                                     filters["topic"]),
        unions=accountability.union_choices(current_user),
        series=accountability.series_choices(current_user), topics=feedback_queries.topics(),
        progress=services.progress, today=reader_today(),
        args={k: v for k, v in request.args.items() if k in ("union", "series", "topic")})


@bp.route("/said-and-done.<fmt>")
@login_required
def said_and_done_export(fmt):
    filters = _said_and_done_filters()
    theme_list = accountability.themes(current_user, filters["union"], filters["series"],
                                       filters["topic"])
    header = [_("Theme"), _("Item"), _("Kind"), _("Title"), _("Organisation"),
              _("Endorsements"), _("State"), _("Outcome"), _("Results"), _("Status"),
              _("Progress")]
    return export_response(header, accountability.export_rows(theme_list, current_language()),
                           "you-said-we-did", fmt)
