"""Building feedback items for tests through the real services."""
from portal.accounts.models import OrgKind
from portal.feedback import services
from tests import factories

TEXT = ("<p>Opening an account for a cooperative takes three weeks at the branch. "
        "افتتاح حساب برای تعاونی‌ها سه هفته طول می‌کشد.</p>")


def union_with_manager(name=None):
    """A national union, its director and the relationship manager serving it."""
    union = factories.make_org(OrgKind.NATIONAL_UNION, name=name)
    director = factories.make_user("union_director", union)
    manager = factories.make_user("relationship_manager")
    manager.portfolio = [union]
    factories.db.session.commit()
    return union, director, manager


def submit(director, organisation=None, kind="critique", visibility="public", title=None,
           body=TEXT, **fields):
    defaults = {"critique": {"concerns": "Tehran specialised branch"},
                "proposal": {"expected_benefit": "Faster service"},
                "product_request": {"sector": "handwoven carpets", "demand_size": 1200}}[kind]
    defaults.update(fields)
    item = services.submit(
        director, kind=kind, organisation=organisation or director.organisations[0],
        title=title or "کندی افتتاح حساب برای تعاونی‌ها", body_html=body, topic="speed",
        visibility=visibility, **defaults)
    factories.db.session.commit()
    return item


def answer(manager, item, outcome="accepted", text="<p>We will open accounts in 3 days.</p>"):
    services.save_draft(manager, item, body_html=text, outcome=outcome)
    services.publish(manager, item)
    factories.db.session.commit()
    return item
