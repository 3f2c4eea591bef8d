"""iCalendar files: one meeting, a series, and a person's feed, which a calendar program reads
with a signed token instead of a session cookie (feeds.py)."""
from flask import request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.errors import NotFound
from portal.core.models import get_visible
from portal.extensions import feed_key, feed_limit, limiter
from portal.meetings import feeds, queries
from portal.meetings import permissions as meetings_permissions
from portal.meetings.meeting_page import load
from portal.meetings.models import ConsultationSeries
from portal.meetings.views import bp, load_series


def _series_calendar(user, series):
    return feeds.ics_response(queries.series_meetings(user, series, feeds.WITH_AGENDA),
                              series.display_title(), f"series-{series.id}.ics")


@bp.route("/series/<int:series_id>/calendar.ics")
@login_required
def series_calendar(series_id):
    return _series_calendar(current_user, load_series(series_id))


@bp.route("/<int:meeting_id>/calendar.ics")
@login_required
def calendar(meeting_id):
    meeting = load(meeting_id)
    return feeds.ics_response([meeting], meeting.title, f"meeting-{meeting.id}.ics")


@bp.route("/feed/<token>.ics")
@limiter.limit(feed_limit, key_func=feed_key)
def feed(token):
    user = feeds.feed_user(token)
    if user is None:
        raise NotFound()
    series_id = request.args.get("series", type=int)
    if series_id:
        series = get_visible(meetings_permissions.visible_series(user), ConsultationSeries,
                             series_id)
        return _series_calendar(user, series)
    return feeds.ics_response(queries.own_meetings(user, feeds.WITH_AGENDA), _("My meetings"),
                              "meetings.ics")
