"""The branch registry's queries: the list by place a page at a time, its provinces and
districts, the branches offering a product or a package, and a staff member's own branches.
Reads only; the operations are in services.py."""
import typing
from collections import defaultdict

import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Organisation, Role
from portal.branches import permissions as branches_permissions
from portal.branches.models import (
    Branch,
    BranchKind,
    DeliveryOutcome,
    ServiceDelivery,
    branch_package,
    branch_product,
)
from portal.core import versions
from portal.extensions import db


class OfferingBranch(typing.NamedTuple):
    """A branch as a list of where an offer is found names it."""
    id: int
    name: str
    province: str | None


def offering_branches(kind, ids, near=None):
    """{product or package id: [OfferingBranch]}, the reader's own province first, then by
    name. Read as ids, names and provinces: a page of 25 products is offered at hundreds of
    branches, of which the list shows a few."""
    if not ids:
        return {}
    table = branch_product if kind == "product" else branch_package
    column = table.c.product_id if kind == "product" else table.c.package_id
    rows = db.session.execute(
        sa.select(column, Branch.id, Organisation.name, Organisation.province)
        .join(Branch, Branch.id == table.c.branch_id)
        .join(Organisation, Organisation.id == Branch.organisation_id)
        .where(column.in_(ids))).all()
    provinces = {o.province for o in getattr(near, "organisations", []) if o.province}
    result = defaultdict(list)
    for key, branch_id, name, province in rows:
        result[key].append(OfferingBranch(branch_id, name, province))
    for branches in result.values():
        branches.sort(key=lambda b: (b.province not in provinces, b.name))
    return dict(result)


def registry(user, province="", district="", kind=""):
    """The branch registry as `user` may browse it, narrowed to a province, a district of it
    and a kind (an unknown kind is ignored). Returns (ids, provinces, districts): the ids of
    the branches by place and name (to be paged: branches_by_ids), provinces [(province,
    branches)] of the whole registry whatever the kind, districts the same for the province
    chosen, () without one.

    The same for everyone looking at one network, and branches rarely move: kept in this
    process until a branch or an organisation changes (core/versions.py), so a page reads
    only its own rows by id instead of sorting the registry again."""
    scope = permissions.network_scope(user)
    network = (scope.everything, scope.network_id)
    kind = kind if kind in {k.value for k in BranchKind} else ""
    base = branches_permissions.visible_branches(user).join(Branch.organisation)

    def listing():
        query, districts = base, ()
        if province:
            query = query.where(Organisation.province == province)
            districts = tuple(_counts_by(query, Organisation.district))
        if district:
            query = query.where(Organisation.district == district)
        if kind:
            query = query.where(Branch.kind == BranchKind(kind))
        ids = tuple(db.session.scalars(query.with_only_columns(Branch.id).order_by(
            Organisation.province, Organisation.district, Organisation.commune,
            Organisation.name, Branch.id)))
        return ids, districts

    tables = ("branch", "organisation")
    ids, districts = versions.remembered("branch_registry", tables,
                                         (*network, province, district, kind), listing)
    provinces = versions.remembered("branch_provinces", tables, network,
                                    lambda: tuple(_counts_by(base, Organisation.province)))
    return ids, provinces, districts


def branches_by_ids(ids):
    """The branches with these ids, with their organisations, in the order of the ids."""
    found = {b.id: b for b in db.session.scalars(sa.select(Branch).where(
        Branch.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def _counts_by(query, column):
    return db.session.execute(query.with_only_columns(column, sa.func.count(Branch.id))
                              .group_by(column).order_by(column)).all()


def own_branches(user):
    """The branches whose own staff `user` is, with their requests still waiting for delivery:
    (branches, {branch id: waiting}). No statement for someone who is no branch's staff."""
    org_ids = [o.id for o in user.organisations_with(Role.BRANCH_STAFF)]
    if not org_ids:
        return [], {}
    branches = db.session.scalars(sa.select(Branch).where(
        Branch.organisation_id.in_(org_ids))).all()
    mine = [b for b in branches if branches_permissions.is_staff_of_branch(user, b)]
    if not mine:
        return [], {}
    waiting = dict(db.session.execute(
        sa.select(ServiceDelivery.branch_id, sa.func.count()).where(
            ServiceDelivery.branch_id.in_([b.id for b in mine]),
            ServiceDelivery.delivered_on.is_(None),
            ServiceDelivery.outcome == DeliveryOutcome.PENDING)
        .group_by(ServiceDelivery.branch_id)).all())
    return mine, waiting
