"""The directory's pages with a large network (issue 19): the tree shows its first level a
page at a time and opens one organisation through a link (no script needed), an organisation's
page pages what is below it, and its statements do not grow with its people or its depth."""
import re

import pytest

from portal.accounts.models import Organisation, OrgKind
from tests import factories
from tests.statements import captured, page_statements


@pytest.fixture()
def small_pages(app):
    before = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 4
    yield
    app.config["PAGE_SIZE"] = before


def _links(text):
    return re.findall(r'href="(/organisations/[^"]*)"', text)


def test_the_tree_pages_its_first_level_and_opens_one_through_a_link(
        client, login_as, db, small_pages):
    admin = login_as("administrator")
    bank = admin.memberships[0].organisation
    unions = [factories.make_org(OrgKind.NATIONAL_UNION, name=f"اتحادیه {n:02d}")
              for n in range(6)]
    coops = [factories.make_org(OrgKind.COOPERATIVE, parent=unions[0], name=f"تعاونی {n:02d}")
             for n in range(3)]
    db.session.commit()
    first = client.get("/organisations/")
    assert first.status_code == 200
    roots = sorted([bank, *unions], key=lambda o: o.name)
    shown = [o for o in roots if f"/organisations/{o.id}\"" in first.text]
    assert shown == roots[:4]  # a page of the first level
    assert "تعاونی 00" not in first.text  # nothing below is listed until asked
    opener = f"/organisations/?open={unions[0].id}#org-{unions[0].id}"
    assert opener.replace("&", "&amp;") in first.text
    assert "Page 1 of 2" in first.text

    second = client.get("/organisations/?page=2")
    assert [o for o in roots if f"/organisations/{o.id}\"" in second.text] == roots[4:]

    opened = client.get(f"/organisations/?open={unions[0].id}")
    for coop in coops:
        assert f"/organisations/{coop.id}\"" in opened.text
    # the opened organisation's own count now leads to its page, where all of them are paged
    assert f'href="/organisations/{unions[0].id}">3 organisations below' in opened.text


def test_a_single_root_is_shown_opened(client, login_as, db):
    union = factories.make_org(OrgKind.NATIONAL_UNION)
    coop = factories.make_org(OrgKind.COOPERATIVE, parent=union)
    db.session.commit()
    login_as("union_director", union)
    page = client.get("/organisations/")
    assert f"/organisations/{union.id}\"" in page.text
    assert f"/organisations/{coop.id}\"" in page.text


def test_the_organisations_below_are_paged_on_its_page(client, login_as, db, small_pages):
    union = factories.make_org(OrgKind.NATIONAL_UNION)
    coops = [factories.make_org(OrgKind.COOPERATIVE, parent=union, name=f"تعاونی {n:02d}")
             for n in range(6)]
    db.session.commit()
    login_as("administrator")
    first = client.get(f"/organisations/{union.id}")
    assert [c.name for c in coops if f"/organisations/{c.id}\"" in first.text] == \
        [c.name for c in coops[:4]]
    second = client.get(f"/organisations/{union.id}?page=2")
    assert [c.name for c in coops if f"/organisations/{c.id}\"" in second.text] == \
        [c.name for c in coops[4:]]
    assert ">6</span>" in first.text  # the count is of all of them


def test_the_organisation_page_costs_the_same_with_more_people_and_more_levels(
        client, login_as, db):
    bank = factories.bank()
    union = factories.make_org(OrgKind.NATIONAL_UNION, parent=bank)
    chain = [factories.make_org(OrgKind.COOPERATIVE, parent=union, name="تعاونی 0")]
    for n in range(1, 4):
        chain.append(factories.make_org(OrgKind.COOPERATIVE, parent=chain[-1],
                                        name=f"تعاونی {n}"))
    factories.make_user("union_director", chain[0], full_name="Nguyễn Văn Anh")
    factories.make_user("union_director", chain[3], full_name="Nguyễn Văn Anh")
    login_as("relationship_manager").portfolio = [union, *chain]
    db.session.commit()
    far_id = chain[3].id
    near, far = (f"/organisations/{chain[0].id}", f"/organisations/{far_id}")
    _page, shallow = page_statements(client, near)  # two levels above it
    page, deep = page_statements(client, far)  # five levels above it
    assert all(f"تعاونی {n}" in page.text for n in range(3))  # the breadcrumb
    assert len(deep) == len(shallow), "\n".join(deep)

    for n in range(14):  # fourteen more people in the far one
        factories.make_user("union_director", db.session.get(Organisation, far_id),
                            full_name=f"Trần Thị {n:02d}")
    page, crowded = page_statements(client, far)
    assert "Trần Thị 13" in page.text and "Trần Thị 00" in page.text
    assert len(crowded) == len(deep), "\n".join(crowded)


def test_the_tree_follows_a_change_at_once(client, login_as, db):
    login_as("administrator")
    union = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه الف")
    db.session.commit()
    assert f"/organisations/{union.id}\"" in client.get("/organisations/").text
    client.get("/organisations/")  # kept by the process now
    newer = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه ب")
    factories.make_org(OrgKind.COOPERATIVE, parent=union)
    db.session.commit()
    page = client.get("/organisations/").text
    assert f"/organisations/{newer.id}\"" in page
    assert f'/organisations/?open={union.id}#org-{union.id}">1 organisations below' in page
    union.is_active = False
    db.session.commit()
    assert f"/organisations/{union.id}\"" not in client.get("/organisations/").text


def test_people_who_see_the_same_organisations_share_one_tree(client, login_as, login, db):
    """The whole network's readers (two relationship managers) share the tree the first one
    built; a union's director, who sees only the union, gets the union's own."""
    union = factories.make_org(OrgKind.NATIONAL_UNION, name="Hội Nông dân")
    other = factories.make_org(OrgKind.NATIONAL_UNION, name="Liên minh Hợp tác xã")
    db.session.commit()
    first = login_as("relationship_manager")
    second = factories.make_user("relationship_manager", first.memberships[0].organisation)
    client.get("/organisations/").close()  # builds it
    login(second)
    with captured() as statements:
        page = client.get("/organisations/").text
    assert f"/organisations/{other.id}\"" in page
    assert not [s for s in statements if "parent_id IS NULL" in s]  # the first one's tree
    login_as("union_director", union)
    page = client.get("/organisations/").text
    assert f"/organisations/{union.id}\"" in page and f"/organisations/{other.id}\"" not in page
