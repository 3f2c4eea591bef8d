"""The registry, staff training and entrustment contracts."""
from datetime import date, timedelta

import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.branches import services
from portal.branches.models import (
    Branch,
    BranchKind,
    EntrustmentContract,
    TrainingAttendance,
)
from tests.branches.helpers import (
    make_branch,
    make_contract,
    make_course,
    make_session,
    make_staff,
)
from tests.factories import make_org


def test_the_browser_narrows_by_province_then_district(client, login_as, db):
    make_branch(name="شعبه ویژه تعاون تهران", province="تهران", district="تهران")
    make_branch(name="شعبه ویژه تعاون مشهد", province="خراسان رضوی", district="مشهد")
    point = make_branch(name="Điểm giao dịch xã Ba Sao", kind=BranchKind.COMMUNE_POINT,
                        country="VN", province="Hà Nam", district="Kim Bảng",
                        schedule_day=12)
    db.session.commit()
    login_as("union_director")
    everything = client.get("/branches/")
    assert "شعبه ویژه تعاون مشهد" in everything.text and "Ba Sao" in everything.text
    province = client.get("/branches/", query_string={"province": "Hà Nam"})
    assert "Ba Sao" in province.text and "شعبه ویژه تعاون مشهد" not in province.text
    assert "Kim Bảng" in province.text  # the districts of the chosen province
    assert "Day 12 of each month" in province.text
    assert point.next_session(date(2026, 1, 13)) == date(2026, 2, 12)
    assert point.next_session(date(2026, 12, 12)) == date(2026, 12, 12)
    assert point.next_session(date(2026, 12, 20)) == date(2027, 1, 12)


def test_a_branch_edit_conflict_answers_409_and_keeps_the_other_change(client, login_as, db):
    branch = make_branch()
    db.session.commit()
    login_as("administrator")
    form = {"organisation_id": branch.organisation_id, "kind": "specialised",
            "served_by_id": "", "head_id": "", "address": "خیابان انقلاب",
            "opening_hours": "۷:۳۰ تا ۱۴:۳۰", "schedule_day": "", "schedule_note": "",
            "opened_on": "", "version_id": branch.version_id}
    assert client.post(f"/branches/{branch.id}/edit", data=form).status_code == 302
    stale = client.post(f"/branches/{branch.id}/edit",
                        data=dict(form, address="خیابان آزادی"))
    assert stale.status_code == 409 and "خیابان آزادی" in stale.text
    db.session.expire_all()
    assert db.session.get(Branch, branch.id).address == "خیابان انقلاب"


def test_a_schedule_day_beyond_28_is_refused(client, login_as, db):
    login_as("administrator")
    org = make_org(OrgKind.SPECIALISED_BRANCH, name="Điểm giao dịch xã Quế", country="VN",
                   currency="VND")
    db.session.commit()
    response = client.post("/branches/new", data={
        "organisation_id": org.id, "kind": "commune_point", "served_by_id": "", "head_id": "",
        "schedule_day": "31", "schedule_note": "7:30–11:30"})
    assert response.status_code == 400
    assert "between 1 and 28" in response.text and "7:30–11:30" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Branch)) == 0


def test_attendance_is_recorded_for_own_staff_with_the_course_validity(client, login, db):
    branch = make_branch()
    officer = make_staff(branch)
    colleague = make_staff(branch, full_name="فاطمه حسینی")
    session = make_session(branch, make_course(months=24))
    db.session.commit()
    login(officer)
    response = client.post(f"/branches/{branch.id}/training/{session.id}/attendance",
                           data={"user_id": colleague.id, "passed": "y",
                                 "certificate_no": "COOP-101-07"})
    assert response.status_code == 302
    row = db.session.scalar(sa.select(TrainingAttendance))
    assert row.user_id == colleague.id
    assert row.certificate_expires_on == date(2027, 1, 12)  # 24 months after 2025-01-12


def test_attendance_for_staff_of_another_branch_is_refused(client, login, db):
    tehran = make_branch()
    isfahan = make_branch(name="شعبه ویژه تعاون اصفهان", province="اصفهان")
    officer = make_staff(tehran)
    stranger = make_staff(isfahan, full_name="مهدی نوری")
    session = make_session(tehran, make_course())
    db.session.commit()
    login(officer)
    response = client.post(f"/branches/{tehran.id}/training/{session.id}/attendance",
                           data={"user_id": stranger.id, "passed": "y",
                                 "certificate_no": "COOP-101-99"})
    assert response.status_code == 400
    assert "Only the staff of this branch can be recorded" in response.text
    assert "COOP-101-99" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingAttendance)) == 0
    # and the Isfahan officer cannot record anything at Tehran's sessions at all
    login(stranger)
    refused = client.post(f"/branches/{tehran.id}/training/{session.id}/attendance",
                          data={"user_id": stranger.id})
    assert refused.status_code == 403


def test_share_trained_counts_valid_cooperative_certificates_and_flags_expiring_ones(
        client, login_as, db):
    today = date.today()
    branch = make_branch()
    staff = [make_staff(branch, full_name=name) for name in
             ("رضا محمدی", "فاطمه حسینی", "امیر جعفری", "نرگس قاسمی")]
    coop = make_session(branch, make_course("COOP-101"), today - timedelta(days=400),
                        today - timedelta(days=399))
    aml = make_session(branch, make_course("AML-100", months=12, cooperative=False),
                       today - timedelta(days=300), today - timedelta(days=299))
    # Two valid cooperative certificates, one expired, one person untrained; an AML
    # certificate (not cooperative) for the untrained person expiring in 20 days.
    for user, expires in ((staff[0], today + timedelta(days=300)),
                          (staff[1], today + timedelta(days=30)),
                          (staff[2], today - timedelta(days=5))):
        db.session.add(TrainingAttendance(session=coop, user=user, passed=True,
                                          certificate_expires_on=expires))
    db.session.add(TrainingAttendance(session=aml, user=staff[3], passed=True,
                                      certificate_expires_on=today + timedelta(days=20)))
    db.session.commit()
    summary = services.training_summary(branch, today)
    assert summary["trained"] == 2 and summary["share"] == 0.5
    assert [a.user.full_name for a in summary["expiring"]] == [
        "امیر جعفری", "نرگس قاسمی", "فاطمه حسینی"]
    login_as("relationship_manager")
    page = client.get(f"/branches/{branch.id}")
    assert "50%" in page.text and "2 of 4 staff" in page.text
    assert "Certificates expired or expiring soon" in page.text and "expired on" in page.text
    login_as("union_director")
    page = client.get(f"/branches/{branch.id}")
    assert "2 of 4 staff" in page.text  # the share is public
    assert "امیر جعفری" not in page.text  # the names are not


def _contract_form(branch, org, **changes):
    data = {"number": "HĐ-UT/2023-01", "branch_id": branch.id, "organisation_id": org.id,
            "scope": "Ủy thác cho vay hộ nghèo", "fee_rate_percent": "0.045",
            "starts_on": "2023-01-01", "ends_on": "2027-12-31"}
    data.update(changes)
    return data


def test_an_entrustment_contract_covers_the_organisations_own_groups_only(
        client, login_as, db):
    branch = make_branch(name="Phòng giao dịch NHCSXH huyện Kim Bảng", country="VN",
                         kind=BranchKind.ORDINARY)
    women = make_org(OrgKind.MASS_ORGANISATION, name="Hội Liên hiệp Phụ nữ huyện Kim Bảng")
    farmers = make_org(OrgKind.MASS_ORGANISATION, name="Hội Nông dân huyện Kim Bảng")
    own = make_org(OrgKind.SAVINGS_GROUP, parent=women, name="Tổ TK&VV số 1 xã Ba Sao")
    foreign = make_org(OrgKind.SAVINGS_GROUP, parent=farmers, name="Tổ TK&VV số 2 xã Quế")
    db.session.commit()
    login_as("administrator")
    refused = client.post("/branches/entrustment/new", data=_contract_form(
        branch, women, group_ids=[own.id, foreign.id]))
    assert refused.status_code == 400
    assert "Tổ TK&amp;VV số 2 xã Quế is not a savings-and-loan group of this organisation" \
        in refused.text
    too_dear = client.post("/branches/entrustment/new", data=_contract_form(
        branch, women, fee_rate_percent="120", group_ids=[own.id]))
    assert too_dear.status_code == 400 and "between 0 and 100" in too_dear.text
    reversed_term = client.post("/branches/entrustment/new", data=_contract_form(
        branch, women, ends_on="2022-12-31", group_ids=[own.id]))
    assert reversed_term.status_code == 400 and "must end after it starts" in reversed_term.text
    assert client.post("/branches/entrustment/new", data=_contract_form(
        branch, women, group_ids=[own.id])).status_code == 302
    contract = db.session.scalar(sa.select(EntrustmentContract))
    assert [g.id for g in contract.groups] == [own.id]


def test_contracts_are_visible_to_the_mass_organisation_itself_not_to_others(
        client, login_as, db):
    branch = make_branch(name="Phòng giao dịch NHCSXH huyện Kim Bảng", country="VN")
    women = make_org(OrgKind.MASS_ORGANISATION, name="Hội Liên hiệp Phụ nữ huyện Kim Bảng")
    farmers = make_org(OrgKind.MASS_ORGANISATION, name="Hội Nông dân huyện Kim Bảng")
    contract = make_contract(branch, women)
    db.session.commit()
    login_as("union_director", women)
    assert client.get(f"/branches/entrustment/{contract.id}").status_code == 200
    login_as("union_director", farmers)
    assert client.get(f"/branches/entrustment/{contract.id}").status_code == 404
    assert "HĐ-01/2023" not in client.get("/branches/entrustment/").text
