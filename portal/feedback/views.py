"""Feedback pages: lists and search, the three submission forms, an item with its handling
actions, batch publishing, the owner's queue, exports and the summary report."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import permissions
from portal.accounts.models import BANK_KINDS, Organisation, Role, User
from portal.core import tabular
from portal.core.errors import Conflict, ValidationError, require
from portal.core.forms import choices
from portal.core.models import utcnow
from portal.core.pagecache import cached_page
from portal.core.pagination import paginate
from portal.core.textnorm import matches_all_words
from portal.core.views import form_errors_into, get_visible
from portal.extensions import db
from portal.feedback import attachments, escalation, forms, offers, queries, reports, services
from portal.feedback import models as feedback_models
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import (
    ESCALATION_LABELS,
    ESCALATION_LEVEL_NAMES,
    EVENT_LABELS,
    OPEN_STATES,
    Attachment,
    Endorsement,
    FeedbackEvent,
    FeedbackItem,
    InternalNote,
    Kind,
    State,
    Topic,
)
from portal.home.panels import home_panel, nav_item
from portal.i18n import current_language, is_rtl, number_filter
from portal.i18n.fields import filter_day, reader_day_bounds

bp = Blueprint("feedback", __name__, url_prefix="/feedback", template_folder="templates")
blueprints = (bp,)
SORTS = {
    "newest": (FeedbackItem.created_at.desc(), FeedbackItem.id.desc()),
    "endorsements": (FeedbackItem.endorsement_count.desc(), FeedbackItem.id.desc()),
    "deadline": (FeedbackItem.answer_due_at.asc(), FeedbackItem.id.asc()),
}

nav_item("feedback.index", _l("Feedback"), lambda user: user.is_authenticated, order=20)


# --- finding ---------------------------------------------------------------------------------

def filtered_items(user, args):
    """The scoped query with the list's filters applied (shared by the list and exports)."""
    query = feedback_permissions.visible_feedback(user)
    for name, column, enum in (("kind", FeedbackItem.kind, Kind),
                               ("state", FeedbackItem.state, State),
                               ("topic", FeedbackItem.topic, Topic)):
        value = args.get(name, "")
        if value in {e.value for e in enum}:
            query = query.where(column == enum(value))
    for name, column in (("organisation", FeedbackItem.organisation_id),
                         ("branch", FeedbackItem.branch_id), ("owner", FeedbackItem.owner_id)):
        value = args.get(name, type=int)
        if value:
            query = query.where(column == value)
    if args.get("district"):
        query = query.where(FeedbackItem.organisation.has(
            matches_all_words(Organisation.search_key, args["district"])))
    if args.get("overdue") == "1":
        now = utcnow()
        query = query.where(FeedbackItem.state.in_(OPEN_STATES), sa.or_(
            FeedbackItem.answer_due_at < now,
            sa.and_(FeedbackItem.state == State.SUBMITTED, FeedbackItem.acknowledge_due_at < now)))
    start, end = filter_day(args, "from"), filter_day(args, "to")
    if start:
        query = query.where(FeedbackItem.created_at >= reader_day_bounds(start)[0])
    if end:
        query = query.where(FeedbackItem.created_at < reader_day_bounds(end)[1])
    if args.get("q"):
        query = query.where(matches_all_words(FeedbackItem.search_key, args["q"]))
    return query


def _filter_options():
    """Choices for the filter form: ids and names only, not whole rows."""
    bank = sa.select(Organisation.id, Organisation.name).where(
        Organisation.kind.in_(list(BANK_KINDS)), Organisation.is_active,
        Organisation.id.in_(permissions.network_organisations(current_user)
                            .with_only_columns(Organisation.id))) \
        .order_by(Organisation.name)
    owners = sa.select(User.id, User.full_name).where(User.is_active, User.memberships.any(
        role=Role.RELATIONSHIP_MANAGER)).order_by(User.full_name)
    return {"kinds": list(Kind), "states": list(State), "topics": list(Topic),
            "branches": db.session.execute(bank).all(),
            "owners": db.session.execute(owners).all() if permissions.is_bank_staff(
                current_user) else []}


@bp.route("/")
@cached_page
@login_required
def index():
    sort = request.args.get("sort", "newest")
    query = filtered_items(current_user, request.args).order_by(
        *SORTS.get(sort, SORTS["newest"]))
    query = query.options(sa.orm.joinedload(FeedbackItem.organisation),
                          sa.orm.joinedload(FeedbackItem.owner))
    return render_template("feedback/index.html", page=paginate(query), sort=sort,
                           args=request.args, now=utcnow(), **_filter_options())


EXPORT_HEADER = ("id", "kind", "state", "outcome", "topic", "title", "organisation",
                 "owner", "submitted", "acknowledge_due", "answer_due", "answered",
                 "escalation_level", "endorsements")


def _export_rows(query):
    items = db.session.scalars(query.options(
        sa.orm.joinedload(FeedbackItem.organisation), sa.orm.joinedload(FeedbackItem.owner))
        .order_by(FeedbackItem.id)).unique()
    for item in items:
        yield (item.id, item.kind.value, item.state.value,
               item.outcome.value if item.outcome else "", item.topic.value, item.title,
               item.organisation.name, item.owner.full_name if item.owner else "",
               item.created_at.isoformat(timespec="minutes"),
               item.acknowledge_due_at.isoformat(timespec="minutes"),
               item.answer_due_at.isoformat(timespec="minutes"),
               item.answered_at.isoformat(timespec="minutes") if item.answered_at else "",
               item.escalation_level, item.endorsement_count)


@bp.route("/export.<fmt>")
@login_required
def export(fmt):
    rows = list(_export_rows(filtered_items(current_user, request.args)))
    return tabular.export_response(EXPORT_HEADER, rows, "feedback", fmt)


# --- submitting ------------------------------------------------------------------------------

def _submit_form(kind):
    form = forms.FORMS[kind]()
    orgs = feedback_permissions.feedback_submitting_organisations(current_user)
    form.organisation_id.choices = choices((o.id, o.name) for o in orgs)
    branches = db.session.scalars(permissions.network_organisations(current_user).where(
        Organisation.kind.in_(list(BANK_KINDS)), Organisation.is_active)
        .order_by(Organisation.name)).all()
    form.branch_id.choices = choices([("", _("— none —"))] + [(b.id, b.name) for b in branches])
    return form, orgs


def _kind_fields(form):
    return {name: getattr(form, name).data for name in
            ("concerns", "expected_benefit", "sector", "demand_size", "terms_wanted")
            if hasattr(form, name)}


@bp.route("/new/<kind>", methods=["GET", "POST"])
@login_required
def submit(kind):
    require(feedback_permissions.can_submit_feedback(current_user))
    try:
        kind = Kind(kind)
    except ValueError:
        abort(404)
    form, orgs = _submit_form(kind)
    require(orgs, _("You have no organisation to submit for. Ask an administrator to add "
                    "you to one, or organisations to your portfolio."))
    message = None
    if form.validate_on_submit():
        stored = []
        try:
            item = services.submit(
                current_user, kind=kind,
                organisation=db.session.get(Organisation, form.organisation_id.data),
                title=form.title.data, body_html=form.body.data, topic=form.topic.data,
                visibility=form.visibility.data,
                branch=queries.organisation_by_id(form.branch_id.data), **_kind_fields(form))
            for upload in form.attachments.data or []:
                if upload and upload.filename:
                    stored.append(attachments.store(item, current_user, upload))
        except ValidationError as error:
            db.session.rollback()
            attachments.discard(stored)
            message = form_errors_into(form, error)
        else:
            try:
                db.session.commit()
            except Exception:
                attachments.discard(stored)  # the rows are gone: so must their files be
                raise
            flash(_("Thank you. Your %(kind)s is registered as number %(id)s.",
                    kind=kind.label, id=item.id), "success")
            return redirect(url_for("feedback.show", item_id=item.id))
    status = 400 if (form.errors or message) else 200
    return render_template("feedback/submit.html", form=form, kind=kind,
                           message=message), status


# --- one item --------------------------------------------------------------------------------

def _load(item_id, full=False):
    """The visible item; full=True also loads everything its page shows, in a fixed number of
    queries (endorsements, history, notes, responses, attachments and their people)."""
    query = feedback_permissions.visible_feedback(current_user)
    if full:
        load = sa.orm.selectinload
        query = query.options(
            sa.orm.joinedload(FeedbackItem.organisation), sa.orm.joinedload(FeedbackItem.owner),
            sa.orm.joinedload(FeedbackItem.submitted_by), sa.orm.joinedload(FeedbackItem.branch),
            load(FeedbackItem.endorsements).joinedload(Endorsement.organisation),
            load(FeedbackItem.endorsements).joinedload(Endorsement.user),
            load(FeedbackItem.events).joinedload(FeedbackEvent.actor),
            load(FeedbackItem.notes).joinedload(InternalNote.author),
            load(FeedbackItem.responses).joinedload(feedback_models.Response.author),
            load(FeedbackItem.attachments))
    return get_visible(query, FeedbackItem, item_id)


def _response_form(item):
    """The answer form, its "duplicate of" picker offering what this person may name."""
    form = forms.ResponseForm()
    form.duplicate_of.offer(
        lambda candidate_id: services.duplicate_title(current_user, item, candidate_id),
        url_for("feedback.duplicate_candidates", item_id=item.id), self_id=item.id)
    return form


def _item_page(item, status=200, **forms_given):
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
        managers = db.session.scalars(sa.select(User).where(User.is_active, User.memberships.any(
            role=Role.RELATIONSHIP_MANAGER)).order_by(User.full_name)).all()
        reassign_form.owner_id.choices = choices((u.id, u.full_name) for u in managers)
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
        offer_choices=offer_choices, duplicate=_shown_duplicate(item),
        message=forms_given.get("message")), status


def _shown_duplicate(item):
    """The item this one duplicates, when the reader may open it: its number and title."""
    if item.duplicate_of_id is None:
        return None
    return db.session.scalar(feedback_permissions.visible_feedback(current_user).where(
        FeedbackItem.id == item.duplicate_of_id))


@bp.route("/<int:item_id>")
@cached_page
@login_required
def show(item_id):
    return _item_page(_load(item_id, full=True))


def _act(item_id, action, done):
    """Run one handling action on a visible item: 409 on a stale form, 400 on a refused step."""
    item = _load(item_id)
    form = forms.VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(item, form.version_id.data)
    except Conflict:
        db.session.rollback()
        flash(_("Someone else changed this item while you were looking at it. Here it is as "
                "it is now."), "warning")
        return _item_page(_load(item_id), status=409)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _item_page(_load(item_id), status=400)
    db.session.commit()
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
    item = _load(item_id)
    form = forms.NoteForm()
    if not form.validate_on_submit():
        flash(_("The note is empty."), "danger")
        return redirect(url_for("feedback.show", item_id=item_id))
    services.add_note(current_user, item, form.body.data)
    db.session.commit()
    flash(_("The note is saved. Only the bank can read it."), "success")
    return redirect(url_for("feedback.show", item_id=item_id) + "#notes")


@bp.route("/<int:item_id>/draft", methods=["POST"])
@login_required
def save_draft(item_id):
    item = _load(item_id)
    require(feedback_permissions.can_handle_feedback(current_user, item))
    form = _response_form(item)
    if not form.validate_on_submit():
        return _item_page(item, status=400, response_form=form)
    duplicate = None
    if form.duplicate_of.data:  # the field has checked it is one this person may name
        duplicate = db.session.get(FeedbackItem, form.duplicate_of.data)
    try:
        services.save_draft(current_user, item, body_html=form.body.data,
                            outcome=form.outcome.data, duplicate_of=duplicate,
                            expected_version=form.version_id.data)
    except Conflict:
        db.session.rollback()
        message = _("Someone else saved a response while you were writing. Their text is "
                    "kept; yours is below so you can merge the two.")
        return _item_page(_load(item_id), status=409, response_form=form, message=message)
    except ValidationError as error:
        db.session.rollback()
        message = form_errors_into(form, error)
        return _item_page(_load(item_id), status=400, response_form=form, message=message)
    db.session.commit()
    flash(_("The draft response is saved. It is not visible to the submitter until you "
            "publish it."), "success")
    return redirect(url_for("feedback.show", item_id=item_id) + "#response")


@bp.route("/<int:item_id>/duplicates")
@login_required
def duplicate_candidates(item_id):
    """Suggestions for the answer form's "duplicate of" box (static/js/item-picker.js): the
    items whose number or words match what was typed, among those the person answering may
    name (permissions.duplicate_targets), as {"results": [{"id", "title", "label"}]}."""
    item = _load(item_id)
    require(feedback_permissions.can_handle_feedback(current_user, item))
    found = services.find_duplicates(current_user, item, request.args.get("q", ""))
    return jsonify(results=[{"id": found_id, "title": title,
                             "label": forms.item_label(found_id, title)}
                            for found_id, title in found])


@bp.route("/<int:item_id>/reopen", methods=["POST"])
@login_required
def reopen(item_id):
    item = _load(item_id)
    form = forms.ReopenForm()
    if not form.validate_on_submit():
        return _item_page(item, status=400, reopen_form=form)
    services.reopen(current_user, item, form.reason.data)
    db.session.commit()
    flash(_("The item is reopened and back under review."), "success")
    return redirect(url_for("feedback.show", item_id=item_id))


@bp.route("/<int:item_id>/endorse", methods=["POST"])
@login_required
def endorse(item_id):
    item = _load(item_id)
    form = forms.EndorseForm()
    own = current_user.organisations_with(Role.UNION_DIRECTOR)
    require(own, _("Only a union can endorse an item."))
    # with one organisation there is nothing to choose
    chosen = request.form.get("organisation_id", type=int) or own[0].id
    organisation = next((o for o in own if o.id == chosen), None)
    if organisation is None or not form.validate_on_submit():
        abort(400)
    services.endorse(current_user, item, organisation, form.comment.data)
    db.session.commit()
    flash(_("Your organisation now endorses this item."), "success")
    return redirect(url_for("feedback.show", item_id=item_id))


@bp.route("/<int:item_id>/reassign", methods=["POST"])
@login_required
def reassign(item_id):
    item = _load(item_id)
    require(feedback_permissions.can_reassign_feedback(current_user, item))
    owner = db.session.get(User, request.form.get("owner_id", type=int) or 0)
    if owner is None:
        abort(400)
    try:
        services.reassign(current_user, item, owner)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("feedback.show", item_id=item_id))
    db.session.commit()
    flash(_("The item now belongs to %(name)s.", name=owner.full_name), "success")
    return redirect(url_for("feedback.show", item_id=item_id))


@bp.route("/<int:item_id>/product", methods=["POST"])
@login_required
def link_product(item_id):
    """Link a product request to the catalogue product or service package that answers it."""
    item = _load(item_id)
    require(feedback_permissions.can_handle_feedback(current_user, item))
    if not forms.VersionForm().validate_on_submit():
        abort(400)
    # "product:12" or "package:3"; product_id is what older forms send
    key = request.form.get("offer") or f"product:{request.form.get('product_id', '')}"
    offer = offers.offer_by_key(current_user, key)
    if offer is None:
        abort(400)
    try:
        offers.link_offer(current_user, item, offer)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("feedback.show", item_id=item_id))
    db.session.commit()
    flash(_("The request is linked. Its submitter and endorsers are told when the product or "
            "package is available."), "success")
    return redirect(url_for("feedback.show", item_id=item_id))


@bp.route("/<int:item_id>/attachments/<int:attachment_id>")
@login_required
def attachment(item_id, attachment_id):
    item = _load(item_id)
    found = db.session.scalar(sa.select(Attachment).where(
        Attachment.id == attachment_id, Attachment.item_id == item.id))
    if found is None:
        abort(404)
    return send_file(attachments.path_of(found), mimetype=found.content_type,
                     as_attachment=True, download_name=found.filename, max_age=0)


# --- the owner's work ------------------------------------------------------------------------

@bp.route("/drafts", methods=["GET", "POST"])
@login_required
def drafts():
    """Review drafts and publish them one by one or in a batch."""
    require(feedback_permissions.can_publish_batch(current_user))
    query = feedback_permissions.visible_feedback(current_user).where(
        FeedbackItem.state.in_(OPEN_STATES),
        FeedbackItem.responses.any(published_at=None))
    if not permissions.is_admin(current_user):
        query = query.where(FeedbackItem.owner_id == current_user.id)
    if request.method == "POST":
        form = forms.VersionForm()
        if not form.validate_on_submit():
            abort(400)
        ids = request.form.getlist("item_ids", type=int)
        chosen = db.session.scalars(query.where(FeedbackItem.id.in_(ids))).all()
        if not chosen:
            flash(_("Choose at least one draft to publish."), "warning")
            return redirect(url_for("feedback.drafts"))
        try:
            count = services.publish_batch(current_user, chosen)
        except ValidationError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("feedback.drafts"))
        db.session.commit()
        flash(_("%(n)d responses published.", n=count), "success")
        return redirect(url_for("feedback.drafts"))
    items = db.session.scalars(query.order_by(FeedbackItem.answer_due_at)).all()
    return render_template("feedback/drafts.html", items=items, form=forms.VersionForm())


@bp.route("/queue")
@cached_page
@login_required
def queue():
    """A relationship manager's open items by age, oldest deadline first."""
    require(permissions.is_bank_staff(current_user))
    owner_id = request.args.get("owner", type=int)
    if not permissions.is_admin(current_user) or not owner_id:
        owner_id = current_user.id
    items = db.session.scalars(feedback_permissions.visible_feedback(current_user).where(
        FeedbackItem.owner_id == owner_id, FeedbackItem.state.in_(OPEN_STATES))
        .options(sa.orm.joinedload(FeedbackItem.organisation))
        .order_by(FeedbackItem.answer_due_at)).all()
    return render_template("feedback/queue.html", items=items, now=utcnow(),
                           buckets=reports.ageing_buckets(items, utcnow()))


@bp.route("/report")
@cached_page
@login_required
def report():
    require(permissions.is_bank_staff(current_user) or permissions.is_ministry(current_user))
    query = filtered_items(current_user, request.args)
    by = request.args.get("by", "kind")
    if by not in reports.GROUPINGS:
        by = "kind"
    rows = reports.summary(query, by)
    return render_template("feedback/report.html", rows=rows, by=by,
                           groupings=reports.GROUPINGS,
                           chart=reports.bar_chart(rows, rtl=is_rtl(), number=number_filter),
                           args=request.args)


# --- the escalation chain --------------------------------------------------------------------

def _chain_form(network):
    """The form of a new link, with the people, roles and offices of this bank to choose."""
    form = forms.EscalationLinkForm()
    people = db.session.scalars(feedback_permissions.network_people(network.id)
                                .order_by(User.full_name, User.id)).all()
    form.who.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(f"person:{p.id}", p.full_name, optgroup=_("A person"))
        for p in people] + [
        SelectChoice(f"role:{r.value}", r.label, optgroup=_("Everyone holding a role"))
        for r in feedback_permissions.CHAIN_ROLES]
    form.office_id.offer(feedback_permissions.network_offices(network.id),
                         blank=_("Every office of the bank"))
    return form


def _who(value):
    """(person, role) named by the chooser's key: "person:12" or "role:administrator"."""
    kind, _sep, key = (value or "").partition(":")
    if kind == "person" and key.isdigit():
        return db.session.get(User, int(key)), None
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
    form, message = _chain_form(network), None
    if form.validate_on_submit():
        person, role = _who(form.who.data)
        try:
            escalation.add_escalation_link(
                current_user, network, level=form.level.data, person=person, role=role,
                office=queries.organisation_by_id(form.office_id.data))
        except ValidationError as error:
            db.session.rollback()
            message = form_errors_into(form, error)
        else:
            db.session.commit()
            flash(_("The escalation chain is saved."), "success")
            return redirect(url_for("feedback.escalation_chain"))
    status = 400 if (form.errors or message) else 200
    return render_template("feedback/escalation_chain.html", network=network,
                           chain=escalation.escalation_chain(network), form=form,
                           level_names=ESCALATION_LEVEL_NAMES, message=message), status


@bp.route("/escalation/<int:link_id>/delete", methods=["POST"])
@login_required
def remove_escalation_link(link_id):
    require(feedback_permissions.can_manage_escalation(current_user))
    link = db.session.get(feedback_models.EscalationContact, link_id)
    if link is None:
        abort(404)
    escalation.remove_escalation_link(current_user, link)
    db.session.commit()
    flash(_("The link is removed from the escalation chain."), "success")
    return redirect(url_for("feedback.escalation_chain"))


# --- home panels -----------------------------------------------------------------------------

@home_panel
def my_feedback_queue(user):
    if not permissions.is_relationship_manager(user):
        return None
    # the first five and the counts of reports.owner_counts() in one statement: the window
    # sums run over every open item before the LIMIT
    now = utcnow()
    rows = db.session.execute(sa.select(
        FeedbackItem, sa.func.count().over(),
        sa.func.sum(sa.case((FeedbackItem.answer_due_at < now, 1), else_=0)).over(),
        sa.func.sum(sa.case((FeedbackItem.state == State.SUBMITTED, 1), else_=0)).over(),
    ).where(FeedbackItem.owner_id == user.id, FeedbackItem.state.in_(OPEN_STATES))
        .order_by(FeedbackItem.answer_due_at).limit(5)).all()
    total, overdue, waiting = rows[0][1:] if rows else (0, 0, 0)
    counts = {"open": total, "overdue": overdue or 0, "unacknowledged": waiting or 0}
    return {"template": "feedback/panel_queue.html", "order": 15,
            "items": [row[0] for row in rows], "counts": counts, "now": utcnow()}


@home_panel
def my_organisations_feedback(user):
    if not user.has_role(Role.UNION_DIRECTOR):
        return None
    own = [o.id for o in user.organisations_with(Role.UNION_DIRECTOR)]
    items = db.session.scalars(sa.select(FeedbackItem).where(
        FeedbackItem.organisation_id.in_(own)).order_by(FeedbackItem.updated_at.desc())
        .limit(5)).all()
    return {"template": "feedback/panel_mine.html", "order": 12, "items": items}


from portal.feedback import conversation_views  # noqa: E402,F401  (routes on this blueprint)
