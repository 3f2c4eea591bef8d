"""The home page of every role: at most MAX_QUERIES statements, the same number with a little
and with a lot of data (what comes next, portal/home/services.py, is one statement whatever
the role and the data), and the organisation subtrees ("who can see what") computed once per request
(bench F12, F13). Counted as tests/test_query_counts.py counts.

Also the per-request memo of those subtrees: it follows changes made within the request and
never hands one user's subtree to another.
"""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal import permissions
from portal.accounts.models import Membership, Organisation, OrgKind, Role
from portal.extensions import db
from portal.indicators.models import IndicatorPlan
from portal.indicators.services import ensure_definitions
from portal.meetings.models import (
    Commitment,
    CommitmentStatus,
    Meeting,
    MeetingKind,
    MeetingState,
)
from portal.turnover import permissions as turnover_permissions
from portal.turnover.models import ReportingPeriod, TurnoverReport
from tests import factories
from tests.branches.helpers import make_branch, make_staff
from tests.test_query_counts import LARGE, MAX_QUERIES, SMALL, World, _count

# what each role's home must show, so that every panel with statements is exercised
PANELS = {
    "union_director": ("panel-orgs", "panel-feedback-mine", "panel-turnover",
                       "panel-indicators"),
    "relationship_manager": ("panel-orgs", "panel-portfolio", "panel-network",
                             "panel-turnover", "panel-indicators"),
    "branch_staff": ("panel-network", "panel-my-branch"),
    "ministry_official": ("panel-network", "panel-commitments", "panel-turnover",
                          "panel-indicators"),
    "administrator": ("panel-admin", "panel-network", "panel-commitments", "panel-turnover",
                      "panel-indicators"),
}
# what "What comes next" must list for each role in this world, so that its sources are
# exercised with data (the branch staff and the administrator owe nothing here)
STEPS = {"union_director": ("commitment",), "relationship_manager": ("feedback", "commitment"),
         "ministry_official": ("sign_off",)}
GROWTH = {"small": {"months": 2, "commitments": 2, "plans": 2},
          "large": {"months": 6, "commitments": 20, "plans": 30}}


class HomeWorld(World):
    """World of tests/test_query_counts.py plus what the other areas' panels read: the bank
    and its administrator, the ministry, a branch with its staff, monthly turnover of every
    organisation in the union's tree, indicator plans, and consultation sessions awaiting the
    ministry with overdue commitments (each naming a different organisation) recorded by the
    relationship manager."""

    def __init__(self, app):
        super().__init__(app)
        self.admin = factories.make_user("administrator")
        self.official = factories.make_user("ministry_official")
        self.staff = make_staff(make_branch(district="منطقه ۱"))
        self.indicators = list(ensure_definitions().values())
        self.months, self.meetings, self.commitments, self.plans = [], [], [], []
        db.session.commit()

    def tree(self):
        return [self.union, *self.orgs]

    def grow(self, orgs, items, endorsements, months=0, commitments=0, plans=0):
        super().grow(orgs, items, endorsements)
        periods = {}
        while len(self.months) < months:
            self.months.append(date(2025, 8 - len(self.months), 1))
        for org in self.tree():
            for month in self.months:
                period = periods.get((org.country, month)) or db.session.scalar(
                    sa.select(ReportingPeriod).where(ReportingPeriod.country == org.country,
                                                     ReportingPeriod.month == month))
                if period is None:
                    period = ReportingPeriod(country=org.country, month=month)
                    db.session.add(period)
                    db.session.flush()
                periods[org.country, month] = period
                if not db.session.scalar(sa.select(TurnoverReport.id).where(
                        TurnoverReport.organisation_id == org.id,
                        TurnoverReport.period_id == period.id)):
                    db.session.add(TurnoverReport(organisation=org, period=period,
                                                  currency=org.currency,
                                                  total_turnover=1000, bank_turnover=600))
        while len(self.plans) < plans:
            n = len(self.plans)
            org = self.tree()[n % len(self.tree())]
            plan = IndicatorPlan(organisation=org, year=2025 + n // len(self.tree()),
                                 indicator=self.indicators[0], value=1000)
            db.session.add(plan)
            self.plans.append(plan)
        while len(self.commitments) < commitments:
            n = len(self.commitments)
            if n % 5 == 0:
                start = datetime(2025, 6, 1, 9) + timedelta(days=n)
                self.meetings.append(Meeting(
                    kind=MeetingKind.CONSULTATION_SESSION, state=MeetingState.MINUTES_APPROVED,
                    title=f"نشست هم‌اندیشی {n}", starts_at=start,
                    ends_at=start + timedelta(hours=2), timezone="Asia/Tehran",
                    host_organisation_id=self.union.id, recorder_id=self.manager.id,
                    minutes_approved_at=start + timedelta(days=1)))
            org = self.tree()[n % len(self.tree())]
            commitment = Commitment(meeting=self.meetings[-1], description=f"Open accounts {n}",
                                    organisation=org, due_on=date(2025, 7, 1),
                                    status=CommitmentStatus.OPEN)
            db.session.add(commitment)
            self.commitments.append(commitment)
        db.session.commit()
        return self


def _viewer(world, role):
    return {"union_director": world.director, "relationship_manager": world.manager,
            "branch_staff": world.staff, "ministry_official": world.official,
            "administrator": world.admin}[role]


@pytest.mark.parametrize("role", list(PANELS))
def test_home_statements_are_few_and_constant(app, client, db, login, role):
    world = HomeWorld(app).grow(**SMALL, **GROWTH["small"])
    login(_viewer(world, role))
    client.get("/")  # templates compiled, caches warm
    small = _count(client, "/")

    world.grow(**LARGE, **GROWTH["large"])
    response = client.get("/")
    html = response.get_data(as_text=True)
    missing = [panel for panel in PANELS[role] if f'id="{panel}"' not in html]
    assert not missing, f"{role}: the world does not exercise {missing}"
    unlisted = [kind for kind in STEPS.get(role, ()) if f'data-kind="{kind}"' not in html]
    assert 'id="next-steps"' in html and not unlisted, f"{role}: nothing listed of {unlisted}"
    large = _count(client, "/")

    assert len(large) == len(small), (
        f"{role}: {len(small)} statements with small data, {len(large)} with large data\n"
        + "\n".join(large))
    assert len(large) <= MAX_QUERIES, f"{role}: {len(large)} statements\n" + "\n".join(large)
    recursive = [s for s in large if "RECURSIVE" in s.upper()]
    assert len(recursive) <= 1, f"{role}: the subtrees computed {len(recursive)} times"


# --- the per-request memo of the subtrees ----------------------------------------------------

@pytest.fixture()
def request_context(app, db):
    with app.test_request_context():
        yield


def test_subtree_follows_membership_changes_within_a_request(request_context):
    union = factories.make_org(OrgKind.NATIONAL_UNION)
    other = factories.make_org(OrgKind.NATIONAL_UNION)
    coop = factories.make_org(OrgKind.COOPERATIVE, parent=other)
    director = factories.make_user("union_director", union)
    assert permissions.can_view_organisation(director, union)
    assert not permissions.can_view_organisation(director, coop)
    assert not turnover_permissions.can_edit_turnover(director, coop)

    # not flushed yet: the next check must not answer from the memo
    membership = Membership(organisation=other, role=Role.UNION_DIRECTOR)
    director.memberships.append(membership)
    assert permissions.can_view_organisation(director, coop)
    assert turnover_permissions.can_edit_turnover(director, coop)

    director.memberships.remove(membership)
    db.session.flush()
    assert not permissions.can_view_organisation(director, coop)
    assert not turnover_permissions.can_edit_turnover(director, coop)


def test_subtree_follows_the_tree_and_the_portfolio(request_context):
    union = factories.make_org(OrgKind.NATIONAL_UNION)
    manager = factories.make_user("relationship_manager")
    director = factories.make_user("union_director", union)
    assert turnover_permissions.turnover_scope_ids(manager) is not None
    assert not turnover_permissions.can_edit_turnover(manager, union)

    manager.portfolio.append(union)
    db.session.commit()
    assert turnover_permissions.can_edit_turnover(manager, union)

    coop = factories.make_org(OrgKind.COOPERATIVE, parent=union)  # flushed, not committed
    assert turnover_permissions.can_edit_turnover(manager, coop)
    assert permissions.can_view_organisation(director, coop)
    coop_id = coop.id
    db.session.rollback()
    assert turnover_permissions.can_edit_turnover(manager, union)  # the portfolio was committed
    assert coop_id not in permissions.subtree_ids(manager, "turnover")
    assert coop_id not in permissions.subtree_ids(director, "own")

    manager.portfolio.remove(union)
    assert not turnover_permissions.can_edit_turnover(manager, union)  # not flushed yet, still seen


def test_subtrees_do_not_leak_between_users(request_context):
    first, second = (factories.make_org(OrgKind.NATIONAL_UNION) for _ in range(2))
    below = factories.make_org(OrgKind.COOPERATIVE, parent=second)
    one = factories.make_user("union_director", first)
    two = factories.make_user("union_director", second)
    assert permissions.can_view_organisation(two, below)
    assert not permissions.can_view_organisation(one, below)
    assert permissions.can_view_organisation(one, first)
    assert not permissions.can_view_organisation(two, first)
    ids = set(db.session.scalars(permissions.visible_organisations(one)
                                 .with_only_columns(Organisation.id)))
    assert ids == {first.id}


def test_subtree_is_computed_once_per_request_and_again_in_the_next(app, client, db, login):
    union = factories.make_org(OrgKind.NATIONAL_UNION)
    factories.make_org(OrgKind.COOPERATIVE, parent=union)
    login(factories.make_user("union_director", union))
    client.get("/")
    for _ in range(2):  # a new request computes it again: nothing is kept between requests
        recursive = [s for s in _count(client, "/") if "RECURSIVE" in s.upper()]
        assert len(recursive) <= 1
