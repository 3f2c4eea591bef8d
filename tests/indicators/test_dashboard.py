"""The dashboards per role, the printable monthly report, CSV/XLSX exports (formula-safe) and
the locale formats of the Kim Bang figures."""
import io
import re

import pytest
from openpyxl import load_workbook

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.i18n import formatting
from portal.indicators.demo import kim_bang_rows
from tests import factories
from tests.indicators.builders import (
    AUG,
    JUL,
    actual,
    csv_rows,
    definitions,
    file_rows,
    group,
    office,
    plan,
    rate,
    upload,
    xlsx_rows,
)


@pytest.fixture()
def world(db):
    """Two districts of Hà Nam with plans, actuals and ratings for July and August."""
    definitions()
    kb = office("Hà Nam", "Kim Bảng", code="KB-OFF", name="Kim Bảng district office")
    ln = office("Hà Nam", "Lý Nhân", code="LN-OFF", name="Lý Nhân district office")
    union = factories.make_org(OrgKind.MASS_ORGANISATION, province="Hà Nam",
                               district="Kim Bảng", name="Kim Bảng Women's Union")
    g1 = group("Hà Nam", "Kim Bảng", "Quế", parent=union, code="KB-G1", name="Tổ số 1")
    g2 = group("Hà Nam", "Kim Bảng", "Ba Sao", code="KB-G2", name="Tổ số 2")
    g3 = group("Hà Nam", "Lý Nhân", "Nhân Hưng", code="LN-G1", name="Tổ Lý Nhân")
    plan(kb, "outstanding_loans", 400)
    plan(ln, "outstanding_loans", 1_000)
    for period, scale in ((JUL, 1), (AUG, 2)):
        actual(g1, "outstanding_loans", 100 * scale, period=period)
        actual(g2, "outstanding_loans", 50 * scale, period=period)
        actual(g3, "outstanding_loans", 999, period=period)
        actual(g1, "overdue_ratio", 3 * scale, 100 * scale, period=period)
        actual(g2, "overdue_ratio", 0, 50 * scale, period=period)
    rate(g1, "good", JUL)
    rate(g1, "fair", AUG)
    rate(g2, "good", JUL)
    rate(g2, "good", AUG)
    rate(g3, "weak", AUG)
    db.session.commit()
    return {"kb": kb, "ln": ln, "union": union, "g1": g1, "g2": g2, "g3": g3}


PAGES = ("/indicators/{id}", "/indicators/{id}/report",
         "/indicators/{id}/export/scorecard.csv", "/indicators/{id}/export/ratings.xlsx")


def _member(make_user, world, who):
    """A user for each kind of reader of the Kim Bảng district office's page."""
    if who == "district relationship manager":
        return make_user("relationship_manager", world["kb"])
    if who == "district branch staff":
        return make_user("branch_staff", world["kb"])
    if who == "other district's manager":
        return make_user("relationship_manager", world["ln"])
    if who == "Kim Bảng union director":
        return make_user("union_director", world["union"])
    if who == "union director elsewhere":
        return make_user("union_director")
    if who == "manager with the union in portfolio":
        user = make_user("relationship_manager", office("Hà Nội", "Ba Vì"))
        user.portfolio.append(world["union"])
        db.session.commit()
        return user
    return make_user(who)


@pytest.mark.parametrize(("who", "district", "union"), [
    ("district relationship manager", 200, 200),
    ("district branch staff", 200, 200),
    ("other district's manager", 404, 404),
    ("Kim Bảng union director", 404, 200),
    ("union director elsewhere", 404, 404),
    ("manager with the union in portfolio", 404, 200),
    ("ministry_official", 200, 200),
    ("administrator", 200, 200),
])
def test_who_sees_the_district_and_the_union(client, login, make_user, world, who, district,
                                             union):
    login(_member(make_user, world, who))
    for page in PAGES:
        assert client.get(page.format(id=world["kb"].id)).status_code == district, page
        assert client.get(page.format(id=world["union"].id)).status_code == union, page


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for page in PAGES + ("/indicators/",):
        response = client.get(page.format(id=world["kb"].id))
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_district_office_sees_its_indicators_ratings_and_communes(client, login, make_user,
                                                                    world):
    login(make_user("relationship_manager", world["kb"]))
    html = client.get(f"/indicators/{world['kb'].id}").text
    assert "Kim Bảng district office" in html
    scorecard = re.search(r'<tr id="ind-outstanding_loans">.*?</tr>', html, re.S).group(0)
    assert "₫300" in scorecard and "₫400" in scorecard and "75.00%" in scorecard
    assert "Off track" in scorecard
    assert "₫999" not in html and "Nhân Hưng" not in html and "Tổ Lý Nhân" not in html
    assert "2 groups rated in" in html
    assert "<bdi>Tổ số 1</bdi> — Good → Fair" in html
    communes = re.search(r'<table[^>]*id="communes".*?</table>', html, re.S).group(0)
    assert re.findall(r'<th scope="row" class="fw-normal"><bdi>([^<]+)</bdi></th>', communes) == [
        "Ba Sao", "Quế"]
    assert "₫200" in communes and "3.00%" in communes and "0.00%" in communes
    assert "1 of 2 communes have no overdue debt." in html
    # an accessible, server-rendered chart next to the table it draws
    assert "<svg" in html and "<title>\u2068Outstanding loans\u2069: 75.00%</title>" in html
    assert 'id="scorecard"' in html


def test_the_month_can_be_chosen_and_an_unknown_month_shows_the_latest(client, login,
                                                                       make_user, world):
    login(make_user("relationship_manager", world["kb"]))
    july = client.get(f"/indicators/{world['kb'].id}?period=2023-07").text
    assert "₫150" in july and "37.50%" in july                # 150 of the 400 planned
    assert '<option value="2023-07" selected>' in july
    assert "No group fell a grade since last month." in july
    assert "₫300" in client.get(f"/indicators/{world['kb'].id}?period=1999-01").text
    export = csv_rows(client.get(f"/indicators/{world['kb'].id}/export/scorecard.csv"
                                 "?period=2023-07"))
    assert export[1][:4] == ["Outstanding loans", "150.00", "400.00", "0.375"]


def test_an_organisation_without_figures_says_so(client, login, make_user, world):
    empty = office("Hà Nam", "Bình Lục", name="Bình Lục district office")
    db.session.commit()
    login(make_user("relationship_manager", empty))
    page = client.get(f"/indicators/{empty.id}")
    assert page.status_code == 200
    assert "No figures have been reported for this organisation yet." in page.text
    assert "No figures have been reported" in client.get(f"/indicators/{empty.id}/report").text
    assert client.get(f"/indicators/{empty.id}/export/scorecard.csv").status_code == 404


def test_the_index_lists_the_plans_each_reader_may_open(client, login, make_user, world):
    login(make_user("relationship_manager", world["kb"]))
    html = client.get("/indicators/").text
    assert "Kim Bảng district office" in html and "Lý Nhân district office" not in html
    assert "Import actuals" in html and "Import group ratings" in html
    assert "Import plans" not in html and "Thresholds" not in html
    home = client.get("/").text
    assert 'id="panel-indicators"' in home and f"/indicators/{world['kb'].id}" in home
    login(make_user("ministry_official"))
    html = client.get("/indicators/").text
    assert "Kim Bảng district office" in html and "Lý Nhân district office" in html
    assert "Import actuals" not in html
    login(make_user("administrator"))
    html = client.get("/indicators/").text
    assert "Import plans" in html and "Thresholds" in html
    login(make_user("union_director"))
    assert "Kim Bảng district office" not in client.get("/indicators/").text
    assert 'id="panel-indicators"' not in client.get("/").text


def test_the_printable_report(client, login, make_user, world):
    login(make_user("relationship_manager", world["kb"]))
    html = client.get(f"/indicators/{world['kb'].id}/report?period=2023-08").text
    assert "Monthly report: <bdi>Kim Bảng district office</bdi>" in html
    assert "<bdi>Kim Bảng</bdi> · <bdi>Hà Nam</bdi>" in html
    assert "75.00%" in html and "<bdi>Tổ số 1</bdi> — Good → Fair" in html
    assert 'class="no-print' in html                      # the export links are not printed
    dashboard = client.get(f"/indicators/{world['kb'].id}?period=2023-08").text
    assert f"/indicators/{world['kb'].id}/report?period=2023-08" in dashboard


def test_the_exports_hold_the_tables_of_the_page(client, login, make_user, world):
    login(make_user("relationship_manager", world["kb"]))
    base = f"/indicators/{world['kb'].id}/export"
    response = client.get(f"{base}/scorecard.csv?period=2023-08")
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="indicators-scorecard-KB-OFF-2023-08.csv"'
    assert csv_rows(response) == [
        ["Indicator", "Actual", "Plan", "Attainment", "Status"],
        ["Outstanding loans", "300.00", "400.00", "0.75", "Off track"],
        ["Overdue debt ratio", "0.02", "", "", "Off track"]]
    sheet = xlsx_rows(client.get(f"{base}/scorecard.xlsx?period=2023-08"))
    assert sheet[1] == ["Outstanding loans", 300, 400, 0.75, "Off track"]
    assert csv_rows(client.get(f"{base}/communes.csv?period=2023-08")) == [
        ["Commune", "District", "Outstanding loans", "Overdue debt"],
        ["Ba Sao", "Kim Bảng", "100.00", "0.00"], ["Quế", "Kim Bảng", "200.00", "6.00"]]
    assert csv_rows(client.get(f"{base}/fell.csv")) == [
        ["Code", "Group", "Commune", "Rating last month", "Rating this month"],
        ["KB-G1", "Tổ số 1", "Quế", "Good", "Fair"]]
    assert client.get(f"{base}/secrets.csv").status_code == 404
    assert client.get(f"{base}/scorecard.pdf").status_code == 404


def test_exports_cannot_smuggle_formulas_into_a_spreadsheet(client, login, make_user, world):
    """Names and communes come from users; a spreadsheet must show them, not run them."""
    evil = group("Hà Nam", "Kim Bảng", "+SUM(1,2)", code="KB-EVIL",
                 name='=HYPERLINK("http://evil.example","open")')
    for name in ("@SUM(A1)", "-2+3+cmd|' /C calc'!A0"):
        rate(group("Hà Nam", "Kim Bảng", "Quế", name=name), "good", JUL)
    actual(evil, "outstanding_loans", 1)
    rate(evil, "good", JUL)
    rate(evil, "weak", AUG)
    db.session.commit()
    login(make_user("relationship_manager", world["kb"]))
    base = f"/indicators/{world['kb'].id}/export"
    fell = csv_rows(client.get(f"{base}/fell.csv?period=2023-08"))
    assert ["KB-EVIL", '\'=HYPERLINK("http://evil.example","open")', "'+SUM(1,2)", "Good",
            "Weak"] in fell
    communes = csv_rows(client.get(f"{base}/communes.csv?period=2023-08"))
    assert ["'+SUM(1,2)", "Kim Bảng", "1.00", ""] in communes
    response = client.get(f"{base}/fell.xlsx?period=2023-08")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert '\'=HYPERLINK("http://evil.example","open")' in [c.value for c in cells]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert all(not str(v).startswith(("=", "+", "-", "@")) for row in rows for v in row
               if v is not None)


# --- Kim Bang, 31 Aug 2023, in every language -------------------------------------------------

@pytest.fixture()
def kim_bang_imported(client, login_as, kim_bang):
    office_, _unions, groups = kim_bang
    login_as("administrator")
    rows = kim_bang_rows(groups)
    for kind in ("plans", "actuals", "ratings"):
        assert upload(client, kind, file_rows(kind, rows[kind])).status_code == 302
    return office_


# language: (outstanding attainment, capital attainment, bad debt, good share, capital)
REPORT = {
    "en": ("98.41%", "91.76%", "0.12%", "96.71%", "₫70,494,000,000"),
    "vi": ("98,41%", "91,76%", "0,12%", "96,71%", "70.494.000.000"),
    "th": ("98.41%", "91.76%", "0.12%", "96.71%", "70,494,000,000"),
    "fa": ("۹۸٫۴۱٪", "۹۱٫۷۶٪", "۰٫۱۲٪", "۹۶٫۷۱٪", "۷۰٬۴۹۴٬۰۰۰٬۰۰۰"),
}


@pytest.mark.parametrize("language", sorted(REPORT))
def test_the_kim_bang_report_in_every_language(client, login, make_user, kim_bang_imported,
                                               language):
    login(make_user("branch_staff", kim_bang_imported, preferred_locale=language))
    page = client.get(f"/indicators/{kim_bang_imported.id}/report")
    assert page.status_code == 200
    html = page.text
    for figure in REPORT[language]:
        assert figure in html, figure
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "fa")
    if language == "fa":
        assert "۲۱۳" in html and "213" not in re.sub(r"<[^>]+>", "", html.split(
            'id="ratings"')[1].split("</table>")[0])
    if language == "vi":
        assert "96.71%" not in html and "98.41%" not in html


def test_a_persian_reader_who_chose_latin_digits_gets_them(client, login, make_user,
                                                          kim_bang_imported):
    login(make_user("relationship_manager", kim_bang_imported, preferred_locale="fa",
                    persian_digits=False))
    html = client.get(f"/indicators/{kim_bang_imported.id}").text
    assert formatting.format_percentage(0.9841, "fa", 2, False) in html
    assert "۹۸٫۴۱٪" not in html and 'dir="rtl"' in html


@pytest.mark.parametrize("language", ["vi", "fa"])
def test_kim_bang_exports_keep_plain_numbers_in_every_language(client, login, make_user,
                                                               kim_bang_imported, language):
    """A spreadsheet needs numbers, not text formatted for one locale."""
    login(make_user("relationship_manager", kim_bang_imported, preferred_locale=language))
    base = f"/indicators/{kim_bang_imported.id}/export"
    sheet = xlsx_rows(client.get(f"{base}/scorecard.xlsx"))
    values = {row[0]: row[1:] for row in sheet[1:]}
    assert len(values) == 8             # Kim Bang reports 8 of the 11 indicators
    outstanding = next(v for v in values.values() if v[1] == 520_418_000_000)
    assert outstanding[:3] == [512_143_000_000, 520_418_000_000, 0.9841]
    ratings = xlsx_rows(client.get(f"{base}/ratings.xlsx"))
    assert [row[1:] for row in ratings[1:]] == [[206, 0.9671, -2], [5, 0.0235, 1],
                                               [2, 0.0094, 1], [0, 0, 0]]
    communes = csv_rows(client.get(f"{base}/communes.csv"))
    assert len(communes) == 19
    assert sum(float(row[2]) for row in communes[1:]) == 512_143_000_000
