"""Every route × every role, anonymous included.

Each route must declare what each role gets. A new route without a declaration fails
test_every_route_declares_its_expectations, so nobody adds a page without deciding who may see it.

The foundation's routes are declared here; each area declares its own in tests/<area>/routes.py
as ROUTES (same shape) and world() (objects the paths refer to, as {name: id}).
"""
import importlib
import importlib.util
import pkgutil
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

import tests
from portal.accounts.models import OrgKind
from tests import factories

ANON = "anonymous"
ROLES = (ANON, "union_director", "relationship_manager", "branch_staff", "ministry_official",
         "administrator")
SIGNED_IN = ROLES[1:]


def everyone(status, anon=302):
    return {ANON: anon} | {role: status for role in SIGNED_IN}


def admin_only(ok=200, refused=403):
    return {ANON: 302} | {role: refused for role in SIGNED_IN} | {"administrator": ok}


# endpoint: (method, path template, expected status per role, form data)
ROUTES = {
    "home.index": ("GET", "/", everyone(200), None),
    "home.notifications": ("GET", "/notifications", everyone(200), None),
    "home.open_notification": ("POST", "/notifications/999999/open", everyone(404), None),
    "home.read_all_notifications": ("POST", "/notifications/read-all", everyone(302), None),
    "home.healthz": ("GET", "/healthz", everyone(200, anon=200), None),
    "home.readyz": ("GET", "/readyz", everyone(200, anon=200), None),
    "auth.login": ("GET", "/login", everyone(302, anon=200), None),
    "auth.logout": ("POST", "/logout", everyone(302), None),
    "auth.accept_invitation": ("GET", "/invitation/forged", everyone(404, anon=404), None),
    "auth.preferences": ("GET", "/account/preferences", everyone(200), None),
    "auth.security": ("GET", "/account/security", everyone(200), None),
    "auth.switch_language": ("POST", "/language", everyone(302, anon=302), {"language": "fa"}),
    # "every network" is an administrator's choice only
    "auth.switch_network": ("POST", "/network", admin_only(ok=302, refused=400),
                            {"network": ""}),
    "users.index": ("GET", "/admin/users/", admin_only(), None),
    "users.create": ("GET", "/admin/users/new", admin_only(), None),
    "users.edit": ("GET", "/admin/users/{victim}", admin_only(), None),
    "users.invite": ("POST", "/admin/users/{victim}/invite", admin_only(302), None),
    "users.deactivate": ("POST", "/admin/users/{victim}/deactivate", admin_only(302), None),
    "users.reactivate": ("POST", "/admin/users/{victim}/reactivate", admin_only(302), None),
    "users.add_membership": ("POST", "/admin/users/{victim}/memberships", admin_only(302),
                             {"m-organisation_id": "{other_org}", "m-role": "union_director"}),
    "users.remove_membership": ("POST", "/admin/users/{victim}/memberships/{victim_m}/delete",
                                admin_only(302), None),
    "users.set_portfolio": ("POST", "/admin/users/{victim}/portfolio", admin_only(302), None),
    "organisations.index": ("GET", "/organisations/", everyone(200), None),
    "organisations.lookup": ("GET", "/organisations/lookup?q=union", everyone(200), None),
    "organisations.show": ("GET", "/organisations/{other_org}",
                           everyone(200) | {"union_director": 404}, None),
    "organisations.create": ("GET", "/organisations/new", admin_only(), None),
    "organisations.edit": ("GET", "/organisations/{other_org}/edit", admin_only(), None),
    "organisations.deactivate": ("POST", "/organisations/{other_org}/deactivate",
                                 admin_only(302), None),
    "organisations.import_file": ("GET", "/organisations/import", admin_only(), None),
    "organisations.import_template": ("GET", "/organisations/import/template.csv",
                                      admin_only(), None),
    "organisations.export": ("GET", "/organisations/export.csv", everyone(200), None),
}
IGNORED = {"static"}
# Routes an anonymous visitor may use whose success is itself a redirect elsewhere than the
# sign-in page; every other 302 to an anonymous visitor is a refusal and must say "sign in".
ANONYMOUS_REDIRECTS = {"auth.switch_language"}
AREA_ROUTE_MODULES = [
    importlib.import_module(f"tests.{info.name}.routes")
    for info in pkgutil.iter_modules(tests.__path__)
    if info.ispkg and importlib.util.find_spec(f"tests.{info.name}.routes")
]
for _module in AREA_ROUTE_MODULES:
    ROUTES.update(_module.ROUTES)


def test_every_route_declares_its_expectations(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - IGNORED
    undeclared = endpoints - ROUTES.keys()
    assert not undeclared, f"routes with no declared role expectations: {sorted(undeclared)}"
    assert not ROUTES.keys() - endpoints, "declared routes that no longer exist"


def _world():
    other_org = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه دیگر")
    victim = factories.make_user("relationship_manager")
    ids = {"other_org": other_org.id, "victim": victim.id,
           "victim_m": victim.memberships[0].id}
    from flask import current_app

    # services build links with url_for, which needs a request context
    with current_app.test_request_context():
        for module in AREA_ROUTE_MODULES:
            ids.update(module.world())
    return ids


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_each_role_as_declared(endpoint, role, client, login_as, db):
    method, template, expected, form = ROUTES[endpoint]
    ids = _world()
    factories.db.session.commit()
    if role != ANON:
        login_as(role)
    path = template.format(**ids)
    data = {k: v.format(**ids) for k, v in (form or {}).items()}
    before = _rows() if role == ANON else None
    response = client.open(path, method=method, data=data)
    status, text = response.status_code, response.text[:500]
    location = response.headers.get("Location", "")
    response.close()  # a streamed file download holds its file open until closed
    assert status == expected[role], (endpoint, role, text)
    if role == ANON and status == 302 and endpoint not in ANONYMOUS_REDIRECTS:
        # a refusal and a success both answer 302: a refusal sends the visitor to sign in
        # and writes nothing
        assert urlsplit(location).path == "/login", (endpoint, location)
        assert _rows() == before, endpoint


def _rows():
    """How many rows each table holds, in one statement."""
    counts = [sa.select(sa.literal(table.name).label("name"),
                        sa.select(sa.func.count()).select_from(table).scalar_subquery()
                        .label("rows"))
              for table in factories.db.metadata.sorted_tables]
    return dict(factories.db.session.execute(sa.union_all(*counts)).all())
