"""Feedback operations. Each checks permission, changes state, records history and the audit
log, notifies through the outbox and flushes; the view commits once."""
import re

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from portal import permissions
from portal.accounts.models import Organisation, Role, User
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.core.sanitize import plain_text, rich_text
from portal.core.textnorm import search_key
from portal.extensions import db
from portal.feedback import sla
from portal.feedback.models import (
    ESCALATION_LABELS,
    OPEN_STATES,
    Endorsement,
    EscalationContact,
    FeedbackEvent,
    FeedbackItem,
    InternalNote,
    Kind,
    Outcome,
    Response,
    State,
    Topic,
    Visibility,
)

MAX_BODY = 50_000
_TAGS = re.compile(r"<[^>]+>")
ITEM_FIELDS = ("state", "outcome", "owner_id", "visibility", "escalation_level")


def _event(item, actor, action, detail=None):
    item.events.append(FeedbackEvent(actor_id=getattr(actor, "id", None), action=action,
                                     detail=detail))


def _touch(item):
    """Bump the item's version even when only a related row changed: a stale form is refused."""
    item.updated_at = utcnow()


def _link(item):
    return url_for("feedback.show", item_id=item.id)


def _people_to_tell(item):
    """The submitter and everyone who endorsed the item."""
    people = {item.submitted_by_id: item.submitted_by}
    for endorsement in item.endorsements:
        people.setdefault(endorsement.user_id, endorsement.user)
    return [p for p in people.values() if p is not None]


def _tell(people, item, kind, title_fn):
    for person in people:
        notify(person, kind, lambda: (title_fn(), item.title), link=_link(item))


def _clean_body(body_html):
    body = str(rich_text(body_html))
    if not plain_text(strip_tags(body)):
        raise ValidationError(_("Write what the item is about."), field="body")
    if len(body) > MAX_BODY:
        raise ValidationError(_("The text is too long: at most %(n)d characters.", n=MAX_BODY),
                              field="body")
    return body


def strip_tags(html):
    return _TAGS.sub(" ", html or "")


def refresh_search_key(item):
    item.search_key = search_key(item.title, strip_tags(item.body_html), item.concerns,
                                 item.sector, item.expected_benefit, item.terms_wanted)


def default_owner(organisation):
    """The relationship manager whose portfolio holds the organisation (or the nearest
    organisation above it)."""
    from portal.accounts.models import portfolio_entry

    chain = [organisation] + list(reversed(organisation.ancestors()))
    for org in chain:
        manager = db.session.scalar(
            sa.select(User).join(portfolio_entry, portfolio_entry.c.manager_id == User.id)
            .where(portfolio_entry.c.organisation_id == org.id, User.is_active)
            .order_by(User.id))
        if manager is not None:
            return manager
    return None


# --- submitting ------------------------------------------------------------------------------

def submit(actor, *, kind, organisation, title, body_html, topic, visibility,
           branch=None, concerns=None, expected_benefit=None, sector=None, demand_size=None,
           terms_wanted=None, origin=None):
    """A union (or a relationship manager on its behalf) submits a feedback item.

    The owner defaults to the relationship manager serving the organisation; deadlines are set
    in working days of the organisation's country, counted from its local date (feedback.sla).

    origin=(title, link): the item was voiced elsewhere, e.g. a statement from the floor of a
    meeting, recorded by someone the calling area has already allowed to record it; the
    portfolio check is then the caller's, not ours.
    """
    if origin is None:
        require(permissions.can_submit_feedback(actor))
        require(organisation in permissions.feedback_submitting_organisations(actor),
                _("You cannot submit on behalf of this organisation."))
    kind = Kind(kind)
    title = plain_text(title, 200)
    if not title:
        raise ValidationError(_("Give the item a title."), field="title")
    if demand_size is not None and demand_size < 0:
        raise ValidationError(_("The size of demand cannot be negative."), field="demand_size")
    now = utcnow()
    acknowledge_due, answer_due = sla.deadlines(kind, organisation, now)
    item = FeedbackItem(
        kind=kind, organisation=organisation, submitted_by=actor, title=title,
        body_html=_clean_body(body_html), topic=Topic(topic), visibility=Visibility(visibility),
        branch=branch, concerns=plain_text(concerns or "", 300) or None,
        expected_benefit=plain_text(expected_benefit or "") or None,
        sector=plain_text(sector or "", 120) or None, demand_size=demand_size,
        terms_wanted=plain_text(terms_wanted or "") or None,
        acknowledge_due_at=acknowledge_due, answer_due_at=answer_due,
        owner=default_owner(organisation),
        origin_title=plain_text(origin[0], 300) if origin else None,
        # only a path inside the portal: never an address elsewhere
        origin_link=origin[1] if origin and str(origin[1]).startswith("/") else None,
    )
    refresh_search_key(item)
    db.session.add(item)
    _event(item, actor, "submitted")
    db.session.flush()
    audit.record(actor, "feedback_submitted", item, after=audit.snapshot(item, ITEM_FIELDS))
    if item.owner is not None:
        notify(item.owner, "feedback_assigned",
               lambda: (_("New %(kind)s from %(organisation)s", kind=kind.label,
                          organisation=organisation.name), item.title), link=_link(item))
    return item


# --- handling --------------------------------------------------------------------------------

def _transition(actor, item, allowed_from, to_state, expected_version, action):
    require(permissions.can_handle_feedback(actor, item))
    item.check_version(expected_version)
    if item.state not in allowed_from:
        raise ValidationError(_("This item is %(state)s; that step is not possible now.",
                                state=item.state.label))
    before = audit.snapshot(item, ITEM_FIELDS)
    item.state = to_state
    _event(item, actor, action)
    return before


def acknowledge(actor, item, expected_version=None):
    before = _transition(actor, item, (State.SUBMITTED,), State.ACKNOWLEDGED, expected_version,
                         "acknowledged")
    item.acknowledged_at = utcnow()
    db.session.flush()
    audit.record(actor, "feedback_acknowledged", item, before,
                 audit.snapshot(item, ITEM_FIELDS))
    _tell(_people_to_tell(item), item, "feedback_acknowledged",
          lambda: _("Your item was acknowledged: %(title)s", title=item.title))


def start_review(actor, item, expected_version=None):
    before = _transition(actor, item, (State.SUBMITTED, State.ACKNOWLEDGED), State.UNDER_REVIEW,
                         expected_version, "under_review")
    item.acknowledged_at = item.acknowledged_at or utcnow()
    db.session.flush()
    audit.record(actor, "feedback_under_review", item, before,
                 audit.snapshot(item, ITEM_FIELDS))


def add_note(actor, item, body):
    require(permissions.can_read_internal_notes(actor, item)
            and permissions.can_handle_feedback(actor, item))
    body = plain_text(body, 10_000)
    if not body:
        raise ValidationError(_("The note is empty."), field="body")
    note = InternalNote(author_id=actor.id, body=body)
    item.notes.append(note)
    db.session.flush()
    audit.record(actor, "feedback_note_added", item)
    return note


def save_draft(actor, item, *, body_html, outcome, duplicate_of=None, expected_version=None):
    """Write (or rewrite) the official response as a draft; nothing is shown until published."""
    require(permissions.can_handle_feedback(actor, item))
    item.check_version(expected_version)
    if not item.is_open:
        raise ValidationError(_("This item is %(state)s; it cannot be answered now.",
                                state=item.state.label))
    outcome = Outcome(outcome)
    if outcome == Outcome.DUPLICATE:
        if duplicate_of is None or duplicate_of.id == item.id:
            raise ValidationError(_("Name the item this one duplicates."), field="duplicate_of")
    draft = item.draft_response
    if draft is None:
        draft = Response(author_id=actor.id, body_html="", outcome=outcome)
        item.responses.append(draft)
    draft.body_html = _clean_body(body_html)
    draft.outcome = outcome
    draft.author_id = actor.id
    item.duplicate_of = duplicate_of if outcome == Outcome.DUPLICATE else None
    _touch(item)
    db.session.flush()
    audit.record(actor, "feedback_draft_saved", item, after={"outcome": outcome.value})
    return draft


def publish(actor, item):
    """Publish the draft response: the item is answered and the submitter and endorsers told."""
    require(permissions.can_handle_feedback(actor, item))
    draft = item.draft_response
    if draft is None:
        raise ValidationError(_("There is no draft response to publish."))
    if not item.is_open:
        raise ValidationError(_("This item is %(state)s; it cannot be answered now.",
                                state=item.state.label))
    before = audit.snapshot(item, ITEM_FIELDS)
    now = utcnow()
    draft.published_at = now
    item.state, item.outcome, item.answered_at = State.ANSWERED, draft.outcome, now
    item.acknowledged_at = item.acknowledged_at or now
    _event(item, actor, "answered", draft.outcome.value)
    db.session.flush()
    audit.record(actor, "feedback_answered", item, before, audit.snapshot(item, ITEM_FIELDS))
    _tell(_people_to_tell(item), item, "feedback_answered",
          lambda: _("Your item was answered: %(title)s", title=item.title))


def publish_batch(actor, items):
    """Publish several drafts at once; refuses the whole batch if any one cannot be published."""
    require(permissions.can_publish_batch(actor))
    for item in items:
        publish(actor, item)
    return len(items)


def close(actor, item):
    require(permissions.can_close_feedback(actor, item))
    before = audit.snapshot(item, ITEM_FIELDS)
    item.state, item.closed_at = State.CLOSED, utcnow()
    _event(item, actor, "closed")
    db.session.flush()
    audit.record(actor, "feedback_closed", item, before, audit.snapshot(item, ITEM_FIELDS))


def reopen(actor, item, reason):
    """The submitter contests the answer, once, with a reason: back under review."""
    require(permissions.can_reopen_feedback(actor, item),
            _("An item can be reopened once, by the organisation that submitted it."))
    reason = plain_text(reason, 5000)
    if not reason:
        raise ValidationError(_("Say why the answer does not settle the matter."),
                              field="reason")
    before = audit.snapshot(item, ITEM_FIELDS)
    now = utcnow()
    item.state, item.reopened_at, item.reopen_reason = State.UNDER_REVIEW, now, reason
    item.closed_at = None
    item.answer_due_at = sla.deadlines(item.kind, item.organisation, now)[1]
    item.escalation_level = 0
    _event(item, actor, "reopened", reason)
    db.session.flush()
    audit.record(actor, "feedback_reopened", item, before, audit.snapshot(item, ITEM_FIELDS))
    if item.owner is not None:
        notify(item.owner, "feedback_reopened",
               lambda: (_("An answer was contested: %(title)s", title=item.title), reason),
               link=_link(item))


def endorse(actor, item, organisation, comment=None):
    """Another organisation says the need is theirs too."""
    require(permissions.can_endorse_feedback(actor, item),
            _("Your organisation cannot endorse this item."))
    require(organisation in actor.organisations_with(Role.UNION_DIRECTOR))
    endorsement = Endorsement(organisation=organisation, user=actor,
                              comment=plain_text(comment or "", 2000) or None)
    item.endorsements.append(endorsement)
    item.endorsement_count = len(item.endorsements)
    _event(item, actor, "endorsed", organisation.name)
    db.session.flush()
    audit.record(actor, "feedback_endorsed", item, after={"organisation_id": organisation.id})
    return endorsement


def reassign(actor, item, owner):
    require(permissions.can_reassign_feedback(actor, item))
    if not owner.has_role(Role.RELATIONSHIP_MANAGER) or not owner.is_active:
        raise ValidationError(_("Only an active relationship manager can own an item."),
                              field="owner_id")
    before = audit.snapshot(item, ITEM_FIELDS)
    item.owner = owner
    _event(item, actor, "reassigned", owner.full_name)
    db.session.flush()
    audit.record(actor, "feedback_reassigned", item, before, audit.snapshot(item, ITEM_FIELDS))
    notify(owner, "feedback_assigned",
           lambda: (_("An item was assigned to you: %(title)s", title=item.title), ""),
           link=_link(item))


# --- escalation ------------------------------------------------------------------------------

def _contacts(item, level):
    query = sa.select(EscalationContact).where(EscalationContact.level == level)
    if level == 1:
        branch_ids = [m.organisation_id for m in (item.owner.memberships if item.owner else [])
                      if m.role == Role.RELATIONSHIP_MANAGER]
        query = query.where(EscalationContact.organisation_id.in_(branch_ids))
    contacts = [c.user for c in db.session.scalars(query) if c.user.is_active]
    if not contacts and level >= 2:
        # nobody configured: the bank's administrators hear of it rather than nobody
        contacts = list(db.session.scalars(
            sa.select(User).where(User.is_active, User.memberships.any(role=Role.ADMINISTRATOR))))
    return contacts


def escalate_overdue(now=None):
    """Raise every overdue open item to the level its lateness calls for, telling each level's
    contacts, the owner, the submitter and endorsers once per level. Returns how many steps."""
    now = now or utcnow()
    candidates = db.session.scalars(
        sa.select(FeedbackItem).where(
            FeedbackItem.state.in_(OPEN_STATES),
            FeedbackItem.escalation_level < sla.MAX_LEVEL,
            sa.or_(sa.and_(FeedbackItem.state == State.SUBMITTED,
                           FeedbackItem.acknowledge_due_at < now),
                   FeedbackItem.answer_due_at < now))
        .order_by(FeedbackItem.id))
    steps = 0
    for item in candidates:
        due = item.acknowledge_due_at if item.state == State.SUBMITTED else item.answer_due_at
        wanted = sla.level_for_lateness(due, now, item.organisation)
        while item.escalation_level < wanted:
            item.escalation_level += 1
            steps += 1
            _announce_escalation(item)
    db.session.flush()
    return steps


def _announce_escalation(item):
    level = item.escalation_level
    _event(item, None, "escalated", str(level))
    audit.record(None, "feedback_escalated", item, after={"level": level})
    people = {p.id: p for p in _contacts(item, level)}
    if item.owner is not None:
        people.setdefault(item.owner.id, item.owner)
    for person in _people_to_tell(item):
        people.setdefault(person.id, person)
    for person in people.values():
        notify(person, "feedback_escalated",
               lambda: (_("Overdue: %(title)s", title=item.title),
                        str(ESCALATION_LABELS[level])), link=_link(item))


def organisation_by_id(organisation_id):
    return db.session.get(Organisation, organisation_id) if organisation_id else None


# --- product requests and the catalogue ------------------------------------------------------

def link_product(actor, item, product):
    """Record that the bank answers this product request with this product (new or existing)."""
    require(permissions.can_handle_feedback(actor, item))
    if item.kind != Kind.PRODUCT_REQUEST:
        raise ValidationError(_("Only a product request can be linked to a product."))
    before = {"product_id": item.product_id}
    item.product = product
    _touch(item)
    _event(item, actor, "product_linked", product.code if product else None)
    db.session.flush()
    audit.record(actor, "feedback_product_linked", item, before,
                 {"product_id": product.id if product else None})


def tell_requesters_product_available(product, name):
    """Tell everyone who asked for this product (submitters and endorsers) that it is available.

    Called once, by products.services.set_status, the first time the product becomes available.
    name: a function of the reader's locale returning the product's name in that language.
    """
    items = db.session.scalars(sa.select(FeedbackItem).where(
        FeedbackItem.product_id == product.id)).all()
    told = set()
    for item in items:
        _event(item, None, "product_available", product.code)
        for person in _people_to_tell(item):
            if person.id in told:
                continue
            told.add(person.id)
            notify(person, "product_available",
                   lambda p=person: (_("The product you asked for is available: %(name)s",
                                       name=name(p.preferred_locale or "en")), ""),
                   link=_link(item))
    db.session.flush()
    return len(told)


def requests_for_product(user, product_id):
    """The product requests behind a product that this user may see, most endorsed first."""
    return db.session.scalars(permissions.visible_feedback(user).where(
        FeedbackItem.product_id == product_id)
        .options(sa.orm.joinedload(FeedbackItem.organisation))
        .order_by(FeedbackItem.endorsement_count.desc(), FeedbackItem.id)).all()


def demand_by_product(product_ids):
    """{product id: (requests, endorsements)}: how widely each product is asked for."""
    if not product_ids:
        return {}
    rows = db.session.execute(sa.select(
        FeedbackItem.product_id, sa.func.count(), sa.func.sum(FeedbackItem.endorsement_count))
        .where(FeedbackItem.product_id.in_(product_ids)).group_by(FeedbackItem.product_id))
    return {pid: (count, endorsed or 0) for pid, count, endorsed in rows}


def critiques_about_branch(user, branch_organisation_id, limit=10):
    """The critiques (and other items) naming a branch that this user may see, newest first."""
    return db.session.scalars(permissions.visible_feedback(user).where(
        FeedbackItem.branch_id == branch_organisation_id)
        .options(sa.orm.joinedload(FeedbackItem.organisation))
        .order_by(FeedbackItem.created_at.desc()).limit(limit)).all()
