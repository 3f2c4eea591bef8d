"""Meeting pages: the blueprint, the lists, series, planning and editing a meeting, its page
and printable view, and the steps that need no form of their own (held, cancelled).

The other routes of the blueprint are in modules of their own, imported at the end of this one
so that they register: agenda_views, invitation_views (invitations, replies, attendance),
commitment_views (statements from the floor, commitments), minutes_views (minutes, approval,
the ministry's sign-off) and calendar_views (iCalendar files and feeds). The meeting page they
all render is meeting_page.py; what they read is queries.py."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts.models import Role
from portal.core import kept_pages
from portal.core.clock import reader_today
from portal.core.errors import require
from portal.core.forms import choices
from portal.core.kept_pages import kept_page
from portal.core.models import get_visible, utcnow
from portal.core.pagination import paginate
from portal.core.views import save_or_explain
from portal.home.panels import home_panel, nav_item
from portal.i18n import current_language
from portal.meetings import filters, forms, queries, services, times
from portal.meetings import permissions as meetings_permissions
from portal.meetings.feeds import feed_token
from portal.meetings.meeting_page import (
    act,
    load_for,
    load_record,
    page_context,
    refuse,
    show_page,
    visible_commitments,
)
from portal.meetings.models import (
    ConsultationSeries,
    Meeting,
    MeetingKind,
    MeetingOrganisation,
    MeetingState,
)

bp = Blueprint("meetings", __name__, url_prefix="/meetings", template_folder="templates")
blueprints = (bp,)
for _name, _filter in filters.FILTERS.items():
    bp.add_app_template_filter(_filter, _name)

nav_item("meetings.index", _l("Meetings"), lambda user: user.is_authenticated, order=25)


@bp.route("/")
@login_required
@kept_page
def index():
    # the organisation filter is the search picker: a savings group is found among thousands
    filter_form = forms.MeetingFilterForm(request.args)
    filter_form.organisation.offer(meetings_permissions.meeting_organisations(current_user),
                                   blank=_("All"))
    chosen = filter_form.organisation.data if filter_form.organisation.validate(
        filter_form) else None
    return render_template(
        "meetings/index.html",
        page=paginate(queries.meeting_list(current_user, request.args, chosen)),
        args=request.args, kinds=list(MeetingKind), states=list(MeetingState),
        series_choices=queries.series_choices(current_user, current_language()),
        filter_form=filter_form)


@bp.route("/review")
@login_required
def review():
    """The ministry's queue: consultation sessions with approved minutes, oldest first."""
    require(meetings_permissions.can_review_meetings(current_user))
    return render_template("meetings/review.html",
                           meetings=queries.review_queue(current_user))


# --- series ----------------------------------------------------------------------------------

def load_series(series_id, *options):
    return get_visible(meetings_permissions.visible_series(current_user).options(*options),
                       ConsultationSeries, series_id)


@bp.route("/series")
@login_required
def series_index():
    return render_template("meetings/series_index.html",
                           all_series=queries.series_list(current_user, newest_first=True))


@bp.route("/series/new", methods=["GET", "POST"])
@login_required
def series_new():
    require(meetings_permissions.can_organise_meetings(current_user))
    form = forms.SeriesForm()
    form.host_organisation_id.offer(queries.host_choices(current_user))
    form.organisation_ids.offer(meetings_permissions.meeting_organisations(current_user))
    if request.method == "GET":
        form.host_organisation_id.data = getattr(queries.default_host(current_user), "id", None)
    message, status = None, 200
    if form.validate_on_submit():
        titles = {code: getattr(form, f"title_{code}").data for code in ("en", "fa", "vi", "th")}
        series, message, status = save_or_explain(form, lambda: services.create_series(
            current_user, title=form.title.data, titles=titles, purpose=form.purpose.data,
            host_organisation=services.organisation_by_id(form.host_organisation_id.data),
            invited_organisations=queries.organisations_by_ids(form.organisation_ids.data)))
        if series is not None:
            flash(_("The series is open. Plan its first session."), "success")
            return redirect(url_for("meetings.series_show", series_id=series.id))
    if status == 200 and (form.errors or message):
        status = 400
    return render_template("meetings/series_form.html", form=form, message=message), status


@bp.route("/series/<int:series_id>")
@login_required
@kept_page
def series_show(series_id):
    # series_participation reads who was invited to the series and to each of its meetings:
    # loaded here, one statement per collection rather than one per meeting and organisation
    series = load_series(series_id, sa.orm.joinedload(ConsultationSeries.host_organisation),
                         sa.orm.selectinload(ConsultationSeries.invited_organisations))
    meetings = queries.series_meetings(current_user, series, sa.orm.selectinload(
        Meeting.organisations).joinedload(MeetingOrganisation.organisation))
    taken_part, to_come = services.series_participation(series, meetings)
    return render_template(
        "meetings/series_show.html", series=series, meetings=meetings, taken_part=taken_part,
        to_come=to_come,
        commitments=visible_commitments(services.series_open_commitments, series),
        today=reader_today(),
        feed_url=url_for("meetings.feed", token=feed_token(current_user), series=series.id,
                         _external=True))


# --- planning --------------------------------------------------------------------------------

def _meeting_form(meeting=None):
    form = forms.MeetingForm()
    form.host_organisation_id.offer(queries.host_choices(current_user, meeting))
    form.series_id.choices = choices([("", _("— none —"))] + [
        (s.id, s.display_title()) for s in queries.series_list(current_user)])
    # the people of the organiser's network; an edited meeting keeps those it names
    named = [i for i in (meeting.recorder_id, meeting.chair_id) if i] if meeting else []
    managers = queries.people_to_name(current_user, named, Role.RELATIONSHIP_MANAGER)
    form.recorder_id.choices = choices((u.id, u.full_name) for u in managers)
    people = queries.people_to_name(current_user, named)
    form.chair_id.choices = choices([("", _("— none —"))] + [
        (u.id, u.full_name) for u in people])
    return form


def _details(form):
    return dict(
        title=form.title.data,
        starts_local=times.parse_local(form.day.data, form.start_time.data),
        ends_local=times.parse_local(form.day.data, form.end_time.data),
        timezone=form.timezone.data, place=form.place.data, online_link=form.online_link.data,
        host_organisation=services.organisation_by_id(form.host_organisation_id.data),
        chair=services.user_by_id(form.chair_id.data), chair_name=form.chair_name.data,
        recorder=services.user_by_id(form.recorder_id.data),
        confidential=form.confidential.data)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(meetings_permissions.can_organise_meetings(current_user))
    form = _meeting_form()
    if request.method == "GET":
        form.recorder_id.data = current_user.id
        # the organiser's own office in their network, never the first of the list (another
        # country's branch); a session of a series planned from the series page (?series=)
        # starts with the series' title and host
        host = queries.default_host(current_user)
        series = queries.visible_series_by_id(current_user,
                                              request.args.get("series", type=int))
        if series is not None:
            form.series_id.data = series.id
            form.kind.data = MeetingKind.CONSULTATION_SESSION.value
            host = series.host_organisation
            form.title.data = series.display_title()
        form.host_organisation_id.data = getattr(host, "id", None)
        form.timezone.data = times.default_zone(host) or form.timezone.data
    message, status = None, 200
    if form.validate_on_submit():
        meeting, message, status = save_or_explain(form, lambda: services.plan_meeting(
            current_user, kind=form.kind.data,
            series=queries.visible_series_by_id(current_user, form.series_id.data),
            **_details(form)))
        if meeting is not None:
            flash(_("The meeting is planned. Add the agenda and invite the participants."),
                  "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    if status == 200 and (form.errors or message):
        status = 400
    return render_template("meetings/form.html", form=form, meeting=None,
                           message=message), status


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id):
    meeting = load_for(meetings_permissions.can_edit_meeting, meeting_id)
    form = _meeting_form(meeting)
    if request.method == "GET":
        local_start = times.in_zone(meeting.starts_at, meeting.timezone)
        local_end = times.in_zone(meeting.ends_at, meeting.timezone)
        form.version_id.data = meeting.version_id
        form.kind.data, form.series_id.data = meeting.kind.value, meeting.series_id
        form.title.data, form.day.data = meeting.title, local_start.date()
        form.start_time.data, form.end_time.data = local_start.time(), local_end.time()
        form.timezone.data, form.place.data = meeting.timezone, meeting.place
        form.online_link.data = meeting.online_link
        form.host_organisation_id.data = meeting.host_organisation_id
        form.chair_id.data, form.chair_name.data = meeting.chair_id, meeting.chair_name
        form.recorder_id.data, form.confidential.data = meeting.recorder_id, meeting.confidential
    message, status = None, 200
    if form.validate_on_submit():
        updated, message, status = save_or_explain(form, lambda: services.update_meeting(
            current_user, meeting, form.version_id.data, **_details(form)))
        if status == 409:
            message = _("Someone else changed this meeting while you were editing. Your "
                        "changes are below; the meeting page shows theirs.")
        elif updated is not None:
            flash(_("The meeting is updated."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    if status == 200 and (form.errors or message):
        status = 400
    return render_template("meetings/form.html", form=form, meeting=meeting,
                           message=message), status


# --- one meeting -----------------------------------------------------------------------------

@bp.route("/<int:meeting_id>")
@login_required
@kept_page
def show(meeting_id):
    meeting = load_record(meeting_id)
    # what the page offers changes when the meeting starts and ends ("Mark as held" appears),
    # with nothing written: kept no later than the next of those moments
    now = utcnow()
    kept_pages.until(min((m for m in (meeting.starts_at, meeting.ends_at) if m > now),
                         default=None))
    return show_page(meeting)


@bp.route("/<int:meeting_id>/print")
@login_required
def printable(meeting_id):
    return render_template("meetings/print.html", **page_context(load_record(meeting_id)))


@bp.route("/<int:meeting_id>/held", methods=["POST"])
@login_required
def mark_held(meeting_id):
    meeting = load_for(meetings_permissions.can_mark_held, meeting_id)
    if not meetings_permissions.may_mark_held(current_user, meeting):
        return refuse(meeting_id, meetings_permissions.NOT_STARTED)
    return act(meeting, lambda m, f: services.mark_held(current_user, m, f.version_id.data),
            _("The meeting is marked as held. Record attendance and the minutes."))


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel(meeting_id):
    meeting = load_for(meetings_permissions.can_cancel_meeting, meeting_id)
    return act(meeting, lambda m, f: services.cancel(current_user, m, f.reason.data,
                                                     f.version_id.data),
            _("The meeting is cancelled and the invitees are told."), forms.ReasonForm)


# --- the home page ---------------------------------------------------------------------------

@home_panel
def overdue_commitments_panel(user):
    """All overdue commitments, for the ministry and administrators. (Everyone else finds the
    commitments they or their organisation owe, and the overdue ones of meetings they
    recorded, in the home page's "What comes next", as the ministry its sessions to sign
    off.)"""
    if not (permissions.is_admin(user) or permissions.is_ministry(user)):
        return None
    items, total = queries.overdue_in_network(user, reader_today())
    if not total:
        return None
    return {"template": "meetings/panel_commitments.html", "order": 18, "items": items,
            "total": total}


# the blueprint's other routes: imported here, after bp, so that they register on it
from portal.meetings import (  # noqa: E402, F401, I001
    agenda_views,
    calendar_views,
    commitment_views,
    invitation_views,
    minutes_views,
)
