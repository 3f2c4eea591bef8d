"""What each role gets on every field route (see tests/test_route_roles.py).

The signed-in relationship manager of each role is a newcomer with no portfolio: the field
page opens, but no group is theirs to prepare (404). Administrators take any group."""
from portal.accounts.models import OrgKind
from portal.extensions import db
from tests import factories
from tests.test_route_roles import ANON, SIGNED_IN, everyone

FIELD = ("relationship_manager", "administrator")


def only(ok, *roles, refused=403, anon=302):
    return {ANON: anon} | {r: refused for r in SIGNED_IN} | {r: ok for r in roles}


ROUTES = {
    "field.index": ("GET", "/field/", only(200, *FIELD), None),
    "field.service_worker": ("GET", "/field/sw.js", everyone(200, anon=200), None),
    "field.manifest": ("GET", "/field/manifest.webmanifest", everyone(200, anon=200), None),
    "field.api_session": ("GET", "/field/api/session", only(200, *FIELD, anon=401), None),
    "field.api_groups": ("GET", "/field/api/groups?ids={f_group}",
                         only(200, *FIELD, anon=401) | {"relationship_manager": 404}, None),
    # a form post is not the JSON the page sends
    "field.api_sync": ("POST", "/field/api/sync", only(400, *FIELD, anon=401), None),
}


def world():
    office = factories.bank("VN")
    union = factories.make_org(OrgKind.MASS_ORGANISATION, parent=office)
    group = factories.make_org(OrgKind.SAVINGS_GROUP, parent=union, name="Tổ TK&VV số 5 xã Quế",
                               commune="Quế")
    db.session.commit()
    return {"f_group": group.id}
