"""Feedback operations: submitting an item and handling it to its answer. Each checks
permission, changes state, records history and the audit log, notifies through the outbox and
flushes; the request's unit of work (portal.core.unit_of_work) commits once.

Escalation (feedback.escalation) and product requests (feedback.offers) have modules of their
own; their operations that other areas call are importable from here too.
"""
import re

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import Role, User
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.core.sanitize import plain_text, required_reason, rich_text
from portal.core.textnorm import matches_all_words
from portal.extensions import db
from portal.feedback import history, sla
from portal.feedback import permissions as feedback_permissions
from portal.feedback.escalation import (  # noqa: F401 - importable from here for other areas
    climb_chain,
    escalate_overdue,
    escalation_notice,
    offices_of,
    raise_late,
)
from portal.feedback.models import (
    OPEN_STATES,
    Endorsement,
    FeedbackItem,
    InternalNote,
    Kind,
    Outcome,
    Response,
    State,
    Topic,
    Visibility,
)
from portal.feedback.offers import (  # noqa: F401 - importable from here for other areas
    asked_for,
    demand_by_product,
    link_offer,
    link_product,
    requests_for_offer,
    tell_requesters_offer_available,
)
from portal.feedback.queries import critiques_about_branch  # noqa: F401 - as above
from portal.i18n.parsing import ascii_digits

MAX_BODY = 50_000
_TAGS = re.compile(r"<[^>]+>")
ITEM_FIELDS = ("state", "outcome", "owner_id", "visibility", "escalation_level")


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
    portfolio check is then the caller's, not ours. The organisation is then the submitter of
    record (its directors are told of acknowledgement, answer and escalation) and the actor is
    kept as the one who recorded it.
    """
    if origin is None:
        require(feedback_permissions.can_submit_feedback(actor))
        require(organisation in feedback_permissions.feedback_submitting_organisations(actor),
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
        kind=kind, organisation=organisation, submitted_by=actor,
        recorded_by=actor if origin else None, title=title,
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
    db.session.add(item)
    history.event(item, actor, "submitted")
    db.session.flush()
    audit.record(actor, "feedback_submitted", item, after=audit.snapshot(item, ITEM_FIELDS))
    if item.owner is not None:
        notify(item.owner, "feedback_assigned",
               lambda: (_("New %(kind)s from %(organisation)s", kind=kind.label,
                          organisation=organisation.name), item.title),
               link=history.item_link(item))
    return item


def follow_origin_visibility(actor, item, visibility):
    """An item raised elsewhere (a statement from the floor) takes the confidentiality of the
    place it was raised when that changes: the calling area decides when, and keeps track of
    whether the item was confidential on its own. Records the change in the item's history
    and the audit log; returns whether anything changed."""
    require(item.origin_title is not None)
    visibility = Visibility(visibility)
    if item.visibility == visibility:
        return False
    before = audit.snapshot(item, ITEM_FIELDS)
    item.visibility = visibility
    history.touch(item)
    history.event(item, actor, "confidential_with_origin" if visibility == Visibility.CONFIDENTIAL
           else "public_with_origin")
    db.session.flush()
    audit.record(actor, "feedback_visibility_followed_origin", item, before,
                 audit.snapshot(item, ITEM_FIELDS))
    return True


# --- handling --------------------------------------------------------------------------------

def _transition(actor, item, allowed_from, to_state, expected_version, action):
    require(feedback_permissions.can_handle_feedback(actor, item))
    item.check_version(expected_version)
    if item.state not in allowed_from:
        raise ValidationError(_("This item is %(state)s; that step is not possible now.",
                                state=item.state.label))
    before = audit.snapshot(item, ITEM_FIELDS)
    item.state = to_state
    history.event(item, actor, action)
    return before


def acknowledge(actor, item, expected_version=None):
    before = _transition(actor, item, (State.SUBMITTED,), State.ACKNOWLEDGED, expected_version,
                         "acknowledged")
    item.acknowledged_at = utcnow()
    db.session.flush()
    audit.record(actor, "feedback_acknowledged", item, before,
                 audit.snapshot(item, ITEM_FIELDS))
    history.tell(history.people_to_tell(item), item, "feedback_acknowledged",
          lambda: _("Your item was acknowledged: %(title)s", title=item.title))


def start_review(actor, item, expected_version=None):
    before = _transition(actor, item, (State.SUBMITTED, State.ACKNOWLEDGED), State.UNDER_REVIEW,
                         expected_version, "under_review")
    item.acknowledged_at = item.acknowledged_at or utcnow()
    db.session.flush()
    audit.record(actor, "feedback_under_review", item, before,
                 audit.snapshot(item, ITEM_FIELDS))


def add_note(actor, item, body):
    require(feedback_permissions.can_read_internal_notes(actor, item)
            and feedback_permissions.can_handle_feedback(actor, item))
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
    require(feedback_permissions.can_handle_feedback(actor, item))
    item.check_version(expected_version)
    if not item.is_open:
        raise ValidationError(_("This item is %(state)s; it cannot be answered now.",
                                state=item.state.label))
    outcome = Outcome(outcome)
    if outcome == Outcome.DUPLICATE:
        if duplicate_of is None or duplicate_of.id == item.id:
            raise ValidationError(_("Name the item this one duplicates."), field="duplicate_of")
        if duplicate_title(actor, item, duplicate_of.id) is None:
            raise ValidationError(_("No item you may name here has this number. Choose one "
                                    "of the suggestions."), field="duplicate_of")
    draft = item.draft_response
    if draft is None:
        draft = Response(author_id=actor.id, body_html="", outcome=outcome)
        item.responses.append(draft)
    draft.body_html = _clean_body(body_html)
    draft.outcome = outcome
    draft.author_id = actor.id
    item.duplicate_of = duplicate_of if outcome == Outcome.DUPLICATE else None
    history.touch(item)
    db.session.flush()
    audit.record(actor, "feedback_draft_saved", item, after={"outcome": outcome.value})
    return draft


def duplicate_title(user, item, candidate_id):
    """The title of the item this person may name as the one `item` duplicates
    (permissions.duplicate_targets), or None when they may not name it."""
    return db.session.scalar(feedback_permissions.duplicate_targets(user, item).where(
        FeedbackItem.id == candidate_id).with_only_columns(FeedbackItem.title))


def find_duplicates(user, item, text, limit=20):
    """[(id, title)]: the items this person may name as the one `item` duplicates whose number
    is the one typed (in any digits, with or without "#") or whose words contain every word
    typed (the multi-script search key); open items first, then the newest."""
    text = (text or "").strip()[:100]
    number = ascii_digits(text).lstrip("#").strip()
    if not text or (len(text) < 2 and not number.isdigit()):
        return []
    condition = matches_all_words(FeedbackItem.search_key, text)
    if number.isdigit() and len(number) < 10:
        condition = sa.or_(FeedbackItem.id == int(number), condition)
    return [tuple(row) for row in db.session.execute(
        feedback_permissions.duplicate_targets(user, item).where(condition)
        .with_only_columns(FeedbackItem.id, FeedbackItem.title)
        .order_by(FeedbackItem.state.in_(OPEN_STATES).desc(), FeedbackItem.id.desc())
        .limit(limit))]


def publish(actor, item):
    """Publish the draft response: the item is answered and the submitter and endorsers told."""
    require(feedback_permissions.can_handle_feedback(actor, item))
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
    history.event(item, actor, "answered", draft.outcome.value)
    db.session.flush()
    audit.record(actor, "feedback_answered", item, before, audit.snapshot(item, ITEM_FIELDS))
    history.tell(history.people_to_tell(item), item, "feedback_answered",
          lambda: _("Your item was answered: %(title)s", title=item.title))


def publish_batch(actor, items):
    """Publish several drafts at once; refuses the whole batch if any one cannot be published."""
    require(feedback_permissions.can_publish_batch(actor))
    for item in items:
        publish(actor, item)
    return len(items)


def close(actor, item):
    require(feedback_permissions.can_close_feedback(actor, item))
    before = audit.snapshot(item, ITEM_FIELDS)
    item.state, item.closed_at = State.CLOSED, utcnow()
    history.event(item, actor, "closed")
    db.session.flush()
    audit.record(actor, "feedback_closed", item, before, audit.snapshot(item, ITEM_FIELDS))


def reopen(actor, item, reason):
    """The submitter contests the answer, once, with a reason: back under review."""
    require(feedback_permissions.can_reopen_feedback(actor, item),
            _("An item can be reopened once, by the organisation that submitted it."))
    reason = required_reason(reason, 5000, _("Say why the answer does not settle the matter."))
    before = audit.snapshot(item, ITEM_FIELDS)
    now = utcnow()
    item.state, item.reopened_at, item.reopen_reason = State.UNDER_REVIEW, now, reason
    item.closed_at = None
    item.answer_due_at = sla.deadlines(item.kind, item.organisation, now)[1]
    item.escalation_level = 0
    history.event(item, actor, "reopened", reason)
    db.session.flush()
    audit.record(actor, "feedback_reopened", item, before, audit.snapshot(item, ITEM_FIELDS))
    if item.owner is not None:
        notify(item.owner, "feedback_reopened",
               lambda: (_("An answer was contested: %(title)s", title=item.title), reason),
               link=history.item_link(item))


def endorse(actor, item, organisation, comment=None):
    """Another organisation says the need is theirs too."""
    require(feedback_permissions.can_endorse_feedback(actor, item),
            _("Your organisation cannot endorse this item."))
    require(organisation in actor.organisations_with(Role.UNION_DIRECTOR))
    endorsement = Endorsement(organisation=organisation, user=actor,
                              comment=plain_text(comment or "", 2000) or None)
    item.endorsements.append(endorsement)
    item.endorsement_count = len(item.endorsements)
    history.event(item, actor, "endorsed", organisation.name)
    db.session.flush()
    audit.record(actor, "feedback_endorsed", item, after={"organisation_id": organisation.id})
    return endorsement


def reassign(actor, item, owner):
    require(feedback_permissions.can_reassign_feedback(actor, item))
    if not owner.has_role(Role.RELATIONSHIP_MANAGER) or not owner.is_active:
        raise ValidationError(_("Only an active relationship manager can own an item."),
                              field="owner_id")
    before = audit.snapshot(item, ITEM_FIELDS)
    item.owner = owner
    history.event(item, actor, "reassigned", owner.full_name)
    db.session.flush()
    audit.record(actor, "feedback_reassigned", item, before, audit.snapshot(item, ITEM_FIELDS))
    notify(owner, "feedback_assigned",
           lambda: (_("An item was assigned to you: %(title)s", title=item.title), ""),
           link=history.item_link(item))
