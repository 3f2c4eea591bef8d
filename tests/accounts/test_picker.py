"""Choosing an organisation among thousands: a search box with suggestions instead of a
select, the same id behind it, and only what the person may choose."""
import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import Membership, Organisation, OrgKind, User
from tests import factories


@pytest.fixture()
def many(app):
    """Pretend the network is large: more than two organisations to choose from."""
    before = app.config["ORG_PICKER_FROM"]
    app.config["ORG_PICKER_FROM"] = 2
    yield
    app.config["ORG_PICKER_FROM"] = before


def _orgs(db):
    made = [factories.make_org(OrgKind.NATIONAL_UNION, name=name, code=code) for name, code in (
        ("اتحادیه سراسری تعاونی‌های فرش دستباف روستایی", "IR-UN-CARP"),
        ("اتحادیه سراسری تعاونی‌های مسکن", "IR-UN-HOUS"),
        ("Hội Nông dân huyện Kim Bảng", "VN-KB-FA"))]
    db.session.commit()
    return made


def _new_person(client, organisation):
    return client.post("/admin/users/new", data={
        "full_name": "Trần Thị Lan", "email": "lan@kimbang.example", "preferred_locale": "vi",
        "organisation_id": organisation, "role": "union_director"})


def test_few_organisations_are_a_select(client, login_as, db):
    _orgs(db)
    login_as("administrator")
    page = client.get("/admin/users/new").text
    assert re.search(r'<select[^>]*id="organisation_id"', page)
    assert "data-org-lookup" not in page


def test_many_organisations_are_a_search_box_that_sends_name_and_code(
        client, login_as, db, many):
    carpets, _housing, _farmers = _orgs(db)
    login_as("administrator")
    page = client.get("/admin/users/new").text
    assert re.search(r'<input[^>]*data-org-lookup="/organisations/lookup"', page)
    assert "IR-UN-HOUS" not in page  # no option is sent with the page
    response = _new_person(client, f"{carpets.name} (IR-UN-CARP)")
    assert response.status_code == 302
    person = db.session.scalar(sa.select(User).where(User.email == "lan@kimbang.example"))
    assert [m.organisation_id for m in person.memberships] == [carpets.id]


def test_an_unknown_organisation_is_refused_and_what_was_typed_is_kept(
        client, login_as, db, many):
    _orgs(db)
    login_as("administrator")
    response = _new_person(client, "Hợp tác xã không có (VN-NONE)")
    assert response.status_code == 400
    assert "No organisation you may choose has this name or code" in response.text
    assert 'value="Hợp tác xã không có (VN-NONE)"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership).join(User)
                             .where(User.email == "lan@kimbang.example")) == 0


def test_an_inactive_organisation_cannot_be_chosen_even_by_its_code(
        client, login_as, db, many):
    carpets, _housing, _farmers = _orgs(db)
    carpets.is_active = False
    db.session.commit()
    login_as("administrator")
    assert _new_person(client, "IR-UN-CARP").status_code == 400
    assert _new_person(client, str(carpets.id)).status_code == 400


def test_suggestions_match_any_spelling_and_stay_within_what_one_may_see(
        client, login_as, db):
    carpets, housing, _farmers = _orgs(db)
    login_as("administrator")
    # Arabic kaf and yeh typed for the Persian letters still find the union
    found = client.get("/organisations/lookup?q=اتحاديه فرش").get_json()["results"]
    assert [r["label"] for r in found] == [f"{carpets.name} (IR-UN-CARP)"]
    assert client.get("/organisations/lookup?q=a").get_json() == {"results": []}
    login_as("union_director", housing)
    labels = [r["label"] for r in client.get(
        "/organisations/lookup?q=اتحادیه").get_json()["results"]]
    assert labels == [f"{housing.name} (IR-UN-HOUS)"]  # not the other union


def test_a_director_cannot_report_turnover_for_another_union_by_typing_its_code(
        client, login_as, db, many):
    from datetime import date

    from portal.turnover.models import ReportingPeriod, TurnoverReport

    carpets, housing, _farmers = _orgs(db)
    factories.make_org(OrgKind.COOPERATIVE, parent=housing)
    factories.make_org(OrgKind.COOPERATIVE, parent=housing)
    period = ReportingPeriod(country="IR", month=date(2025, 8, 1))
    db.session.add(period)
    db.session.commit()
    login_as("union_director", housing)
    figures = {"total_turnover": "100", "bank_turnover": "50", "deposits": "0",
               "average_balance": "0", "loans": "0", "accounts": "1", "period_id": period.id}
    page = client.get("/turnover/reports/new").text
    assert "data-org-lookup" in page  # the union and its two cooperatives: more than two
    refused = client.post("/turnover/reports/new",
                          data={**figures, "organisation_id": f"{carpets.name} (IR-UN-CARP)"})
    assert refused.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TurnoverReport)) == 0
    accepted = client.post("/turnover/reports/new",
                           data={**figures, "organisation_id": "IR-UN-HOUS"})
    assert accepted.status_code == 302
    assert db.session.scalar(sa.select(TurnoverReport.organisation_id)) == housing.id
    assert db.session.get(Organisation, housing.id) is not None
