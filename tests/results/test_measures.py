"""Progress measured by the figures: the Kim Bảng overdue ratio brought down, a union's
in-bank share raised; typed in the reader's digits as percentages; drawn towards the target."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.indicators.models import IndicatorActual
from portal.indicators.services import ensure_definitions
from portal.results import measures, services
from portal.results.models import MeasureKind, Result
from tests import factories
from tests.feedback import helpers as fb
from tests.results.helpers import make_result
from tests.turnover.helpers import make_report, open_period

PERSIAN = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


@pytest.fixture(autouse=True)
def request_context(app, db):
    factories.bank()
    with app.test_request_context(base_url="http://portal.test"):
        yield


def _overdue(org, month, amount, base):
    indicator = ensure_definitions()["overdue_ratio"]
    db.session.add(IndicatorActual(organisation_id=org.id, indicator_id=indicator.id,
                                   period=month, amount=amount, base=base))
    db.session.commit()
    return indicator


def test_a_ratio_brought_down_counts_as_progress_towards_the_target(db):
    kim_bang = factories.make_org(OrgKind.SPECIALISED_BRANCH, name="Kim Bảng", country="VN",
                                  parent=factories.bank("VN"))
    indicator = _overdue(kim_bang, date(2026, 1, 1), 45, 10_000)     # 0.45 %
    _overdue(kim_bang, date(2026, 2, 1), 40, 10_000)                 # 0.40 %
    _overdue(kim_bang, date(2025, 6, 1), 90, 10_000)                 # before the baseline
    result = make_result("Giảm tỷ lệ nợ quá hạn", country="VN", locale="vi")
    result.measure, result.measure_indicator = MeasureKind.INDICATOR, indicator
    result.measure_organisation = kim_bang
    result.baseline, result.target = Decimal("0.005"), Decimal("0.003")
    result.baseline_on = date(2026, 1, 1)
    db.session.commit()
    assert [v for _m, v in measures.actuals(result)] == [Decimal("0.0045"), Decimal("0.004")]
    assert services.progress(result) == 50


def test_a_manager_measures_a_result_by_a_unions_in_bank_share_in_persian(client, login):
    union, director, manager = fb.union_with_manager("اتحادیه سراسری فرش دستباف روستایی")
    cooperative = factories.make_org(OrgKind.COOPERATIVE, name="تعاونی فرش اصفهان",
                                     parent=union)
    for month, bank in ((date(2026, 3, 1), 40), (date(2026, 4, 1), 52)):
        make_report(cooperative, open_period("IR", month), total=100, bank=bank)
    manager.preferred_locale, manager.calendar = "fa", None
    db.session.commit()
    login(manager)
    response = client.post("/results/new", data={
        "title_fa": "تمرکز گردش مالی اتحادیه فرش در بانک", "owner_id": str(manager.id),
        "due_on": "۱۴۰۵/۱۲/۲۰", "weight": "۱", "typed_progress": "۰",
        "measure": "in_bank_share", "measure_organisation_id": str(union.id),
        "baseline": "40".translate(PERSIAN), "baseline_on": "۱۴۰۴/۱۲/۱۰",
        "target": "۶۰", "target_on": "۱۴۰۵/۱۲/۱۰"})
    assert response.status_code == 302, response.text
    result = db.session.scalar(sa.select(Result))
    assert (result.baseline, result.target) == (Decimal("0.4"), Decimal("0.6"))
    assert services.progress(result) == 60             # 52 % is 60 % of the way to 60 %
    page = client.get(f"/results/{result.id}").text
    assert "<svg" in page and "۵۲٪" in page             # the chart and its table
    edit = client.get(f"/results/{result.id}/edit").text
    assert 'value="۴۰"' in edit and 'value="۶۰"' in edit  # shown back as typed


def _measured_form(manager, organisation, measure, baseline, target, **fields):
    return {"title_en": "Working capital for weavers", "owner_id": str(manager.id),
            "due_on": "2026-12-20", "weight": "1", "typed_progress": "0", "measure": measure,
            "measure_organisation_id": str(organisation.id), "baseline": baseline,
            "target": target, **fields}


def _reloaded(result_id):
    db.session.expire_all()   # read back from the database, not the object the request kept
    return db.session.get(Result, result_id)


def test_a_persian_decimal_amount_comes_back_exactly_as_typed(client, login):
    """۱۲۳٫۴۵ (the Arabic decimal mark) is 123.45 to the cent: kept as a Decimal, shown and
    offered back in Persian digits, never 123.4499999."""
    union, _director, manager = fb.union_with_manager("اتحادیه سراسری فرش دستباف روستایی")
    manager.preferred_locale, manager.calendar = "fa", None
    db.session.commit()
    loans = ensure_definitions()["outstanding_loans"]
    db.session.commit()
    login(manager)
    response = client.post("/results/new", data=_measured_form(
        manager, union, f"indicator:{loans.id}", "۱۲۳٫۴۵", "۲۰۰٫۰۵", due_on="۱۴۰۵/۱۲/۲۰"))
    assert response.status_code == 302, response.text
    result = _reloaded(db.session.scalar(sa.select(Result.id)))
    assert (result.baseline, result.target) == (Decimal("123.45"), Decimal("200.05"))
    assert "۱۲۳٫۴۵" in client.get(f"/results/{result.id}").text
    edit = client.get(f"/results/{result.id}/edit").text
    assert 'value="۱۲۳٫۴۵"' in edit and 'value="۲۰۰٫۰۵"' in edit


def test_a_thai_decimal_percentage_comes_back_exactly_as_typed(client, login):
    """๑๒๓.๔๕ % of in-bank share is kept as the fraction 1.2345 exactly (a float would keep
    1.2345000000000002) and offered back as 123.45."""
    union, _director, manager = fb.union_with_manager("สหภาพสหกรณ์การเกษตร")
    manager.preferred_locale, manager.calendar = "th", None
    db.session.commit()
    login(manager)
    response = client.post("/results/new", data=_measured_form(
        manager, union, "in_bank_share", "๑๒๓.๔๕", "๑๕๐.๕", due_on="๒๐/๑๒/๒๕๖๙"))
    assert response.status_code == 302, response.text
    result = _reloaded(db.session.scalar(sa.select(Result.id)))
    assert (result.baseline, result.target) == (Decimal("1.2345"), Decimal("1.505"))
    edit = client.get(f"/results/{result.id}/edit").text
    assert 'value="123.45"' in edit and 'value="150.5"' in edit


def test_a_figure_of_another_network_is_refused(client, login):
    _union, _director, manager = fb.union_with_manager()
    foreign = factories.make_org(OrgKind.NATIONAL_UNION, name="Hội Nông dân", country="VN")
    login(manager)
    response = client.post("/results/new", data={
        "title_en": "Share of the farmers' union", "owner_id": str(manager.id),
        "due_on": "2026-12-20", "measure": "in_bank_share",
        "measure_organisation_id": str(foreign.id), "baseline": "10", "target": "20"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Result.id))) == 0
