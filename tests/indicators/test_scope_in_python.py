"""The organisation page decides in Python who may see an organisation's indicators and which
district office's dashboard covers it (indicators.permissions.can_view_indicators_of,
indicators.services.district_office_of): the same answer as the SQL scope every indicator page
queries with (visible_indicator_organisations), for every person and organisation of two
banks' networks, places with a missing province or district included."""
import pytest
import sqlalchemy as sa
from flask_login import login_user

from portal.accounts.models import BANK_KINDS, Organisation, OrgKind
from portal.extensions import db
from portal.indicators import permissions as indicators_permissions
from portal.indicators import services
from portal.indicators.models import IndicatorPlan
from tests import factories
from tests.indicators.builders import definitions, group, office, plan


@pytest.fixture()
def two_networks(db):
    vn, ir = factories.bank("VN"), factories.bank("IR")
    kim_bang = office("Hà Nam", "Kim Bảng", parent=vn, name="Kim Bảng district office")
    factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=vn, country="VN", province="Hà Nam",
                       district="Kim Bảng", name="Second Kim Bảng office")
    ly_nhan = office("Hà Nam", "Lý Nhân", parent=vn, name="Lý Nhân district office")
    province_office = office("Hà Nam", None, parent=vn, name="Hà Nam province office")
    union = factories.make_org(OrgKind.MASS_ORGANISATION, parent=vn, province="Hà Nam",
                               district="Kim Bảng", name="Hội Phụ nữ Kim Bảng")
    factories.make_org(OrgKind.MASS_ORGANISATION, parent=vn, province="Hà Nam",
                       name="Hội Nông dân tỉnh Hà Nam")  # a province, no district
    group("Hà Nam", "Kim Bảng", "Quế", parent=union, name="Tổ số 1")
    group("Hà Nam", "Lý Nhân", "Nhân Hưng", parent=vn, name="Tổ Lý Nhân")
    group(None, None, None, parent=vn, name="Tổ không địa chỉ")
    tehran = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=ir, country="IR",
                                province="تهران", district="Kim Bảng", name="شعبه تهران")
    national = factories.make_org(OrgKind.NATIONAL_UNION, parent=ir, name="اتحادیه ملی")
    people = [
        factories.make_user("relationship_manager", kim_bang),
        factories.make_user("branch_staff", ly_nhan),
        factories.make_user("branch_staff", province_office),
        factories.make_user("union_director", union),
        factories.make_user("ministry_official"),
        factories.make_user("administrator", vn),
        factories.make_user("administrator", ir),
        factories.make_user("relationship_manager", tehran),
        factories.make_user("union_director", national),
    ]
    people[7].portfolio.append(national)
    definitions()
    for holder in (union, national, ly_nhan, tehran):
        plan(holder, "outstanding_loans", 400)
    db.session.commit()
    return people


def _sql_scope(user):
    return set(db.session.scalars(indicators_permissions.visible_indicator_organisations(user)
                                  .with_only_columns(Organisation.id)))


def _sql_district_office(user, org):
    """The first district office of org's place in the SQL scope, as the page found it before."""
    if not org.district:
        return None
    return db.session.scalar(indicators_permissions.visible_indicator_organisations(user)
                             .with_only_columns(Organisation.id).where(
        Organisation.kind.in_(BANK_KINDS), Organisation.district.is_not(None),
        Organisation.commune.is_(None), Organisation.is_active,
        Organisation.country == org.country, Organisation.province == org.province,
        Organisation.district == org.district).order_by(Organisation.id).limit(1))


def test_every_person_sees_the_indicators_of_the_same_organisations_in_python_and_in_sql(
        app, two_networks):
    organisations = db.session.scalars(sa.select(Organisation)).all()
    for person in two_networks:
        with app.test_request_context("/"):
            login_user(person)
            in_sql = _sql_scope(person)
            in_python = {o.id for o in organisations
                         if indicators_permissions.can_view_indicators_of(person, o)}
            assert in_python == in_sql, person.email
            for org in organisations:
                office = services.district_office_of(person, org.country, org.province,
                                                     org.district)
                assert (office.id if office else None) == _sql_district_office(person, org), \
                    (person.email, org.name)


def _sql_panel(user):
    """The home panel's dashboards as two scoped statements found them before."""
    wanted = services.PANEL_SHOWN + 1
    scope = indicators_permissions.visible_indicator_organisations(user).with_only_columns(
        Organisation.id, Organisation.name)
    districts = db.session.execute(scope.where(
        Organisation.kind.in_(BANK_KINDS), Organisation.district.is_not(None),
        Organisation.commune.is_(None), Organisation.is_active).order_by(
        Organisation.country, Organisation.province, Organisation.district,
        Organisation.name).limit(wanted)).all()
    shown = [row.id for row in districts]
    holders = db.session.execute(scope.where(
        Organisation.id.in_(sa.select(IndicatorPlan.organisation_id)),
        Organisation.id.not_in(shown)).order_by(Organisation.name)
        .limit(wanted - len(shown))).all()
    return tuple((row.id, row.name) for row in (*districts, *holders))


def test_the_home_panel_lists_the_dashboards_the_scoped_statements_listed(app, two_networks):
    for person in two_networks:
        with app.test_request_context("/"):
            login_user(person)
            assert services.panel_dashboards(person) == _sql_panel(person), person.email


def test_the_scope_is_not_everything_for_everyone(app, two_networks):
    """The comparison above means something only if the scopes differ between people."""
    scopes = []
    for person in two_networks:
        with app.test_request_context("/"):
            login_user(person)
            scopes.append(frozenset(_sql_scope(person)))
    assert len(set(scopes)) >= 5 and frozenset() not in scopes[:4]
