"""The registry a page at a time (issue 19: 500 branches were one page): the pager keeps the
province and kind chosen, and the page costs the same however many branches there are."""
import re

import pytest

from portal.branches.models import BranchKind
from tests.branches.helpers import make_branch, make_staff
from tests.statements import page_statements


@pytest.fixture()
def small_pages(app):
    before = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 3
    yield
    app.config["PAGE_SIZE"] = before


def _listed(text):
    return re.findall(r'<td><a href="/branches/\d+"><bdi[^>]*>([^<]+)</bdi>', text)


def test_the_registry_is_paged_and_the_pager_keeps_the_filters(client, login_as, db,
                                                                  small_pages):
    names = [f"شعبه ویژه تعاون {n}" for n in range(5)]
    for name in names:
        make_branch(name=name, province="اصفهان", district=name)
    make_branch(name="شعبه ویژه تعاون مشهد", province="خراسان رضوی")
    make_branch(name="Điểm giao dịch xã Ba Sao", kind=BranchKind.COMMUNE_POINT, country="VN",
                province="اصفهان", district="Z", schedule_day=12)
    db.session.commit()
    login_as("union_director")
    first = client.get("/branches/?province=اصفهان&kind=specialised")
    second = client.get("/branches/?province=اصفهان&kind=specialised&page=2")
    assert _listed(first.text) == names[:3]
    assert _listed(second.text) == names[3:]
    # the next page's link keeps the province and the kind
    assert re.search(r'href="/branches/\?province=[^"]*kind=specialised[^"]*page=2"',
                     first.text.replace("&amp;", "&"))
    # the provinces keep counting every branch, whatever the page and the kind
    assert re.search(r"اصفهان</bdi></a> <span class=\"badge text-bg-light\">6</span>",
                     first.text)


def test_the_registry_costs_the_same_with_more_branches(client, login, db, small_pages):
    mine = make_branch()
    make_branch(name="شعبه ویژه تعاون مشهد", province="خراسان رضوی")
    login(make_staff(mine))
    _page, few = page_statements(client, "/branches/")
    for n in range(12):
        make_branch(name=f"شعبه {n}", province=f"استان {n % 4}", schedule_day=n + 1,
                    kind=BranchKind.COMMUNE_POINT)
    page, many = page_statements(client, "/branches/")
    assert len(_listed(page.text)) == 3
    assert len(many) == len(few), "\n".join(many)


def test_the_list_and_its_provinces_follow_a_new_branch_at_once(client, login_as, db):
    make_branch(name="شعبه ویژه تعاون مشهد", province="خراسان رضوی")
    db.session.commit()
    login_as("union_director")
    assert "خراسان رضوی" in client.get("/branches/").text
    client.get("/branches/")  # kept by the process now
    make_branch(name="شعبه ویژه تعاون یزد", province="یزد")
    db.session.commit()
    page = client.get("/branches/").text
    assert re.search(r"یزد</bdi></a> <span class=\"badge text-bg-light\">1</span>", page)
    assert "شعبه ویژه تعاون یزد" in _listed(page)
