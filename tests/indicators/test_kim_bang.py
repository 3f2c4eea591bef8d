"""Kim Bang, 31 Aug 2023 (seed 003): the published figures come out of the portal's own
calculations over rows imported through the import page, formatted in every language."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.indicators.demo import kim_bang_rows
from portal.indicators.models import GroupRating, IndicatorActual
from portal.turnover.models import PeriodStatus, ReportingPeriod
from tests.indicators.builders import file_rows

# (language, good share, outstanding attainment, capital attainment, bad debt, outstanding)
EXPECTED = {
    "en": ("96.71%", "98.41%", "91.76%", "0.12%", "₫512,143,000,000"),
    "vi": ("96,71%", "98,41%", "91,76%", "0,12%", "512.143.000.000"),
    "th": ("96.71%", "98.41%", "91.76%", "0.12%", "512,143,000,000"),
    "fa": ("۹۶٫۷۱٪", "۹۸٫۴۱٪", "۹۱٫۷۶٪", "۰٫۱۲٪", "۵۱۲٬۱۴۳٬۰۰۰٬۰۰۰"),
}


def _upload(client, kind, text):
    return client.post(f"/indicators/import/{kind}",
                       data={"file": (io.BytesIO(text.encode("utf-8")), f"{kind}.csv")},
                       content_type="multipart/form-data")


def _import_kim_bang(client, groups):
    rows = kim_bang_rows(groups)
    for kind in ("plans", "actuals", "ratings"):
        response = _upload(client, kind, file_rows(kind, rows[kind]))
        assert response.status_code == 302, response.text[-2000:]
    return rows


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_kim_bang_dashboard_shows_the_published_figures(client, login_as, make_user, login,
                                                        kim_bang, language):
    office, _unions, groups = kim_bang
    login_as("administrator")
    _import_kim_bang(client, groups)
    login(make_user("relationship_manager", office, preferred_locale=language))
    page = client.get(f"/indicators/{office.id}")
    assert page.status_code == 200
    good, outstanding, capital, bad_debt, amount = EXPECTED[language]
    html = page.text
    assert good in html and outstanding in html and capital in html and bad_debt in html
    assert amount in html
    assert "213" in html or "۲۱۳" in html
    if language == "en":
        assert "15 of 18 communes have no overdue debt" in html
        assert "2.35%" in html and "0.94%" in html          # 5 fair, 2 average
        assert "<svg" in html and "<title" in html and 'direction="ltr"' in html
    if language == "fa":
        assert 'direction="rtl"' in html


def test_the_district_counts_ratings_and_lists_groups_that_fell_a_grade(client, login_as,
                                                                        kim_bang):
    office, _unions, groups = kim_bang
    login_as("administrator")
    _import_kim_bang(client, groups)
    page = client.get(f"/indicators/{office.id}?period=2023-08").text
    assert page.count("<li><bdi>Tổ TK&amp;VV") == 3        # two good → fair, one fair → average
    assert "Good → Fair" in page and "Fair → Average" in page
    export = client.get(f"/indicators/{office.id}/export/ratings.xlsx?period=2023-08")
    sheet = load_workbook(io.BytesIO(export.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:3] == ["Good", 206, 0.9671] and values[2][:3] == ["Fair", 5, 0.0235]
    assert [v[3] for v in values[1:5]] == [-2, 1, 1, 0]  # since July


def test_importing_the_same_files_twice_changes_nothing(client, login_as, kim_bang, db):
    _office, _unions, groups = kim_bang
    login_as("administrator")
    _import_kim_bang(client, groups)
    stamps = sorted(db.session.execute(sa.select(IndicatorActual.id,
                                                 IndicatorActual.updated_at)).all())
    ratings = db.session.scalar(sa.select(sa.func.count()).select_from(GroupRating))
    rows = kim_bang_rows(groups)
    assert _upload(client, "actuals", file_rows("actuals", rows["actuals"])).status_code == 302
    assert "0 new, 0 updated, 1279 unchanged" in client.get("/indicators/").text
    db.session.expire_all()
    assert sorted(db.session.execute(sa.select(IndicatorActual.id,
                                               IndicatorActual.updated_at)).all()) == stamps
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupRating)) == ratings


def test_bad_rows_are_all_listed_and_nothing_is_imported(client, login_as, kim_bang, db):
    _office, _unions, groups = kim_bang
    login_as("administrator")
    rows = kim_bang_rows(groups)["actuals"]
    rows[3] = ("VN-KB-NOPE",) + rows[3][1:]
    rows[10] = rows[10][:2] + ("loans_from_heaven",) + rows[10][3:]
    rows[20] = rows[20][:3] + ("=cmd|'/C calc'!A0",) + rows[20][4:]
    response = _upload(client, "actuals", file_rows("actuals", rows))
    assert response.status_code == 400
    for line in ("<td>5</td>", "<td>12</td>", "<td>22</td>"):
        assert line in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorActual)) == 0


def test_a_closed_period_refuses_new_actuals(client, login_as, kim_bang, db):
    from datetime import date

    _office, _unions, groups = kim_bang
    db.session.add(ReportingPeriod(country="VN", month=date(2023, 8, 1),
                                   status=PeriodStatus.CLOSED))
    db.session.commit()
    login_as("administrator")
    response = _upload(client, "ratings", file_rows("ratings", kim_bang_rows(groups)["ratings"]))
    assert response.status_code == 400 and "the period 2023-08 is closed" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupRating)) == 0


def test_a_union_director_cannot_open_another_districts_indicators(client, login_as,
                                                                    kim_bang):
    office, unions, groups = kim_bang
    login_as("administrator")
    _import_kim_bang(client, groups)
    login_as("union_director")  # a union elsewhere
    assert client.get(f"/indicators/{office.id}").status_code == 404
    assert client.get(f"/indicators/{office.id}/export/scorecard.csv").status_code == 404
    login_as("union_director", unions[0])  # Kim Bang Women's Union sees its own groups
    own = client.get(f"/indicators/{unions[0].id}")
    assert own.status_code == 200 and "Savings-and-loan groups by rating" in own.text
