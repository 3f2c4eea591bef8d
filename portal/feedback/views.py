"""Feedback pages: the blueprint, lists and search, exports, the summary report, the owner's
queue, and the home panels.

The other pages are routes on the same blueprint, by subject: item_views (submitting, an
item, its handling actions and the owner's drafts), conversation_views (the discussion under
an item) and escalation_views (each bank's escalation chain). They are imported at the end of
this module so their routes register with the blueprint. Every write request is committed, or rolled
back, once by portal.core.unit_of_work.
"""

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts.models import Role
from portal.core import tabular
from portal.core.errors import require
from portal.core.kept_pages import kept_page
from portal.core.models import utcnow
from portal.core.pagination import paginate
from portal.feedback import queries, reports
from portal.feedback.models import Kind, Outcome, State
from portal.home.panels import home_panel, nav_item
from portal.i18n import is_rtl, number_filter

bp = Blueprint("feedback", __name__, url_prefix="/feedback", template_folder="templates")
blueprints = (bp,)

nav_item("feedback.index", _l("Feedback"), lambda user: user.is_authenticated, order=20)


# --- finding ---------------------------------------------------------------------------------

@bp.route("/")
@login_required
@kept_page
def index():
    sort = request.args.get("sort", "newest")
    query = queries.listed_items(current_user, request.args, sort)
    return render_template("feedback/index.html", page=paginate(query), sort=sort,
                           args=request.args, now=utcnow(),
                           **queries.filter_options(current_user))


@bp.route("/export.<fmt>")
@login_required
def export(fmt):
    rows = list(reports.export_rows(queries.filtered_items(current_user, request.args)))
    return tabular.export_response(reports.EXPORT_HEADER, rows, "feedback", fmt)


@bp.route("/report")
@login_required
def report():
    require(permissions.is_bank_staff(current_user) or permissions.is_ministry(current_user))
    query = queries.filtered_items(current_user, request.args)
    by = request.args.get("by", "kind")
    if by not in reports.GROUPINGS:
        by = "kind"
    rows = reports.summary(query, by)
    return render_template("feedback/report.html", rows=rows, by=by,
                           groupings=reports.GROUPINGS,
                           chart=reports.bar_chart(rows, rtl=is_rtl(), number=number_filter),
                           args=request.args)


# --- the owner's work ------------------------------------------------------------------------

@bp.route("/queue")
@login_required
@kept_page
def queue():
    """A relationship manager's open items by age, oldest deadline first."""
    require(permissions.is_bank_staff(current_user))
    owner_id = request.args.get("owner", type=int)
    if not permissions.is_admin(current_user) or not owner_id:
        owner_id = current_user.id
    items = queries.open_items_of(current_user, owner_id)
    return render_template("feedback/queue.html", items=items, now=utcnow(),
                           buckets=reports.ageing_buckets(items, utcnow()))


# --- the words of every card ----------------------------------------------------------------

@bp.app_template_global()
def feedback_card_words():
    """The labels each card of a list repeats, translated once per request rather than once
    per card (a list page spent 7-12 ms in Babel on them, bench/README.md "Profile")."""
    words = g.get("feedback_card_words")
    if words is None:
        words = g.feedback_card_words = {
            "kind": {kind: str(kind.label) for kind in Kind},
            "state": {state: str(state.label) for state in State},
            "outcome": {outcome: str(outcome.label) for outcome in Outcome},
            "organisation": _("Organisation"), "endorsements": _("Endorsements"),
            "deadline": _("Deadline"), "submitted": _("Submitted"), "overdue": _("Overdue"),
            "confidential": _("Confidential")}
    return words


# --- home panels -----------------------------------------------------------------------------

# the bank's staff find their open items in "What comes next" on the home page (its feedback
# source, portal/home/services.py) and in their queue: no panel repeats them

@home_panel
def my_organisations_feedback(user):
    if not user.has_role(Role.UNION_DIRECTOR):
        return None
    return {"template": "feedback/panel_mine.html", "order": 12,
            "items": queries.latest_of_own_organisations(user)}


# the routes of the other subjects, on this blueprint
from portal.feedback import (  # noqa: E402,F401,I001
    conversation_views,
    escalation_views,
    item_views,
)
