"""Escalation of overdue feedback: each bank's chain of people to tell at the branch, the
province and the head office, the job that raises overdue items along it, and the chain's own
page (its links added and removed by the bank's administrators).

Each bank keeps its own chain (EscalationContact, edited by its administrators): who is told
when an overdue item of an organisation in its network reaches the branch (1), the province
(2) or the head office (3). People are looked up in the owning bank's network only, so an item
of one bank never reaches another bank's people.
"""
import sqlalchemy as sa
from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.core import audit
from portal.core.errors import NotFound, ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.extensions import db
from portal.feedback import history, sla
from portal.feedback import permissions as feedback_permissions
from portal.feedback.models import (
    ESCALATION_LABELS,
    ESCALATION_LEVELS,
    OPEN_STATES,
    EscalationContact,
    FeedbackItem,
    State,
)


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
    return raise_late(
        candidates, now, _climb, _announce_escalation, lambda item: (
            item.acknowledge_due_at if item.state == State.SUBMITTED else item.answer_due_at,
            item.organisation))


def raise_late(records, now, climb, announce, lateness):
    """Raise each of records (items, results: anything with an escalation_level) to the level
    its lateness calls for, in the working days of whoever keeps its calendar. lateness(record)
    is (when it was due, the organisation whose working days count); climb(record, wanted)
    gives (level reached, people told); announce(record, level before, people told) says so,
    once per rise. Returns how many levels the records rose."""
    steps = 0
    for record in records:
        due, calendar_of = lateness(record)
        wanted = sla.level_for_lateness(due, now, calendar_of)
        if record.escalation_level >= wanted:
            continue
        start = record.escalation_level
        record.escalation_level, told = climb(record, wanted)
        steps += record.escalation_level - start
        announce(record, start, told)
    db.session.flush()
    return steps


def _announce_escalation(item, start, told):
    level = item.escalation_level
    history.event(item, None, "escalated", str(level))
    audit.record(None, "feedback_escalated", item, before={"level": start},
                 after={"level": level, "told": [p.id for p in told]})
    names = [p.full_name for p in told]
    people = {p.id: p for p in told}
    if item.owner is not None:
        people.setdefault(item.owner.id, item.owner)
    for person in history.people_to_tell(item):
        people.setdefault(person.id, person)
    for person in people.values():
        notify(person, "feedback_escalated",
               lambda: (_("Overdue: %(title)s", title=item.title),
                        escalation_notice(level, names)), link=history.item_link(item))


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
