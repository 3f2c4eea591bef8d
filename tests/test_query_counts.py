"""SQL statements per key page: the same with a few rows as with many (no N+1), at most 12.

Counts, not timings: the speed itself is measured by bench/ (issue 9). Each test builds a small
world, counts the statements of one page, grows the world (more organisations, items,
endorsements, responses) and counts again.
"""
import pytest
import sqlalchemy as sa

from portal.accounts.models import OrgKind, User
from portal.extensions import db
from portal.feedback.models import Endorsement
from tests import factories
from tests.feedback import helpers

MAX_QUERIES = 12
SMALL = {"orgs": 3, "items": 3, "endorsements": 1}
LARGE = {"orgs": 40, "items": 60, "endorsements": 30}
TITLES = ("کندی افتتاح حساب برای تعاونی‌ها", "ขั้นตอนการขอสินเชื่อใช้เวลานาน",
          "Thủ tục vay vốn quá phức tạp", "Account opening takes too long")


class World:
    """A national union with districts below it, its director, a relationship manager with the
    union in the portfolio, and feedback items (some answered, the first widely endorsed)."""

    def __init__(self, app):
        self.app = app
        self.union = factories.make_org(OrgKind.NATIONAL_UNION)
        self.director = factories.make_user("union_director", self.union)
        self.manager = factories.make_user("relationship_manager")
        self.orgs, self.items, self.endorsers = [], [], []
        self.manager.portfolio = [self.union]
        db.session.commit()

    def grow(self, orgs, items, endorsements):
        while len(self.orgs) < orgs:
            # a tree: districts under the union, communes under every third district
            parent = self.union if len(self.orgs) % 3 == 0 or not self.orgs else self.orgs[-1]
            kind = OrgKind.COOPERATIVE if parent is self.union else OrgKind.SAVINGS_GROUP
            org = factories.make_org(kind, parent=parent)
            self.orgs.append(org)
            self.manager.portfolio.append(org)
            factories.make_user("union_director", org)
        db.session.commit()
        with self.app.test_request_context():
            while len(self.items) < items:
                n = len(self.items)
                item = helpers.submit(self.director, kind=("critique", "proposal")[n % 2],
                                      title=f"{TITLES[n % len(TITLES)]} {n}")
                if n % 3 == 1:
                    helpers.answer(self.manager, item)
                self.items.append(item)
        first = self.items[0]
        while len(self.endorsers) < endorsements:
            org = factories.make_org(OrgKind.NATIONAL_UNION)
            endorser = factories.make_user("union_director", org)
            db.session.add(Endorsement(item=first, organisation=org, user=endorser,
                                       comment="ما هم همین مشکل را داریم."))
            first.endorsement_count += 1
            self.endorsers.append(endorser)
        db.session.commit()
        return self


def _viewer(world, login_as, role):
    if role == "union_director":
        return login_as("union_director", world.union)
    if role == "relationship_manager":
        user = login_as("relationship_manager")
        user.portfolio = [world.union, *world.orgs]
        db.session.commit()
        return user
    return login_as(role)


PAGES = {  # name: (role, path(world))
    "home union_director": ("union_director", lambda w: "/"),
    "home relationship_manager": ("relationship_manager", lambda w: "/"),
    "home branch_staff": ("branch_staff", lambda w: "/"),
    "home ministry_official": ("ministry_official", lambda w: "/"),
    "home administrator": ("administrator", lambda w: "/"),
    "feedback list filtered": ("relationship_manager",
                               lambda w: "/feedback/?kind=critique&state=submitted&sort=newest"),
    "feedback list union": ("union_director", lambda w: "/feedback/?sort=endorsements"),
    "feedback search fa": ("union_director", lambda w: "/feedback/?q=افتتاح حساب"),
    "feedback search th": ("ministry_official", lambda w: "/feedback/?q=สินเชื่อ"),
    "feedback item": ("union_director", lambda w: f"/feedback/{w.items[0].id}"),
    "organisation list union": ("union_director", lambda w: "/organisations/"),
    "organisation list admin": ("administrator", lambda w: "/organisations/"),
    "organisation search": ("administrator", lambda w: "/organisations/?q=T-"),
    "organisation page": ("relationship_manager", lambda w: f"/organisations/{w.union.id}"),
}
def _params():
    for name in PAGES:
        yield pytest.param(name, id=name)


def _count(client, path):
    statements = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)
    assert response.status_code == 200, (path, response.status_code)
    return statements


@pytest.mark.parametrize("page", list(_params()))
def test_query_count_is_constant_and_small(app, client, db, login_as, page):
    role, path = PAGES[page]
    world = World(app).grow(**SMALL)
    viewer = _viewer(world, login_as, role)
    client.get(path(world))  # templates compiled, caches warm
    small = _count(client, path(world))

    world.grow(**LARGE)
    if role == "relationship_manager":
        viewer = db.session.get(User, viewer.id)
        viewer.portfolio = [world.union, *world.orgs]
        db.session.commit()
    large = _count(client, path(world))

    assert len(large) == len(small), (
        f"{page}: {len(small)} statements with small data, {len(large)} with large data\n"
        + "\n".join(large))
    assert len(small) <= MAX_QUERIES, "\n".join(small)
