"""Feedback pages about one item: the three submission forms, the item with its handling
actions, its attachments, and the owner's drafts published in a batch. Routes on the feedback
blueprint (views.bp).

Nothing here commits: the request's unit of work (portal.core.unit_of_work) commits a write
that succeeds and rolls back one answered with a refusal. A step the service refuses is undone
at once by attempt() or save_or_explain(), so that the page shown next reads the item as it is.
"""
from collections import namedtuple
from functools import partial

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.models import Role
from portal.core import kept_pages, unit_of_work
from portal.core.errors import Conflict, ValidationError, require
from portal.core.forms import choices
from portal.core.kept_pages import kept_page
from portal.core.models import utcnow
from portal.core.views import save_or_explain
from portal.feedback import attachments, forms, offers, queries, services
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import ESCALATION_LABELS, EVENT_LABELS, Kind
from portal.feedback.views import bp
from portal.i18n import current_language

Refusal = namedtuple("Refusal", "status message")


def attempt(action):
    """Run one service call: (its result, None), or (None, Refusal) when the service refused
    it, with what it wrote undone (audit entry included): 409 for a form read before someone
    else changed the item, 400 for a step not possible now."""
    try:
        return action(), None
    except Conflict:
        unit_of_work.discard()
        return None, Refusal(409, _("Someone else changed this item while you were looking at "
                                    "it. Here it is as it is now."))
    except ValidationError as error:
        unit_of_work.discard()
        return None, Refusal(400, error.message)


def _step_and_back(item_id, action, done):
    """Run one step from the item's page and go back to it, saying it is done or why not."""
    _result, refusal = attempt(action)
    flash(refusal.message if refusal else done, "danger" if refusal else "success")
    return redirect(url_for("feedback.show", item_id=item_id))


# --- submitting ------------------------------------------------------------------------------

def _submit_form(kind):
    form = forms.FORMS[kind]()
    orgs = feedback_permissions.feedback_submitting_organisations(current_user)
    form.organisation_id.choices = choices((o.id, o.name) for o in orgs)
    form.branch_id.choices = choices([("", _("— none —"))] + [
        (b.id, b.name) for b in queries.bank_offices(current_user)])
    return form, orgs


def _kind_fields(form):
    return {name: getattr(form, name).data for name in
            ("concerns", "expected_benefit", "sector", "demand_size", "terms_wanted")
            if hasattr(form, name)}


def _submit_with_files(form, kind):
    item = services.submit(
        current_user, kind=kind, organisation=queries.organisation_by_id(form.organisation_id.data),
        title=form.title.data, body_html=form.body.data, topic=form.topic.data,
        visibility=form.visibility.data,
        branch=queries.organisation_by_id(form.branch_id.data), **_kind_fields(form))
    for upload in form.attachments.data or []:
        if upload and upload.filename:
            stored = attachments.store(item, current_user, upload)
            # a file is written before its row is committed: if the rows are not, nor the file
            unit_of_work.on_rollback(partial(attachments.discard, [stored]))
    return item


@bp.route("/new/<kind>", methods=["GET", "POST"])
@login_required
@kept_page  # the form as it comes (a GET); a POST is never kept
def submit(kind):
    require(feedback_permissions.can_submit_feedback(current_user))
    try:
        kind = Kind(kind)
    except ValueError:
        abort(404)
    form, orgs = _submit_form(kind)
    require(orgs, _("You have no organisation to submit for. Ask an administrator to add "
                    "you to one, or organisations to your portfolio."))
    message, status = None, 200
    if form.validate_on_submit():
        item, message, status = save_or_explain(form, lambda: _submit_with_files(form, kind))
        if item is not None:
            flash(_("Thank you. Your %(kind)s is registered as number %(id)s.",
                    kind=kind.label, id=item.id), "success")
            return redirect(url_for("feedback.show", item_id=item.id))
    elif form.errors:
        status = 400
    return render_template("feedback/submit.html", form=form, kind=kind,
                           message=message), status


# --- one item --------------------------------------------------------------------------------

def load(item_id, full=False):
    """The item if the reader may see it (404 otherwise); full=True with all its page shows."""
    return queries.visible_item(current_user, item_id, full=full)


def _response_form(item):
    """The answer form, its "duplicate of" picker offering what this person may name."""
    form = forms.ResponseForm()
    form.duplicate_of.offer(
        lambda candidate_id: services.duplicate_title(current_user, item, candidate_id),
        url_for("feedback.duplicate_candidates", item_id=item.id), self_id=item.id)
    return form


def item_page(item, status=200, **forms_given):
    """The item's page, with the forms given (a refused one, with what was typed) or fresh."""
    response_form = forms_given.get("response_form") or _response_form(item)
    draft = item.draft_response
    if "response_form" not in forms_given:
        response_form.version_id.data = item.version_id
        if draft is not None:
            response_form.body.data = draft.body_html
            response_form.outcome.data = draft.outcome.value
            response_form.duplicate_of.show_item(item.duplicate_of_id)
    endorse_form = forms.EndorseForm()
    endorse_form.organisation_id.choices = choices(
        (o.id, o.name) for o in current_user.organisations_with(Role.UNION_DIRECTOR))
    reassign_form = forms.ReassignForm()
    if feedback_permissions.can_reassign_feedback(current_user, item):
        reassign_form.owner_id.choices = choices(
            (u.id, u.full_name) for u in queries.relationship_managers())
        reassign_form.owner_id.data = item.owner_id
    version_form = forms.VersionForm()
    version_form.version_id.data = item.version_id
    offer_choices = []
    if item.kind == Kind.PRODUCT_REQUEST and \
            feedback_permissions.can_handle_feedback(current_user, item):
        offer_choices = offers.link_choices(current_user, current_language())
    return render_template(
        "feedback/show.html", item=item, now=utcnow(), escalation_labels=ESCALATION_LABELS,
        event_labels=EVENT_LABELS,
        # the note's box is called "body" like the response's: never fill it from a refused
        # response (the note's own route redirects, so it never comes back here with its text)
        response_form=response_form, note_form=forms.NoteForm(formdata=None),
        reopen_form=forms_given.get("reopen_form") or forms.ReopenForm(),
        endorse_form=endorse_form, reassign_form=reassign_form, version_form=version_form,
        offer_choices=offer_choices, duplicate=queries.shown_duplicate(current_user, item),
        message=forms_given.get("message")), status


@bp.route("/<int:item_id>")
@login_required
@kept_page
def show(item_id):
    kept_pages.about("item_id", item_id)  # its messages, events, endorsements: this item's
    return item_page(load(item_id, full=True))


def _act(item_id, action, done):
    """Run one handling action on a visible item: 409 on a stale form, 400 on a refused step."""
    item = load(item_id)
    form = forms.VersionForm()
    if not form.validate_on_submit():
        abort(400)
    _result, refusal = attempt(lambda: action(item, form.version_id.data))
    if refusal:
        flash(refusal.message, "warning" if refusal.status == 409 else "danger")
        return item_page(load(item_id), status=refusal.status)
    flash(done, "success")
    return redirect(url_for("feedback.show", item_id=item_id))


@bp.route("/<int:item_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(item_id):
    return _act(item_id, lambda item, v: services.acknowledge(current_user, item, v),
                _("Acknowledged. The submitter has been told."))


@bp.route("/<int:item_id>/review", methods=["POST"])
@login_required
def review(item_id):
    return _act(item_id, lambda item, v: services.start_review(current_user, item, v),
                _("The item is now under review."))


@bp.route("/<int:item_id>/publish", methods=["POST"])
@login_required
def publish(item_id):
    def _publish(item, version):
        # who may publish first: a stale version must not tell anyone else that it changed
        require(feedback_permissions.can_handle_feedback(current_user, item))
        item.check_version(version)
        services.publish(current_user, item)
    return _act(item_id, _publish, _("The response is published."))


@bp.route("/<int:item_id>/close", methods=["POST"])
@login_required
def close(item_id):
    return _act(item_id, lambda item, v: services.close(current_user, item),
                _("The item is closed."))


@bp.route("/<int:item_id>/note", methods=["POST"])
@login_required
def add_note(item_id):
    item = load(item_id)
    form = forms.NoteForm()
    if not form.validate_on_submit():
        flash(_("The note is empty."), "danger")
        return redirect(url_for("feedback.show", item_id=item_id))
    services.add_note(current_user, item, form.body.data)
    flash(_("The note is saved. Only the bank can read it."), "success")
    return redirect(url_for("feedback.show", item_id=item_id) + "#notes")


@bp.route("/<int:item_id>/draft", methods=["POST"])
@login_required
def save_draft(item_id):
    item = load(item_id)
    require(feedback_permissions.can_handle_feedback(current_user, item))
    form = _response_form(item)
    if not form.validate_on_submit():
        return item_page(item, status=400, response_form=form)
    # the field has checked that the item named is one this person may name
    duplicate = queries.item_by_id(form.duplicate_of.data)
    _draft, message, status = save_or_explain(form, lambda: services.save_draft(
        current_user, item, body_html=form.body.data, outcome=form.outcome.data,
        duplicate_of=duplicate, expected_version=form.version_id.data))
    if status == 409:
        message = _("Someone else saved a response while you were writing. Their text is "
                    "kept; yours is below so you can merge the two.")
    if status != 200:
        return item_page(load(item_id), status=status, response_form=form, message=message)
    flash(_("The draft response is saved. It is not visible to the submitter until you "
            "publish it."), "success")
    return redirect(url_for("feedback.show", item_id=item_id) + "#response")


@bp.route("/<int:item_id>/duplicates")
@login_required
def duplicate_candidates(item_id):
    """Suggestions for the answer form's "duplicate of" box (static/js/item-picker.js): the
    items whose number or words match what was typed, among those the person answering may
    name (permissions.duplicate_targets), as {"results": [{"id", "title", "label"}]}."""
    item = load(item_id)
    require(feedback_permissions.can_handle_feedback(current_user, item))
    found = services.find_duplicates(current_user, item, request.args.get("q", ""))
    return jsonify(results=[{"id": found_id, "title": title,
                             "label": forms.item_label(found_id, title)}
                            for found_id, title in found])


@bp.route("/<int:item_id>/reopen", methods=["POST"])
@login_required
def reopen(item_id):
    item = load(item_id)
    form = forms.ReopenForm()
    if not form.validate_on_submit():
        return item_page(item, status=400, reopen_form=form)
    services.reopen(current_user, item, form.reason.data)
    flash(_("The item is reopened and back under review."), "success")
    return redirect(url_for("feedback.show", item_id=item_id))


@bp.route("/<int:item_id>/endorse", methods=["POST"])
@login_required
def endorse(item_id):
    item = load(item_id)
    form = forms.EndorseForm()
    own = current_user.organisations_with(Role.UNION_DIRECTOR)
    require(own, _("Only a union can endorse an item."))
    # with one organisation there is nothing to choose
    chosen = request.form.get("organisation_id", type=int) or own[0].id
    organisation = next((o for o in own if o.id == chosen), None)
    if organisation is None or not form.validate_on_submit():
        abort(400)
    services.endorse(current_user, item, organisation, form.comment.data)
    flash(_("Your organisation now endorses this item."), "success")
    return redirect(url_for("feedback.show", item_id=item_id))


@bp.route("/<int:item_id>/reassign", methods=["POST"])
@login_required
def reassign(item_id):
    item = load(item_id)
    require(feedback_permissions.can_reassign_feedback(current_user, item))
    owner = queries.person_by_id(request.form.get("owner_id", type=int))
    if owner is None:
        abort(400)
    return _step_and_back(item_id, lambda: services.reassign(current_user, item, owner),
                          _("The item now belongs to %(name)s.", name=owner.full_name))


@bp.route("/<int:item_id>/product", methods=["POST"])
@login_required
def link_product(item_id):
    """Link a product request to the catalogue product or service package that answers it."""
    item = load(item_id)
    require(feedback_permissions.can_handle_feedback(current_user, item))
    if not forms.VersionForm().validate_on_submit():
        abort(400)
    # "product:12" or "package:3"; product_id is what older forms send
    key = request.form.get("offer") or f"product:{request.form.get('product_id', '')}"
    offer = offers.offer_by_key(current_user, key)
    if offer is None:
        abort(400)
    return _step_and_back(item_id, lambda: offers.link_offer(current_user, item, offer),
                          _("The request is linked. Its submitter and endorsers are told when "
                            "the product or package is available."))


@bp.route("/<int:item_id>/attachments/<int:attachment_id>")
@login_required
def attachment(item_id, attachment_id):
    found = queries.attachment_of(load(item_id), attachment_id)
    return send_file(attachments.path_of(found), mimetype=found.content_type,
                     as_attachment=True, download_name=found.filename, max_age=0)


# --- the owner's drafts ----------------------------------------------------------------------

@bp.route("/drafts", methods=["GET", "POST"])
@login_required
def drafts():
    """Review drafts and publish them one by one or in a batch."""
    require(feedback_permissions.can_publish_batch(current_user))
    if request.method == "POST":
        if not forms.VersionForm().validate_on_submit():
            abort(400)
        chosen = queries.drafts_to_publish(current_user,
                                           ids=request.form.getlist("item_ids", type=int))
        if not chosen:
            flash(_("Choose at least one draft to publish."), "warning")
        else:
            count, refusal = attempt(lambda: services.publish_batch(current_user, chosen))
            if refusal:
                flash(refusal.message, "danger")
            else:
                flash(_("%(n)d responses published.", n=count), "success")
        return redirect(url_for("feedback.drafts"))
    return render_template("feedback/drafts.html", items=queries.drafts_to_publish(current_user),
                           form=forms.VersionForm())
