"""The key pages of issue 9: who looks at them and where they are.

Each page: (name, role, area, path(ctx)). `area` is what must be in the data set (the areas
bench/data.py generated) for the page to be measured; the rest are reported as skipped.
To add a page when an area lands, add a line here (and its generator in bench/data.py).
"""
from urllib.parse import quote

ROLES = ("union_director", "relationship_manager", "branch_staff", "ministry_official",
         "administrator")
SEARCH = {"fa": "افتتاح حساب", "th": "สินเชื่อ"}


def _q(text):
    return quote(text)


PAGES = [
    *[(f"home ({role})", role, "accounts", lambda ctx: "/") for role in ROLES],
    ("feedback list, filtered (relationship_manager)", "relationship_manager", "feedback",
     lambda ctx: "/feedback/?kind=critique&state=answered&topic=speed&sort=newest"),
    ("feedback list, filtered (union_director)", "union_director", "feedback",
     lambda ctx: "/feedback/?kind=proposal&sort=endorsements"),
    ("feedback search, Persian (ministry_official)", "ministry_official", "feedback",
     lambda ctx: "/feedback/?q=" + _q(SEARCH["fa"])),
    ("feedback search, Thai (union_director)", "union_director", "feedback",
     lambda ctx: "/feedback/?q=" + _q(SEARCH["th"])),
    ("feedback item (union_director)", "union_director", "feedback",
     lambda ctx: f"/feedback/{ctx['feedback_item']}"),
    ("organisation list (union_director)", "union_director", "accounts",
     lambda ctx: "/organisations/"),
    ("organisation list (administrator)", "administrator", "accounts",
     lambda ctx: "/organisations/"),
    ("organisation search (administrator)", "administrator", "accounts",
     lambda ctx: "/organisations/?q=" + _q("تعاونی")),
    ("organisation page (relationship_manager)", "relationship_manager", "accounts",
     lambda ctx: f"/organisations/{ctx['province_director_org']}"),
    # ids chosen by their generators in bench/data.py: a signed-off session late in a series
    # (minutes, carried commitments), that series, a district of the first relationship
    # manager's portfolio, the available product with the most requests
    ("meeting page with minutes", "union_director", "meetings",
     lambda ctx: f"/meetings/{ctx['meeting']}"),
    ("series page", "union_director", "meetings", lambda ctx: f"/meetings/series/{ctx['series']}"),
    ("network concentration dashboard", "administrator", "turnover",
     lambda ctx: "/turnover/"),
    ("district indicators dashboard", "relationship_manager", "indicators",
     lambda ctx: f"/indicators/{ctx['indicator_district']}"),
    ("product page", "union_director", "products", lambda ctx: f"/products/{ctx['product']}"),
]


def pages_for(ctx):
    """(measured, skipped): the pages whose area is in the data set, and the others."""
    available = {"accounts", *ctx.get("areas", ())}
    if "organisations" in available and "users" in available:
        available.add("accounts")
    measured, skipped = [], []
    for name, role, area, path in PAGES:
        if area in available:
            measured.append({"name": name, "role": role, "area": area, "path": path(ctx)})
        else:
            skipped.append({"name": name, "area": area,
                            "reason": f"area '{area}' not in the data set (not migrated yet)"})
    return measured, skipped
