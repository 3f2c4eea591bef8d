"""Browsing, searching and editing organisations, with scoping and conflicts."""
import sqlalchemy as sa

from portal.accounts.models import Organisation, OrgKind
from portal.core.audit import AuditEntry
from tests.factories import make_org


def _org_form(org, **changes):
    data = {"version_id": org.version_id, "code": org.code, "name": org.name,
            "name_en": org.name_en or "", "kind": org.kind.value, "parent_id": "",
            "country": org.country, "currency": org.currency, "province": "",
            "district": "", "commune": ""}
    data.update(changes)
    return data


def test_admin_edits_an_organisation_and_the_audit_log_keeps_before_and_after(
        client, login_as, db):
    login_as("administrator")
    org = make_org(OrgKind.NATIONAL_UNION)
    db.session.commit()
    response = client.post(f"/organisations/{org.id}/edit",
                           data=_org_form(org, province="تهران", name="اتحادیه نو"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name == "اتحادیه نو"
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "organisation_updated"))
    assert entry.before["name"] != "اتحادیه نو" and entry.after["name"] == "اتحادیه نو"


def test_a_stale_edit_is_refused_with_409_and_the_other_change_survives(
        client, login_as, db):
    login_as("administrator")
    org = make_org(OrgKind.NATIONAL_UNION)
    db.session.commit()
    stale = _org_form(org, name="نام اول")
    first = client.post(f"/organisations/{org.id}/edit", data=_org_form(org, name="نام دوم"))
    assert first.status_code == 302
    second = client.post(f"/organisations/{org.id}/edit", data=stale)
    assert second.status_code == 409
    assert "نام اول" in second.text  # what they typed is still in the form
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name == "نام دوم"


def test_an_organisation_cannot_be_placed_under_its_own_descendant(client, login_as, db):
    login_as("administrator")
    union = make_org(OrgKind.NATIONAL_UNION)
    coop = make_org(OrgKind.COOPERATIVE, parent=union)
    db.session.commit()
    response = client.post(f"/organisations/{union.id}/edit",
                           data=_org_form(union, parent_id=coop.id))
    assert response.status_code == 400
    assert "under itself" in response.text


def test_invalid_fields_are_reported_next_to_the_field(client, login_as, db):
    login_as("administrator")
    response = client.post("/organisations/new", data={
        "code": "bad code!", "name": "", "kind": "national_union", "country": "Iran",
        "currency": "IRR"})
    assert response.status_code == 400
    assert "Two letters" in response.text and "letters, digits" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1


def test_a_union_director_sees_their_own_subtree_only(client, login_as, db):
    union = make_org(OrgKind.NATIONAL_UNION)
    coop = make_org(OrgKind.COOPERATIVE, parent=union)
    other = make_org(OrgKind.NATIONAL_UNION, name="اتحادیه سراسری تعاونی‌های مسکن")
    db.session.commit()
    login_as("union_director", union)
    assert client.get(f"/organisations/{coop.id}").status_code == 200
    assert client.get(f"/organisations/{other.id}").status_code == 404
    listing = client.get("/organisations/?q=مسکن")
    assert "تعاونی‌های مسکن" not in listing.text
    export = client.get("/organisations/export.csv")
    assert coop.code in export.text and other.code not in export.text


def test_persian_search_matches_with_or_without_zwnj_and_arabic_letters(client, login_as, db):
    login_as("ministry_official")
    make_org(OrgKind.NATIONAL_UNION, name="اتحادیه سراسری تعاونی‌های مسکن", code="IR-HOUS")
    db.session.commit()
    for query in ("تعاونیهای مسکن", "تعاوني‌هاي مسكن", "IR-HOUS".lower()):
        assert "IR-HOUS" in client.get("/organisations/", query_string={"q": query}).text


def test_vietnamese_search_works_without_diacritics(client, login_as, db):
    login_as("relationship_manager")
    make_org(OrgKind.MASS_ORGANISATION, name="Hội Nông dân huyện Kim Bảng", code="VN-FA")
    db.session.commit()
    assert "VN-FA" in client.get("/organisations/?q=hoi nong dan kim bang").text


def test_admin_deactivates_an_organisation_and_it_leaves_the_default_list(
        client, login_as, db):
    login_as("administrator")
    org = make_org(OrgKind.NATIONAL_UNION, name="اتحادیه موقت", code="TEMP-1")
    db.session.commit()
    assert client.post(f"/organisations/{org.id}/deactivate").status_code == 302
    assert "TEMP-1" not in client.get("/organisations/?q=موقت").text
    assert "TEMP-1" in client.get("/organisations/?q=موقت&inactive=1").text
