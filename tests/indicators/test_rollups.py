"""Roll-ups commune → district → province → national, computed in SQL: every level equals the
sum of its children, ratios are weighted by their bases, and only the area's own figures
count. The suite runs on SQLite and on PostgreSQL, so both give these exact numbers."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.core.errors import ValidationError
from portal.extensions import db
from portal.indicators import services
from tests import factories
from tests.indicators.builders import (
    AUG,
    JUL,
    actual,
    csv_rows,
    definitions,
    group,
    office,
    plan,
)


@pytest.fixture()
def network(db):
    """Vietnam: a head office (located in Hà Nội, as in the demo), two provincial branches,
    three district offices and groups in five communes; plus an Iranian group, a group in
    Hà Nội and July figures, none of which may leak into the wrong total."""
    definitions()
    n = {
        "ho": office("Hà Nội", kind=OrgKind.BANK_HEAD_OFFICE, name="Head office"),
        "hanam": office("Hà Nam", name="Hà Nam provincial branch"),
        "thanhhoa": office("Thanh Hóa", name="Thanh Hóa provincial branch"),
        "kimbang": office("Hà Nam", "Kim Bảng", name="Kim Bảng district office"),
        "lynhan": office("Hà Nam", "Lý Nhân", name="Lý Nhân district office"),
        "ngason": office("Thanh Hóa", "Nga Sơn", name="Nga Sơn district office"),
    }
    n["union"] = factories.make_org(OrgKind.MASS_ORGANISATION, province="Hà Nam",
                                    district="Kim Bảng", name="Kim Bảng Women's Union")
    places = {  # group: (province, district, commune, outstanding, parent)
        "a": ("Hà Nam", "Kim Bảng", "Quế", 100, n["union"]),
        "b": ("Hà Nam", "Kim Bảng", "Quế", 20, None),
        "c": ("Hà Nam", "Kim Bảng", "Ba Sao", 3, n["union"]),
        "d": ("Hà Nam", "Lý Nhân", "Nhân Hưng", 4_000, None),
        "e": ("Thanh Hóa", "Nga Sơn", "Nga Thạch", 50_000, None),
        "f": ("Thanh Hóa", "Nga Sơn", "Nga Yên", 600_000, None),
        "g": ("Hà Nội", "Ba Vì", "Tản Lĩnh", 7_000_000, None),
    }
    for key, (province, district, commune, amount, parent) in places.items():
        n[key] = group(province, district, commune, parent=parent)
        actual(n[key], "outstanding_loans", amount)
        actual(n[key], "outstanding_loans", amount * 3, period=JUL)
    n["iran"] = group("تهران", "تهران", "تجریش", country="IR", currency="IRR")
    actual(n["iran"], "outstanding_loans", 80_000_000)
    # bad debt: 1 of 100 in Quế, 90 of 900 in Ba Sao: Kim Bảng 91 of 1,000 (not (1% + 10%) / 2)
    actual(n["a"], "bad_debt_ratio", 1, 100)
    actual(n["c"], "bad_debt_ratio", 90, 900)
    actual(n["d"], "bad_debt_ratio", 9, 1_000)
    # overdue debt in Quế only
    actual(n["a"], "overdue_ratio", 5, 100)
    actual(n["b"], "overdue_ratio", 0, 20)
    actual(n["c"], "overdue_ratio", 0, 3)
    db.session.commit()
    return n


def _sums(rows):
    return {r.place: r.amount for r in rows}


def test_a_district_is_the_sum_of_its_communes(network):
    rows = services.rollup(network["kimbang"], AUG, "outstanding_loans", "commune")
    assert _sums(rows) == {"Quế": 120, "Ba Sao": 3}
    total = _value(network["kimbang"], "outstanding_loans")
    assert total == 123 == sum(r.amount for r in rows)


def test_a_province_is_the_sum_of_its_districts(network):
    districts = services.rollup(network["hanam"], AUG, "outstanding_loans", "district")
    assert _sums(districts) == {"Kim Bảng": 123, "Lý Nhân": 4_000}
    communes = services.rollup(network["hanam"], AUG, "outstanding_loans", "commune")
    assert _sums(communes) == {"Quế": 120, "Ba Sao": 3, "Nhân Hưng": 4_000}
    assert _value(network["hanam"], "outstanding_loans") == 4_123 == \
        sum(r.amount for r in districts) == sum(r.amount for r in communes)
    for district in ("kimbang", "lynhan"):
        org = network[district]
        assert _sums(districts)[org.district] == _value(org, "outstanding_loans")
    assert _sums(services.rollup(network["thanhhoa"], AUG, "outstanding_loans",
                                 "district")) == {"Nga Sơn": 650_000}


def test_the_country_is_the_sum_of_its_provinces(network):
    """The head office stands for the whole country, not for the province it sits in."""
    provinces = services.rollup(network["ho"], AUG, "outstanding_loans", "province")
    assert _sums(provinces) == {"Hà Nam": 4_123, "Thanh Hóa": 650_000, "Hà Nội": 7_000_000}
    national = _value(network["ho"], "outstanding_loans")
    assert national == 7_654_123 == sum(r.amount for r in provinces)
    for province in ("hanam", "thanhhoa"):
        org = network[province]
        assert _sums(provinces)[org.province] == _value(org, "outstanding_loans")
    districts = services.rollup(network["ho"], AUG, "outstanding_loans", "district")
    assert sum(r.amount for r in districts) == national     # the Iranian group is not in it


def test_the_head_office_dashboard_shows_the_national_total_against_its_plan(
        client, login, make_user, network):
    plan(network["ho"], "outstanding_loans", 10_000_000)
    db.session.commit()
    # the ministry that oversees the Vietnamese bank: it reads that network
    login(make_user("ministry_official", factories.make_org(
        OrgKind.MINISTRY, country="VN", currency="VND")))
    html = client.get(f"/indicators/{network['ho'].id}").text
    assert "₫7,654,123" in html and "₫10,000,000" in html and "76.54%" in html
    html = client.get(f"/indicators/{network['hanam'].id}").text
    assert "₫4,123" in html and "₫7,654,123" not in html


def test_ratios_roll_up_weighted_by_their_bases(network):
    communes = {r.place: r for r in services.rollup(network["kimbang"], AUG, "bad_debt_ratio")}
    assert (communes["Quế"].amount, communes["Quế"].base) == (1, 100)
    assert communes["Quế"].ratio == Decimal("0.01")
    assert communes["Ba Sao"].ratio == Decimal("0.1")
    assert _value(network["kimbang"], "bad_debt_ratio") == Decimal("0.091")
    districts = {r.place: r for r in services.rollup(network["hanam"], AUG, "bad_debt_ratio",
                                                      "district")}
    assert districts["Kim Bảng"].ratio == Decimal("0.091")
    assert districts["Lý Nhân"].ratio == Decimal("0.009")
    assert _value(network["hanam"], "bad_debt_ratio") == Decimal("0.05")
    assert _value(network["ho"], "bad_debt_ratio") == Decimal("0.05")


def test_another_month_is_rolled_up_on_its_own(network):
    assert _sums(services.rollup(network["kimbang"], JUL, "outstanding_loans")) == {
        "Quế": 360, "Ba Sao": 9}
    assert _value(network["ho"], "outstanding_loans", JUL) == 3 * 7_654_123
    assert services.periods_for(network["kimbang"]) == [AUG, JUL]


def test_a_union_counts_only_its_own_groups(network):
    """Outside the bank an organisation's area is its subtree, not its district."""
    rows = services.rollup(network["union"], AUG, "outstanding_loans")
    assert _sums(rows) == {"Quế": 100, "Ba Sao": 3}
    assert _value(network["union"], "outstanding_loans") == 103


def test_communes_without_overdue_debt_are_counted(client, login, make_user, network):
    assert services.places_without(network["kimbang"], AUG, "overdue_ratio") == (1, 2)
    assert services.places_without(network["lynhan"], AUG, "overdue_ratio") == (0, 0)
    login(make_user("relationship_manager", network["kimbang"]))
    html = client.get(f"/indicators/{network['kimbang'].id}").text
    assert "1 of 2 communes have no overdue debt." in html


def test_places_of_the_same_name_are_kept_apart(client, login, make_user, network):
    """Vietnam has many communes called Thanh Sơn and districts called Châu Thành."""
    for district, amount in (("Kim Bảng", 7), ("Lý Nhân", 70)):
        org = group("Hà Nam", district, "Thanh Sơn")
        actual(org, "outstanding_loans", amount)
        actual(org, "overdue_ratio", 0 if district == "Kim Bảng" else 1, amount)
    for province, amount in (("Hà Nam", 800), ("Thanh Hóa", 8_000)):
        actual(group(province, "Châu Thành", "Xã Một"), "outstanding_loans", amount)
    db.session.commit()
    communes = services.rollup(network["hanam"], AUG, "outstanding_loans", "commune")
    assert [(r.place, r.within, r.amount) for r in communes if r.place == "Thanh Sơn"] == [
        ("Thanh Sơn", "Kim Bảng", 7), ("Thanh Sơn", "Lý Nhân", 70)]
    assert sum(r.amount for r in communes) == _value(network["hanam"], "outstanding_loans")
    districts = services.rollup(network["ho"], AUG, "outstanding_loans", "district")
    assert sorted((r.place, r.within, r.amount) for r in districts
                  if r.place == "Châu Thành") == [("Châu Thành", "Hà Nam", 800),
                                                  ("Châu Thành", "Thanh Hóa", 8_000)]
    provinces = services.rollup(network["ho"], AUG, "outstanding_loans", "province")
    assert {r.within for r in provinces} == {None}
    # Quế (5 overdue), Thanh Sơn of Lý Nhân (1) and Nhân Hưng (none reported) are not clear;
    # Ba Sao, Thanh Sơn of Kim Bảng are: 2 of the 4 communes that report overdue debt
    assert services.places_without(network["hanam"], AUG, "overdue_ratio") == (2, 4)
    login(make_user("relationship_manager", network["hanam"]))
    html = client.get(f"/indicators/{network['hanam'].id}").text
    for district in ("Kim Bảng", "Lý Nhân"):
        assert ('<bdi>Thanh Sơn</bdi> <span class="small text-body-secondary">· '
                f"<bdi>{district}</bdi></span>") in html
    rows = csv_rows(client.get(f"/indicators/{network['hanam'].id}/export/communes.csv"))
    assert ["Thanh Sơn", "Kim Bảng", "7.00", "0.00"] in rows
    assert ["Thanh Sơn", "Lý Nhân", "70.00", "1.00"] in rows


def test_an_unknown_level_is_refused(network):
    with pytest.raises(ValidationError):
        services.rollup(network["kimbang"], AUG, "outstanding_loans", "village; DROP TABLE")
    with pytest.raises(ValidationError):
        services.places_without(network["kimbang"], AUG, "overdue_ratio", "parent_id")


def _value(org, code, period=AUG):
    return next(r["value"] for r in services.scorecard(org, period)
                if r["indicator"].code == code)


class _Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def _statements(fn):
    counter = _Statements()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
    return counter.count


def test_roll_ups_are_single_sql_statements_whatever_the_size(network):
    """Adding forty groups does not add a query: the sums are GROUP BYs, not Python loops."""
    def work():
        services.rollup(network["ho"], AUG, "outstanding_loans", "province")

    def card():
        services.scorecard(network["hanam"], AUG)

    assert network["ho"].country and network["hanam"].province   # loaded before counting
    assert _statements(work) == 1
    before = _statements(card)
    for i in range(40):
        org = group("Hà Nam", "Kim Bảng", f"Xã {i:02d}")
        actual(org, "outstanding_loans", 1)
        actual(org, "bad_debt_ratio", 0, 1)
    db.session.commit()
    assert network["ho"].country and network["hanam"].province
    assert _statements(work) == 1
    assert _statements(card) == before
    assert _value(network["hanam"], "outstanding_loans") == 4_163
