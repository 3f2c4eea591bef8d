"""Who gets what from each results route (checked by tests/test_route_roles.py)."""
from tests.results.helpers import make_result
from tests.test_route_roles import ANON, SIGNED_IN, everyone

MANAGERS = ("relationship_manager", "administrator")


def managers(ok, refused=403):
    return {ANON: 302} | {role: refused for role in SIGNED_IN} | {role: ok for role in MANAGERS}


ROUTES = {
    "results.index": ("GET", "/results/", everyone(200), None),
    "results.show": ("GET", "/results/{result}", everyone(200), None),
    # an administrator looking at every network chooses one before setting a result up
    "results.create": ("GET", "/results/new", managers(200) | {"administrator": 403}, None),
    "results.edit": ("GET", "/results/{result}/edit", managers(200), None),
    "results.change_status": ("POST", "/results/{result}/status", managers(302),
                              {"status": "in_progress", "version_id": "1"}),
    "results.add_milestone": ("POST", "/results/{result}/milestones", managers(302),
                              {"day": "2026-01-10", "title": "پیش‌نویس آماده شد"}),
    "results.said_and_done": ("GET", "/results/said-and-done", everyone(200), None),
    "results.said_and_done_export": ("GET", "/results/said-and-done.csv", everyone(200), None),
}


def world():
    result = make_result()
    return {"result": result.id, "result_owner": result.owner_id, "result_v": result.version_id}
