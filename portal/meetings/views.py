"""Meeting pages: series, lists, a meeting with its agenda, invitations, attendance, minutes,
statements and commitments; the printable view, iCalendar feeds and the ministry's queue."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer

from portal import permissions
from portal.accounts.models import Organisation, Role, User
from portal.core.clock import reader_today
from portal.core.errors import Conflict, NotFound, PermissionDenied, ValidationError, require
from portal.core.forms import choices
from portal.core.pagecache import cached_page
from portal.core.pagination import paginate
from portal.core.richtext import outline_html
from portal.core.tabular import content_disposition
from portal.core.textnorm import matches_all_words
from portal.core.views import form_errors_into, get_visible
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import KIND_LABELS as STATEMENT_KIND_LABELS
from portal.feedback.models import TOPIC_LABELS, FeedbackItem
from portal.home.panels import home_panel, nav_item
from portal.i18n import number_filter
from portal.i18n.fields import filter_day, reader_day_bounds
from portal.meetings import forms, ical, rules, services
from portal.meetings import permissions as meetings_permissions
from portal.meetings.models import (
    Commitment,
    ConsultationSeries,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingOrganisation,
    MeetingState,
    MeetingStatement,
    Minutes,
)

bp = Blueprint("meetings", __name__, url_prefix="/meetings", template_folder="templates")
blueprints = (bp,)
ICS_TYPE = "text/calendar; charset=utf-8"

nav_item("meetings.index", _l("Meetings"), lambda user: user.is_authenticated, order=25)


@bp.app_template_filter("meeting_time")
def meeting_time_filter(value, tz_name, style="medium"):
    """A stored time shown in the meeting's own zone, in the reader's calendar and digits."""
    return services.format_in_zone(value, tz_name, style)


@bp.app_template_filter("meeting_clock")
def meeting_clock_filter(value, tz_name):
    """Only the time of day, in the meeting's zone (the end of a meeting on the same day)."""
    from portal import i18n
    from portal.i18n import calendars, formatting

    text = calendars.format_time(services.in_zone(value, tz_name), i18n.current_language())
    return formatting.to_persian_digits(text) if i18n.native_digits() else text


@bp.app_template_filter("meeting_same_day")
def meeting_same_day_filter(value, other, tz_name):
    return services.in_zone(value, tz_name).date() == services.in_zone(other, tz_name).date()


# --- finding ---------------------------------------------------------------------------------

def filtered_meetings(user, args, organisation_id=None):
    """The meetings the user may see that match the list's filters; organisation_id (read by
    the filter form's organisation picker) keeps those it hosted or was invited to."""
    query = meetings_permissions.visible_meetings(user)
    for name, column, enum in (("kind", Meeting.kind, MeetingKind),
                               ("state", Meeting.state, MeetingState)):
        value = args.get(name, "")
        if value in {e.value for e in enum}:
            query = query.where(column == enum(value))
    series_id = args.get("series", type=int)
    if series_id:
        query = query.where(Meeting.series_id == series_id)
    if organisation_id:
        query = query.where(sa.or_(Meeting.host_organisation_id == organisation_id,
                                   Meeting.organisations.any(organisation_id=organisation_id)))
    if args.get("district"):
        place = matches_all_words(Organisation.search_key, args["district"])
        query = query.where(sa.or_(
            Meeting.host_organisation.has(place),
            Meeting.organisations.any(MeetingOrganisation.organisation.has(place))))
    start, end = filter_day(args, "from"), filter_day(args, "to")
    if start:
        query = query.where(Meeting.starts_at >= reader_day_bounds(start)[0])
    if end:
        query = query.where(Meeting.starts_at < reader_day_bounds(end)[1])
    if args.get("q"):
        query = query.where(matches_all_words(Meeting.search_key, args["q"]))
    return query


@bp.route("/")
@cached_page
@login_required
def index():
    # the organisation filter is the search picker: a savings group is found among thousands
    filter_form = forms.MeetingFilterForm(request.args)
    filter_form.organisation.offer(rules.meeting_organisations(current_user), blank=_("All"))
    chosen = filter_form.organisation.data if filter_form.organisation.validate(
        filter_form) else None
    query = filtered_meetings(current_user, request.args, chosen).order_by(
        Meeting.starts_at.desc(), Meeting.id.desc()).options(
        sa.orm.joinedload(Meeting.host_organisation), sa.orm.joinedload(Meeting.series))
    series = db.session.scalars(meetings_permissions.visible_series(current_user).order_by(
        ConsultationSeries.title)).all()
    return render_template("meetings/index.html", page=paginate(query), args=request.args,
                           kinds=list(MeetingKind), states=list(MeetingState),
                           all_series=series, filter_form=filter_form)


@bp.route("/review")
@cached_page
@login_required
def review():
    """The ministry's queue: consultation sessions with approved minutes, oldest first."""
    require(meetings_permissions.can_review_meetings(current_user))
    return render_template("meetings/review.html",
                           meetings=services.review_queue(current_user))


# --- series ----------------------------------------------------------------------------------

def _load_series(series_id, *options):
    return get_visible(meetings_permissions.visible_series(current_user).options(*options),
                       ConsultationSeries, series_id)


def _offer_host(field, meeting=None):
    """Any organisation the person may name hosts (a savings group its own meeting); an
    existing meeting keeps its host even if that one has since closed."""
    allowed = rules.meeting_organisations(current_user)
    if meeting is not None:
        allowed = sa.select(Organisation).where(sa.or_(
            Organisation.id.in_(allowed.with_only_columns(Organisation.id)),
            Organisation.id == meeting.host_organisation_id))
    field.offer(allowed)


def _people_choices():
    """(id, name) of the active people of the organiser's network, for the invitation form."""
    return [tuple(row) for row in db.session.execute(
        rules.meeting_people(current_user).with_only_columns(User.id, User.full_name)
        .order_by(User.full_name, User.id))]


@bp.route("/series")
@cached_page
@login_required
def series_index():
    series = db.session.scalars(meetings_permissions.visible_series(current_user).order_by(
        ConsultationSeries.created_at.desc())).all()
    return render_template("meetings/series_index.html", all_series=series)


@bp.route("/series/new", methods=["GET", "POST"])
@login_required
def series_new():
    require(meetings_permissions.can_organise_meetings(current_user))
    form = forms.SeriesForm()
    _offer_host(form.host_organisation_id)
    form.organisation_ids.offer(rules.meeting_organisations(current_user))
    if request.method == "GET":
        form.host_organisation_id.data = getattr(rules.default_host(current_user), "id", None)
    message = None
    if form.validate_on_submit():
        invited = db.session.scalars(sa.select(Organisation).where(
            Organisation.id.in_(form.organisation_ids.data or []))).all()
        titles = {code: getattr(form, f"title_{code}").data for code in ("en", "fa", "vi", "th")}
        try:
            series = services.create_series(
                current_user, title=form.title.data, titles=titles, purpose=form.purpose.data,
                host_organisation=services.organisation_by_id(form.host_organisation_id.data),
                invited_organisations=invited)
        except ValidationError as error:
            db.session.rollback()
            message = form_errors_into(form, error)
        else:
            db.session.commit()
            flash(_("The series is open. Plan its first session."), "success")
            return redirect(url_for("meetings.series_show", series_id=series.id))
    status = 400 if (form.errors or message) else 200
    return render_template("meetings/series_form.html", form=form, message=message), status


@bp.route("/series/<int:series_id>")
@cached_page
@login_required
def series_show(series_id):
    # series_participation reads who was invited to the series and to each of its meetings:
    # loaded here, one statement per collection rather than one per meeting and organisation
    series = _load_series(series_id, sa.orm.joinedload(ConsultationSeries.host_organisation),
                          sa.orm.selectinload(ConsultationSeries.invited_organisations))
    meetings = _series_meetings(current_user, series, sa.orm.selectinload(
        Meeting.organisations).joinedload(MeetingOrganisation.organisation))
    taken_part, to_come = services.series_participation(series, meetings)
    return render_template(
        "meetings/series_show.html", series=series, meetings=meetings, taken_part=taken_part,
        to_come=to_come,
        commitments=_visible_commitments(services.series_open_commitments, series),
        today=_today(),
        feed_url=url_for("meetings.feed", token=feed_token(current_user), series=series.id,
                         _external=True))


@bp.route("/series/<int:series_id>/calendar.ics")
@login_required
def series_calendar(series_id):
    series = _load_series(series_id)
    return _ics_response(_series_meetings(current_user, series, _WITH_AGENDA),
                         series.display_title(), f"series-{series.id}.ics")


def _series_meetings(user, series, *options):
    """The series' meetings the user may see, in order, with options to load what the caller
    reads of each."""
    return db.session.scalars(meetings_permissions.visible_meetings(user).where(
        Meeting.series_id == series.id).order_by(Meeting.starts_at).options(*options)).all()


# a calendar describes each meeting with its agenda: loaded with the meetings in one statement
_WITH_AGENDA = sa.orm.selectinload(Meeting.agenda)


def _ics_response(meetings, name, filename):
    return Response(ical.calendar_bytes(meetings, name), mimetype="text/calendar",
                    headers={"Content-Disposition": content_disposition(filename, "inline")})


# --- feeds a calendar program subscribes to (no session cookie: a signed token) --------------

def _feed_serializer():
    return URLSafeSerializer(current_app.secret_key, salt="meetings-calendar-feed")


def feed_token(user):
    """A personal feed address; it dies when the person signs out everywhere (session
    version) or is deactivated."""
    return _feed_serializer().dumps([user.id, user.session_version])


@bp.route("/feed/<token>.ics")
def feed(token):
    try:
        user_id, version = _feed_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound() from None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_version != version:
        raise NotFound()
    series_id = request.args.get("series", type=int)
    if series_id:
        series = get_visible(meetings_permissions.visible_series(user), ConsultationSeries,
                             series_id)
        return _ics_response(_series_meetings(user, series, _WITH_AGENDA),
                             series.display_title(),
                             f"series-{series.id}.ics")
    meetings = db.session.scalars(meetings_permissions.visible_meetings(user).where(sa.or_(
        Meeting.recorder_id == user.id, Meeting.chair_id == user.id,
        Meeting.invitations.any(Invitation.user_id == user.id))).order_by(
        Meeting.starts_at).options(_WITH_AGENDA)).all()
    return _ics_response(meetings, _("My meetings"), "meetings.ics")


# --- planning --------------------------------------------------------------------------------

def _meeting_form(meeting=None):
    form = forms.MeetingForm()
    _offer_host(form.host_organisation_id, meeting)
    series = db.session.scalars(meetings_permissions.visible_series(current_user).order_by(
        ConsultationSeries.title)).all()
    form.series_id.choices = choices([("", _("— none —"))] + [
        (s.id, s.display_title()) for s in series])
    # the people of the organiser's network; an edited meeting keeps those it names
    named = [i for i in (meeting.recorder_id, meeting.chair_id) if i] if meeting else []
    managers = _people(rules.meeting_people(current_user, Role.RELATIONSHIP_MANAGER), named)
    form.recorder_id.choices = choices((u.id, u.full_name) for u in managers)
    people = _people(rules.meeting_people(current_user), named)
    form.chair_id.choices = choices([("", _("— none —"))] + [
        (u.id, u.full_name) for u in people])
    return form


def _people(query, named):
    if named:
        query = sa.select(User).where(sa.or_(
            User.id.in_(query.with_only_columns(User.id)), User.id.in_(named)))
    return db.session.scalars(query.order_by(User.full_name, User.id)).all()


def _details(form):
    return dict(
        title=form.title.data,
        starts_local=services.parse_local(form.day.data, form.start_time.data),
        ends_local=services.parse_local(form.day.data, form.end_time.data),
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
        # country's branch); a session of a series is hosted where the series is
        host = rules.default_host(current_user)
        series = _requested_series()
        if series is not None:
            form.series_id.data = series.id
            form.kind.data = MeetingKind.CONSULTATION_SESSION.value
            host = series.host_organisation
            form.title.data = series.display_title()
        form.host_organisation_id.data = getattr(host, "id", None)
        form.timezone.data = rules.default_zone(host) or form.timezone.data
    message = None
    if form.validate_on_submit():
        try:
            meeting = services.plan_meeting(
                current_user, kind=form.kind.data,
                series=db.session.get(ConsultationSeries, form.series_id.data or 0),
                **_details(form))
        except ValidationError as error:
            db.session.rollback()
            message = form_errors_into(form, error)
        else:
            db.session.commit()
            flash(_("The meeting is planned. Add the agenda and invite the participants."),
                  "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    status = 400 if (form.errors or message) else 200
    return render_template("meetings/form.html", form=form, meeting=None,
                           message=message), status


def _requested_series():
    """The series named in the address (?series=), if the person may see it: a session planned
    from a series page starts with the series' title and host."""
    series_id = request.args.get("series", type=int)
    if not series_id:
        return None
    return db.session.scalar(meetings_permissions.visible_series(current_user).where(
        ConsultationSeries.id == series_id))


def _load(meeting_id, *options):
    return get_visible(meetings_permissions.visible_meetings(current_user).options(*options),
                       Meeting, meeting_id)


def _record_options():
    """Loader options for everything the meeting page and its printable view show: the people
    and organisations named are joined into the statement that loads the meeting, and each
    collection (agenda, invited organisations, invitations, commitments with their history)
    costs one statement, however many rows it has."""
    orm = sa.orm
    return (
        orm.joinedload(Meeting.series), orm.joinedload(Meeting.host_organisation),
        orm.joinedload(Meeting.chair), orm.joinedload(Meeting.recorder),
        orm.joinedload(Meeting.signed_off_by),
        orm.joinedload(Meeting.minutes).options(orm.joinedload(Minutes.updated_by),
                                                orm.undefer(Minutes.revision_count)),
        orm.selectinload(Meeting.agenda),
        orm.selectinload(Meeting.organisations).joinedload(MeetingOrganisation.organisation),
        orm.selectinload(Meeting.invitations).options(orm.joinedload(Invitation.user),
                                                      orm.joinedload(Invitation.organisation)),
        orm.selectinload(Meeting.commitments).options(*services.commitment_table_options()),
    )


def _load_record(meeting_id):
    """A visible meeting with all that its page shows (404 otherwise)."""
    return _load(meeting_id, *_record_options())


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id):
    meeting = _load(meeting_id)
    require(meetings_permissions.can_edit_meeting(current_user, meeting))
    form = _meeting_form(meeting)
    if request.method == "GET":
        local_start = services.in_zone(meeting.starts_at, meeting.timezone)
        local_end = services.in_zone(meeting.ends_at, meeting.timezone)
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
        try:
            services.update_meeting(current_user, meeting, form.version_id.data,
                                    **_details(form))
        except Conflict:
            db.session.rollback()
            message = _("Someone else changed this meeting while you were editing. Your "
                        "changes are below; the meeting page shows theirs.")
            status = 409
        except ValidationError as error:
            db.session.rollback()
            message = form_errors_into(form, error)
        else:
            db.session.commit()
            flash(_("The meeting is updated."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id))
    if status == 200 and (form.errors or message):
        status = 400
    return render_template("meetings/form.html", form=form, meeting=meeting,
                           message=message), status


# --- one meeting -----------------------------------------------------------------------------

def _today():
    return reader_today()


def _statements(meeting):
    """The statements the reader may see: confidential items stay with the bank. One
    statement: the meeting's statements as a subquery, each item's organisation joined."""
    said_here = sa.select(MeetingStatement.feedback_item_id).where(
        MeetingStatement.meeting_id == meeting.id)
    return db.session.scalars(feedback_permissions.visible_feedback(current_user).where(
        FeedbackItem.id.in_(said_here)).options(sa.orm.joinedload(FeedbackItem.organisation))
        .order_by(FeedbackItem.id)).all()


def _visible_commitments(load, *args):
    """Only the commitments made at meetings the reader may see: what was agreed at a
    confidential meeting stays with those who may read that meeting, on the series page and
    when it is carried forward to a later meeting. load is a service (carried_commitments,
    series_open_commitments) that filters by the reader's meetings in the statement that loads
    the commitments, so this costs no query of its own."""
    return load(*args, visible_meetings=meetings_permissions.visible_meetings(current_user))


def _page_context(meeting):
    invitation = next((i for i in meeting.invitations if i.user_id == current_user.id), None)
    return dict(meeting=meeting, statements=_statements(meeting),
                carried=_visible_commitments(services.carried_commitments, meeting),
                today=_today(), my_invitation=invitation, meeting_rules=rules)


def _agenda_forms(meeting, edited=None):
    """{item id: its edit form}, filled with what the item says, for those who may edit the
    agenda; edited (a refused form) keeps what was typed for its item."""
    if not rules.may_edit_agenda(current_user, meeting):
        return {}
    found = {}
    for item in meeting.agenda:
        if edited is not None and edited.item_id == item.id:
            found[item.id] = edited
            continue
        # formdata=None: on a page shown again after another form was refused, the items'
        # forms show the items, not the other form's post
        found[item.id] = _agenda_item_form(item, formdata=None, data={
            "title": item.title, "presenter": item.presenter, "duration": item.minutes})
    return found


def _agenda_item_form(item, **kwargs):
    """An agenda item's edit form: the same names for every item (the address says which
    item), ids of its own, so each label names its item's box."""
    form = forms.AgendaForm(prefix="item", **kwargs)
    form.item_id = item.id
    for field in form:
        field.id = f"item-{item.id}-{field.short_name}"
    return form


def _progress_form(meeting, table, commitments, given=None):
    """The progress form of one commitment table: a row for each commitment the reader may
    move on there, None when there is none. given (a refused form of this table) keeps what
    was typed and the rows' messages."""
    if given is not None and given.table == table:
        return given
    updatable = rules.updatable_commitments(current_user, meeting, commitments,
                                            carried=table == "carried")
    if not updatable:
        return None
    return forms.CommitmentProgressForm(formdata=None, prefix=table, data={"rows": [
        {"commitment_id": c.id, "version_id": c.version_id, "status": c.status.value}
        for c in updatable]})


def _show(meeting, status=200, **given):
    version_form = forms.VersionForm()
    version_form.version_id.data = meeting.version_id
    invite_form = given.get("invite_form") or forms.InviteForm()
    statement_form = given.get("statement_form") or forms.StatementForm()
    commitment_form = given.get("commitment_form") or forms.CommitmentForm()
    # the invitation form shows only before the meeting (show.html): its long lists of the
    # whole network are read only then
    if meetings_permissions.can_edit_meeting(current_user, meeting) and \
            meeting.state == MeetingState.PLANNED:
        invite_form.organisation_ids.offer(rules.meeting_organisations(current_user))
        invite_form.user_ids.choices = choices(_people_choices())
    if meetings_permissions.can_record_meeting(current_user, meeting):
        invited = [(o.id, o.name) for o in meeting.invited_organisations]
        # only those the recorder may speak for: invited, and in their portfolio
        statement_form.organisation_id.choices = choices(
            (o.id, o.name) for o in rules.speakers(current_user, meeting))
        statement_form.kind.choices = choices(
            (k.value, label) for k, label in STATEMENT_KIND_LABELS.items())
        statement_form.topic.choices = choices(
            (t.value, label) for t, label in TOPIC_LABELS.items())
        commitment_form.organisation_id.choices = choices(
            [(meeting.host_organisation_id, meeting.host_organisation.name)]
            + [pair for pair in invited if pair[0] != meeting.host_organisation_id])
        owners = {i.user_id: i.user.full_name for i in meeting.invitations}
        owners.setdefault(meeting.recorder_id, meeting.recorder.full_name)
        commitment_form.owner_id.choices = choices([("", _("— none —"))] + sorted(
            owners.items(), key=lambda pair: pair[1]))
    reason_form = given.get("reason_form") or forms.ReasonForm()
    reason_form.version_id.data = meeting.version_id
    sign_off_form = forms.SignOffForm()
    sign_off_form.version_id.data = meeting.version_id
    context = _page_context(meeting)
    progress = given.get("progress_form")
    return render_template(
        "meetings/show.html", version_form=version_form, invite_form=invite_form,
        agenda_form=given.get("agenda_form") or forms.AgendaForm(),
        agenda_forms=_agenda_forms(meeting, given.get("agenda_item_form")),
        statement_form=statement_form, commitment_form=commitment_form,
        reason_form=reason_form, sign_off_form=sign_off_form,
        made_progress=_progress_form(meeting, "made", meeting.commitments, progress),
        carried_progress=_progress_form(meeting, "carried", context["carried"], progress),
        message=given.get("message"),
        feed_url=url_for("meetings.feed", token=feed_token(current_user), _external=True),
        **context), status


@bp.route("/<int:meeting_id>")
@cached_page
@login_required
def show(meeting_id):
    return _show(_load_record(meeting_id))


@bp.route("/<int:meeting_id>/print")
@cached_page
@login_required
def printable(meeting_id):
    return render_template("meetings/print.html", **_page_context(_load_record(meeting_id)))


@bp.route("/<int:meeting_id>/calendar.ics")
@login_required
def calendar(meeting_id):
    meeting = _load(meeting_id)
    return _ics_response([meeting], meeting.title, f"meeting-{meeting.id}.ics")


def _refuse(meeting_id, message):
    """An action the meeting's state or date does not allow (its button is not on the page,
    but a page left open may still send it): the meeting page again, saying why."""
    flash(str(message), "danger")
    return _show(_load_record(meeting_id), status=400)


def _act(meeting_id, action, done, form_cls=forms.VersionForm, anchor=""):
    """Run one action on a visible meeting: 409 on a stale form, 400 on refused input."""
    meeting = _load(meeting_id)
    form = form_cls()
    if not form.validate_on_submit():
        flash(_("Check what you entered and try again."), "danger")
        return _show(meeting, status=400)
    try:
        action(meeting, form)
    except Conflict:
        db.session.rollback()
        flash(_("Someone else changed this meeting while you were looking at it. Here it is "
                "as it is now."), "warning")
        return _show(_load_record(meeting_id), status=409)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _show(_load_record(meeting_id), status=400)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + anchor)


@bp.route("/<int:meeting_id>/held", methods=["POST"])
@login_required
def mark_held(meeting_id):
    meeting = _load(meeting_id)
    require(meetings_permissions.can_mark_held(current_user, meeting))
    if not rules.may_mark_held(current_user, meeting):
        return _refuse(meeting_id, rules.NOT_STARTED)
    return _act(meeting_id, lambda m, f: services.mark_held(current_user, m,
                                                            f.version_id.data),
                _("The meeting is marked as held. Record attendance and the minutes."))


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel(meeting_id):
    require(meetings_permissions.can_cancel_meeting(current_user, _load(meeting_id)))
    return _act(meeting_id, lambda m, f: services.cancel(current_user, m, f.reason.data,
                                                         f.version_id.data),
                _("The meeting is cancelled and the invitees are told."), forms.ReasonForm)


@bp.route("/<int:meeting_id>/approve", methods=["POST"])
@login_required
def approve_minutes(meeting_id):
    meeting = _load(meeting_id)
    require(meetings_permissions.can_approve_minutes(current_user, meeting))
    if not rules.may_approve_minutes(current_user, meeting):
        return _refuse(meeting_id, rules.NO_MINUTES)
    return _act(meeting_id, lambda m, f: services.approve_minutes(current_user, m,
                                                                  f.version_id.data),
                _("The minutes are approved and frozen."))


@bp.route("/<int:meeting_id>/sign-off", methods=["POST"])
@login_required
def sign_off(meeting_id):
    require(meetings_permissions.can_sign_off(current_user, _load(meeting_id)))
    return _act(meeting_id, lambda m, f: services.sign_off(current_user, m, f.comment.data,
                                                           f.version_id.data),
                _("Signed off. The outcome of this meeting is now read-only."),
                forms.SignOffForm)


@bp.route("/<int:meeting_id>/send-back", methods=["POST"])
@login_required
def send_back(meeting_id):
    require(meetings_permissions.can_send_back(current_user, _load(meeting_id)))
    return _act(meeting_id, lambda m, f: services.send_back(current_user, m, f.reason.data,
                                                            f.version_id.data),
                _("The minutes are sent back to the recorder."), forms.ReasonForm)


# --- agenda, invitations, attendance ---------------------------------------------------------

def _agenda_item(meeting, item_id):
    item = next((a for a in meeting.agenda if a.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.route("/<int:meeting_id>/agenda", methods=["POST"])
@login_required
def add_agenda(meeting_id):
    meeting = _load(meeting_id)
    require(meetings_permissions.can_edit_meeting(current_user, meeting))
    form = forms.AgendaForm()
    if not form.validate_on_submit():
        return _show(meeting, status=400, agenda_form=form)
    try:
        services.add_agenda_item(current_user, meeting, title=form.title.data,
                                 presenter=form.presenter.data, duration=form.duration.data)
    except ValidationError as error:
        db.session.rollback()
        return _show(_load_record(meeting_id), status=400, agenda_form=form,
                     message=form_errors_into(form, error))
    db.session.commit()
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#agenda")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["POST"])
@login_required
def edit_agenda(meeting_id, item_id):
    """An agenda item changed where it stands: its title, presenter and time."""
    meeting = _load(meeting_id)
    require(rules.may_edit_agenda(current_user, meeting))
    item = _agenda_item(meeting, item_id)
    form = _agenda_item_form(item)
    if not form.validate_on_submit():
        return _show(meeting, status=400, agenda_item_form=form)
    try:
        services.update_agenda_item(current_user, meeting, item, title=form.title.data,
                                    presenter=form.presenter.data, duration=form.duration.data)
    except ValidationError as error:
        db.session.rollback()
        return _show(_load_record(meeting_id), status=400, agenda_item_form=form,
                     message=form_errors_into(form, error))
    db.session.commit()
    flash(_("The agenda item is updated."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + f"#agenda-item-{item.id}")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["POST"])
@login_required
def remove_agenda(meeting_id, item_id):
    meeting = _load(meeting_id)
    require(meetings_permissions.can_edit_meeting(current_user, meeting))
    services.remove_agenda_item(current_user, meeting, _agenda_item(meeting, item_id))
    db.session.commit()
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#agenda")


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
@login_required
def move_agenda(meeting_id, item_id):
    meeting = _load(meeting_id)
    require(rules.may_edit_agenda(current_user, meeting))
    item = _agenda_item(meeting, item_id)
    step = -1 if request.form.get("direction") == "up" else 1
    if not rules.may_move(current_user, meeting, item, step):
        return _refuse(meeting_id, rules.move_refusal(step))
    services.move_agenda_item(current_user, meeting, item, step)
    db.session.commit()
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#agenda")


@bp.route("/<int:meeting_id>/invite", methods=["POST"])
@login_required
def invite(meeting_id):
    meeting = _load(meeting_id)
    require(meetings_permissions.can_edit_meeting(current_user, meeting))
    form = forms.InviteForm()
    form.organisation_ids.offer(rules.meeting_organisations(current_user))
    if not form.validate_on_submit():
        return _show(meeting, status=400, invite_form=form)
    orgs = db.session.scalars(sa.select(Organisation).where(
        Organisation.id.in_(form.organisation_ids.data or []))).all()
    people = db.session.scalars(sa.select(User).where(
        User.id.in_(form.user_ids.data or []))).all()
    try:
        services.invite(current_user, meeting, orgs, people)
    except ValidationError as error:
        db.session.rollback()
        return _show(_load_record(meeting_id), status=400, invite_form=form,
                     message=form_errors_into(form, error))
    db.session.commit()
    flash(_("The invitations are sent."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#participants")


@bp.route("/<int:meeting_id>/reply", methods=["POST"])
@login_required
def reply(meeting_id):
    require(meetings_permissions.can_reply_to_invitation(current_user, _load(meeting_id)))
    answer = request.form.get("reply", "")
    if answer not in ("accepted", "declined"):
        abort(400)
    return _act(meeting_id, lambda m, f: services.reply(current_user, m, answer),
                _("Thank you for your answer."))


@bp.route("/<int:meeting_id>/attendance", methods=["POST"])
@login_required
def attendance(meeting_id):
    require(meetings_permissions.can_record_attendance(current_user, _load(meeting_id)))
    return _act(meeting_id, lambda m, f: services.record_attendance(
        current_user, m, request.form.getlist("organisation_ids", type=int),
        request.form.getlist("user_ids", type=int)),
        _("Attendance is recorded."), anchor="#participants")


# --- statements and commitments --------------------------------------------------------------

@bp.route("/<int:meeting_id>/statements", methods=["POST"])
@login_required
def statement(meeting_id):
    meeting = _load(meeting_id)
    require(meetings_permissions.can_record_meeting(current_user, meeting))
    form = forms.StatementForm()
    form.kind.choices = choices((k.value, lbl) for k, lbl in STATEMENT_KIND_LABELS.items())
    form.topic.choices = choices((t.value, lbl) for t, lbl in TOPIC_LABELS.items())
    if not form.validate_on_submit():
        return _show(meeting, status=400, statement_form=form)
    try:
        item = services.record_statement(
            current_user, meeting,
            organisation=services.organisation_by_id(form.organisation_id.data),
            kind=form.kind.data, topic=form.topic.data, title=form.title.data,
            body_html=form.body.data)
    except (ValidationError, PermissionDenied) as error:
        # refused (not invited: 400; not in the recorder's portfolio: 403), what was typed is
        # kept on the page with the reason
        db.session.rollback()
        return _show(_load_record(meeting_id), status=error.status, statement_form=form,
                     message=form_errors_into(form, error))
    db.session.commit()
    flash(_("The statement is recorded as feedback item %(id)s; its answer is tracked there.",
            id=item.id), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#statements")


@bp.route("/<int:meeting_id>/commitments", methods=["POST"])
@login_required
def commitment(meeting_id):
    meeting = _load(meeting_id)
    require(meetings_permissions.can_record_meeting(current_user, meeting))
    form = forms.CommitmentForm()
    if not form.validate_on_submit():
        return _show(meeting, status=400, commitment_form=form)
    try:
        services.add_commitment(
            current_user, meeting, description=form.description.data,
            organisation=services.organisation_by_id(form.organisation_id.data),
            owner=services.user_by_id(form.owner_id.data), due_on=form.due_on.data)
    except ValidationError as error:
        db.session.rollback()
        return _show(_load_record(meeting_id), status=400, commitment_form=form,
                     message=form_errors_into(form, error))
    db.session.commit()
    flash(_("The commitment is recorded."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#commitments")


@bp.route("/<int:meeting_id>/commitments/progress", methods=["POST"])
@login_required
def commitment_progress(meeting_id):
    """Progress on the commitments of one table of the meeting page (made here, or carried
    forward from earlier meetings of the series), with one Save: each row moves on as
    set_commitment_status does, all or none."""
    meeting = _load_record(meeting_id)
    table = request.form.get("table", "")
    if table not in forms.CommitmentProgressForm.TABLES:
        abort(400)
    form = forms.CommitmentProgressForm(prefix=table)
    form.table = table
    # only the commitments this page shows, and only those the reader may see
    listed = meeting.commitments if table == "made" else \
        _visible_commitments(services.carried_commitments, meeting)
    by_id = {c.id: c for c in listed}
    rows = [(row, by_id.get(_int(row.commitment_id.data))) for row in form.rows]
    if not rows or any(c is None for _row, c in rows):
        abort(404)
    for _row, found in rows:
        require(meetings_permissions.can_update_commitment(
            current_user, found, meeting if table == "carried" else None))
    if not form.validate_on_submit():
        return _show(meeting, status=400, progress_form=form)
    try:
        changed = services.record_progress(current_user, meeting, [
            (found, row.status.data, row.note.data, row.version_id.data)
            for row, found in rows])
    except Conflict:
        db.session.rollback()
        flash(_("Someone else updated one of these commitments first. Here they are as they "
                "are now."), "warning")
        return _show(_load_record(meeting_id), status=409)
    except ValidationError as error:
        db.session.rollback()
        for index, reason in error.details.get("rows", {}).items():
            form.rows[index].note.errors = [*form.rows[index].note.errors, reason]
        return _show(_load_record(meeting_id), status=400, progress_form=form,
                     message=error.message)
    db.session.commit()
    flash(ngettext("%(num)s commitment is updated.", "%(num)s commitments are updated.",
                   changed) if changed else _("Nothing was changed."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#commitments")


def _int(text):
    return int(text) if text and str(text).isdecimal() else None


# --- minutes ---------------------------------------------------------------------------------

def _can_write_minutes(meeting):
    return rules.may_write_minutes(current_user, meeting)


def _agenda_outline(meeting):
    """A new editor starts with the agenda as headings (in the reader's digits), each with a
    line to write under, so minutes can follow it."""
    return outline_html(f"{number_filter(item.position)}. {item.title}" for item in meeting.agenda)


@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(meeting_id):
    meeting = _load(meeting_id)
    require(_can_write_minutes(meeting))
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
        try:
            services.save_minutes(current_user, meeting, form.body.data, form.version_id.data,
                                  form.reason.data)
        except Conflict:
            db.session.rollback()
            meeting = _load(meeting_id)
            theirs = meeting.minutes
            # the next save is measured against their text, which the page shows for merging
            form.version_id.data = theirs.version_id
            message = _("Someone else saved the minutes while you were writing. Their text "
                        "is kept and shown below; yours is in the editor so you can merge "
                        "the two and save again.")
            status = 409
        except ValidationError as error:
            db.session.rollback()
            meeting = _load(meeting_id)
            message, status = form_errors_into(form, error), 400
        else:
            db.session.commit()
            flash(_("The minutes are saved."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting_id) + "#minutes")
    else:
        status = 400
    return render_template("meetings/minutes.html", meeting=meeting, form=form,
                           correcting=correcting, message=message, restored=restored,
                           theirs=theirs), status


@bp.route("/<int:meeting_id>/minutes/autosave", methods=["POST"])
@login_required
def autosave(meeting_id):
    meeting = _load(meeting_id)
    require(_can_write_minutes(meeting))
    try:
        draft = services.autosave(current_user, meeting, request.form.get("body", ""),
                                  request.form.get("version_id"))
    except ValidationError as error:
        db.session.rollback()
        return jsonify(saved=False, message=error.message), 400
    db.session.commit()
    return jsonify(saved=True, saved_at=draft.saved_at.isoformat() + "Z")


@bp.route("/<int:meeting_id>/minutes/revisions")
@cached_page
@login_required
def revisions(meeting_id):
    meeting = _load(meeting_id)
    require(meetings_permissions.can_see_minutes_history(current_user, meeting))
    revs = list(meeting.minutes.revisions) if meeting.minutes else []
    by_number = {r.number: r for r in revs}
    new = by_number.get(request.args.get("to", type=int) or 0) or (revs[-1] if revs else None)
    old = by_number.get(request.args.get("from", type=int) or 0)
    if old is None and new is not None:
        old = by_number.get(new.number - 1)
    rows = services.diff(old.body_html if old else "", new.body_html) if new else []
    return render_template("meetings/revisions.html", meeting=meeting, revisions=revs,
                           old=old, new=new, rows=rows)


# --- home panels -----------------------------------------------------------------------------

@home_panel
def overdue_commitments_panel(user):
    if not (permissions.is_bank_staff(user) or permissions.is_ministry(user)
            or user.has_role(Role.UNION_DIRECTOR)):
        return None
    mine = None if (permissions.is_admin(user) or permissions.is_ministry(user)) else user
    # only those made at meetings the reader may see; counted, and the first eight (with the
    # organisation each names) loaded: two statements however many are overdue
    visible = meetings_permissions.visible_meetings(user).with_only_columns(Meeting.id)
    query = services.overdue_query(_today(), mine).where(Commitment.meeting_id.in_(visible))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery()))
    if not total:
        return None
    items = db.session.scalars(query.options(sa.orm.joinedload(Commitment.organisation))
                               .limit(8)).all()
    return {"template": "meetings/panel_commitments.html", "order": 18, "items": items,
            "total": total}


@home_panel
def ministry_review_panel(user):
    if not meetings_permissions.can_review_meetings(user):
        return None
    queue = services.review_queue(user)
    return {"template": "meetings/panel_review.html", "order": 10, "meetings": queue[:5],
            "total": len(queue)}

