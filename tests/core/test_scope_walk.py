"""A person's subtrees (portal.permissions scopes) walked in Python over the kept organisation
tree: the same three sets as the recursive statement they replaced, for union directors,
relationship managers with portfolios, people of two organisations and a tree with a cycle;
and a new organisation below someone's is in their subtree at the next request."""
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Organisation, OrgKind
from portal.extensions import db
from tests import factories


def _tree():
    national = factories.make_org(OrgKind.NATIONAL_UNION, name="Hội Nông dân Việt Nam")
    province = factories.make_org(OrgKind.MASS_ORGANISATION, parent=national, name="Hà Nam")
    district = factories.make_org(OrgKind.MASS_ORGANISATION, parent=province, name="Kim Bảng")
    groups = [factories.make_org(OrgKind.SAVINGS_GROUP, parent=district, name=f"Tổ {n}")
              for n in range(1, 4)]
    other = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه تعاونی‌های روستایی")
    below_other = factories.make_org(OrgKind.MASS_ORGANISATION, parent=other, name="استان فارس")
    # a cycle, which nothing in the schema forbids: a -> b -> a
    loop_a = factories.make_org(OrgKind.MASS_ORGANISATION, name="Vòng A")
    loop_b = factories.make_org(OrgKind.MASS_ORGANISATION, parent=loop_a, name="Vòng B")
    db.session.execute(sa.update(Organisation).where(Organisation.id == loop_a.id)
                       .values(parent_id=loop_b.id))  # the ORM refuses to write a cycle
    db.session.commit()
    return national, province, district, groups, other, below_other, loop_a


def _both_ways(app, user_id):
    with app.test_request_context("/"):
        assert permissions._kept_children() is not None  # the Python walk is the one compared
        return permissions._compute_scopes(user_id), permissions._scopes_by_statement(user_id)


def test_the_walk_finds_the_subtrees_the_recursive_statement_found(app, db):
    national, province, district, groups, other, below_other, loop_a = _tree()
    director = factories.make_user("union_director", district)
    manager = factories.make_user("relationship_manager")
    manager.portfolio.extend([province, other])
    two_places = factories.make_user("union_director", groups[0])
    two_places.memberships.append(type(two_places.memberships[0])(
        organisation=loop_a, role="branch_staff"))
    db.session.commit()
    for person in (director, manager, two_places):
        walked, stated = _both_ways(app, person.id)
        assert walked == stated, person.email
    walked, _ = _both_ways(app, manager.id)
    assert {district.id, below_other.id} <= walked.turnover and district.id not in walked.own
    walked, _ = _both_ways(app, director.id)
    assert walked.own == {district.id, *(g.id for g in groups)}


def test_a_new_organisation_below_is_in_the_subtree_at_the_next_request(app, db):
    national, province, district, groups, *_ = _tree()
    director = factories.make_user("union_director", district)
    with app.test_request_context("/"):
        before = permissions.subtree_ids(db.session.get(type(director), director.id), "own")
    added = factories.make_org(OrgKind.SAVINGS_GROUP, parent=groups[1], name="Tổ mới")
    db.session.commit()
    with app.test_request_context("/"):
        after = permissions.subtree_ids(db.session.get(type(director), director.id), "own")
    assert added.id not in before and after == before | {added.id}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) >= 10
