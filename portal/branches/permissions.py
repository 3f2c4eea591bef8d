"""Who may browse and edit the branch registry, log deliveries, record training and read
entrustment contracts, built on the shared scopes of portal.permissions."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Role
from portal.branches.models import Branch, EntrustmentContract, ServiceDelivery


def visible_branches(user):
    """Everyone signed in may browse the branch registry."""
    query = permissions.within_network(sa.select(Branch), user, Branch.organisation_id)
    return query if permissions.is_signed_in(user) else query.where(sa.false())


def can_edit_branches(user):
    return permissions.is_admin(user)


def is_staff_of_branch(user, branch):
    """The user holds the branch_staff role in this branch's own organisation."""
    return permissions.is_signed_in(user) and branch is not None and any(
        m.role == Role.BRANCH_STAFF and m.organisation_id == branch.organisation_id
        for m in user.memberships)


def can_log_delivery(user, branch):
    """Only the branch's own staff log what it delivered."""
    return is_staff_of_branch(user, branch)


def can_record_training(user, branch):
    """Sessions and attendance: the branch's own staff, or an administrator."""
    return permissions.is_admin(user) or is_staff_of_branch(user, branch)


def can_manage_courses(user):
    return permissions.is_admin(user)


def can_see_training_records(user):
    """Who attended what: the bank and the ministry. Others see the share trained only."""
    return permissions.is_bank_staff(user) or permissions.is_ministry(user)


def _served_organisations_rows(user, model):
    """A select() of the rows of model about an organisation served (its organisation_id):
    the bank and the ministry see all of the network they look at; an organisation sees
    its own and its members'; nobody signed out sees any."""
    query = permissions.within_network(sa.select(model), user, model.organisation_id)
    if permissions.sees_whole_network(user):
        return query
    if not permissions.is_signed_in(user):
        return query.where(sa.false())
    return query.where(model.organisation_id.in_(permissions.own_subtree_ids(user)))


def visible_deliveries(user):
    """The bank and the ministry see every delivery; an organisation sees its own."""
    return _served_organisations_rows(user, ServiceDelivery)


def visible_contracts(user):
    """Entrustment contracts: the bank, the ministry, and the mass organisation itself."""
    return _served_organisations_rows(user, EntrustmentContract)


def can_edit_contracts(user):
    return permissions.is_admin(user)


TEMPLATE_HELPERS = {
    "can_edit_branches": can_edit_branches,
    "can_log_delivery": can_log_delivery,
    "can_record_training": can_record_training,
    "can_manage_courses": can_manage_courses,
    "can_see_training_records": can_see_training_records,
    "can_edit_contracts": can_edit_contracts,
}
