"""The organisation directory's queries: the list and its filters, the tree browsed one level at
a time, and what an organisation's page shows. Each starts from what the reader may see."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.core import versions
from portal.core.textnorm import matches_all_words
from portal.extensions import db

# children listed under an opened organisation of the tree; more are paged on its own page
TREE_CHILDREN = 50


def filtered_organisations(user, q="", kind="", inactive=False):
    """The organisations `user` may see, with every word of `q` in a name, code or place, of
    one kind (an unknown kind is ignored), the deactivated ones only if asked. Unordered."""
    query = permissions.visible_organisations(user)
    if q:
        query = query.where(matches_all_words(Organisation.search_key, q))
    if kind in {k.value for k in OrgKind}:
        query = query.where(Organisation.kind == OrgKind(kind))
    if not inactive:
        query = query.where(Organisation.is_active)
    return query


def suggestions(user, q, limit=20):
    """[(id, name, code)] of the first active organisations `user` may see whose name, English
    name, code or place holds every word of `q`, by name: the search box's suggestions."""
    return db.session.execute(permissions.visible_organisations(user).with_only_columns(
        Organisation.id, Organisation.name, Organisation.code).where(
        Organisation.is_active, matches_all_words(Organisation.search_key, q)).order_by(
        Organisation.name, Organisation.id).limit(limit)).all()


def tree_roots(query):
    """The top of what `query` selects: those whose parent it does not select, by name."""
    visible_ids = query.with_only_columns(Organisation.id)
    return query.where(sa.or_(Organisation.parent_id.is_(None),
                              Organisation.parent_id.notin_(visible_ids))) \
        .order_by(Organisation.name, Organisation.id)


def tree_top(user, inactive=False):
    """(ids of the tree's first level by name, {id: organisations directly below it}) of the
    directory `user` browses. Kept in this process until an organisation, a membership or a
    portfolio changes (core/versions.py), for everyone who sees the same organisations: all
    who read the whole network they look at (the bank's staff, the ministry) share one tree,
    others share it with whoever has the same subtree (a union's directors). Kept per person,
    each one's first visit in each worker built it again."""
    scope = permissions.network_scope(user)
    sees = ("network",) if permissions.sees_whole_network(user) \
        else ("own", permissions.subtree_ids(user, "own"))

    def compute():
        query = filtered_organisations(user, inactive=inactive)
        ids = tuple(db.session.scalars(tree_roots(query).with_only_columns(Organisation.id)))
        return ids, counts_below(query, ids)

    return versions.remembered("organisation_tree", permissions.SCOPE_TABLES,
                               (sees, scope.everything, scope.network_id, inactive), compute)


def organisations_by_ids(ids):
    """The organisations with these ids, in the order of the ids."""
    found = {o.id: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def tree_children(query, parent_id, limit=TREE_CHILDREN):
    """The first `limit` organisations `query` selects directly below this one, by name."""
    return db.session.scalars(query.where(Organisation.parent_id == parent_id)
                              .order_by(Organisation.name, Organisation.id).limit(limit)).all()


def counts_below(query, ids):
    """{id: how many organisations `query` selects directly below it} for these ids."""
    if not ids:
        return {}
    return dict(db.session.execute(
        query.where(Organisation.parent_id.in_(ids))
        .with_only_columns(Organisation.parent_id, sa.func.count())
        .group_by(Organisation.parent_id)).all())


def export_rows(query):
    """The rows of the directory's CSV/Excel export (importing.COLUMNS), by code."""
    parent = sa.orm.aliased(Organisation)
    rows = db.session.execute(
        query.outerjoin(parent, Organisation.parent_id == parent.id)
        .with_only_columns(Organisation.code, Organisation.name, Organisation.name_en,
                           Organisation.kind, parent.code, Organisation.country,
                           Organisation.province, Organisation.district, Organisation.commune,
                           Organisation.currency)
        .order_by(Organisation.code)).all()
    return [[v.value if isinstance(v, OrgKind) else (v or "") for v in row] for row in rows]


# --- an organisation's page ------------------------------------------------------------------

def ancestors(org):
    """The organisations above `org`, from the top down, read in one statement (where
    org.ancestors() sends one per level). Keep the list while the page renders: the session
    holds them only while they are referenced, and org.parent then finds them there."""
    if org.parent_id is None:
        return []
    up = sa.select(Organisation.id, Organisation.parent_id).where(
        Organisation.id == org.parent_id).cte("up", recursive=True)
    up = up.union(sa.select(Organisation.id, Organisation.parent_id)
                  .join(up, Organisation.id == up.c.parent_id))
    found = {o.id: o for o in db.session.scalars(sa.select(Organisation).where(
        Organisation.id.in_(sa.select(up.c.id))))}
    chain, node = [], found.get(org.parent_id)
    while node is not None and node not in chain:
        chain.append(node)
        node = found.get(node.parent_id)
    return chain[::-1]


def members(org):
    """The memberships of `org` with their people, by name: one statement."""
    return db.session.scalars(
        sa.select(Membership).join(Membership.user).where(Membership.organisation_id == org.id)
        .options(sa.orm.contains_eager(Membership.user),
                 sa.orm.lazyload(Membership.organisation))
        .order_by(User.full_name, Membership.id)).all()


def children_of(user, org):
    """A select of the organisations directly below `org` that `user` may see, by name."""
    return permissions.visible_organisations(user).where(Organisation.parent_id == org.id) \
        .order_by(Organisation.name, Organisation.id)


def relationship_managers(org):
    """The people with `org` in their portfolio."""
    return db.session.scalars(sa.select(User).where(User.portfolio.any(
        Organisation.id == org.id)).order_by(User.full_name)).all()


# --- people ----------------------------------------------------------------------------------

# a portfolio holds the organisations the bank serves, not the bank's own offices
PORTFOLIO_KINDS = tuple(k for k in OrgKind if k not in (
    OrgKind.BANK_HEAD_OFFICE, OrgKind.SPECIALISED_BRANCH, OrgKind.MINISTRY))


def filtered_users(admin, q="", role=""):
    """The people `admin` manages, with every word of `q` in a name or address, holding
    `role` somewhere (an unknown role is ignored), by name, with their memberships."""
    query = permissions.visible_users(admin).order_by(User.full_name) \
        .options(sa.orm.selectinload(User.memberships))
    if q:
        query = query.where(matches_all_words(User.search_key, q))
    if role in {r.value for r in Role}:
        query = query.where(User.memberships.any(Membership.role == Role(role)))
    return query


def portfolio_choices():
    """[(id, "Name (CODE)")] of the active organisations a portfolio may hold, by name: read
    as ids, names and codes, not as thousands of organisations."""
    return [(i, f"{name} ({code})") for i, name, code in db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.code).where(
            Organisation.is_active, Organisation.kind.in_(PORTFOLIO_KINDS))
        .order_by(Organisation.name))]
