"""The pages of portal.core.digests: each person's choice of e-mail per kind of event, and the
one-click unsubscribe that mail clients call (RFC 8058). Registered with the accounts area's
blueprints (portal.accounts.views): they are about people, and load them."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.models import User
from portal.core import digests
from portal.extensions import csrf, db

bp = Blueprint("digests", __name__, template_folder="templates")


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    # one's own choices only: nothing here names another person
    if request.method == "POST":
        for group in digests.GROUPS:
            value = request.form.get(group, "")
            if value in {f.value for f in digests.Frequency}:
                digests.set_frequency(current_user, group, value)
        flash(_("Saved."), "success")
        return redirect(url_for("digests.preferences"))
    return render_template("digests/preferences.html", groups=digests.GROUPS,
                           chosen=digests.preferences(current_user),
                           frequencies=list(digests.Frequency))


def _person(token):
    found = digests.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user = db.session.get(User, found[0])
    if user is None:
        abort(404)
    return user, found[1]


@bp.route("/unsubscribe/<token>", methods=["GET"])
def unsubscribe_page(token):
    # the signed token is the permission: it names one person and one kind of notice
    _user, group = _person(token)
    return render_template("digests/unsubscribe.html", token=token, done=False,
                           what=_what(group))


@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt  # a mail client's one-click POST (RFC 8058) carries no form token
def unsubscribe(token):
    user, group = _person(token)
    digests.unsubscribe(user, group)
    return render_template("digests/unsubscribe.html", token=token, done=True,
                           what=_what(group))


def _what(group):
    if group == digests.EVERY_GROUP:
        return _("every kind of notice")
    return digests.GROUPS[group]
