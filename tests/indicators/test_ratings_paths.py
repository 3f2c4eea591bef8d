"""Ways to the ratings: after an import the importer lands on the dashboard of what they
imported; the index and the organisation pages offer the district dashboards a person may
see; ratings files take grades as people write them in their language."""
import re
from datetime import date
from urllib.parse import urlsplit

import pytest

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.indicators.models import Grade, GroupRating
from tests.factories import make_org
from tests.indicators.builders import (
    actual,
    count,
    definitions,
    file_rows,
    group,
    office,
    plan,
    rate,
    upload,
)


@pytest.fixture()
def kim_bang(db):
    """Kim Bảng's district office, a commune point, the Women's Union entrusted with two
    groups, and a group of the next district (Lý Nhân) with its own office."""
    definitions()
    kb = office("Hà Nam", "Kim Bảng", code="KB-OFF", name="Kim Bảng district office")
    point = office("Hà Nam", "Kim Bảng", code="KB-DGD01", name="Điểm giao dịch xã Quế",
                   commune="Quế")
    union = make_org(OrgKind.MASS_ORGANISATION, code="KB-WU",
                     name="Hội Liên hiệp Phụ nữ huyện Kim Bảng", province="Hà Nam",
                     district="Kim Bảng")
    g1 = group("Hà Nam", "Kim Bảng", "Quế", union, code="KB-G1", name="Tổ TK&VV số 1 xã Quế")
    g2 = group("Hà Nam", "Kim Bảng", "Ba Sao", union, code="KB-G2",
               name="Tổ TK&VV số 1 xã Ba Sao")
    ln = office("Hà Nam", "Lý Nhân", code="LN-OFF", name="Lý Nhân district office")
    ln_group = group("Hà Nam", "Lý Nhân", "Nhân Hưng", code="LN-G1", name="Tổ Lý Nhân")
    db.session.commit()
    return {"office": kb, "point": point, "union": union, "g1": g1, "g2": g2,
            "ln_office": ln, "ln_group": ln_group}


def _target(response):
    assert response.status_code == 302, response.status_code
    parts = urlsplit(response.headers["Location"])
    return parts.path, parts.query, parts.fragment


# --- where an import lands ------------------------------------------------------------------

def test_a_ratings_import_lands_on_the_district_ratings(client, login, make_user, kim_bang):
    login(make_user("relationship_manager", kim_bang["office"]))
    rows = [("KB-G1", "2023-07", "good"), ("KB-G1", "2023-08", "fair"),
            ("KB-G2", "2023-08", "good")]
    response = upload(client, "ratings", file_rows("ratings", rows))
    path, query, fragment = _target(response)
    assert (path, query, fragment) == (f"/indicators/{kim_bang['office'].id}",
                                       "period=2023-08", "ratings-title")
    page = client.get(f"{path}?{query}").text
    assert "Imported: 3 new, 0 updated, 0 unchanged." in page
    assert 'id="ratings-title"' in page and "2 groups rated in August 2023" in page
    assert "Tổ TK&amp;VV số 1 xã Quế" in page  # fell from good to fair


def test_actuals_land_on_the_district_indicators(client, login, make_user, kim_bang):
    login(make_user("relationship_manager", kim_bang["office"]))
    rows = [("KB-G1", "2023-08", "outstanding_loans", "100000", ""),
            ("KB-G2", "2023-07", "outstanding_loans", "90000", "")]
    path, query, fragment = _target(upload(client, "actuals",
                                           file_rows("actuals", rows)))
    assert (path, query, fragment) == (f"/indicators/{kim_bang['office'].id}",
                                       "period=2023-08", "scorecard-title")
    assert 'id="ind-outstanding_loans"' in client.get(f"{path}?{query}").text


def test_a_file_over_two_districts_lands_on_the_index_of_dashboards(client, login_as,
                                                                    kim_bang):
    login_as("administrator")
    rows = [("KB-G1", "2023-08", "good"), ("LN-G1", "2023-08", "weak")]
    assert _target(upload(client, "ratings", file_rows("ratings", rows))) == \
        ("/indicators/", "", "")
    page = client.get("/indicators/").text
    for district in (kim_bang["office"], kim_bang["ln_office"]):
        assert f'href="/indicators/{district.id}#ratings-title"' in page


def test_plans_land_on_the_plans(client, login_as, kim_bang):
    login_as("administrator")
    rows = [("KB-OFF", "2024", "outstanding_loans", "520418000000"),
            ("KB-OFF", "2024", "borrowing_households", "8100")]
    path, query, fragment = _target(upload(client, "plans", file_rows("plans", rows)))
    assert (path, fragment) == (f"/indicators/{kim_bang['office'].id}", "plans-title")
    page = client.get(path).text
    assert "Plans for 2024" in page and "₫520,418,000,000" in page and "8,100" in page
    # with figures of that year the plans are in the scorecard's Plan column
    actual(kim_bang["g1"], "outstanding_loans", 100_000, period=date(2024, 3, 1))
    db.session.commit()
    path, _query, fragment = _target(upload(client, "plans",
                                            file_rows("plans", rows)))
    assert fragment == "scorecard-title"
    page = client.get(path).text
    assert "Plans for 2024" not in page and 'id="ind-borrowing_households"' in page


# --- the index and the organisation pages ----------------------------------------------------

def test_the_index_offers_the_district_dashboards_without_any_plan(client, login, make_user,
                                                                   kim_bang):
    rate(kim_bang["g1"], Grade.GOOD)
    db.session.commit()
    login(make_user("relationship_manager", kim_bang["office"]))
    page = client.get("/indicators/").text
    assert "No plans have been set" not in page
    assert f'href="/indicators/{kim_bang["office"].id}"' in page
    assert f'/indicators/{kim_bang["ln_office"].id}' not in page   # not their district
    # the commune point is not a district of its own
    assert f'href="/indicators/{kim_bang["point"].id}"' not in page


def _links(html):
    found = re.search(r'<ul id="indicator-links"[^>]*>(.*?)</ul>', html, re.S)
    return found.group(1) if found else None


def test_organisation_pages_link_to_their_indicators_and_ratings(client, login, make_user,
                                                                 kim_bang):
    rate(kim_bang["g1"], Grade.FAIR)
    actual(kim_bang["g1"], "outstanding_loans", 100_000)
    plan(kim_bang["office"], "outstanding_loans", 120_000)
    db.session.commit()
    login(make_user("relationship_manager", kim_bang["office"]))
    office_id = kim_bang["office"].id
    links = _links(client.get(f"/organisations/{office_id}").text)
    assert f'href="/indicators/{office_id}"' in links
    assert f'href="/indicators/{office_id}#ratings-title"' in links
    links = _links(client.get(f"/organisations/{kim_bang['g1'].id}").text)
    assert "Rated Fair in August 2023" in links
    assert f'href="/indicators/{office_id}#ratings-title"' in links
    links = _links(client.get(f"/organisations/{kim_bang['union'].id}").text)
    assert f'href="/indicators/{kim_bang["union"].id}#ratings-title"' in links


def test_no_links_for_who_may_not_see_the_figures(client, login, make_user, kim_bang):
    rate(kim_bang["g1"], Grade.GOOD)
    db.session.commit()
    # bank staff of the next district read the directory but not Kim Bảng's figures
    login(make_user("branch_staff", kim_bang["ln_office"]))
    page = client.get(f"/organisations/{kim_bang['office'].id}")
    assert page.status_code == 200
    assert _links(page.text) is None and "/indicators/" not in page.text.split("<main")[-1]
    group_page = client.get(f"/organisations/{kim_bang['g1'].id}")
    assert group_page.status_code == 200 and _links(group_page.text) is None
    # their own district they do see
    assert _links(client.get(f"/organisations/{kim_bang['ln_office'].id}").text) is not None


# --- grades as people write them ----------------------------------------------------------------

@pytest.mark.parametrize(("written", "grade"), [
    ("Tốt", Grade.GOOD), ("tot", Grade.GOOD), ("KHÁ", Grade.FAIR), ("Trung bình", Grade.AVERAGE),
    ("TB", Grade.AVERAGE), ("Yếu", Grade.WEAK), ("خوب", Grade.GOOD),
    ("نسبتا خوب", Grade.FAIR), ("ปานกลาง", Grade.AVERAGE), ("Weak", Grade.WEAK)])
def test_grades_are_read_in_every_language(client, login_as, kim_bang, written, grade):
    login_as("administrator")
    response = upload(client, "ratings",
                      file_rows("ratings", [("KB-G1", "2023-08", written)]))
    assert response.status_code == 302
    assert db.session.scalar(GroupRating.__table__.select().with_only_columns(
        GroupRating.grade)) == grade


def test_an_unknown_grade_lists_the_grades_in_the_readers_language(client, login_as,
                                                                   kim_bang):
    login_as("administrator", preferred_locale="vi")
    response = upload(client, "ratings",
                      file_rows("ratings", [("KB-G1", "2023-08", "xuất sắc")]))
    assert response.status_code == 400
    assert "Tốt (good)" in response.text and "Yếu (weak)" in response.text
    assert count(GroupRating) == 0


def test_the_ratings_template_imports_cleanly(client, login_as, db):
    definitions()
    kb = office("Hà Nam", "Kim Bảng", code="VBSP-KB", name="Kim Bảng district office")
    group("Hà Nam", "Kim Bảng", "Quế", code="VN-KB-G0101", name="Tổ TK&VV số 1 xã Quế")
    db.session.commit()
    login_as("administrator")
    for kind in ("plans", "actuals", "ratings"):
        template = client.get(f"/indicators/import/{kind}/template.csv")
        assert template.status_code == 200
        response = upload(client, kind, template.data.decode("utf-8-sig"))
        assert response.status_code == 302, (kind, response.text[-3000:])
        assert urlsplit(response.headers["Location"]).path == f"/indicators/{kb.id}"
