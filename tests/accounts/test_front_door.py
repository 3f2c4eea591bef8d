"""Signing in and out through the real forms (the `auth` fixture), for one person of each
role: the sign-in path itself runs, where most tests write the session directly."""
import pytest
from flask import url_for

from portal.accounts.services import authenticate
from portal.home.panels import nav_items_for
from tests.conftest import ROLES


def _links(app, user, page):
    """The main navigation's links this person should see, and whether the page has them."""
    with app.test_request_context():
        expected = {url_for(endpoint) for endpoint, _label in nav_items_for(user)}
    return {href for href in expected if f'href="{href}"' not in page}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_through_the_form_reaches_home_and_signs_out(app, client, auth,
                                                                          make_user, role):
    user = make_user(role, full_name=f"Nasrin Ahmadi ({role})")
    home = auth.login(user)
    assert home.status_code == 200 and home.request.path == "/"
    page = home.get_data(as_text=True)
    assert user.full_name in page  # signed in as this person, not somebody else
    assert _links(app, user, page) == set()  # the navigation of this person's role
    with app.test_request_context():
        people = f'href="{url_for("users.index")}"'
    assert (people in page) == (role == "administrator")  # only an administrator's

    left = auth.logout()
    assert left.request.path == "/login"
    assert "You have signed out." in left.get_data(as_text=True)
    after = client.get("/")
    assert after.status_code == 302 and after.headers["Location"].endswith("/login")


def test_a_wrong_password_leaves_the_person_signed_out(client, auth, make_user):
    user = make_user("union_director")
    refused = auth.login(user, password="not the password at all")
    assert refused.status_code == 401 and refused.request.path == "/login"
    assert "not correct" in refused.get_data(as_text=True)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/login")
    assert authenticate(user.email, "not the password at all") is None
