"""The escalation chain's page: who each bank tells at the branch, the province and the head
office when an item is overdue, edited by the bank's administrators. Routes on the feedback
blueprint (views.bp); the request's unit of work commits."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import permissions
from portal.accounts.models import Role
from portal.core.errors import require
from portal.core.views import save_or_explain
from portal.feedback import escalation, forms, queries
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import ESCALATION_LEVEL_NAMES
from portal.feedback.views import bp


def _chain_form(network):
    """The form of a new link, with the people, roles and offices of this bank to choose."""
    form = forms.EscalationLinkForm()
    form.who.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(f"person:{p.id}", p.full_name, optgroup=_("A person"))
        for p in queries.chain_people(network.id)] + [
        SelectChoice(f"role:{r.value}", r.label, optgroup=_("Everyone holding a role"))
        for r in feedback_permissions.CHAIN_ROLES]
    form.office_id.offer(feedback_permissions.network_offices(network.id),
                         blank=_("Every office of the bank"))
    return form


def _who(value):
    """(person, role) named by the chooser's key: "person:12" or "role:administrator"."""
    kind, _sep, key = (value or "").partition(":")
    if kind == "person" and key.isdigit():
        return queries.person_by_id(int(key)), None
    if kind == "role" and key in {r.value for r in Role}:
        return None, key
    return None, None


@bp.route("/escalation", methods=["GET", "POST"])
@login_required
def escalation_chain():
    """The escalation chain of the bank whose network the administrator looks at: who is told
    at the branch, the province and the head office, and a form to add to it."""
    require(feedback_permissions.can_manage_escalation(current_user))
    network = feedback_permissions.chain_network(current_user)
    if network is None:  # looking at every network: choose the bank first
        return render_template("feedback/escalation_chain.html", network=None,
                               networks=permissions.network_choices(current_user))
    form, message, status = _chain_form(network), None, 200
    if form.validate_on_submit():
        person, role = _who(form.who.data)
        link, message, status = save_or_explain(form, lambda: escalation.add_escalation_link(
            current_user, network, level=form.level.data, person=person, role=role,
            office=queries.organisation_by_id(form.office_id.data)))
        if link is not None:
            flash(_("The escalation chain is saved."), "success")
            return redirect(url_for("feedback.escalation_chain"))
    elif form.errors:
        status = 400
    return render_template("feedback/escalation_chain.html", network=network,
                           chain=escalation.escalation_chain(network), form=form,
                           level_names=ESCALATION_LEVEL_NAMES, message=message), status


@bp.route("/escalation/<int:link_id>/delete", methods=["POST"])
@login_required
def remove_escalation_link(link_id):
    require(feedback_permissions.can_manage_escalation(current_user))
    escalation.remove_escalation_link(current_user, queries.escalation_link(link_id))
    flash(_("The link is removed from the escalation chain."), "success")
    return redirect(url_for("feedback.escalation_chain"))
