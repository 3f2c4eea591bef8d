"""Who may do what. Views and templates call the same functions; queries start from the
visible_* helpers so that nobody reads another organisation's data by guessing an id."""
import itertools
import typing

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401 - sa.orm.Session for the events below

from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.extensions import db

BANK_ROLES = (Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.ADMINISTRATOR)


def _active(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_admin(user):
    return _active(user) and user.has_role(Role.ADMINISTRATOR)


def is_bank_staff(user):
    return _active(user) and user.has_role(*BANK_ROLES)


def is_ministry(user):
    return _active(user) and user.has_role(Role.MINISTRY_OFFICIAL)


def is_relationship_manager(user):
    return _active(user) and user.has_role(Role.RELATIONSHIP_MANAGER)


def sees_whole_network(user):
    """The bank and the ministry read the whole organisation directory."""
    return is_bank_staff(user) or is_ministry(user)


def can_manage_users(user):
    return is_admin(user)


def can_manage_organisations(user):
    return is_admin(user)


# --- networks: the bank whose network a person looks at ----------------------------------------
#
# Every organisation belongs to one bank's network (Organisation.network_id, filled in when it
# is written). People see their own network: its organisations, items, meetings, branches,
# offers and figures; "public" means public within it. A portal-wide administrator serves every
# network and looks at all of them, or at the one they chose (session["network"]); someone
# whose memberships span two networks looks at one at a time.

class NetworkScope(typing.NamedTuple):
    network_id: int | None   # None with everything=False: organisations with no bank yet
    everything: bool


_NETWORK_KEY = "portal_network_scope"


def _membership_networks(user):
    return sorted({m.organisation.network_id for m in user.memberships},
                  key=lambda n: (n is None, n or 0))


def network_choices(user):
    """The head offices whose networks this person may look at, by name."""
    if not _active(user):
        return []
    query = sa.select(Organisation).where(Organisation.kind == OrgKind.BANK_HEAD_OFFICE)
    if not is_admin(user):
        ids = [n for n in _membership_networks(user) if n is not None]
        query = query.where(Organisation.id.in_(ids))
    return list(db.session.scalars(query.order_by(Organisation.id)))


def chosen_network_id():
    from flask import has_request_context, session

    return session.get("network") if has_request_context() else None


def network_scope(user):
    """Which network this person looks at now (once per request)."""
    from flask import g, has_request_context

    if has_request_context():
        found = g.get(_NETWORK_KEY)
        if found is not None and found[0] == getattr(user, "id", None):
            return found[1]
    scope = _compute_network_scope(user)
    if has_request_context():
        g.setdefault(_NETWORK_KEY, None)
        setattr(g, _NETWORK_KEY, (getattr(user, "id", None), scope))
    return scope


def _compute_network_scope(user):
    if not _active(user):
        return NetworkScope(None, False)
    chosen = chosen_network_id()
    if is_admin(user):
        if chosen is not None and db.session.scalar(sa.select(Organisation.id).where(
                Organisation.id == chosen, Organisation.kind == OrgKind.BANK_HEAD_OFFICE)):
            return NetworkScope(chosen, False)
        return NetworkScope(None, True)
    own = _membership_networks(user)
    if chosen in own:
        return NetworkScope(chosen, False)
    return NetworkScope(own[0] if own else None, False)


def _network_organisations(scope):
    if scope.network_id is None:
        return Organisation.network_id.is_(None)
    return Organisation.network_id == scope.network_id


def in_network(user, org_id_column=None):
    """A condition keeping rows of the person's network: on Organisation itself, or on a
    column holding an organisation id. None when they look at every network."""
    scope = network_scope(user)
    if scope.everything:
        return None
    condition = _network_organisations(scope)
    if org_id_column is None:
        return condition
    return org_id_column.in_(sa.select(Organisation.id).where(condition))


def _within_network(query, user, org_id_column=None):
    condition = in_network(user, org_id_column)
    return query if condition is None else query.where(condition)


def network_organisations(user):
    """A select() of every organisation of the person's network, whatever their own subtree:
    for naming one (the branch a critique is about), not for reading its records."""
    return _within_network(sa.select(Organisation), user)


def in_same_network(user, org):
    """Whether this organisation is in the network the person looks at."""
    scope = network_scope(user)
    return scope.everything or (org is not None and org.network_id == scope.network_id)


def offered_in_network(user, model):
    """Products and packages of the person's bank, and those offered everywhere."""
    scope = network_scope(user)
    if scope.everything:
        return None
    return sa.or_(model.network_id.is_(None), model.network_id == scope.network_id)


# --- subtrees: which organisations a user's memberships and portfolio reach -----------------
#
# Three scopes hang off the same roots: "own" (every membership, for the directory, feedback,
# deliveries and contracts), "turnover" (union-director memberships and the portfolio) and
# "indicator" (every membership and the portfolio). One recursive statement computes all three
# the first time a request needs one of them; the ids are kept in the database session's `info`
# for the rest of the request (the session is per request: Flask-SQLAlchemy removes it when the
# app context ends), keyed by user id, and forgotten whenever anything may have changed them:
# on every flush, commit or rollback of any session in this process and on any write executed
# through a session. While the session holds unflushed changes the memo is not trusted either:
# the statement runs again (autoflushing first, as the uncached query always did).

_SCOPES_KEY = "portal.permissions.scopes"
_generation = itertools.count()
_current_generation = [next(_generation)]


def _forget_scopes(*_args):
    _current_generation[0] = next(_generation)


for _event in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    sa.event.listen(sa.orm.Session, _event, _forget_scopes)


@sa.event.listens_for(sa.orm.Session, "do_orm_execute")
def _forget_scopes_on_write(state):
    if not state.is_select:
        _forget_scopes()


class _Scopes(typing.NamedTuple):
    own: frozenset
    turnover: frozenset
    indicator: frozenset


def _subtree_roots(user_id):
    """The roots of a user's subtrees: (organisation id, own, turnover) with 0/1 flags. Two
    indexed lookups (membership by user, portfolio by manager), so that the planner expects a
    handful of rows and walks the tree through ix_organisation_parent_id."""
    from portal.accounts.models import portfolio_entry

    return sa.union(
        sa.select(Membership.organisation_id.label("id"), sa.literal_column("1").label("own"),
                  sa.case((Membership.role == Role.UNION_DIRECTOR, 1), else_=0)
                  .label("turnover")).where(Membership.user_id == user_id),
        sa.select(portfolio_entry.c.organisation_id, sa.literal_column("0"),
                  sa.literal_column("1")).where(portfolio_entry.c.manager_id == user_id))


def _compute_scopes(user_id):
    roots = _subtree_roots(user_id).subquery("scope_roots")
    tree = sa.select(roots.c.id, roots.c.own, roots.c.turnover).cte("scope_tree", recursive=True)
    # UNION (not UNION ALL): a cycle in parent_id, which nothing forbids, still terminates
    tree = tree.union(sa.select(Organisation.id, tree.c.own, tree.c.turnover)
                      .join(tree, Organisation.parent_id == tree.c.id))
    own, turnover, everything = set(), set(), set()
    for org_id, in_own, in_turnover in db.session.execute(
            sa.select(tree.c.id, tree.c.own, tree.c.turnover)):
        everything.add(org_id)
        if in_own:
            own.add(org_id)
        if in_turnover:
            turnover.add(org_id)
    return _Scopes(frozenset(own), frozenset(turnover), frozenset(everything))


def _scopes(user):
    """The user's three subtrees as frozensets of organisation ids, once per request."""
    user_id = getattr(user, "id", None)
    if user_id is None:
        return _Scopes(frozenset(), frozenset(), frozenset())
    session = db.session
    memo = session.info.setdefault(_SCOPES_KEY, {})
    generation = _current_generation[0]
    pending = session.new or session.deleted or session.dirty
    found = memo.get(user_id)
    if found is not None and found[0] == generation and not pending:
        return found[1]
    scopes = _compute_scopes(user_id)
    if not pending:  # (an autoflush moved the generation on: computed again next time)
        memo[user_id] = (generation, scopes)
    return scopes


def subtree_ids(user, purpose):
    """frozenset of the organisation ids in one of the user's scopes: "own", "turnover" or
    "indicator" (see above)."""
    return getattr(_scopes(user), purpose)


def _ids_select(ids, name):
    """A select() of these organisation ids, for `column.in_(...)`. The ids are written into
    the statement as literals (integers only), so that a large subtree neither meets the
    drivers' limit on bound parameters nor hides its size from the planner."""
    if not ids:
        return sa.select(Organisation.id).where(sa.false())
    return sa.select(Organisation.id).where(Organisation.id.in_(sa.bindparam(
        name, sorted(ids), expanding=True, literal_execute=True, unique=True)))


def _own_subtree_ids(user):
    """Ids of the user's organisations and everything below them."""
    return _ids_select(subtree_ids(user, "own"), "own_scope")


def visible_organisations(user):
    """A select() of the organisations this user may see."""
    query = _within_network(sa.select(Organisation), user)
    if sees_whole_network(user):
        return query
    if not _active(user):
        return query.where(sa.false())
    return query.where(Organisation.id.in_(_own_subtree_ids(user)))


def can_view_organisation(user, org):
    if org is None or not _active(user) or not in_same_network(user, org):
        return False
    if sees_whole_network(user):
        return True
    own = subtree_ids(user, "own")
    return org.id in own


def can_see_members(user, org):
    """Names of people in an organisation: the bank, the ministry and the organisation itself."""
    return sees_whole_network(user) or can_view_organisation(user, org)


def visible_users(user):
    """Administrators manage the people of the network they look at (and people who belong to
    no organisation yet)."""
    if not is_admin(user):
        return sa.select(User).where(sa.false())
    condition = in_network(user, Membership.organisation_id)
    if condition is None:
        return sa.select(User)
    return sa.select(User).where(sa.or_(User.memberships.any(condition),
                                        ~User.memberships.any()))


TEMPLATE_HELPERS = {
    "network_choices": network_choices,
    "network_scope": network_scope,
    "is_admin": is_admin,
    "is_bank_staff": is_bank_staff,
    "is_ministry": is_ministry,
    "can_manage_users": can_manage_users,
    "can_manage_organisations": can_manage_organisations,
    "can_view_organisation": can_view_organisation,
    "can_see_members": can_see_members,
}


# --- feedback --------------------------------------------------------------------------------

def _feedback_models():
    from portal.feedback import models

    return models


def _director_org_ids(user):
    return {m.organisation_id for m in user.memberships if m.role == Role.UNION_DIRECTOR}


def visible_feedback(user):
    """The bank and the ministry read every item; a union reads public items and its own."""
    models = _feedback_models()
    query = _within_network(sa.select(models.FeedbackItem), user,
                            models.FeedbackItem.organisation_id)
    if sees_whole_network(user):
        return query
    if not _active(user):
        return query.where(sa.false())
    return query.where(sa.or_(
        models.FeedbackItem.visibility == models.Visibility.PUBLIC,
        models.FeedbackItem.organisation_id.in_(_own_subtree_ids(user)),
    ))


def can_submit_feedback(user):
    return _active(user) and user.has_role(Role.UNION_DIRECTOR, Role.RELATIONSHIP_MANAGER,
                                           Role.ADMINISTRATOR)


def feedback_submitting_organisations(user):
    """Organisations this user may submit for: their own unions, or an RM's portfolio."""
    orgs = list(user.organisations_with(Role.UNION_DIRECTOR))
    if user.has_role(Role.RELATIONSHIP_MANAGER, Role.ADMINISTRATOR):
        orgs += [o for o in user.portfolio if o not in orgs]
    return orgs


def is_feedback_submitter(user, item):
    return _active(user) and item.organisation_id in _director_org_ids(user)


def can_read_internal_notes(user, item=None):
    return is_bank_staff(user)


def can_handle_feedback(user, item):
    """Acknowledge, review, note, draft and publish: the owner, or an administrator."""
    return _active(user) and (item.owner_id == user.id or is_admin(user))


def can_reassign_feedback(user, item=None):
    return is_admin(user)


def can_publish_batch(user):
    return is_relationship_manager(user) or is_admin(user)


def can_close_feedback(user, item):
    models = _feedback_models()
    return item.state == models.State.ANSWERED and (
        can_handle_feedback(user, item) or is_feedback_submitter(user, item))


def can_reopen_feedback(user, item):
    models = _feedback_models()
    return (item.state in (models.State.ANSWERED, models.State.CLOSED)
            and item.reopened_at is None and is_feedback_submitter(user, item))


def can_endorse_feedback(user, item):
    models = _feedback_models()
    if not (_active(user) and user.has_role(Role.UNION_DIRECTOR)):
        return False
    own = _director_org_ids(user)
    return (item.visibility == models.Visibility.PUBLIC and item.state != models.State.CLOSED
            and item.organisation_id not in own
            and not any(e.organisation_id in own for e in item.endorsements))


def can_manage_escalation(user):
    return is_admin(user)


TEMPLATE_HELPERS.update({
    "can_submit_feedback": can_submit_feedback,
    "can_read_internal_notes": can_read_internal_notes,
    "can_handle_feedback": can_handle_feedback,
    "can_reassign_feedback": can_reassign_feedback,
    "can_close_feedback": can_close_feedback,
    "can_reopen_feedback": can_reopen_feedback,
    "can_endorse_feedback": can_endorse_feedback,
    "can_publish_batch": can_publish_batch,
})


# --- products ---
from portal.products.models import Product, ProductStatus, ServicePackage  # noqa: E402


def can_edit_catalogue(user):
    """Administrators are the bank's product staff: they alone edit products and packages."""
    return is_admin(user)


def sees_whole_catalogue(user):
    """The bank and the ministry see every stage; everyone else sees available offers only."""
    return is_bank_staff(user) or is_ministry(user)


def _catalogue_query(user, model):
    query = sa.select(model)
    if not _active(user):
        return query.where(sa.false())
    offered = offered_in_network(user, model)
    if offered is not None:
        query = query.where(offered)
    if sees_whole_catalogue(user):
        return query
    return query.where(model.status == ProductStatus.AVAILABLE)


def visible_products(user):
    return _catalogue_query(user, Product)


def visible_packages(user):
    return _catalogue_query(user, ServicePackage)


def can_see_roadmap(user):
    return sees_whole_catalogue(user)


TEMPLATE_HELPERS.update({
    "can_edit_catalogue": can_edit_catalogue,
    "sees_whole_catalogue": sees_whole_catalogue,
    "can_see_roadmap": can_see_roadmap,
})


# --- branches ---
from portal.branches.models import Branch, EntrustmentContract, ServiceDelivery  # noqa: E402


def visible_branches(user):
    """Everyone signed in may browse the branch registry."""
    query = _within_network(sa.select(Branch), user, Branch.organisation_id)
    return query if _active(user) else query.where(sa.false())


def can_edit_branches(user):
    return is_admin(user)


def is_staff_of_branch(user, branch):
    """The user holds the branch_staff role in this branch's own organisation."""
    return _active(user) and branch is not None and any(
        m.role == Role.BRANCH_STAFF and m.organisation_id == branch.organisation_id
        for m in user.memberships)


def can_log_delivery(user, branch):
    """Only the branch's own staff log what it delivered."""
    return is_staff_of_branch(user, branch)


def can_record_training(user, branch):
    """Sessions and attendance: the branch's own staff, or an administrator."""
    return is_admin(user) or is_staff_of_branch(user, branch)


def can_manage_courses(user):
    return is_admin(user)


def can_see_training_records(user):
    """Who attended what: the bank and the ministry. Others see the share trained only."""
    return is_bank_staff(user) or is_ministry(user)


def visible_deliveries(user):
    """The bank and the ministry see every delivery; an organisation sees its own."""
    query = _within_network(sa.select(ServiceDelivery), user, ServiceDelivery.organisation_id)
    if sees_whole_network(user):
        return query
    if not _active(user):
        return query.where(sa.false())
    return query.where(ServiceDelivery.organisation_id.in_(_own_subtree_ids(user)))


def visible_contracts(user):
    """Entrustment contracts: the bank, the ministry, and the mass organisation itself."""
    query = _within_network(sa.select(EntrustmentContract), user,
                            EntrustmentContract.organisation_id)
    if sees_whole_network(user):
        return query
    if not _active(user):
        return query.where(sa.false())
    return query.where(EntrustmentContract.organisation_id.in_(_own_subtree_ids(user)))


def can_edit_contracts(user):
    return is_admin(user)


TEMPLATE_HELPERS.update({
    "can_edit_branches": can_edit_branches,
    "can_log_delivery": can_log_delivery,
    "can_record_training": can_record_training,
    "can_manage_courses": can_manage_courses,
    "can_see_training_records": can_see_training_records,
    "can_edit_contracts": can_edit_contracts,
})


# --- turnover ---

def _subtree_ids(anchor, name):
    """Ids of the organisations selected by anchor and everything below them (a recursive CTE
    walking ix_organisation_parent_id; keep the anchor an indexed lookup of a few rows, or the
    planner expects thousands and scans and sorts the whole table at every level)."""
    tree = anchor.cte(name, recursive=True)
    tree = tree.union(sa.select(Organisation.id).join(tree, Organisation.parent_id == tree.c.id))
    return sa.select(tree.c.id)


def turnover_scope_ids(user):
    """None when the user reads the whole network's turnover (administrators, the ministry);
    otherwise a select() of the organisation ids whose figures the user may read: a union
    director their own organisation and below, a relationship manager their portfolio."""
    if is_admin(user) or is_ministry(user):
        condition = in_network(user)
        return None if condition is None else sa.select(Organisation.id).where(condition)
    if not _active(user):
        return sa.select(Organisation.id).where(sa.false())
    return _ids_select(subtree_ids(user, "turnover"), "turnover_scope")


def _in_turnover_scope(user, org_id):
    if is_admin(user) or is_ministry(user):
        return _active(user) and in_same_network(user, db.session.get(Organisation, org_id))
    if not _active(user):
        return False
    return org_id in subtree_ids(user, "turnover")


def can_read_turnover(user):
    return _active(user) and user.has_role(Role.ADMINISTRATOR, Role.MINISTRY_OFFICIAL,
                                           Role.RELATIONSHIP_MANAGER, Role.UNION_DIRECTOR)


def visible_turnover_organisations(user):
    query = _within_network(sa.select(Organisation), user)
    if not can_read_turnover(user):
        return query.where(sa.false())
    scope = turnover_scope_ids(user)
    return query if scope is None else query.where(Organisation.id.in_(scope))


def visible_turnover_reports(user):
    from portal.turnover.models import TurnoverReport

    query = _within_network(sa.select(TurnoverReport), user, TurnoverReport.organisation_id)
    if not can_read_turnover(user):
        return query.where(sa.false())
    scope = turnover_scope_ids(user)
    return query if scope is None else query.where(TurnoverReport.organisation_id.in_(scope))


def can_see_period(user, period):
    """A reporting period (a country's month) is read by those whose network works in that
    country: its status is the network's own business."""
    if period is None or not can_read_turnover(user):
        return False
    condition = in_network(user)
    if condition is None:
        return True
    return db.session.scalar(sa.select(sa.exists().where(
        condition, Organisation.country == period.country)))


def can_edit_turnover(user, org):
    """Report or correct an organisation's figures: its director, its relationship manager,
    an administrator. The ministry only reads."""
    if org is None or not _active(user):
        return False
    if is_admin(user):
        return True
    return user.has_role(Role.UNION_DIRECTOR, Role.RELATIONSHIP_MANAGER) and \
        _in_turnover_scope(user, org.id)


def can_confirm_turnover(user, report):
    from portal.turnover.models import TurnoverSource

    return report is not None and _active(user) and user.has_role(Role.UNION_DIRECTOR) and \
        report.source != TurnoverSource.CONFIRMED and \
        _in_turnover_scope(user, report.organisation_id)


def can_import_turnover(user):
    return _active(user) and user.has_role(Role.ADMINISTRATOR, Role.RELATIONSHIP_MANAGER,
                                           Role.UNION_DIRECTOR)


def can_manage_periods(user):
    return is_admin(user)


def can_manage_api_tokens(user):
    return is_admin(user)


# --- indicators ---

def indicator_scope(user):
    """None for the whole network (administrators, the ministry); otherwise a condition on
    Organisation: the user's organisations and portfolio with everything below them, and for
    bank staff of a district office every organisation in that district."""
    if is_admin(user) or is_ministry(user):
        return in_network(user)
    if not _active(user):
        return sa.false()
    from portal.accounts.models import BANK_KINDS

    home = sa.orm.aliased(Organisation)
    district = sa.exists().where(
        Membership.user_id == user.id, Membership.organisation_id == home.id,
        home.kind.in_(BANK_KINDS), home.district.is_not(None),
        home.country == Organisation.country, home.province == Organisation.province,
        home.district == Organisation.district)
    return sa.or_(Organisation.id.in_(_ids_select(subtree_ids(user, "indicator"),
                                                  "indicator_scope")), district)


def visible_indicator_organisations(user):
    scope = indicator_scope(user)
    query = _within_network(sa.select(Organisation), user)
    return query if scope is None else query.where(scope)


def can_view_indicators(user):
    return _active(user)


def can_manage_indicators(user):
    """Definitions, thresholds and plans."""
    return is_admin(user)


def can_import_indicators(user):
    return is_admin(user) or is_relationship_manager(user)


TEMPLATE_HELPERS.update({
    "can_read_turnover": can_read_turnover,
    "can_edit_turnover": can_edit_turnover,
    "can_confirm_turnover": can_confirm_turnover,
    "can_import_turnover": can_import_turnover,
    "can_manage_periods": can_manage_periods,
    "can_manage_api_tokens": can_manage_api_tokens,
    "can_view_indicators": can_view_indicators,
    "can_manage_indicators": can_manage_indicators,
    "can_import_indicators": can_import_indicators,
})


# --- meetings ---

def _meeting_models():
    from portal.meetings import models

    return models


def visible_meetings(user):
    """The bank and the ministry see every meeting; everyone else the meetings that are not
    confidential, and confidential ones only when their organisation or they were invited."""
    models = _meeting_models()
    query = _within_network(sa.select(models.Meeting), user,
                            models.Meeting.host_organisation_id)
    if sees_whole_network(user):
        return query
    if not _active(user):
        return query.where(sa.false())
    own = sa.select(Membership.organisation_id).where(Membership.user_id == user.id)
    return query.where(sa.or_(
        models.Meeting.confidential.is_(False),
        models.Meeting.organisations.any(models.MeetingOrganisation.organisation_id.in_(own)),
        models.Meeting.invitations.any(models.Invitation.user_id == user.id),
    ))


def visible_series(user):
    models = _meeting_models()
    query = _within_network(sa.select(models.ConsultationSeries), user,
                            models.ConsultationSeries.host_organisation_id)
    return query if _active(user) else query.where(sa.false())


def can_organise_meetings(user):
    """Create series and plan meetings: relationship managers and administrators."""
    return is_relationship_manager(user) or is_admin(user)


def _meeting_manager(user, meeting):
    """The meeting's recorder, whoever planned it, or an administrator."""
    return _active(user) and meeting is not None and (
        is_admin(user) or (is_relationship_manager(user) and user.id in (
            meeting.recorder_id, meeting.created_by_id)))


def _in_state(meeting, *states):
    return meeting is not None and meeting.state.value in states


def can_edit_meeting(user, meeting):
    """Details, agenda and invitations, until the minutes are approved."""
    return _in_state(meeting, "planned", "held") and _meeting_manager(user, meeting)


def can_record_meeting(user, meeting):
    """Minutes, statements from the floor, commitments: the recorder (or an administrator),
    before the minutes are approved."""
    return _in_state(meeting, "planned", "held") and _meeting_manager(user, meeting)


def can_record_attendance(user, meeting):
    return _in_state(meeting, "held") and _meeting_manager(user, meeting)


def can_correct_minutes(user, meeting):
    """After approval the minutes change only by a correction with a reason."""
    return _in_state(meeting, "minutes_approved") and _meeting_manager(user, meeting)


def can_mark_held(user, meeting):
    return _in_state(meeting, "planned") and _meeting_manager(user, meeting)


def can_cancel_meeting(user, meeting):
    return _in_state(meeting, "planned") and _meeting_manager(user, meeting)


def can_approve_minutes(user, meeting):
    return _in_state(meeting, "held") and (
        _meeting_manager(user, meeting)
        or (_active(user) and meeting.chair_id is not None and meeting.chair_id == user.id))


def _awaits_ministry(meeting):
    return _in_state(meeting, "minutes_approved") and \
        meeting.kind.value == "consultation_session"


def can_sign_off(user, meeting):
    """Only a ministry official signs off a consultation session's outcome."""
    return _awaits_ministry(meeting) and is_ministry(user)


def can_send_back(user, meeting):
    return _awaits_ministry(meeting) and is_ministry(user)


def can_review_meetings(user):
    return is_ministry(user)


def can_reply_to_invitation(user, meeting):
    return _in_state(meeting, "planned") and _active(user) and any(
        i.user_id == user.id for i in meeting.invitations)


def can_update_commitment(user, commitment, at_meeting=None):
    """Progress on a commitment: its owner, the bank's relationship managers, administrators.
    The terms agreed never change; only the status moves, with history. Once the meeting that
    made it is signed off, that meeting is read-only: progress is then recorded at a later
    meeting of the same series, by someone who may record that meeting."""
    if commitment is None or not _active(user):
        return False
    if commitment.meeting.is_signed_off:
        return at_meeting is not None and at_meeting.id != commitment.meeting_id and \
            commitment.series_id is not None and at_meeting.series_id == commitment.series_id \
            and can_record_meeting(user, at_meeting)
    if not _in_state(commitment.meeting, "planned", "held", "minutes_approved"):
        return False
    return is_admin(user) or is_relationship_manager(user) or commitment.owner_id == user.id


def can_see_minutes_history(user, meeting):
    return is_bank_staff(user) or is_ministry(user)


TEMPLATE_HELPERS.update({
    "can_organise_meetings": can_organise_meetings,
    "can_edit_meeting": can_edit_meeting,
    "can_record_meeting": can_record_meeting,
    "can_record_attendance": can_record_attendance,
    "can_correct_minutes": can_correct_minutes,
    "can_mark_held": can_mark_held,
    "can_cancel_meeting": can_cancel_meeting,
    "can_approve_minutes": can_approve_minutes,
    "can_sign_off": can_sign_off,
    "can_send_back": can_send_back,
    "can_review_meetings": can_review_meetings,
    "can_reply_to_invitation": can_reply_to_invitation,
    "can_update_commitment": can_update_commitment,
    "can_see_minutes_history": can_see_minutes_history,
})
