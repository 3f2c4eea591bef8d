"""The administration of people: the list's filters, and the portfolio's choices read as ids
and names, only on the page of a relationship manager."""
import re

from portal.accounts.models import OrgKind
from tests import factories
from tests.statements import page_statements


def _rows(page):
    return page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_the_list_of_people_filters_by_words_and_role(client, login_as, db):
    login_as("administrator")
    union = factories.make_org(OrgKind.NATIONAL_UNION)
    factories.make_user("union_director", union, full_name="مریم احمدی")
    factories.make_user("relationship_manager", full_name="Nguyễn Thị Lan")
    assert "مریم احمدی" in _rows(client.get("/admin/users/?q=احمدی"))
    assert "Nguyễn Thị Lan" not in _rows(client.get("/admin/users/?q=احمدی"))
    by_role = _rows(client.get("/admin/users/?role=relationship_manager"))
    assert "Nguyễn Thị Lan" in by_role and "مریم احمدی" not in by_role
    # an unknown role is ignored, not an error
    assert "مریم احمدی" in _rows(client.get("/admin/users/?role=chief"))


def test_the_portfolio_offers_the_organisations_served_and_only_to_a_manager(
        client, login_as, db):
    login_as("administrator")
    union = factories.make_org(OrgKind.NATIONAL_UNION, code="IR-UN-CARP")
    coop = factories.make_org(OrgKind.COOPERATIVE, parent=union, code="IR-CO-NAIN")
    closed = factories.make_org(OrgKind.COOPERATIVE, code="IR-CO-OLD", is_active=False)
    branch = factories.make_org(OrgKind.SPECIALISED_BRANCH, code="IR-BR-TEH")
    manager = factories.make_user("relationship_manager", full_name="Nguyễn Thị Lan")
    manager.portfolio = [union]
    director = factories.make_user("union_director", union)
    db.session.commit()
    ids = {"union": union.id, "coop": coop.id, "closed": closed.id, "branch": branch.id}
    paths = (f"/admin/users/{manager.id}", f"/admin/users/{director.id}")
    page, _statements = page_statements(client, paths[0])
    select = re.search(r'<select[^>]*name="p-organisation_ids".*?</select>', page.text, re.S)
    offered = {int(v): "selected" in attrs for attrs, v in
               re.findall(r'<option([^>]*)value="(\d+)"', select.group(0))}
    assert offered[ids["union"]] is True and offered[ids["coop"]] is False
    assert ids["closed"] not in offered and ids["branch"] not in offered
    assert "IR-CO-NAIN" in select.group(0)
    # a union director has no portfolio: the list is neither sent nor read
    page, statements = page_statements(client, paths[1])
    assert 'name="p-organisation_ids"' not in page.text
    assert not any("IR-CO-NAIN" in s or "organisation.kind NOT IN" in s
                   or "organisation.kind IN" in s for s in statements), statements
