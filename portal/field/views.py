"""The field app: one page that works offline, its service worker and manifest, and the JSON
endpoints the page uses to prepare groups and send what was recorded."""
import time

from flask import (
    Blueprint,
    Response,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf.csrf import generate_csrf

from portal.core import sessions
from portal.core.errors import ValidationError, require
from portal.feedback import queries as feedback_queries
from portal.field import permissions as field_permissions
from portal.field import services
from portal.home.panels import nav_item
from portal.i18n import select_timezone
from portal.i18n.fields import date_input_attributes
from portal.indicators import services as indicators_services

bp = Blueprint("field", __name__, url_prefix="/field", template_folder="templates")
blueprints = (bp,)

nav_item("field.index", _l("Field work"), visible=field_permissions.may_work_in_field, order=47)

_API = {"field.api_session", "field.api_groups", "field.api_sync"}


@bp.before_app_request
def _expired_session_is_401():
    """The JSON endpoints answer an ended session with 401, not the sign-in page: the device
    keeps its entries and says why they were not sent. (Runs before core.sessions' check,
    which would redirect.)"""
    if request.endpoint not in _API or not session.get("_user_id"):
        return None
    if sessions._expired(time.time()):  # noqa: SLF001 - the one definition of "ended"
        logout_user()
        session.clear()
        return _signed_out()
    return None


def _signed_out():
    return jsonify(error="signed_out",
                   message=_("Your session has ended. Please sign in again.")), 401


def _api_user():
    """The signed-in field worker, or the response to send instead (401 or 403)."""
    if not current_user.is_authenticated:
        return _signed_out()
    if not field_permissions.may_work_in_field(current_user):
        return jsonify(error="forbidden",
                       message=_("You do not have permission to do this.")), 403
    return None


def _texts():
    """Everything the page's script writes, in the officer's language."""
    return {
        "offline": _("Offline: what you record is kept on this phone."),
        "online": _("Online"),
        "waiting": _("Not sent yet"),
        "refused": _("Refused: correct it and send again"),
        "conflict": _("Changed online meanwhile: choose which to keep"),
        "sending": _("Sending…"),
        "nothing_waiting": _("Nothing is waiting to be sent."),
        "no_groups": _("No groups on this phone yet. Prepare them while you are online."),
        "saved": _("Saved on this phone. It will be sent when you press “Send now”."),
        "sent": _("Entries recorded: %(count)s"),
        "sent_troubled": _("Entries recorded: %(count)s. Some need your attention below."),
        "signed_out": _("Your session has ended. Sign in again to send; your entries stay "
                        "on this phone."),
        "send_failed": _("Could not reach the portal. Your entries stay on this phone."),
        "expired": _("The prepared groups were removed: nothing was sent for too long."),
        "prepared": _("Groups ready on this phone: %(count)s"),
        "record": _("Record a meeting"),
        "edit": _("Edit"),
        "members": _("Members in the portal"),
        "no_members": _("No members have an account in the portal."),
        "mine": _("Mine (on this phone)"),
        "theirs": _("Theirs (online)"),
        "keep_mine": _("Keep mine"),
        "keep_theirs": _("Keep theirs"),
        "day": _("Day"),
        "place": _("Place"),
        "notes": _("Agenda notes"),
        "present": _("Present"),
        "recommendations": _("Recommendations"),
        "name": _("Name"),
        "open_meeting": _("Open the meeting"),
        "sign_out_pending": _("Entries not yet sent will be deleted from this phone. Sign out "
                              "anyway?"),
        "remove": _("Remove"),
        "choose_group": _("Choose at least one group."),
    }


@bp.route("/")
@login_required
def index():
    require(field_permissions.may_work_in_field(current_user))
    return render_template(
        "field/index.html", groups=services.groups_to_choose(current_user),
        texts=_texts(), keep_days=services.keep_days(), grades=indicators_services.grades(),
        **feedback_queries.recommendation_choices(),
        date_attributes=date_input_attributes(), timezone=select_timezone())


@bp.route("/sw.js")
def service_worker():
    """The service worker, from /field/ so that its scope is the field pages only."""
    body = render_template("field/sw.js", index_url=url_for("field.index"))
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = url_for("field.index")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    icons = [{"src": url_for("static", filename=f"field/icon-{size}.png"),
              "sizes": f"{size}x{size}", "type": "image/png"} for size in (192, 512)]
    icons.append({"src": url_for("static", filename="field/icon.svg"), "sizes": "any",
                  "type": "image/svg+xml"})
    response = jsonify(name=_("Field work · Cooperative Bank Portal"),
                       short_name=_("Field work"), start_url=url_for("field.index"),
                       scope=url_for("field.index"), display="standalone",
                       background_color="#ffffff", theme_color="#0d6efd", icons=icons)
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/api/session")
def api_session():
    """Who is signed in, and a fresh CSRF token for sending (the cached page's may be old)."""
    refused = _api_user()
    if refused:
        return refused
    return jsonify(user_id=current_user.id, csrf_token=generate_csrf(),
                   keep_days=services.keep_days())


@bp.route("/api/groups")
def api_groups():
    refused = _api_user()
    if refused:
        return refused
    try:
        ids = [int(i) for i in request.args.get("ids", "").split(",") if i.strip()]
    except ValueError:
        raise ValidationError(_("Choose at least one group.")) from None
    return jsonify(user_id=current_user.id, groups=services.prepare(current_user, ids))


@bp.route("/api/sync", methods=["POST"])
def api_sync():
    """The entries a device sends (JSON, with the X-CSRFToken header the page got from
    api_session). An ended session answers 401 and the device keeps its entries."""
    refused = _api_user()
    if refused:
        return refused
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError(_("The request could not be read."))
    results = services.settle_all(current_user, payload.get("entries"))
    return jsonify(results=results)
