"""Every route that accepts POST, with a request someone is allowed to make: for the CSRF
sweep (tests/ops/test_csrf_sweep.py) and the ministry's write sweep (test_idor_sweep.py).

Routes whose declaration in tests/test_route_roles.py is a POST are taken from there (path,
form, and the status each role gets). Routes that show a form on GET and take it on POST are
declared there by their GET, so their POST is declared here in EXTRA_POSTS. The paths use the
ids of tests.test_route_roles._world().
"""
from tests.test_route_roles import ANON, ROUTES

ADMIN = "administrator"

# endpoint: (role, path, form, status with CSRF off or with a valid token). Empty forms are
# enough to show CSRF is checked first; a few real ones show a form going all the way through.
EXTRA_POSTS = {
    "auth.login": (ANON, "/login", {"email": "nobody@portal.test", "password": "not it"}, 401),
    "auth.accept_invitation": (ANON, "/invitation/forged", {"password": "x"}, 404),
    "auth.preferences": ("union_director", "/account/preferences",
                         {"preferred_locale": "vi", "timezone": "UTC", "calendar": ""}, 302),
    "auth.security": ("union_director", "/account/security", {}, 400),
    "auth.second_factor": (ANON, "/login/code", {}, 302),  # nothing pending: sign in first
    "auth.request_link": (ANON, "/login/link", {}, 400),
    "auth.use_link": (ANON, "/login/link/forged", {}, 400),
    "auth.confirm_email": (ANON, "/account/email/forged", {}, 400),
    "auth.confirm_identity": ("union_director", "/account/confirm", {}, 401),
    "auth.two_factor": ("union_director", "/account/two-factor", {}, 400),
    "users.create": (ADMIN, "/admin/users/new", {}, 400),
    "users.edit": (ADMIN, "/admin/users/{victim}", {}, 400),
    "organisations.create": (ADMIN, "/organisations/new", {
        "code": "CSRF-1", "name": "Made through the form", "kind": "national_union",
        "country": "IR", "currency": "IRR"}, 302),
    # an edit that names no version of the record is refused (409): it could overwrite a
    # change made meanwhile (so are the other edit forms below sent empty)
    "organisations.edit": (ADMIN, "/organisations/{other_org}/edit", {}, 409),
    "organisations.import_file": (ADMIN, "/organisations/import", {}, 400),
    "feedback.submit": ("union_director", "/feedback/new/critique", {}, 400),
    "feedback.drafts": (ADMIN, "/feedback/drafts", {"item_ids": "{drafted}"}, 302),
    # an administrator looking at every network chooses the bank before editing its chain
    "feedback.escalation_chain": (ADMIN, "/feedback/escalation", {}, 200),
    "meetings.new": (ADMIN, "/meetings/new", {}, 400),
    "meetings.series_new": (ADMIN, "/meetings/series/new", {}, 400),
    "meetings.edit": (ADMIN, "/meetings/{m_planned}/edit", {}, 400),
    "meetings.minutes": (ADMIN, "/meetings/{m_held}/minutes",
                         {"body": "<p>Minutes through the form</p>", "version_id": ""}, 409),
    "products.create": (ADMIN, "/products/new", {}, 400),
    "products.edit": (ADMIN, "/products/{draft_product}/edit", {}, 409),
    "products.package_create": (ADMIN, "/products/packages/new", {}, 400),
    "products.package_edit": (ADMIN, "/products/packages/{package}/edit", {}, 409),
    "branches.create": (ADMIN, "/branches/new", {}, 400),
    "branches.edit": (ADMIN, "/branches/{branch}/edit", {}, 409),
    # only the branch's own staff log deliveries; nobody signed in here is
    "branches.log_delivery": (ADMIN, "/branches/{branch}/deliveries/new", {}, 403),
    "branches.edit_delivery": (ADMIN, "/branches/{branch}/deliveries/{delivery}/edit", {}, 403),
    "branches.course_create": (ADMIN, "/branches/training/courses/new", {}, 400),
    "branches.session_create": (ADMIN, "/branches/{branch}/training/new", {}, 400),
    "branches.contract_create": (ADMIN, "/branches/entrustment/new", {}, 400),
    "branches.contract_edit": (ADMIN, "/branches/entrustment/{contract}/edit", {}, 400),
    "turnover.new_report": (ADMIN, "/turnover/reports/new", {}, 400),
    "turnover.edit_report": (ADMIN, "/turnover/reports/{t_report}/edit", {}, 400),
    "turnover.import_file": (ADMIN, "/turnover/import", {}, 400),
    "turnover.periods": (ADMIN, "/turnover/periods", {}, 400),
    "turnover.tokens": (ADMIN, "/turnover/tokens", {}, 400),
    "indicators.import_file": (ADMIN, "/indicators/import/actuals", {}, 400),
    # an administrator looking at every network chooses one before setting a result up
    "results.create": ("relationship_manager", "/results/new", {}, 400),
    # a save that names no version is refused: it would overwrite whatever changed meanwhile
    "results.edit": (ADMIN, "/results/{result}/edit", {}, 409),
    "digests.preferences": ("union_director", "/notifications/preferences",
                            {"feedback": "daily"}, 302),
    # without indicator_id the view asks the session for a NULL key (an SAWarning, an error
    # under this suite's warning filter): name one that does not exist instead
    "indicators.definitions": (ADMIN, "/indicators/definitions", {"indicator_id": "0"}, 404),
}


def _declared_posts():
    posts = {}
    for endpoint, (method, path, expected, form) in ROUTES.items():
        if method != "POST":
            continue
        # someone the route lets through if there is one, an administrator first
        allowed = [r for r in (ADMIN, *expected) if r != ANON and expected[r] < 400]
        role = allowed[0] if allowed else ADMIN
        posts[endpoint] = (role, path, form or {}, expected[role])
    return posts


def post_routes():
    """{endpoint: (role, path template, form template, expected status)}."""
    posts = _declared_posts()
    overlap = posts.keys() & EXTRA_POSTS.keys()
    assert not overlap, f"declared twice: {sorted(overlap)}"
    return posts | EXTRA_POSTS


def post_endpoints(app):
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}


def csrf_exempt_endpoints(app):
    """The endpoints Flask-WTF's CSRFProtect skips (views or whole blueprints marked exempt)."""
    csrf = app.extensions["csrf"]
    exempt = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        blueprint = app.blueprints.get(rule.endpoint.rpartition(".")[0])
        if blueprint in csrf._exempt_blueprints or \
                f"{view.__module__}.{view.__name__}" in csrf._exempt_views:
            exempt.add(rule.endpoint)
    return exempt
