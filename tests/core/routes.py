"""Who gets what from the routes of portal.core (checked by tests/test_route_roles.py)."""
from tests.test_route_roles import everyone

ROUTES = {
    # one's own choices: every signed-in person, nobody else's
    "digests.preferences": ("GET", "/notifications/preferences", everyone(200), None),
    # the signed token is the permission; a token that was not issued is not found, for all
    "digests.unsubscribe_page": ("GET", "/unsubscribe/not-a-token", everyone(404, anon=404),
                                 None),
    "digests.unsubscribe": ("POST", "/unsubscribe/not-a-token", everyone(404, anon=404), None),
}


def world():
    return {}
