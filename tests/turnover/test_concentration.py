"""Other banks and the Herfindahl-Hirschman index, the sector level, and quarters."""
import re
from datetime import date

import pytest

from portal.accounts.models import Organisation, OrgKind, Sector
from portal.core.textnorm import search_key
from portal.turnover import concentration
from portal.turnover.models import TurnoverOtherBank
from portal.turnover.windows import Window, parse_window
from tests import factories
from tests.statements import captured
from tests.turnover.helpers import AUG, JUL, close_period, count, make_report, open_period

ADMIN_ORG_KIND = OrgKind.BANK_HEAD_OFFICE


def _other(db, report, name, amount):
    db.session.add(TurnoverOtherBank(report_id=report.id, bank_name=name,
                                     bank_key=search_key(name), amount=amount))
    db.session.commit()


def _text(response):
    html = response if isinstance(response, str) else response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _hhi(amounts):
    total = sum(amounts)
    return sum((100 * a / total) ** 2 for a in amounts)


@pytest.fixture()
def three_unions(db):
    period = open_period("IR", AUG)
    a, b, c = (factories.make_org(OrgKind.NATIONAL_UNION, code=f"IR-UN-H{i}") for i in range(3))
    db.session.commit()
    ra = make_report(a, period, 1000, 500)
    rb = make_report(b, period, 1000, 200)
    make_report(c, period, 1000, 900)  # names no other bank: outside the index
    # one bank spelled three ways (Arabic and Persian yeh, case, spaces) adds up as one
    _other(db, ra, "بانک ملی", 300)
    _other(db, ra, "Bank Sepah", 100)
    _other(db, rb, "بانك ملي", 600)
    return period, ra, rb


def test_the_index_is_computed_over_the_reports_that_named_other_banks(
        client, login_as, three_unions):
    admin = login_as("administrator")
    [result] = concentration.concentration(admin, Window("IR", AUG))
    by_name = {search_key(b.name) or "this bank": b.amount for b in result.banks}
    assert by_name == {"this bank": 700, search_key("بانک ملی"): 900, "bank sepah": 100}
    assert result.organisations == 2
    assert result.hhi == pytest.approx(_hhi([700, 900, 100]), abs=0.05)
    assert result.band == "high"

    page = client.get("/turnover/?window=IR-2025-08")
    assert page.status_code == 200
    assert re.search(r'id="hhi-IRR">4,533<', page.get_data(as_text=True))
    assert "highly concentrated" in _text(page)

    export = client.get("/turnover/export/banks.csv?window=IR-2025-08")
    lines = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert any(line.startswith("IRR,This bank,700,0.4118,4532.9") for line in lines)
    assert len(lines) == 4


def test_persian_dashboard_shows_the_index_in_persian_digits(client, login_as, three_unions):
    login_as("ministry_official", preferred_locale="fa")
    page = client.get("/turnover/?window=IR-2025-08")
    assert page.status_code == 200
    assert re.search(r'id="hhi-IRR">۴٬۵۳۳<', page.get_data(as_text=True))


def test_a_union_director_sees_only_their_own_banks(client, login_as, three_unions):
    _period, ra, _rb = three_unions
    director = login_as("union_director", ra.organisation)
    [result] = concentration.concentration(director, Window("IR", AUG))
    assert {b.amount for b in result.banks} == {500, 300, 100}


def test_director_adds_replaces_and_removes_an_other_bank(client, login_as, db, three_unions):
    _period, ra, _rb = three_unions
    login_as("union_director", ra.organisation)
    url = f"/turnover/reports/{ra.id}/other-banks"
    assert client.post(url, data={"bank_name": "Bank Mellat", "amount": "50"}).status_code == 302
    assert client.post(url, data={"bank_name": "bank  MELLAT", "amount": "60"}).status_code \
        == 302
    rows = {r.bank_name: r.amount for r in db.session.get(type(ra), ra.id).other_banks}
    assert rows == {"بانک ملی": 300, "Bank Sepah": 100, "bank MELLAT": 60}  # spaces folded
    page = client.get(f"/turnover/reports/{ra.id}")
    assert "bank MELLAT" in _text(page)
    row = next(r for r in db.session.get(type(ra), ra.id).other_banks if r.amount == 60)
    assert client.post(f"{url}/{row.id}/delete").status_code == 302
    assert count(TurnoverOtherBank) == 3


def test_more_than_the_total_is_refused_and_the_typed_values_kept(client, login_as, db,
                                                                   three_unions):
    _period, ra, _rb = three_unions
    login_as("union_director", ra.organisation)
    # 500 through the bank + 400 at others already: 101 more would exceed the 1,000 total
    response = client.post(f"/turnover/reports/{ra.id}/other-banks",
                           data={"bank_name": "Bank Tejarat", "amount": "101"})
    assert response.status_code == 400
    text = _text(response)
    assert "cannot exceed the total turnover" in text
    assert 'value="Bank Tejarat"' in response.get_data(as_text=True)
    assert 'value="101"' in response.get_data(as_text=True)
    assert count(TurnoverOtherBank) == 3


def test_a_closed_period_refuses_other_banks(client, login_as, db, three_unions):
    _period, ra, _rb = three_unions
    close_period("IR", AUG)
    login_as("administrator")
    response = client.post(f"/turnover/reports/{ra.id}/other-banks",
                           data={"bank_name": "Bank Tejarat", "amount": "1"})
    assert response.status_code == 400
    assert "is closed" in _text(response)
    row = db.session.get(type(ra), ra.id).other_banks[0]
    assert client.post(f"/turnover/reports/{ra.id}/other-banks/{row.id}/delete").status_code \
        == 400
    assert count(TurnoverOtherBank) == 3


def test_other_organisations_and_the_ministry_cannot_touch_them(client, login_as, db,
                                                                three_unions):
    _period, ra, rb = three_unions
    login_as("union_director", rb.organisation)
    assert client.post(f"/turnover/reports/{ra.id}/other-banks",
                       data={"bank_name": "X", "amount": "1"}).status_code == 404
    row = db.session.get(type(ra), ra.id).other_banks[0]
    assert client.post(f"/turnover/reports/{ra.id}/other-banks/{row.id}/delete").status_code \
        == 404
    # a row of another report cannot be removed through one's own report either
    assert client.post(f"/turnover/reports/{rb.id}/other-banks/{row.id}/delete").status_code \
        == 404
    login_as("ministry_official")
    assert client.post(f"/turnover/reports/{ra.id}/other-banks",
                       data={"bank_name": "X", "amount": "1"}).status_code == 403
    assert count(TurnoverOtherBank) == 3


def test_without_other_banks_the_dashboard_says_so(client, login_as, db):
    period = open_period("IR", AUG)
    make_report(factories.make_org(OrgKind.NATIONAL_UNION), period, 100, 50)
    login_as("administrator")
    page = client.get("/turnover/")
    assert "No organisation has reported its turnover at other banks" in _text(page)


# --- sectors ---------------------------------------------------------------------------------

def test_the_share_by_sector_counts_cooperatives_in_their_unions_sector(client, login_as, db):
    period = open_period("IR", AUG)
    carpets = factories.make_org(OrgKind.NATIONAL_UNION, sector=Sector.HANDICRAFTS)
    nain = factories.make_org(OrgKind.COOPERATIVE, parent=carpets)  # inherits handicraft
    housing = factories.make_org(OrgKind.NATIONAL_UNION, sector=Sector.HOUSING)
    loose = factories.make_org(OrgKind.COOPERATIVE)
    db.session.commit()
    make_report(carpets, period, 1000, 300)
    make_report(nain, period, 1000, 500)
    make_report(housing, period, 400, 100)
    make_report(loose, period, 10, 10)
    login_as("administrator")
    page = client.get("/turnover/?level=sector")
    html = page.get_data(as_text=True)
    table = _text(html[html.index('id="shares-table"'):])
    assert "Handicrafts IRR 2,000 IRR 800 40.00%" in table
    assert "Housing IRR 400 IRR 100 25.00%" in table
    assert "No sector given IRR 10 IRR 10 100.00%" in table
    export = client.get("/turnover/export/shares.csv?level=sector")
    assert "Handicrafts,IRR,2000,800,0.4,2" in export.get_data(as_text=True)


def test_an_administrator_sets_a_sector_on_an_organisation(client, login_as, db):
    org = factories.make_org(OrgKind.NATIONAL_UNION)
    db.session.commit()
    login_as("administrator")
    form = client.get(f"/organisations/{org.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version_id"[^>]*value="(\d+)"', form).group(1)
    response = client.post(f"/organisations/{org.id}/edit", data={
        "version_id": version, "code": org.code, "name": org.name, "kind": "national_union",
        "parent_id": "", "country": "IR", "currency": "IRR", "sector": "agriculture"})
    assert response.status_code == 302
    assert db.session.get(type(org), org.id).sector == Sector.AGRICULTURE
    assert "Agriculture" in _text(client.get(f"/organisations/{org.id}"))


# --- quarters --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("IR-2025-Q3", Window("IR", date(2025, 7, 1), 3)),
    ("ir-2025-q1", Window("IR", date(2025, 1, 1), 3)),
    ("VN-2023-08", Window("VN", date(2023, 8, 1), 1)),
    ("IR-2025-Q5", None), ("IR-2025-13", None), ("IR-2025", None), ("2025-08", None),
    ("", None), (None, None), ("IR-2025-08-01", None),
])
def test_windows_are_parsed_strictly(text, expected):
    assert parse_window(text) == expected


def test_the_quarter_before_the_first_is_the_last_of_the_year_before():
    assert Window("IR", date(2025, 1, 1), 3).previous() == Window("IR", date(2024, 10, 1), 3)
    assert Window("IR", date(2025, 1, 1), 3).months == [date(2025, 1, 1), date(2025, 2, 1),
                                                        date(2025, 3, 1)]


def test_a_quarter_adds_up_its_months_and_compares_with_the_quarter_before(
        client, login_as, db):
    union = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه آزمون")
    db.session.commit()
    # Q2 2025: 20% in the bank; Q3: July 30%, August 50%, September 70% of equal totals
    for month, bank in ((date(2025, 4, 1), 200), (date(2025, 5, 1), 200),
                        (date(2025, 6, 1), 200), (JUL, 300), (AUG, 500),
                        (date(2025, 9, 1), 700)):
        make_report(union, open_period("IR", month), 1000, bank)
    login_as("administrator")
    page = client.get("/turnover/?window=IR-2025-Q3&level=organisation")
    assert page.status_code == 200
    text = _text(page)
    assert "اتحادیه آزمون IRR 3,000 IRR 1,500 50.00%" in text  # the quarter, not one month
    assert "+30.00%" in text  # up from 20% in the quarter before
    assert 'value="IR-2025-Q3" selected' in page.get_data(as_text=True)
    trend = client.get("/turnover/export/trend.csv?window=IR-2025-Q3").get_data(as_text=True)
    assert trend.lstrip("\ufeff").splitlines()[1:] == ["2025-04,IRR,3000,600,0.2",
                                                       "2025-07,IRR,3000,1500,0.5"]
    reports = client.get("/turnover/export/reports.csv?window=IR-2025-Q3").get_data(
        as_text=True)
    assert [line.split(",")[2] for line in reports.splitlines()[1:]] == \
        ["2025-07", "2025-08", "2025-09"]


def test_a_window_outside_what_the_user_may_read_falls_back_to_the_latest_month(
        client, login_as, db):
    union = factories.make_org(OrgKind.NATIONAL_UNION)
    db.session.commit()
    make_report(union, open_period("IR", AUG), 1000, 400)
    login_as("administrator")
    page = client.get("/turnover/?window=VN-2023-Q3")
    assert page.status_code == 200
    assert 'value="IR-2025-08" selected' in page.get_data(as_text=True)


# --- a union's monthly report ----------------------------------------------------------------

def test_a_unions_report_adds_up_its_members_and_compares_with_last_month(
        client, login_as, db):
    carpets = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه فرش")
    nain = factories.make_org(OrgKind.COOPERATIVE, parent=carpets, name="تعاونی نائین")
    other = factories.make_org(OrgKind.NATIONAL_UNION, name="اتحادیه مسکن")
    db.session.commit()
    for month, (union_bank, coop_bank) in ((JUL, (300, 100)), (AUG, (500, 300))):
        period = open_period("IR", month)
        make_report(carpets, period, 1000, union_bank)
        make_report(nain, period, 1000, coop_bank)
        make_report(other, period, 1000, 900)
    login_as("union_director", carpets)
    page = client.get(f"/turnover/unions/{carpets.id}/report?window=IR-2025-08")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'id="union-share-IRR">40.00%<', html)  # (500 + 300) / 2000
    members = _text(html[html.index('id="members-table"'):])
    assert "اتحادیه فرش IRR 1,000 IRR 500 50.00% 30.00% 20.00%" in members
    assert "تعاونی نائین IRR 1,000 IRR 300 30.00% 10.00% 20.00%" in members
    assert "اتحادیه مسکن" not in html  # another union's figures
    trend = _text(html[html.index('id="union-trend-table"'):html.index('id="members-table"')])
    assert "July 2025 IRR 2,000 IRR 400 20.00%" in trend


def test_a_director_cannot_read_another_unions_report(client, login_as, db):
    carpets = factories.make_org(OrgKind.NATIONAL_UNION)
    other = factories.make_org(OrgKind.NATIONAL_UNION)
    db.session.commit()
    make_report(other, open_period("IR", AUG), 1000, 900)
    login_as("union_director", carpets)
    assert client.get(f"/turnover/unions/{other.id}/report").status_code == 404
    login_as("ministry_official")
    assert client.get(f"/turnover/unions/{other.id}/report").status_code == 200


def test_the_kept_dashboard_figures_end_when_a_report_names_another_bank(
        client, login_as, three_unions):
    """The dashboard's sums are kept per reader scope (portal/core/versions.py): a second
    reader is served the kept figures, and a write to the reports ends them for everyone."""
    _period, ra, _rb = three_unions
    login_as("ministry_official")
    first = client.get("/turnover/?window=IR-2025-08").get_data(as_text=True)
    assert re.search(r'id="hhi-IRR">4,533<', first)
    login_as("ministry_official")  # another official of the network: the same kept answer
    assert re.search(r'id="hhi-IRR">4,533<', client.get("/turnover/?window=IR-2025-08").text)
    _other(db=factories.db, report=ra, name="Bank Mellat", amount=900)
    again = client.get("/turnover/?window=IR-2025-08").get_data(as_text=True)
    assert not re.search(r'id="hhi-IRR">4,533<', again)
    expected = _hhi([700, 900, 100, 900])
    assert f'id="hhi-IRR">{expected:,.0f}<' in again


def test_two_directors_of_one_union_share_its_kept_figures(client, login, login_as, three_unions):
    """Kept per set of organisations read, not per person: the second director's first view
    sums nothing again, and sees the union's own figures, not the network's."""
    _period, ra, _rb = three_unions
    union = factories.db.session.get(Organisation, ra.organisation_id)
    first = factories.make_user("union_director", union)
    second = factories.make_user("union_director", union)
    login(first)
    client.get("/turnover/?window=IR-2025-08").close()
    login(second)
    with captured() as statements:
        page = client.get("/turnover/?window=IR-2025-08")
    assert page.status_code == 200
    assert not [s for s in statements if "sum(turnover_report" in s]
    assert "IRR 1,000" in _text(page.text) and "IRR 3,000" not in _text(page.text)
