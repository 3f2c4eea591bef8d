"""Idle and absolute session timeouts on top of Flask-Login.

The session records when it began and when it was last used; a session idle for longer than
SESSION_IDLE_MINUTES, or older than PERMANENT_SESSION_LIFETIME, is ended and the person asked
to sign in again (keeping where they were going).
"""
import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import logout_user

# "last seen" is written (and the cookie signed and sent again) at most this often: the idle
# limit counts in minutes, and an unchanged session costs nothing to send back
SEEN_EVERY = 30
EXPIRED = _l("Your session has ended. Please sign in again.")


def _expired(now):
    started, seen = session.get("_started"), session.get("_seen")
    if started is None or seen is None:
        return False
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"]
    if hasattr(absolute, "total_seconds"):
        absolute = absolute.total_seconds()
    return now - seen > idle or now - started > absolute


def init_app(app):
    @app.before_request
    def _check_session():
        if request.endpoint in ("static", "home.healthz", "home.readyz"):
            return None
        # the session, not current_user: a page kept for this reader (core/pagecache.py) is
        # sent without loading the person from the database
        if not session.get("_user_id"):
            return None
        now = time.time()
        if _expired(now):
            logout_user()
            session.clear()
            flash(EXPIRED, "info")
            return redirect(url_for("auth.login", next=request.full_path
                                    if request.method == "GET" else None))
        session.setdefault("_started", now)
        if now - session.get("_seen", 0) >= SEEN_EVERY:
            session["_seen"] = now
        return None
