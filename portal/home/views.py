"""The home page: what this person can do now. Also the load balancer's health checks."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts.models import OrgKind, Role
from portal.core import kept_pages, unit_of_work
from portal.core.kept_pages import kept_page
from portal.core.pagination import paginate
from portal.extensions import db
from portal.home import services
from portal.home.panels import home_panel, nav_item, panels_for
from portal.home.services import home_facts

home = Blueprint("home", __name__, template_folder="templates")

# the bank's staff answer feedback from their queue: one click from every page
nav_item("feedback.queue", _l("My queue"), visible=permissions.is_bank_staff, order=21)


@home.route("/")
@kept_page
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("home/index.html", facts=home_facts(current_user),
                           panels=panels_for(current_user))


@home.route("/notifications")
@login_required
@kept_page
def notifications():
    kept_pages.about("user_id", current_user.id)
    return render_template("home/notifications.html",
                           page=paginate(services.notifications_of(current_user)))


@home.route("/notifications/<int:note_id>/open", methods=["POST"])
@login_required
def open_notification(note_id):
    """Mark one notification read and go to what it is about."""
    note = services.open_notification(current_user, note_id)
    if note is None:
        abort(404)
    return redirect(note.link or url_for("home.notifications"))


@home.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all_notifications():
    services.read_all_notifications(current_user)
    return redirect(url_for("home.notifications"))


@home.route("/healthz")
def healthz():
    return jsonify(status="ok")


@home.route("/readyz")
def readyz():
    checks = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except sa.exc.SQLAlchemyError:
        unit_of_work.discard()  # the failed statement leaves the session unusable
        checks["database"] = "unavailable"
    redis_url = current_app.config["RATELIMIT_STORAGE_URI"]
    if redis_url.startswith("redis"):
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_timeout=1).ping()
            checks["redis"] = "ok"
        except redis.RedisError:
            checks["redis"] = "unavailable"
    ready = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


# --- the foundation's own panels -------------------------------------------------------------

@home_panel
def my_organisations(user):
    orgs = user.organisations
    if not orgs:
        return None
    return {"template": "home/panel_my_organisations.html", "order": 10, "organisations": orgs,
            "roles": _roles_by_org(user)}


def _roles_by_org(user):
    result = {}
    for m in user.memberships:
        result.setdefault(m.organisation_id, []).append(m.role)
    return result


@home_panel
def my_portfolio(user):
    if not permissions.is_relationship_manager(user):
        return None
    return {"template": "home/panel_portfolio.html", "order": 20, "portfolio": user.portfolio}


@home_panel
def network_overview(user):
    if not permissions.sees_whole_network(user):
        return None
    # read with what comes next, in the same statement (portal/home/services.py)
    counts = home_facts(user).network_counts
    return {"template": "home/panel_network.html", "order": 30,
            "counts": [(kind, counts.get(kind.value, 0)) for kind in OrgKind]}


@home_panel
def administration(user):
    if not permissions.is_admin(user):
        return None
    people, waiting = services.people_by_role()
    return {"template": "home/panel_admin.html", "order": 5,
            "people": [(role, people.get(role, 0)) for role in Role],
            "pending_invitations": waiting}


blueprints = (home,)
