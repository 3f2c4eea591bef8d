"""Feedback operations. Each checks permission, changes state, records history and the audit
log, notifies through the outbox and flushes; the view commits once."""
import re

import sqlalchemy as sa
from babel.lists import format_list
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.core import audit
from portal.core.errors import NotFound, ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.core.sanitize import plain_text, rich_text
from portal.core.textnorm import matches_all_words
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback import sla
from portal.feedback.models import (
    ESCALATION_LABELS,
    ESCALATION_LEVELS,
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
from portal.i18n.parsing import ascii_digits
from portal.products import permissions as products_permissions
from portal.products.models import Product, ProductStatus, ServicePackage

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


def _submitters_of_record(item):
    """Who hears of the item as its submitter: the person who submitted it, or, when the
    organisation spoke and someone else recorded it (a statement from the floor), the
    organisation's directors."""
    if item.recorded_by_id is None:
        return [item.submitted_by]
    return db.session.scalars(sa.select(User).join(Membership).where(
        Membership.organisation_id == item.organisation_id,
        Membership.role == Role.UNION_DIRECTOR, User.is_active).order_by(User.id)).all()


def _people_to_tell(item):
    """The submitter of record and everyone who endorsed the item."""
    people = {p.id: p for p in _submitters_of_record(item) if p is not None}
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
    _event(item, actor, "submitted")
    db.session.flush()
    audit.record(actor, "feedback_submitted", item, after=audit.snapshot(item, ITEM_FIELDS))
    if item.owner is not None:
        notify(item.owner, "feedback_assigned",
               lambda: (_("New %(kind)s from %(organisation)s", kind=kind.label,
                          organisation=organisation.name), item.title), link=_link(item))
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
    _touch(item)
    _event(item, actor, "confidential_with_origin" if visibility == Visibility.CONFIDENTIAL
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
    _touch(item)
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
    _event(item, actor, "answered", draft.outcome.value)
    db.session.flush()
    audit.record(actor, "feedback_answered", item, before, audit.snapshot(item, ITEM_FIELDS))
    _tell(_people_to_tell(item), item, "feedback_answered",
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
    _event(item, actor, "closed")
    db.session.flush()
    audit.record(actor, "feedback_closed", item, before, audit.snapshot(item, ITEM_FIELDS))


def reopen(actor, item, reason):
    """The submitter contests the answer, once, with a reason: back under review."""
    require(feedback_permissions.can_reopen_feedback(actor, item),
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
    require(feedback_permissions.can_endorse_feedback(actor, item),
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
    require(feedback_permissions.can_reassign_feedback(actor, item))
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
#
# Each bank keeps its own chain (EscalationContact, edited by its administrators): who is told
# when an overdue item of an organisation in its network reaches the branch (1), the province
# (2) or the head office (3). People are looked up in the owning bank's network only, so an
# item of one bank never reaches another bank's people.

def _handling_offices(item, network_id):
    """The bank offices that handle the item, from its branch up to the head office: the
    owner's office in the owning bank, else the branch the item names; [] when neither is."""
    offices = [m.organisation for m in (item.owner.memberships if item.owner else [])
               if m.organisation.is_bank]
    offices.sort(key=lambda o: o.kind == OrgKind.BANK_HEAD_OFFICE)  # a branch before the HQ
    if item.branch is not None:
        offices.append(item.branch)
    branch = next((o for o in offices if o.network_id == network_id), None)
    return [branch, *reversed(branch.ancestors())] if branch is not None else []


def _level_office(offices, level, network_id):
    """The item's own office at a level: its branch, the provincial office above that branch
    (none when the branch answers to the head office directly), the head office."""
    if level == sla.MAX_LEVEL:
        return db.session.get(Organisation, network_id)
    below_head = [o for o in offices if o.kind != OrgKind.BANK_HEAD_OFFICE]
    return below_head[level - 1] if len(below_head) >= level else None


def _works_in_network(person, network_id):
    return any(m.organisation.network_id == network_id for m in person.memberships)


def _people_of_link(link, office):
    if link.user is not None:
        return [link.user]
    if office is None:
        return []
    return db.session.scalars(sa.select(User).join(Membership).where(
        Membership.organisation_id == office.id, Membership.role == link.role,
        User.is_active).order_by(User.id)).all()


def _chain_at(level, links, offices, network_id):
    """The active people of the owning bank that its chain names at this level, for something
    handled by these offices."""
    office_ids = {o.id for o in offices}
    people = {}
    for link in links:
        if link.level != level or (link.organisation_id is not None
                                   and link.organisation_id not in office_ids):
            continue
        office = link.organisation or _level_office(offices, level, network_id)
        for person in _people_of_link(link, office):
            if person.is_active and _works_in_network(person, network_id):
                people.setdefault(person.id, person)
    return list(people.values())


def _bank_administrators(network_id):
    return db.session.scalars(sa.select(User).where(User.is_active, User.memberships.any(
        sa.and_(Membership.role == Role.ADMINISTRATOR,
                Membership.organisation.has(Organisation.network_id == network_id))))
        .order_by(User.id)).all()


def climb_chain(network_id, offices, from_level, wanted):
    """(level reached, people told) for something late, handled by `offices` of the bank whose
    network this is, raised from `from_level` to `wanted` in one run. Items use it, and so do
    the results the bank commits to (portal.results).

    The chain's people of every level crossed are told. When the level wanted names nobody,
    it goes on to the next level that names somebody. When nobody is named there or above, the
    owning bank's administrators (who keep the chain) are told, as the head office. Only people
    of the owning bank's network are ever told."""
    links = db.session.scalars(sa.select(EscalationContact).where(
        EscalationContact.network_id == network_id).order_by(EscalationContact.id)).all()
    told = {}
    for level in range(from_level + 1, sla.MAX_LEVEL + 1):
        found = _chain_at(level, links, offices, network_id)
        told.update((p.id, p) for p in found if p.id not in told)
        if level >= wanted and found:
            return level, list(told.values())
    administrators = _bank_administrators(network_id)
    if not administrators:
        return wanted, list(told.values())
    told.update((p.id, p) for p in administrators if p.id not in told)
    return sla.MAX_LEVEL, list(told.values())


def offices_of(person, network_id):
    """A member of the bank's staff's office in this network and the offices above it, the
    branch first: whom the chain's office-bound links are about."""
    offices = [m.organisation for m in (person.memberships if person else [])
               if m.organisation.is_bank and m.organisation.network_id == network_id]
    offices.sort(key=lambda o: o.kind == OrgKind.BANK_HEAD_OFFICE)  # a branch before the HQ
    return [offices[0], *reversed(offices[0].ancestors())] if offices else []


def _climb(item, wanted):
    """(level reached, people told) for an item raised from its level to `wanted`."""
    network_id = item.organisation.network_id
    if network_id is None:  # an organisation of no bank: nobody but the owner to tell
        return wanted, []
    return climb_chain(network_id, _handling_offices(item, network_id),
                       item.escalation_level, wanted)


def escalate_overdue(now=None):
    """Raise every overdue open item to the level its lateness calls for (or past it, when
    that level names nobody), telling the owning bank's chain at each level crossed.

    One run sends each person one notice per item, naming the level reached and who in the
    chain was told: the chain's people, the owner, the submitter of record and endorsers.
    Idempotent: a level is never announced twice. Returns how many levels items rose."""
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
        if item.escalation_level >= wanted:
            continue
        start = item.escalation_level
        item.escalation_level, told = _climb(item, wanted)
        steps += item.escalation_level - start
        _announce_escalation(item, start, told)
    db.session.flush()
    return steps


def _announce_escalation(item, start, told):
    level = item.escalation_level
    _event(item, None, "escalated", str(level))
    audit.record(None, "feedback_escalated", item, before={"level": start},
                 after={"level": level, "told": [p.id for p in told]})
    names = [p.full_name for p in told]
    people = {p.id: p for p in told}
    if item.owner is not None:
        people.setdefault(item.owner.id, item.owner)
    for person in _people_to_tell(item):
        people.setdefault(person.id, person)
    for person in people.values():
        notify(person, "feedback_escalated",
               lambda: (_("Overdue: %(title)s", title=item.title),
                        escalation_notice(level, names)), link=_link(item))


def escalation_notice(level, names):
    """The level reached and who was told, in the language active now (the reader's)."""
    label = ESCALATION_LABELS[level]
    if not names:
        return _("%(level)s. The bank names nobody to tell at this level.", level=label)
    return _("%(level)s. Told: %(names)s.", level=label,
             names=format_list(names, locale=get_locale()))


# --- the escalation chain's page ---------------------------------------------------------------

def escalation_chain(network):
    """The links of a bank's chain (network: its head office), level by level:
    {level: [EscalationContact]} with every level present."""
    chain = {level: [] for level in ESCALATION_LEVELS}
    for link in db.session.scalars(sa.select(EscalationContact).where(
            EscalationContact.network_id == network.id)
            .options(sa.orm.joinedload(EscalationContact.user),
                     sa.orm.joinedload(EscalationContact.organisation))
            .order_by(EscalationContact.level, EscalationContact.id)):
        chain[link.level].append(link)
    return chain


def _link_snapshot(link):
    return {"network_id": link.network_id, "level": link.level, "user_id": link.user_id,
            "role": link.role.value if link.role else None,
            "organisation_id": link.organisation_id}


def add_escalation_link(actor, network, *, level, person=None, role=None, office=None):
    """Add a link to the chain of this bank (network: its head office).

    Only an administrator looking at this network may (permissions.chain_network). The
    person must be active bank staff of this network, the role one of the bank's, the office
    one of this bank's. Raises PermissionDenied, or ValidationError naming the field at fault."""
    require(feedback_permissions.can_manage_escalation(actor))
    require(network is not None and feedback_permissions.chain_network(actor) == network)
    if level not in ESCALATION_LEVELS:
        raise ValidationError(_("Choose a level of the chain."), field="level")
    if (person is None) == (role is None):
        raise ValidationError(_("Choose a person or a role."), field="who")
    if person is not None and not db.session.scalar(
            feedback_permissions.network_people(network.id).where(User.id == person.id)
            .with_only_columns(User.id)):
        raise ValidationError(_("%(name)s does not work for this bank.",
                                name=person.full_name), field="who")
    if role is not None and Role(role) not in feedback_permissions.CHAIN_ROLES:
        raise ValidationError(_("Choose one of the bank's roles."), field="who")
    if office is not None and not db.session.scalar(
            feedback_permissions.network_offices(network.id).where(Organisation.id == office.id)
            .with_only_columns(Organisation.id)):
        raise ValidationError(_("Choose an office of this bank."), field="office_id")
    link = EscalationContact(network_id=network.id, level=level,
                             user_id=person.id if person else None,
                             role=Role(role) if role else None,
                             organisation_id=office.id if office else None)
    if any(_link_snapshot(link) == _link_snapshot(other)
           for other in escalation_chain(network)[level]):
        raise ValidationError(_("This link is already in the chain."), field="who")
    db.session.add(link)
    db.session.flush()
    audit.record(actor, "escalation_link_added", link, after=_link_snapshot(link))
    return link


def remove_escalation_link(actor, link):
    """Remove a link from the chain of the network the administrator looks at. Raises
    PermissionDenied for anyone else, NotFound for a link of another bank's chain."""
    require(feedback_permissions.can_manage_escalation(actor))
    network = feedback_permissions.chain_network(actor)
    if network is None or link.network_id != network.id:
        raise NotFound()
    audit.record(actor, "escalation_link_removed", link, before=_link_snapshot(link))
    db.session.delete(link)
    db.session.flush()


def organisation_by_id(organisation_id):
    return db.session.get(Organisation, organisation_id) if organisation_id else None


# --- product requests and the catalogue ------------------------------------------------------

def link_offer(actor, item, offer):
    """Record that the bank answers this product request with this product or service package
    (new or existing, not withdrawn). Replaces any earlier link.

    Linking to another offer clears the record of the availability notice, so the requesters
    hear of the new offer; if it is already available they are told now, otherwise when it
    becomes available (tell_requesters_offer_available). Raises PermissionDenied unless the
    actor handles the item, ValidationError for an item that is not a product request or a
    withdrawn offer.
    """
    require(feedback_permissions.can_handle_feedback(actor, item))
    if item.kind != Kind.PRODUCT_REQUEST:
        raise ValidationError(_("Only a product request can be linked to a product."))
    # The offer's row is locked so that a status change committing at the same time is either
    # seen here (and the notice sent now) or sees this link (and sends it then): never neither.
    offer = db.session.scalars(sa.select(type(offer)).where(type(offer).id == offer.id)
                               .with_for_update()
                               .execution_options(populate_existing=True)).one()
    if offer is item.offer:
        return
    if offer.is_withdrawn:
        raise ValidationError(_("This offer has been withdrawn. Choose what replaces it."))
    before = {"product_id": item.product_id, "package_id": item.package_id}
    is_package = isinstance(offer, ServicePackage)
    item.product, item.package = (None, offer) if is_package else (offer, None)
    item.offer_notice_sent_at = None
    _touch(item)
    _event(item, actor, "package_linked" if is_package else "product_linked", offer.code)
    db.session.flush()
    audit.record(actor, "feedback_product_linked", item, before,
                 {"product_id": item.product_id, "package_id": item.package_id})
    if offer.status == ProductStatus.AVAILABLE:
        _tell_offer_available([item], offer)


def link_product(actor, item, product):
    """link_offer for a product (kept for the callers that only know products)."""
    link_offer(actor, item, product)


def _linked_to(offer):
    """The condition "this item is linked to this offer"."""
    if isinstance(offer, ServicePackage):
        return FeedbackItem.package_id == offer.id
    return FeedbackItem.product_id == offer.id


def tell_requesters_offer_available(offer):
    """Tell the people who asked for this product or package that it is available.

    Called by products.services.set_status whenever an offer becomes available. Each linked
    request is told once: the notice is recorded on the item (offer_notice_sent_at), so a
    status that moves away and back, or a second call, tells nobody again. Returns how many
    people were told.
    """
    items = db.session.scalars(sa.select(FeedbackItem).where(
        _linked_to(offer), FeedbackItem.offer_notice_sent_at.is_(None))
        .order_by(FeedbackItem.id)).all()
    return _tell_offer_available(items, offer)


def _tell_offer_available(items, offer):
    """One notice per person (submitters of record and endorsers of these items), however
    many of the items they asked through; every item is marked as told."""
    is_package = isinstance(offer, ServicePackage)
    told = set()
    for item in items:
        item.offer_notice_sent_at = utcnow()
        _event(item, None, "package_available" if is_package else "product_available",
               offer.code)
        for person in _people_to_tell(item):
            if person.id in told:
                continue
            told.add(person.id)
            notify(person, "product_available",
                   lambda p=person, i=item: _offer_available_notice(offer, p, i),
                   link=_link(item))
    db.session.flush()
    return len(told)


def _offer_available_notice(offer, person, item):
    name = offer.name_in(person.preferred_locale or "en")
    if isinstance(offer, ServicePackage):
        title = _("The service package you asked for is available: %(name)s", name=name)
    else:
        title = _("The product you asked for is available: %(name)s", name=name)
    return title, _("Your request: %(title)s", title=item.title)


def asked_for(user, offer):
    """Whether this person asked for this offer: they submitted or endorsed a product request
    linked to it, or direct an organisation that did."""
    if user is None or not user.is_authenticated:
        return False
    directed = {m.organisation_id for m in user.memberships if m.role == Role.UNION_DIRECTOR}
    endorsed = sa.select(Endorsement.item_id).where(sa.or_(
        Endorsement.user_id == user.id, Endorsement.organisation_id.in_(directed)))
    return db.session.scalar(sa.select(sa.exists().where(
        _linked_to(offer), sa.or_(FeedbackItem.submitted_by_id == user.id,
                                  FeedbackItem.organisation_id.in_(directed),
                                  FeedbackItem.id.in_(endorsed))))) or False


def link_choices(user, locale):
    """What a product request may be linked to, as [(group label, [(key, label)])]: the
    products and packages this user sees that can still be offered, by name in the reader's
    language.

    Withdrawn offers are left out: nobody can be given them. Drafts and offers in design stay:
    answering a request with the product being designed for it is the usual case, and the link
    is what tells the requesters when it becomes available and puts their demand on the
    roadmap.
    """
    groups = []
    for label, model, visible in ((_("Products"), Product, products_permissions.visible_products),
                                  (_("Service packages"), ServicePackage,
                                   products_permissions.visible_packages)):
        offers = db.session.scalars(visible(user).where(
            model.status != ProductStatus.WITHDRAWN)).all()
        options = sorted(((o.offer_key, _offer_label(o, locale)) for o in offers),
                         key=lambda pair: pair[1].casefold())
        if options:
            groups.append((label, options))
    return groups


def offer_by_key(user, key):
    """The product or package named by a chooser's key ("product:12", "package:3") among
    those this user sees; None for anything else."""
    kind, _sep, offer_id = (key or "").partition(":")
    found = {"product": (Product, products_permissions.visible_products),
             "package": (ServicePackage, products_permissions.visible_packages)}.get(kind)
    if found is None or not offer_id.isdigit():
        return None
    model, visible = found
    return db.session.scalar(visible(user).where(model.id == int(offer_id)))


def _offer_label(offer, locale):
    name = offer.name_in(locale)
    if offer.status == ProductStatus.AVAILABLE:
        return name
    return _("%(name)s (%(status)s)", name=name, status=offer.status.label)


def requests_for_offer(user, offer):
    """The product requests behind a product or package that this user may see, most endorsed
    first."""
    return db.session.scalars(feedback_permissions.visible_feedback(user).where(_linked_to(offer))
                              .options(sa.orm.joinedload(FeedbackItem.organisation))
                              .order_by(FeedbackItem.endorsement_count.desc(),
                                        FeedbackItem.id)).all()


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
    return db.session.scalars(feedback_permissions.visible_feedback(user).where(
        FeedbackItem.branch_id == branch_organisation_id)
        .options(sa.orm.joinedload(FeedbackItem.organisation))
        .order_by(FeedbackItem.created_at.desc()).limit(limit)).all()
