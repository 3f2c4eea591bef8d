"""Plans and actuals: attainment against plan, traffic lights from each indicator's thresholds
(higher-is-better and lower-is-better), and the administrator's thresholds page."""
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.core.errors import PermissionDenied
from portal.extensions import db
from portal.indicators import services
from portal.indicators.models import Direction, Indicator, Light
from tests.indicators.builders import AUG, actual, definitions, group, office, plan

BADGES = {"On track": "text-bg-success", "Watch": "text-bg-warning",
          "Off track": "text-bg-danger"}


def row_of(html, code):
    """The cells of the scorecard row of one indicator, as text."""
    found = re.search(rf'<tr id="ind-{code}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {code}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def status_of(html, code):
    found = re.search(rf'<tr id="ind-{code}">.*?</tr>', html, re.S).group(0)
    badge = re.search(r'<span class="badge ([^"]+)">([^<]+)</span>', found)
    return None if badge is None else (badge.group(2), badge.group(1))


@pytest.fixture()
def district(db):
    """A district office with plans for 2023 and August actuals on its groups."""
    definitions()
    kb = office("Hà Nam", "Kim Bảng", name="Phòng giao dịch Kim Bảng")
    g1 = group("Hà Nam", "Kim Bảng", "Ba Sao")
    g2 = group("Hà Nam", "Kim Bảng", "Quế")
    plan(kb, "outstanding_loans", 200_000)
    actual(g1, "outstanding_loans", 100_000)
    actual(g2, "outstanding_loans", 50_000)           # 150,000 of 200,000: 75.00%, red
    plan(kb, "borrowing_households", 100)
    actual(g1, "borrowing_households", 60)
    actual(g2, "borrowing_households", 30)            # 90 of 100: 90.00%, amber
    plan(kb, "loan_growth_ytd", 1_000)
    actual(g1, "loan_growth_ytd", 950)                # 95.00% ≥ 90%: green
    plan(kb, "capital_mobilised", 1_000)
    actual(g1, "group_savings", 250)
    actual(g2, "group_savings", 150)
    actual(kb, "deposits", 500)                       # capital 900 of 1,000: 90.00%, amber
    actual(g1, "bad_debt_ratio", 3, 1_000)
    actual(g2, "bad_debt_ratio", 0, 1_000)            # 0.15% ≤ 0.2%: green
    actual(g1, "overdue_ratio", 6, 1_000)
    actual(g2, "overdue_ratio", 0, 1_000)             # 0.30%: between 0.1% and 0.4%, amber
    actual(g1, "collection_rate", 50, 60)
    actual(g2, "collection_rate", 30, 40)             # 80 of 100: 80.00% < 85%, red
    # another district's groups and another month count for nothing here
    other = group("Hà Nam", "Lý Nhân", "Nhân Hưng")
    actual(other, "outstanding_loans", 9_999_999)
    actual(g1, "outstanding_loans", 7_777_777, period=AUG.replace(month=7))
    db.session.commit()
    return kb, g1, g2


def test_attainment_is_actual_over_the_plan_of_the_same_year(district):
    kb, _g1, _g2 = district
    rows = {r["indicator"].code: r for r in services.scorecard(kb, AUG)}
    assert rows["outstanding_loans"]["value"] == 150_000
    assert rows["outstanding_loans"]["plan"] == 200_000
    assert rows["outstanding_loans"]["attainment"] == Decimal("0.75")  # exact
    assert rows["borrowing_households"]["attainment"] == Decimal("0.9")  # exact
    assert rows["capital_mobilised"]["value"] == 900       # savings through groups + deposits
    assert rows["capital_mobilised"]["attainment"] == Decimal("0.9")  # exact
    assert rows["group_savings"]["value"] == 400 and rows["deposits"]["value"] == 500
    assert rows["bad_debt_ratio"]["value"] == Decimal("0.0015")  # exact
    assert rows["collection_rate"]["value"] == Decimal("0.8")  # exact
    assert "disbursement_rate" not in rows                  # neither reported nor planned


def test_the_dashboard_shows_actual_plan_attainment_and_light(client, login, make_user,
                                                              district):
    kb, _g1, _g2 = district
    login(make_user("relationship_manager", kb))
    html = client.get(f"/indicators/{kb.id}").text
    assert row_of(html, "outstanding_loans")[:4] == [
        "Outstanding loans", "₫150,000", "₫200,000", "75.00%"]
    assert status_of(html, "outstanding_loans") == ("Off track", BADGES["Off track"])
    assert row_of(html, "borrowing_households")[1:4] == ["90", "100", "90.00%"]
    assert status_of(html, "borrowing_households") == ("Watch", BADGES["Watch"])
    assert status_of(html, "loan_growth_ytd") == ("On track", BADGES["On track"])
    assert row_of(html, "capital_mobilised")[1:4] == ["₫900", "₫1,000", "90.00%"]
    assert status_of(html, "capital_mobilised") == ("Watch", BADGES["Watch"])
    # the components are listed with their amounts but judged only through their parent
    assert row_of(html, "group_savings")[1] == "₫400" and status_of(html, "group_savings") is None
    assert row_of(html, "deposits")[1] == "₫500" and status_of(html, "deposits") is None


def test_lower_is_better_ratios_turn_red_as_they_rise(client, login, make_user, district):
    kb, g1, _g2 = district
    login(make_user("relationship_manager", kb))
    html = client.get(f"/indicators/{kb.id}").text
    assert row_of(html, "bad_debt_ratio")[1:4] == ["0.15%", "—", "—"]
    assert status_of(html, "bad_debt_ratio")[0] == "On track"
    assert row_of(html, "overdue_ratio")[1] == "0.30%"
    assert status_of(html, "overdue_ratio")[0] == "Watch"
    assert row_of(html, "collection_rate")[1] == "80.00%"          # higher is better: red
    assert status_of(html, "collection_rate")[0] == "Off track"
    # more bad debt: 7 of 2,000 = 0.35% is watched, 12 of 2,000 = 0.60% is off track
    ratio = db.session.scalar(sa.select(Indicator).where(Indicator.code == "bad_debt_ratio"))
    row = db.session.execute(sa.text(
        "UPDATE indicator_actual SET amount = 7 WHERE organisation_id = :o AND "
        "indicator_id = :i"), {"o": g1.id, "i": ratio.id})
    assert row.rowcount == 1
    db.session.commit()
    html = client.get(f"/indicators/{kb.id}").text
    assert row_of(html, "bad_debt_ratio")[1] == "0.35%"
    assert status_of(html, "bad_debt_ratio")[0] == "Watch"
    db.session.execute(sa.text("UPDATE indicator_actual SET amount = 12 WHERE "
                               "organisation_id = :o AND indicator_id = :i"),
                       {"o": g1.id, "i": ratio.id})
    db.session.commit()
    html = client.get(f"/indicators/{kb.id}").text
    assert row_of(html, "bad_debt_ratio")[1] == "0.60%"
    assert status_of(html, "bad_debt_ratio")[0] == "Off track"


def test_a_plan_of_another_year_gives_no_attainment(client, login, make_user, db):
    definitions()
    kb = office("Hà Nam", "Kim Bảng")
    g = group("Hà Nam", "Kim Bảng", "Quế")
    plan(kb, "outstanding_loans", 200_000, year=2022)
    plan(kb, "borrowing_households", 50)              # planned, nothing reported yet
    actual(g, "outstanding_loans", 150_000)
    db.session.commit()
    rows = {r["indicator"].code: r for r in services.scorecard(kb, AUG)}
    assert rows["outstanding_loans"]["plan"] is None
    assert rows["outstanding_loans"]["attainment"] is None
    assert rows["outstanding_loans"]["light"] is None
    assert rows["borrowing_households"]["value"] is None
    assert rows["borrowing_households"]["plan"] == 50
    login(make_user("administrator"))
    html = client.get(f"/indicators/{kb.id}").text
    assert row_of(html, "outstanding_loans")[1:] == ["₫150,000", "—", "—", ""]
    assert row_of(html, "borrowing_households")[1:] == ["—", "50", "—", ""]


def test_a_ratio_over_a_zero_base_shows_no_value_and_no_light(client, login, make_user, db):
    definitions()
    kb = office("Hà Nam", "Kim Bảng")
    g = group("Hà Nam", "Kim Bảng", "Quế")
    actual(g, "collection_rate", 0, 0)
    plan(kb, "outstanding_loans", 0)                  # a zero plan cannot be attained
    actual(g, "outstanding_loans", 10)
    db.session.commit()
    rows = {r["indicator"].code: r for r in services.scorecard(kb, AUG)}
    assert rows["collection_rate"]["value"] is None and rows["collection_rate"]["light"] is None
    assert rows["outstanding_loans"]["attainment"] is None
    assert services.rollup(kb, AUG, "collection_rate")[0].ratio is None
    login(make_user("relationship_manager", kb))
    html = client.get(f"/indicators/{kb.id}").text
    assert row_of(html, "collection_rate")[1:] == ["—", "—", "—", ""]
    assert row_of(html, "outstanding_loans")[1:] == ["₫10", "₫0", "—", ""]


@pytest.mark.parametrize(("direction", "green", "amber", "score", "light"), [
    (Direction.HIGHER_IS_BETTER, 0.95, 0.85, 0.95, Light.GREEN),     # the boundary is green
    (Direction.HIGHER_IS_BETTER, 0.95, 0.85, 0.9499, Light.AMBER),
    (Direction.HIGHER_IS_BETTER, 0.95, 0.85, 0.85, Light.AMBER),
    (Direction.HIGHER_IS_BETTER, 0.95, 0.85, 0.8499, Light.RED),
    (Direction.HIGHER_IS_BETTER, 0.95, 0.85, 1.2, Light.GREEN),
    (Direction.LOWER_IS_BETTER, 0.002, 0.004, 0.0, Light.GREEN),
    (Direction.LOWER_IS_BETTER, 0.002, 0.004, 0.002, Light.GREEN),
    (Direction.LOWER_IS_BETTER, 0.002, 0.004, 0.0021, Light.AMBER),
    (Direction.LOWER_IS_BETTER, 0.002, 0.004, 0.004, Light.AMBER),
    (Direction.LOWER_IS_BETTER, 0.002, 0.004, 0.0041, Light.RED),
    (Direction.LOWER_IS_BETTER, 0.002, 0.004, None, None),
])
def test_light_follows_thresholds_and_direction(direction, green, amber, score, light):
    indicator = Indicator(code="x", direction=direction, green_at=green, amber_at=amber)
    assert indicator.light(score) == light


def _post_thresholds(client, code, green, amber, version=None):
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.code == code))
    return client.post("/indicators/definitions", data={
        "indicator_id": indicator.id, "green_at": green, "amber_at": amber,
        "version_id": indicator.version_id if version is None else version})


def test_administrator_thresholds_change_the_colour_shown(client, login, make_user, district):
    kb, _g1, _g2 = district
    admin = login(make_user("administrator"))
    page = client.get("/indicators/definitions")
    assert page.status_code == 200
    assert 'value="95"' in page.text and 'value="85"' in page.text
    assert status_of(client.get(f"/indicators/{kb.id}").text, "outstanding_loans")[0] == \
        "Off track"
    response = _post_thresholds(client, "outstanding_loans", "75", "60")
    assert response.status_code == 302
    html = client.get(f"/indicators/{kb.id}").text
    assert status_of(html, "outstanding_loans") == ("On track", BADGES["On track"])  # 75% ≥ 75%
    # other indicators keep their own thresholds
    assert status_of(html, "borrowing_households")[0] == "Watch"
    assert _post_thresholds(client, "outstanding_loans", "90", "80").status_code == 302
    assert status_of(client.get(f"/indicators/{kb.id}").text, "outstanding_loans")[0] == \
        "Off track"
    # a lower-is-better ratio: 0.15% is off track once green ends at 0.1% and amber at 0.12%
    assert _post_thresholds(client, "bad_debt_ratio", "0.1", "0.12").status_code == 302
    assert status_of(client.get(f"/indicators/{kb.id}").text, "bad_debt_ratio")[0] == \
        "Off track"
    entries = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "indicator_thresholds_set").order_by(AuditEntry.id)).all()
    assert [e.actor_id for e in entries] == [admin.id] * 3
    assert entries[0].before == {"green_at": "0.950000", "amber_at": "0.850000"}
    assert entries[0].after == {"green_at": "0.75", "amber_at": "0.6"}


@pytest.mark.parametrize(("code", "green", "amber"), [
    ("outstanding_loans", "80", "90"),      # higher is better: amber must not be above green
    ("bad_debt_ratio", "0.4", "0.2"),       # lower is better: amber must not be below green
])
def test_thresholds_in_the_wrong_order_are_refused(client, login, make_user, district, code,
                                                   green, amber):
    login(make_user("administrator"))
    before = db.session.scalar(sa.select(Indicator).where(Indicator.code == code))
    kept = (before.green_at, before.amber_at)
    response = _post_thresholds(client, code, green, amber)
    assert response.status_code == 400
    assert "The amber threshold must lie between red and green." in response.text
    db.session.expire_all()
    after = db.session.scalar(sa.select(Indicator).where(Indicator.code == code))
    assert (after.green_at, after.amber_at) == kept


def test_the_definitions_page_only_reads(client, login, make_user):
    """The standard indicators are reference data (written by the migrations); opening the
    page does not create them, even where they are missing."""
    db.session.execute(sa.delete(Indicator))
    db.session.commit()
    login(make_user("administrator"))
    page = client.get("/indicators/definitions")
    assert page.status_code == 200 and "Outstanding loans" not in page.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Indicator)) == 0


def test_thresholds_of_an_unknown_indicator_are_not_found(client, login, make_user, district):
    login(make_user("administrator"))
    response = client.post("/indicators/definitions", data={
        "indicator_id": "999999", "green_at": "90", "amber_at": "80"})
    assert response.status_code == 404


def test_thresholds_that_are_not_numbers_are_refused(client, login, make_user, district):
    login(make_user("administrator"))
    response = _post_thresholds(client, "outstanding_loans", "lots", "85")
    assert response.status_code == 400
    assert "Enter the thresholds as percentages." in response.text
    indicator = db.session.scalar(sa.select(Indicator).where(
        Indicator.code == "outstanding_loans"))
    assert indicator.green_at == Decimal("0.95")


def test_a_stale_thresholds_form_is_refused_and_keeps_the_newer_change(client, login,
                                                                        make_user, district):
    login(make_user("administrator"))
    indicator = db.session.scalar(sa.select(Indicator).where(
        Indicator.code == "outstanding_loans"))
    loaded = indicator.version_id
    assert _post_thresholds(client, "outstanding_loans", "90", "80", loaded).status_code == 302
    response = _post_thresholds(client, "outstanding_loans", "70", "60", loaded)
    assert response.status_code == 409
    assert "Someone else changed this first." in response.text
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).green_at == Decimal("0.9")


@pytest.mark.parametrize("role", ["relationship_manager", "branch_staff", "union_director",
                                  "ministry_official"])
def test_only_administrators_set_thresholds(client, login, make_user, district, role):
    kb, _g1, _g2 = district
    user = login(make_user(role, kb if role != "ministry_official" else None))
    assert client.get("/indicators/definitions").status_code == 403
    assert _post_thresholds(client, "outstanding_loans", "10", "5").status_code == 403
    indicator = db.session.scalar(sa.select(Indicator).where(
        Indicator.code == "outstanding_loans"))
    assert (indicator.green_at, indicator.amber_at) == (Decimal("0.95"), Decimal("0.85"))
    with pytest.raises(PermissionDenied):
        services.set_thresholds(user, indicator, 0.1, 0.05)


def test_anonymous_visitors_are_sent_to_sign_in(client, district):
    response = client.post("/indicators/definitions", data={"green_at": "1", "amber_at": "0"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
