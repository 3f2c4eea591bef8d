"""Group ratings: the distribution per district (count and percentage), its change since the
last month, and the groups that fell a grade (a group that rose, kept its grade or was not
rated last month is not listed)."""
import re
from datetime import date

import pytest

from portal.accounts.models import OrgKind
from portal.indicators import services
from portal.indicators.models import Grade
from tests import factories
from tests.indicators.builders import AUG, JUL, actual, csv_rows, group, office, rate, xlsx_rows

# group: (commune, July, August); None = not rated that month
GRADES = {
    0: ("Quế", "good", "good"), 1: ("Quế", "good", "good"), 2: ("Quế", "good", "good"),
    3: ("Ba Sao", "good", "good"), 4: ("Ba Sao", "good", "good"),
    5: ("Quế", "fair", "good"),          # rose
    6: ("Ba Sao", "fair", "fair"),       # kept its grade
    7: ("Ba Sao", "good", "fair"),       # fell one grade
    8: ("Quế", "good", "weak"),          # fell three grades
    9: ("Quế", None, "average"),         # new this month
}


@pytest.fixture()
def rated(db):
    kb = office("Hà Nam", "Kim Bảng", name="Kim Bảng district office")
    union = factories.make_org(OrgKind.MASS_ORGANISATION, province="Hà Nam",
                               district="Kim Bảng", name="Kim Bảng Farmers' Association")
    groups = {}
    for i, (commune, july, august) in GRADES.items():
        groups[i] = group("Hà Nam", "Kim Bảng", commune, name=f"Tổ số {i}", code=f"KB-G{i}",
                          parent=union if i in (7, 9) else None)
        if july:
            rate(groups[i], july, JUL)
        rate(groups[i], august, AUG)
    actual(groups[0], "outstanding_loans", 1_000)
    # a group of another district that fell, and a Kim Bảng group rated in June only
    elsewhere = group("Hà Nam", "Lý Nhân", "Nhân Hưng", name="Tổ Lý Nhân")
    rate(elsewhere, "good", JUL)
    rate(elsewhere, "weak", AUG)
    june = group("Hà Nam", "Kim Bảng", "Quế", name="Tổ tháng sáu")
    rate(june, "good", date(2023, 6, 1))
    db.session.commit()
    return kb, union, groups


def test_the_distribution_counts_and_shares_the_districts_groups(rated):
    kb, _union, _groups = rated
    found = services.grade_distribution(kb, AUG)
    assert [(g, n) for g, n, _s in found] == [(Grade.GOOD, 6), (Grade.FAIR, 2),
                                              (Grade.AVERAGE, 1), (Grade.WEAK, 1)]
    assert [s for _g, _n, s in found] == pytest.approx([0.6, 0.2, 0.1, 0.1], abs=1e-12)
    july = services.grade_distribution(kb, JUL)
    assert [(n, round(s, 6)) for _g, n, s in july] == [(7, round(7 / 9, 6)),
                                                       (2, round(2 / 9, 6)), (0, 0), (0, 0)]


def test_the_change_from_last_month_per_grade(rated):
    kb, _union, _groups = rated
    summary, total = services.rating_summary(kb, AUG)
    assert total == 10
    assert [(r["grade"], r["count"], r["change"]) for r in summary] == [
        (Grade.GOOD, 6, -1), (Grade.FAIR, 2, 0), (Grade.AVERAGE, 1, 1), (Grade.WEAK, 1, 1)]
    july, total = services.rating_summary(kb, JUL)     # June: one group, rated good
    assert total == 9 and [r["change"] for r in july] == [6, 2, 0, 0]


def test_with_no_ratings_last_month_there_is_no_change_to_show(client, login, make_user, db):
    kb = office("Hà Nam", "Kim Bảng")
    g = group("Hà Nam", "Kim Bảng", "Quế")
    rate(g, "fair")
    actual(g, "outstanding_loans", 5)
    db.session.commit()
    summary, total = services.rating_summary(kb, AUG)
    assert total == 1 and [r["change"] for r in summary] == [None] * 4
    login(make_user("relationship_manager", kb))
    html = client.get(f"/indicators/{kb.id}").text
    assert _cells(html, "grade-fair") == ["Fair", "1", "100.00%", "—"]
    assert "No group fell a grade since last month." in html
    rows = csv_rows(client.get(f"/indicators/{kb.id}/export/ratings.csv"))
    assert rows[2] == ["Fair", "1", "1.0", ""]


def test_the_groups_that_fell_a_grade(rated):
    kb, _union, groups = rated
    fell = services.fell_a_grade(kb, AUG)
    assert [(o.name, before, now) for o, before, now in fell] == [
        ("Tổ số 7", Grade.GOOD, Grade.FAIR),      # Ba Sao before Quế
        ("Tổ số 8", Grade.GOOD, Grade.WEAK)]
    assert services.fell_a_grade(kb, JUL) == []


def test_the_dashboard_shows_distribution_change_and_fallen_groups(client, login, make_user,
                                                                   rated):
    kb, _union, _groups = rated
    login(make_user("branch_staff", kb))
    html = client.get(f"/indicators/{kb.id}?period=2023-08").text
    assert _cells(html, "grade-good") == ["Good", "6", "60.00%", "-1"]
    assert _cells(html, "grade-fair") == ["Fair", "2", "20.00%", "0"]
    assert _cells(html, "grade-average") == ["Average", "1", "10.00%", "+1"]
    assert _cells(html, "grade-weak") == ["Weak", "1", "10.00%", "+1"]
    assert "10 groups rated in" in html
    fell = re.search(r'<ul id="fell">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", fell) == ["<bdi>Tổ số 7</bdi> — Good → Fair",
                                                  "<bdi>Tổ số 8</bdi> — Good → Weak"]
    for name in ("Tổ số 5", "Tổ số 6", "Tổ số 9", "Tổ Lý Nhân"):
        assert name not in fell
    # the chart of the distribution has the shares as its accessible titles
    assert "<title>\u2068Good\u2069: 60.00%</title>" in html


def test_the_ratings_and_fallen_groups_export(client, login, make_user, rated):
    kb, _union, _groups = rated
    login(make_user("relationship_manager", kb))
    rows = csv_rows(client.get(f"/indicators/{kb.id}/export/ratings.csv?period=2023-08"))
    assert rows == [["Rating", "Groups", "Share", "Change since last month"],
                    ["Good", "6", "0.6", "-1"], ["Fair", "2", "0.2", "0"],
                    ["Average", "1", "0.1", "1"], ["Weak", "1", "0.1", "1"]]
    sheet = xlsx_rows(client.get(f"/indicators/{kb.id}/export/fell.xlsx?period=2023-08"))
    assert sheet == [["Code", "Group", "Commune", "Rating last month", "Rating this month"],
                     ["KB-G7", "Tổ số 7", "Ba Sao", "Good", "Fair"],
                     ["KB-G8", "Tổ số 8", "Quế", "Good", "Weak"]]
    july = csv_rows(client.get(f"/indicators/{kb.id}/export/fell.csv?period=2023-07"))
    assert july == [["Code", "Group", "Commune", "Rating last month", "Rating this month"]]


def test_a_union_sees_the_ratings_of_its_own_groups(client, login, make_user, rated):
    _kb, union, _groups = rated
    summary, total = services.rating_summary(union, AUG)
    assert total == 2 and [r["count"] for r in summary] == [0, 1, 1, 0]
    assert [o.name for o, _b, _n in services.fell_a_grade(union, AUG)] == ["Tổ số 7"]
    login(make_user("union_director", union))
    html = client.get(f"/indicators/{union.id}?period=2023-08").text
    assert _cells(html, "grade-fair")[:3] == ["Fair", "1", "50.00%"]
    assert "<bdi>Tổ số 7</bdi> — Good → Fair" in html and "Tổ số 8" not in html


def test_the_change_crosses_the_new_year(client, login, make_user, db):
    kb = office("Hà Nam", "Kim Bảng")
    down, up = group("Hà Nam", "Kim Bảng", "Quế", name="Tổ xuống"), \
        group("Hà Nam", "Kim Bảng", "Quế", name="Tổ lên")
    december, january = date(2022, 12, 1), date(2023, 1, 1)
    rate(down, "fair", december)
    rate(down, "average", january)
    rate(up, "weak", december)
    rate(up, "average", january)
    actual(down, "outstanding_loans", 1, period=january)
    db.session.commit()
    assert services.previous_month(january) == december
    assert [o.name for o, _b, _n in services.fell_a_grade(kb, january)] == ["Tổ xuống"]
    summary, _total = services.rating_summary(kb, january)
    assert [r["change"] for r in summary] == [0, -1, 2, -1]
    login(make_user("relationship_manager", kb))
    html = client.get(f"/indicators/{kb.id}").text
    assert "<bdi>Tổ xuống</bdi> — Fair → Average" in html and "Tổ lên —" not in html


def _cells(html, row_id):
    found = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert found, f"no row {row_id}"
    return [re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)]
