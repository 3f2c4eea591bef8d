"""Idle and absolute session timeouts on top of Flask-Login.

The session records when it began and when it was last used; a session idle for longer than
SESSION_IDLE_MINUTES, or older than PERMANENT_SESSION_LIFETIME, is ended and the person asked
to sign in again (keeping where they were going).

The stamps are written the moment someone signs in (Flask-Login's user_logged_in signal), so
the very first cookie a sign-in hands out already carries them. A signed-in session without
them was not made by a sign-in of this portal (or predates the stamps) and is ended: treating
it as fresh would let that first cookie be replayed after the idle limit, and would restart
the absolute lifetime.
"""
import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import logout_user, user_logged_in

# "last seen" is written (and the cookie signed and sent again) at most this often: the idle
# limit counts in minutes, and an unchanged session costs nothing to send back
SEEN_EVERY = 30
EXPIRED = _l("Your session has ended. Please sign in again.")


def stamp(target, now=None):
    """Mark a session as begun now (unless it already began) and seen now.

    Used on sign-in; tests that sign a client in through its cookie call it too. A second
    sign-in within one session (a changed password re-issues the session's user id) keeps
    the first start: the absolute lifetime counts from the first sign-in.
    """
    now = time.time() if now is None else now
    target.setdefault("_started", now)
    target["_seen"] = now


def _expired(now):
    started, seen = session.get("_started"), session.get("_seen")
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        return True
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"]
    if hasattr(absolute, "total_seconds"):
        absolute = absolute.total_seconds()
    return now - seen > idle or now - started > absolute


def _stamp_sign_in(_app, **_extra):
    stamp(session)


def init_app(app):
    user_logged_in.connect(_stamp_sign_in, app)

    @app.before_request
    def _check_session():
        if request.endpoint in ("static", "home.healthz", "home.readyz"):
            return None
        # the session, not current_user: an expired session is ended before the person is
        # loaded from the database
        if not session.get("_user_id"):
            return None
        now = time.time()
        if _expired(now):
            logout_user()
            session.clear()
            flash(EXPIRED, "info")
            return redirect(url_for("auth.login", next=request.full_path
                                    if request.method == "GET" else None))
        if now - session["_seen"] >= SEEN_EVERY:
            session["_seen"] = now
        return None
