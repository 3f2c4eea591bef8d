"""The shared scopes of "who may do what": roles, the network a person looks at, the subtrees
of organisations their memberships and portfolio reach, and the organisations and people they
may see. Each area builds its own rules on these in portal/<area>/permissions.py, so this module
knows no area but accounts. Views and templates call the same functions; queries start from the
visible_* helpers so that nobody reads another organisation's data by guessing an id."""
import itertools
import typing

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401 - sa.orm.Session for the events below
from flask import g, has_request_context, session
from sqlalchemy.dialects import postgresql

from portal.accounts.models import Membership, Organisation, OrgKind, Role, User, portfolio_entry
from portal.core import versions
from portal.extensions import db

BANK_ROLES = (Role.RELATIONSHIP_MANAGER, Role.BRANCH_STAFF, Role.ADMINISTRATOR)


def is_signed_in(user):
    """Signed in, with an account that is still active."""
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_admin(user):
    return is_signed_in(user) and user.has_role(Role.ADMINISTRATOR)


def is_bank_staff(user):
    return is_signed_in(user) and user.has_role(*BANK_ROLES)


def is_ministry(user):
    return is_signed_in(user) and user.has_role(Role.MINISTRY_OFFICIAL)


def is_relationship_manager(user):
    return is_signed_in(user) and user.has_role(Role.RELATIONSHIP_MANAGER)


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


class NetworkChoice(typing.NamedTuple):
    id: int
    name: str


def network_choices(user):
    """The head offices whose networks this person may look at, by name (on every page).
    Kept per process for everyone who may look at the same networks (every administrator;
    everyone whose memberships lie in the same networks), not per person: a person's first
    page in a worker asked for it again."""
    if not is_signed_in(user):
        return ()
    networks = None if is_admin(user) else tuple(
        n for n in _membership_networks(user) if n is not None)
    if networks == ():
        return ()
    return versions.remembered("network_choices", ("organisation",), networks,
                               lambda: _network_choices(networks))


def _network_choices(networks):
    query = sa.select(Organisation.id, Organisation.name).where(
        Organisation.kind == OrgKind.BANK_HEAD_OFFICE)
    if networks is not None:
        query = query.where(Organisation.id.in_(networks))
    return tuple(NetworkChoice(*row) for row in db.session.execute(query.order_by(Organisation.id)))


def chosen_network_id():
    return session.get("network") if has_request_context() else None


def network_scope(user):
    """Which network this person looks at now (once per request)."""
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
    if not is_signed_in(user):
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


def within_network(query, user, org_id_column=None):
    condition = in_network(user, org_id_column)
    return query if condition is None else query.where(condition)


def network_organisations(user):
    """A select() of every organisation of the person's network, whatever their own subtree:
    for naming one (the branch a critique is about), not for reading its records."""
    return within_network(sa.select(Organisation), user)


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
# the first time a request needs one of them. The answer is kept twice:
# - in this process, across requests, under the data versions of the three tables it reads
#   (portal/core/versions.py): a write to any of them, through any worker or host, ends it;
# - in the database session's `info` for the rest of the request, keyed by user id, and
#   forgotten whenever anything may have changed them: on every flush, commit or rollback of
#   any session in this process and on any write executed through a session. While the session
#   holds unflushed changes neither is trusted: the statement runs again (autoflushing first,
#   as the uncached query always did).

_SCOPES_KEY = "portal.permissions.scopes"
SCOPE_TABLES = ("organisation", "membership", "portfolio_entry")
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
    return sa.union(
        sa.select(Membership.organisation_id.label("id"), sa.literal_column("1").label("own"),
                  sa.case((Membership.role == Role.UNION_DIRECTOR, 1), else_=0)
                  .label("turnover")).where(Membership.user_id == user_id),
        sa.select(portfolio_entry.c.organisation_id, sa.literal_column("0"),
                  sa.literal_column("1")).where(portfolio_entry.c.manager_id == user_id))


def _compute_scopes(user_id):
    """The three subtrees, walked in Python over the organisation tree kept for the process
    (a person's first page in a worker cost a recursive statement of 5-10 ms); by a recursive
    statement when the tree cannot be kept (organisations written in this request, Redis
    away), as an import that checks scopes after every flush must not rebuild the tree."""
    children = _kept_children()
    if children is None:
        return _scopes_by_statement(user_id)
    own_roots, turnover_roots = [], []
    for org_id, in_own, in_turnover in db.session.execute(_subtree_roots(user_id)):
        (own_roots if in_own else []).append(org_id)
        (turnover_roots if in_turnover else []).append(org_id)
    own, turnover = _below(own_roots, children), _below(turnover_roots, children)
    return _Scopes(own, turnover, own | turnover)


def _kept_children():
    """{parent id: (child ids)} of every organisation, kept until an organisation changes;
    None when it cannot be kept now."""
    if versions.current(("organisation",)) is None:
        return None

    def compute():
        found = {}
        # the driver's plain rows: 28,000 organisations in 20 ms, where result rows built by
        # SQLAlchemy took 150 ms
        for org_id, parent_id in db.session.connection().exec_driver_sql(
                "SELECT id, parent_id FROM organisation WHERE parent_id IS NOT NULL"):
            found.setdefault(parent_id, []).append(org_id)
        return {parent: tuple(ids) for parent, ids in found.items()}

    return versions.remembered("organisation_children", ("organisation",), None, compute)


def _below(roots, children):
    """frozenset of the roots and everything below them (a cycle in parent_id, which nothing
    forbids, still ends: an organisation is walked once)."""
    seen = set(roots)
    waiting = list(roots)
    while waiting:
        for child in children.get(waiting.pop(), ()):
            if child not in seen:
                seen.add(child)
                waiting.append(child)
    return frozenset(seen)


def _scopes_by_statement(user_id):
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
    versions.note_read(SCOPE_TABLES)  # also when the request's own memo answers
    db_session = db.session
    memo = db_session.info.setdefault(_SCOPES_KEY, {})
    generation = _current_generation[0]
    pending = db_session.new or db_session.deleted or db_session.dirty
    found = memo.get(user_id)
    if found is not None and found[0] == generation and not pending:
        return found[1]
    if pending:
        scopes = _compute_scopes(user_id)
    else:
        scopes = versions.remembered("scopes", SCOPE_TABLES, user_id,
                                     lambda: _compute_scopes(user_id))
    if not pending:  # (an autoflush moved the generation on: computed again next time)
        memo[user_id] = (generation, scopes)
    return scopes


def subtree_ids(user, purpose):
    """frozenset of the organisation ids in one of the user's scopes: "own", "turnover" or
    "indicator" (see above)."""
    return getattr(_scopes(user), purpose)


def ids_select(ids, name):
    """A select() of these organisation ids, for `column.in_(...)`.

    On PostgreSQL the ids travel as one array parameter (`= ANY(:ids)`): the statement's text
    and SQLAlchemy's compiled form stay the same whoever reads, where ids written as literals
    made a new statement, cache key and plan for every person (a quarter of an item page's
    time went into building cache keys over hundreds of ids). SQLite has no arrays: there the
    ids are written as literals, which meets no limit on bound parameters."""
    return sa.select(Organisation.id).where(ids_condition(Organisation.id, ids, name))


def ids_condition(column, ids, name):
    """`column` is one of these ids, said directly rather than as `IN (ids_select(...))`: for
    the organisation table itself, joining it back to a select() of its own ids made
    PostgreSQL walk the whole table's primary key for a union's 500 organisations (12-20 ms on
    a director's directory); compared directly, they are fetched by their key."""
    if not ids:
        return sa.false()
    if db.engine.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(name, sorted(ids),
                                              type_=postgresql.ARRAY(sa.Integer), unique=True))
    return column.in_(sa.bindparam(name, sorted(ids), expanding=True, literal_execute=True,
                                   unique=True))


def own_subtree_ids(user):
    """Ids of the user's organisations and everything below them."""
    return ids_select(subtree_ids(user, "own"), "own_scope")


def subtree_select(anchor, name):
    """Ids of the organisations selected by anchor and everything below them (a recursive CTE
    walking ix_organisation_parent_id; keep the anchor an indexed lookup of a few rows, or the
    planner expects thousands and scans and sorts the whole table at every level)."""
    tree = anchor.cte(name, recursive=True)
    tree = tree.union(sa.select(Organisation.id).join(tree, Organisation.parent_id == tree.c.id))
    return sa.select(tree.c.id)


def visible_organisations(user):
    """A select() of the organisations this user may see."""
    query = within_network(sa.select(Organisation), user)
    if sees_whole_network(user):
        return query
    if not is_signed_in(user):
        return query.where(sa.false())
    return query.where(ids_condition(Organisation.id, subtree_ids(user, "own"), "own_scope"))


def can_view_organisation(user, org):
    if org is None or not is_signed_in(user) or not in_same_network(user, org):
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
