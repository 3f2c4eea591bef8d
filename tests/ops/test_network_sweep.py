"""A second network in the route sweep: nobody of another bank's network reads anything of this
one by id.

The route × role world (tests/test_route_roles.py) builds an object of every kind in the
Iranian bank's network. People of every role in a third bank's network (the Lao bank here: a
network that shares nothing with it) then open every page that names one of those objects by
id. Where a person of the same role in the Iranian network is let in (200), they must not be.
An administrator who chose the other network is held to the same.
"""
import pytest

from portal.accounts.models import OrgKind
from tests import factories
from tests.test_route_roles import ROUTES, SIGNED_IN, _world

ID_PAGES = sorted(endpoint for endpoint, (method, template, _expected, _form) in ROUTES.items()
                  if method == "GET" and "{" in template)


def _other_network_person(role):
    bank = factories.bank("LA")
    home = {"union_director": factories.make_org(OrgKind.NATIONAL_UNION, country="LA",
                                                 currency="LAK"),
            "ministry_official": factories.make_org(OrgKind.MINISTRY, country="LA",
                                                    currency="LAK"),
            "administrator": bank}.get(role) or factories.make_org(
        OrgKind.SPECIALISED_BRANCH, parent=bank, country="LA", currency="LAK")
    return factories.make_user(role, home), bank


@pytest.mark.parametrize("role", SIGNED_IN)
def test_nobody_of_another_network_opens_a_page_of_this_one_by_id(role, client, login, db):
    ids = _world()
    db.session.commit()
    person, bank = _other_network_person(role)
    login(person)
    if role == "administrator":
        assert client.post("/network", data={"network": str(bank.id)}).status_code == 302
    let_in = []
    for endpoint in ID_PAGES:
        _method, template, expected, _form = ROUTES[endpoint]
        if expected.get(role) != 200:
            continue
        response = client.get(template.format(**ids))
        if response.status_code == 200:
            let_in.append(endpoint)
        response.close()
    assert not let_in, f"{role} of another network opened: {let_in}"
