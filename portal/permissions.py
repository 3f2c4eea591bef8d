"""Who may do what. Views and templates call the same functions; queries start from the
visible_* helpers so that nobody reads another organisation's data by guessing an id."""
import sqlalchemy as sa

from portal.accounts.models import Membership, Organisation, Role, User

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


def _own_subtree_ids(user):
    """Ids of the user's organisations and everything below them, as a recursive CTE."""
    roots = sa.select(Membership.organisation_id.label("id")).where(Membership.user_id == user.id)
    tree = roots.cte("own_tree", recursive=True)
    tree = tree.union(sa.select(Organisation.id).where(Organisation.parent_id == tree.c.id))
    return sa.select(tree.c.id)


def visible_organisations(user):
    """A select() of the organisations this user may see."""
    query = sa.select(Organisation)
    if sees_whole_network(user):
        return query
    if not _active(user):
        return query.where(sa.false())
    return query.where(Organisation.id.in_(_own_subtree_ids(user)))


def can_view_organisation(user, org):
    if org is None or not _active(user):
        return False
    if sees_whole_network(user):
        return True
    from portal.extensions import db

    query = visible_organisations(user).where(Organisation.id == org.id)
    return db.session.scalar(query.with_only_columns(Organisation.id)) is not None


def can_see_members(user, org):
    """Names of people in an organisation: the bank, the ministry and the organisation itself."""
    return sees_whole_network(user) or can_view_organisation(user, org)


def visible_users(user):
    if is_admin(user):
        return sa.select(User)
    return sa.select(User).where(sa.false())


TEMPLATE_HELPERS = {
    "is_admin": is_admin,
    "is_bank_staff": is_bank_staff,
    "is_ministry": is_ministry,
    "can_manage_users": can_manage_users,
    "can_manage_organisations": can_manage_organisations,
    "can_view_organisation": can_view_organisation,
    "can_see_members": can_see_members,
}
