"""Results: created, changed, moved through their milestones; the people who raised or
endorsed what a result answers are told of each step, in their own language.

Services flush and write the audit entry; the view commits.
"""
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from portal import permissions
from portal.core import audit
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.core.sanitize import sanitize_html
from portal.extensions import db
from portal.results import measures
from portal.results import permissions as results_permissions
from portal.results.models import (
    LOCALES,
    MeasureKind,
    Result,
    ResultMilestone,
    ResultStatus,
    ResultText,
)

AUDITED = ("owner_id", "due_on", "status", "typed_progress", "parent_id", "weight",
           "dropped_reason", "measure", "measure_indicator_id", "measure_organisation_id",
           "baseline", "target")


def progress(result):
    """0-100. Done is 100. A result with children counts theirs by weight (dropped children
    do not count); one measured by a figure, how far its latest actual has come towards the
    target; otherwise what its owner typed."""
    if result.status == ResultStatus.DONE:
        return 100
    children = [c for c in result.children if c.status != ResultStatus.DROPPED]
    if not children:
        measured = measures.measured_progress(result)
        return result.typed_progress if measured is None else measured
    total = sum(max(c.weight, 0) for c in children)
    if total == 0:
        return 0
    return round(sum(progress(c) * max(c.weight, 0) for c in children) / total)


def followers(result):
    """Who raised or endorsed an item this result answers, and its owner."""
    people = {result.owner}
    for item in result.items:
        people.add(item.submitted_by)
        people.update(endorsement.user for endorsement in item.endorsements)
    return {person for person in people if person is not None}


def _tell_followers(actor, result, kind, render):
    link = url_for("results.show", result_id=result.id)
    for person in sorted(followers(result), key=lambda p: p.id):
        if person.id != getattr(actor, "id", None):
            notify(person, kind, lambda person=person: render(person), link=link)


def _title_for(person, result):
    return result.title_in(person.preferred_locale or "en")


def _check_owner(result, owner):
    if owner is None or not permissions.is_bank_staff(owner):
        raise ValidationError(_("The owner must be a member of the bank's staff."),
                              field="owner_id")
    if not any(m.organisation.network_id == result.network_id for m in owner.memberships):
        raise ValidationError(_("The owner must work in this bank's network."),
                              field="owner_id")


def _check_parent(result, parent):
    if parent is None:
        return
    if parent.network_id != result.network_id:
        raise ValidationError(_("The parent result belongs to another network."),
                              field="parent_id")
    ancestor = parent
    while ancestor is not None:
        if ancestor is result:
            raise ValidationError(_("A result cannot be part of itself."), field="parent_id")
        ancestor = ancestor.parent


def _set_texts(result, texts):
    """texts: {locale: (title, description_html)}; at least one title."""
    if not any((texts.get(loc) or ("", ""))[0].strip() for loc in LOCALES):
        raise ValidationError(_("Give the result a title in at least one language."),
                              field="title_en")
    existing = {t.locale: t for t in result.texts}
    for locale in LOCALES:
        title, description = texts.get(locale) or ("", "")
        row = existing.get(locale)
        if row is None:
            row = ResultText(locale=locale)
            result.texts.append(row)
        row.title = title.strip()[:300]
        row.description_html = sanitize_html(description or "")


def _set_measure(result, measure):
    """measure: None, or {"kind", "indicator", "organisation", "baseline", "target",
    "baseline_on", "target_on"} with the organisation already one of the network's."""
    if not measure or not measure.get("kind"):
        result.measure = result.measure_indicator = result.measure_organisation = None
        result.baseline = result.target = result.baseline_on = result.target_on = None
        return
    if measure.get("organisation") is None:
        raise ValidationError(_("Choose whose figure measures the result."),
                              field="measure_organisation_id")
    if measure["organisation"].network_id != result.network_id:
        raise ValidationError(_("The figure must be of an organisation of this network."),
                              field="measure_organisation_id")
    if measure.get("baseline") is None or measure.get("target") is None:
        raise ValidationError(_("A measured result needs a baseline and a target."),
                              field="target")
    if measure["baseline"] == measure["target"]:
        raise ValidationError(_("The target must differ from the baseline."), field="target")
    result.measure = MeasureKind(measure["kind"])
    result.measure_indicator = measure.get("indicator") \
        if result.measure == MeasureKind.INDICATOR else None
    if result.measure == MeasureKind.INDICATOR and result.measure_indicator is None:
        raise ValidationError(_("Choose the indicator."), field="measure")
    result.measure_organisation = measure["organisation"]
    result.baseline, result.target = measure["baseline"], measure["target"]
    result.baseline_on, result.target_on = measure.get("baseline_on"), measure.get("target_on")


def save_result(actor, *, texts, owner, due_on, parent=None, weight=1, typed_progress=0,
                items=(), commitments=(), offers=None, measure=None, result=None,
                expected_version=None):
    """Create or change a result in the network the actor looks at. items and commitments
    must already be the ones the actor may see (the view resolves them through the scopes), as
    must offers: {"products", "packages", "branches"} the result changes.
    Raises PermissionDenied, ValidationError, Conflict (stale version)."""
    require(results_permissions.can_manage_results(actor))
    creating = result is None
    if creating:
        require(results_permissions.can_create_result(actor))
        result = Result(network_id=permissions.network_scope(actor).network_id,
                        created_by_id=actor.id, status=ResultStatus.PLANNED)
        before = None
    else:
        result.check_version(expected_version)
        before = audit.snapshot(result, AUDITED)
    if not 0 <= (typed_progress or 0) <= 100:
        raise ValidationError(_("Progress is a share between 0 and 100."),
                              field="typed_progress")
    _check_owner(result, owner)
    _check_parent(result, parent)
    _set_texts(result, texts)
    result.owner_id, result.owner = owner.id, owner
    result.due_on = due_on
    result.parent = parent
    result.weight = max(int(weight or 1), 1)
    result.typed_progress = int(typed_progress or 0)
    result.items = list(items)
    result.commitments = list(commitments)
    offers = offers or {}
    result.products = list(offers.get("products", ()))
    result.packages = list(offers.get("packages", ()))
    result.branches = list(offers.get("branches", ()))
    _set_measure(result, measure)
    if result.typed_progress > 0 and result.status == ResultStatus.PLANNED:
        result.status = ResultStatus.IN_PROGRESS
    # a new result joins the session only now, whole: a lazy load while it was being filled
    # (an owner whose memberships were not loaded yet) flushed it without its owner
    db.session.add(result)
    db.session.flush()
    audit.record(actor, "result.create" if creating else "result.update", result,
                 before=before, after=audit.snapshot(result, AUDITED))
    if creating:
        _tell_followers(actor, result, "result.created", lambda person: (
            _("The bank commits to a result: %(title)s", title=_title_for(person, result)),
            _("What you raised is answered by this result, due on %(day)s.",
              day=_day(result.due_on))))
    return result


def _day(value):
    from portal.i18n import date_filter

    return date_filter(value)


def set_status(actor, result, status, reason=None, expected_version=None):
    """Move a result. Dropping needs a reason; done and dropped are told to its followers."""
    require(results_permissions.can_manage_results(actor))
    result.check_version(expected_version)
    status = ResultStatus(status)
    reason = (reason or "").strip()
    if status == ResultStatus.DROPPED and not reason:
        raise ValidationError(_("Say why the result is dropped: the people who raised it will "
                                "read it."), field="reason")
    before = audit.snapshot(result, AUDITED)
    result.status = status
    result.dropped_reason = reason if status == ResultStatus.DROPPED else None
    result.closed_at = None if status.is_open else utcnow()
    db.session.flush()
    audit.record(actor, "result.status", result, before=before,
                 after=audit.snapshot(result, AUDITED))
    if status == ResultStatus.DONE:
        _tell_followers(actor, result, "result.done", lambda person: (
            _("Done: %(title)s", title=_title_for(person, result)),
            _("The bank has done what it committed to.")))
    elif status == ResultStatus.DROPPED:
        _tell_followers(actor, result, "result.dropped", lambda person: (
            _("Dropped: %(title)s", title=_title_for(person, result)),
            _("The bank dropped this result. The reason given: %(reason)s", reason=reason)))
    return result


def add_milestone(actor, result, *, day, title, note="", reached=False):
    """A step on the way, with its date; a reached one is told to the followers."""
    require(results_permissions.can_manage_results(actor))
    if not result.status.is_open:
        raise ValidationError(_("This result is closed."))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Name the milestone."), field="title")
    milestone = ResultMilestone(result_id=result.id, day=day, title=title[:300],
                                note=sanitize_html(note or ""), reached=bool(reached),
                                recorded_by_id=actor.id)
    db.session.add(milestone)
    if reached and result.status == ResultStatus.PLANNED:
        result.status = ResultStatus.IN_PROGRESS
    db.session.flush()
    audit.record(actor, "result.milestone", result, after={"milestone": title,
                                                           "day": day.isoformat(),
                                                           "reached": bool(reached)})
    if reached:
        _tell_followers(actor, result, "result.milestone", lambda person: (
            _("A step reached: %(title)s", title=_title_for(person, result)),
            _("%(milestone)s, on %(day)s.", milestone=title, day=_day(day))))
    return milestone


def owner_choices(actor):
    """Bank staff of the network the actor looks at, by name."""
    from portal.accounts.models import Membership, Organisation, User

    query = (sa.select(User).join(Membership, Membership.user_id == User.id)
             .join(Organisation, Organisation.id == Membership.organisation_id)
             .where(User.is_active.is_(True), Membership.role.in_(permissions.BANK_ROLES)))
    condition = permissions.in_network(actor)
    if condition is not None:
        query = query.where(condition)
    return list(db.session.scalars(query.distinct().order_by(User.full_name)))


def parent_choices(actor, result=None):
    query = results_permissions.visible_results(actor).where(Result.status.in_(
        (ResultStatus.PLANNED, ResultStatus.IN_PROGRESS)))
    if result is not None:
        query = query.where(Result.id != result.id)
    return list(db.session.scalars(query.order_by(Result.due_on)))


def listed(actor, *, status=None, overdue=False, today=None):
    query = results_permissions.visible_results(actor)
    if status in {s.value for s in ResultStatus}:
        query = query.where(Result.status == ResultStatus(status))
    if overdue:
        query = query.where(Result.status.in_((ResultStatus.PLANNED, ResultStatus.IN_PROGRESS)),
                            Result.due_on < (today or date.today()))
    return query.order_by(Result.due_on, Result.id)


def escalate_overdue(now=None):
    """Raise every open result past its due date to the level its lateness calls for, in
    working days of the owning bank, telling that bank's escalation chain (never another
    bank's) and the result's owner. Idempotent: each level is announced once. Returns how many
    levels results rose."""
    from portal.core.clock import end_of_local_day, organisation_zone
    from portal.feedback import services as feedback
    from portal.feedback import sla

    candidates = db.session.scalars(sa.select(Result).where(
        Result.status.in_((ResultStatus.PLANNED, ResultStatus.IN_PROGRESS)),
        Result.escalation_level < sla.MAX_LEVEL).order_by(Result.id)).all()
    # due at the end of its day where the owning bank is, counted in that bank's working days
    return feedback.raise_late(
        candidates, now or utcnow(),
        lambda result, wanted: feedback.climb_chain(
            result.network_id, feedback.offices_of(result.owner, result.network_id),
            result.escalation_level, wanted),
        _announce_escalation,
        lambda result: (end_of_local_day(result.due_on, organisation_zone(result.network)),
                        result.network))


def _announce_escalation(result, start, told):
    from portal.feedback.services import escalation_notice

    level = result.escalation_level
    audit.record(None, "result.escalated", result, before={"level": start},
                 after={"level": level, "told": [p.id for p in told]})
    names = [p.full_name for p in told]
    people = {p.id: p for p in told}
    people.setdefault(result.owner.id, result.owner)
    link = url_for("results.show", result_id=result.id)
    for person in people.values():
        notify(person, "result.overdue", lambda person=person: (
            _("Overdue result: %(title)s", title=_title_for(person, result)),
            escalation_notice(level, names)), link=link)
