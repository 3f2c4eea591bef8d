"""Indicator operations and analytics.

Everything that adds up is one SQL statement: actuals are summed over an area (commune →
district → province → country) with GROUP BY, ratios are sum(amount) ÷ sum(base) so larger
communes weigh more, and rating distributions use a window function for their percentages.
"""
from collections import defaultdict, namedtuple
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import permissions
from portal.accounts.models import BANK_KINDS, Organisation, OrgKind
from portal.core import audit, versions
from portal.core.errors import ValidationError, require
from portal.core.models import get_visible
from portal.extensions import db
from portal.indicators import permissions as indicators_permissions
from portal.indicators.models import (
    GRADE_RANKS,
    Direction,
    Grade,
    GroupRating,
    Indicator,
    IndicatorActual,
    IndicatorPlan,
    Unit,
)

# The standard indicators: reference data, written by the migration 0024 and, where a database
# lacks them (one built by create_all), by ensure_definitions() when an import needs them.
# code, unit, direction, plan-based, green at, amber at (fractions), part of
HIGHER, LOWER = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER
DEFINITIONS = [(code, unit, direction, plan_based, Decimal(green), Decimal(amber), part_of)
               for code, unit, direction, plan_based, green, amber, part_of in (
    ("outstanding_loans", Unit.MONEY, HIGHER, True, "0.95", "0.85", None),
    ("borrowing_households", Unit.COUNT, HIGHER, True, "0.95", "0.85", None),
    ("loan_growth_ytd", Unit.MONEY, HIGHER, True, "0.9", "0.7", None),
    ("capital_mobilised", Unit.MONEY, HIGHER, True, "0.95", "0.85", None),
    ("group_savings", Unit.MONEY, HIGHER, False, "0", "0", "capital_mobilised"),
    ("deposits", Unit.MONEY, HIGHER, False, "0", "0", "capital_mobilised"),
    ("overdue_ratio", Unit.RATIO, LOWER, False, "0.001", "0.004", None),
    ("bad_debt_ratio", Unit.RATIO, LOWER, False, "0.002", "0.004", None),
    ("disbursement_rate", Unit.RATIO, HIGHER, False, "0.98", "0.9", None),
    ("collection_rate", Unit.RATIO, HIGHER, False, "0.95", "0.85", None),
    ("commune_point_share", Unit.RATIO, HIGHER, False, "0.9", "0.75", None),
)]
AREA_LEVELS = ("commune", "district", "province")
RATIO = sa.Numeric(30, 12)  # a computed ratio, read back as a Decimal (12 places on SQLite)


def ensure_definitions():
    """Create the standard indicators that do not exist yet (idempotent). Returns by code."""
    existing = {i.code: i for i in db.session.scalars(sa.select(Indicator))}
    for position, (code, unit, direction, plan_based, green, amber, part_of) in enumerate(
            DEFINITIONS):
        if code not in existing:
            existing[code] = Indicator(code=code, unit=unit, direction=direction,
                                       plan_based=plan_based, green_at=green, amber_at=amber,
                                       part_of=existing.get(part_of), position=position)
            db.session.add(existing[code])
    db.session.flush()
    return existing


def indicators():
    return db.session.scalars(sa.select(Indicator).order_by(Indicator.position,
                                                            Indicator.code)).all()


def set_thresholds(actor, indicator, green_at, amber_at, expected_version=None):
    """Change an indicator's traffic-light thresholds (administrators)."""
    require(indicators_permissions.can_manage_indicators(actor))
    indicator.check_version(expected_version)
    if indicator.direction == Direction.HIGHER_IS_BETTER and amber_at > green_at or \
            indicator.direction == Direction.LOWER_IS_BETTER and amber_at < green_at:
        raise ValidationError(_("The amber threshold must lie between red and green."),
                              field="amber_at")
    before = {"green_at": indicator.green_at, "amber_at": indicator.amber_at}
    indicator.green_at, indicator.amber_at = green_at, amber_at
    db.session.flush()
    audit.record(actor, "indicator_thresholds_set", indicator, before,
                 {"green_at": green_at, "amber_at": amber_at})
    return indicator


# --- scope and areas -------------------------------------------------------------------------

def get_visible_organisation(user, org_id):
    return get_visible(indicators_permissions.visible_indicator_organisations(user),
                       Organisation, org_id)


def area_condition(org):
    """The organisations whose actuals count for org: for the bank's head office the whole
    country (wherever the head office itself sits), for another bank office its district (or
    province) — a district office serves the whole district — otherwise its own subtree."""
    if org.kind == OrgKind.BANK_HEAD_OFFICE:
        return Organisation.country == org.country
    if org.is_bank and org.district:
        return sa.and_(Organisation.country == org.country,
                       Organisation.province == org.province,
                       Organisation.district == org.district)
    if org.is_bank and org.province:
        return sa.and_(Organisation.country == org.country,
                       Organisation.province == org.province)
    return Organisation.id.in_(permissions.subtree_select(
        sa.select(Organisation.id).where(Organisation.id == org.id), "indicator_area"))


def plan_holders(user):
    """Organisations with a plan or actuals that the user may see, for the index page."""
    with_plans = sa.select(IndicatorPlan.organisation_id)
    return db.session.scalars(indicators_permissions.visible_indicator_organisations(user).where(
        Organisation.id.in_(with_plans)).order_by(Organisation.name)).all()


def plans_of(org):
    """(year, [(indicator, value)]) of the latest year planned for org, or (None, [])."""
    year = db.session.scalar(sa.select(sa.func.max(IndicatorPlan.year)).where(
        IndicatorPlan.organisation_id == org.id))
    if year is None:
        return None, []
    return year, db.session.execute(sa.select(Indicator, IndicatorPlan.value).join(
        IndicatorPlan, IndicatorPlan.indicator_id == Indicator.id).where(
        IndicatorPlan.organisation_id == org.id, IndicatorPlan.year == year).order_by(
        Indicator.position, Indicator.code)).all()


# --- where the dashboards are ----------------------------------------------------------------

def _district_offices(user):
    """The bank offices that stand for a district (a district, no commune): their dashboards
    add up every organisation of the district (area_condition)."""
    return indicators_permissions.visible_indicator_organisations(user).where(
        Organisation.kind.in_(BANK_KINDS), Organisation.district.is_not(None),
        Organisation.commune.is_(None), Organisation.is_active)


def district_dashboards(user):
    """The district offices whose dashboards the user may open, by country, province and
    district, so that nobody has to type a dashboard's address."""
    if not indicators_permissions.can_view_indicators(user):
        return []
    return db.session.scalars(_district_offices(user).order_by(
        Organisation.country, Organisation.province, Organisation.district,
        Organisation.name)).all()


PANEL_SHOWN = 5


def panel_dashboards(user):
    """((id, name), ...) of the first dashboards of the home panel (district offices first,
    then organisations with a plan), one more than it shows to tell whether there are more.
    Both lists are kept for the process (every network's, a few hundred rows) and sifted in
    Python by who may see what (can_view_indicators_of): no statement on a person's first
    view of their home, where two scoped statements cost 8-14 ms for each person."""
    if not indicators_permissions.can_view_indicators(user):
        return ()
    wanted = PANEL_SHOWN + 1
    shown = []
    can_view = indicators_permissions.indicator_viewer(user)
    for candidates in (_district_offices_listed(), _plan_holders_by_name()):
        for org in candidates:
            if len(shown) == wanted:
                return tuple(shown)
            if (org.id, org.name) not in shown and can_view(org):
                shown.append((org.id, org.name))
    return tuple(shown)


# a district office as the organisation page links it, and as can_view_indicators_of reads it
Office = namedtuple("Office", "id name network_id country province district")


def _district_offices_listed():
    """Every network's district offices as Offices in the order the index lists them
    (country, province, district, name, in the database's collation), kept until an
    organisation changes: one statement for the process instead of one a page."""
    return versions.remembered("district_offices", ("organisation",), None, lambda: tuple(
        Office(*row) for row in db.session.execute(sa.select(
            Organisation.id, Organisation.name, Organisation.network_id,
            Organisation.country, Organisation.province, Organisation.district).where(
            Organisation.kind.in_(BANK_KINDS), Organisation.district.is_not(None),
            Organisation.commune.is_(None), Organisation.is_active)
            .order_by(Organisation.country, Organisation.province, Organisation.district,
                      Organisation.name, Organisation.id))))


def _district_offices_by_place():
    """{(country, province, district): (Office, ...) by id}."""
    def compute():
        found = defaultdict(list)
        for office in _district_offices_listed():
            found[(office.country, office.province, office.district)].append(office)
        return {place: tuple(sorted(offices, key=lambda o: o.id))
                for place, offices in found.items()}

    return versions.remembered("district_offices_by_place", ("organisation",), None, compute)


def _plan_holders_by_name():
    """Every network's organisations with a plan, as Offices by name, kept until a plan or an
    organisation changes."""
    return versions.remembered(
        "plan_holders", ("indicator_plan", "organisation"), None, lambda: tuple(
            Office(*row) for row in db.session.execute(sa.select(
                Organisation.id, Organisation.name, Organisation.network_id,
                Organisation.country, Organisation.province, Organisation.district).where(
                Organisation.id.in_(sa.select(IndicatorPlan.organisation_id)))
                .order_by(Organisation.name, Organisation.id))))


def district_office_of(user, country, province, district):
    """The district office of a place that the user may see (the first by id), as an Office,
    or None."""
    if not district:
        return None
    can_view = indicators_permissions.indicator_viewer(user)
    return next((office for office in _district_offices_by_place().get(
        (country, province, district), ()) if can_view(office)), None)


def landing_organisation(user, kind, imported):
    """The organisation whose dashboard shows an accepted import (importing.Imported), or
    None for the index: actuals and ratings that all lie in one district go to that
    district's office, which adds them up; otherwise, and for plans, the one organisation
    of the file when there is one."""
    if kind != "plans" and len(imported.places) == 1:
        office = district_office_of(user, *next(iter(imported.places)))
        if office is not None:
            return db.session.get(Organisation, office.id)
    if len(imported.organisation_ids) == 1:
        return db.session.scalar(indicators_permissions.visible_indicator_organisations(user).where(
            Organisation.id == next(iter(imported.organisation_ids))))
    return None


def _figures_in_area(org):
    """(rated, has figures) of org's area, in one statement: a group rating in it; an actual in
    it or a plan of org's own."""
    area = area_condition(org)
    rated = sa.exists().where(GroupRating.organisation_id == Organisation.id, area)
    return db.session.execute(sa.select(rated, sa.or_(
        rated, sa.exists().where(IndicatorActual.organisation_id == Organisation.id, area),
        sa.exists().where(IndicatorPlan.organisation_id == org.id)))).one()


def dashboard_links(user, org):
    """What an organisation's page offers of the indicators, for a reader who may see them
    (indicators_permissions.indicator_scope): {"dashboard": bool, "ratings": bool, "district": the
    district office whose dashboard covers org (an Office), or None, "latest_rating": (grade,
    month) of a savings group, or None}. None when the reader may see none of it.
    One statement (two for a savings group): who may see what is decided in Python."""
    if not indicators_permissions.can_view_indicators_of(user, org):
        return None
    rated, has_figures = _figures_in_area(org)
    district = district_office_of(user, org.country, org.province, org.district)
    latest = None
    if org.kind == OrgKind.SAVINGS_GROUP:
        latest = db.session.execute(sa.select(GroupRating.grade, GroupRating.period).where(
            GroupRating.organisation_id == org.id).order_by(GroupRating.period.desc())
            .limit(1)).first()
    is_district = district is not None and district.id == org.id
    # a group's own rating is told in words; "by rating" is for areas with many groups
    links = {"dashboard": bool(has_figures) or is_district,
             "ratings": bool(rated) and org.kind != OrgKind.SAVINGS_GROUP,
             "district": None if is_district else district, "latest_rating": latest}
    return links if links["dashboard"] or links["district"] else None


def periods_for(org):
    """The months with actuals or group ratings in org's area, latest first (a month whose
    ratings came in before its actuals can be shown too)."""
    area = area_condition(org)
    months = sa.union(
        sa.select(IndicatorActual.period.label("period")).join(
            Organisation, Organisation.id == IndicatorActual.organisation_id).where(area),
        sa.select(GroupRating.period.label("period")).join(
            Organisation, Organisation.id == GroupRating.organisation_id).where(area),
    ).subquery()
    return db.session.scalars(sa.select(months.c.period).order_by(
        months.c.period.desc())).all()


# --- scorecard -------------------------------------------------------------------------------

def _totals(org, period):
    """{indicator id: (amount, base)} summed over the area; a component also adds to its
    parent (capital mobilised = savings through groups + deposits)."""
    base_query = sa.select().select_from(IndicatorActual).join(
        Organisation, Organisation.id == IndicatorActual.organisation_id).join(
        Indicator, Indicator.id == IndicatorActual.indicator_id).where(
        area_condition(org), IndicatorActual.period == period)
    sums = (sa.func.sum(IndicatorActual.amount), sa.func.sum(IndicatorActual.base))
    own = base_query.add_columns(Indicator.id, *sums).group_by(Indicator.id)
    parents = base_query.add_columns(Indicator.part_of_id, *sums).where(
        Indicator.part_of_id.is_not(None)).group_by(Indicator.part_of_id)
    totals = {}
    for indicator_id, amount, base in db.session.execute(sa.union_all(own, parents)):
        before = totals.get(indicator_id, (Decimal(0), None))
        totals[indicator_id] = (before[0] + (amount or 0),
                                None if base is None and before[1] is None
                                else (before[1] or 0) + (base or 0))
    return totals


def scorecard(org, period):
    """One row per indicator: value (a ratio for ratios), plan, attainment and light."""
    totals = _totals(org, period)
    plans = dict(db.session.execute(sa.select(IndicatorPlan.indicator_id, IndicatorPlan.value)
                                    .where(IndicatorPlan.organisation_id == org.id,
                                           IndicatorPlan.year == period.year)).all())
    rows = []
    for indicator in indicators():
        if indicator.id not in totals and indicator.id not in plans:
            continue
        amount, base = totals.get(indicator.id, (None, None))
        value = amount
        if indicator.unit == Unit.RATIO:
            value = amount / base if amount is not None and base else None
        plan = plans.get(indicator.id)
        attainment = value / plan if value is not None and plan else None
        score = attainment if indicator.plan_based else value
        rows.append({"indicator": indicator, "value": value, "plan": plan,
                     "attainment": attainment, "light": indicator.light(score)
                     if (indicator.plan_based and attainment is not None) or
                     (not indicator.plan_based and value is not None and
                      indicator.part_of_id is None) else None})
    return rows


def _place_columns(by):
    """(the place column, the columns above it): a commune is told apart by its district and
    province, a district by its province, since their names repeat across the country."""
    if by not in AREA_LEVELS:
        raise ValidationError(_("Unknown level."))
    above = AREA_LEVELS[AREA_LEVELS.index(by) + 1:]
    return getattr(Organisation, by), [getattr(Organisation, level) for level in above]


def rollup(org, period, code, by="commune"):
    """An indicator summed over the area, per commune, district or province (SQL GROUP BY).
    Rows: place, within (the place one level up: a commune's district, a district's
    province; None for a province), amount, base, ratio (amount ÷ base)."""
    return rollups(org, period, (code,), by)[code]


def ratio_of(amount, base):
    """amount ÷ base in SQL, exact (NUMERIC) on PostgreSQL; NULL without a base. SQLite keeps
    whole amounts as integers and would divide them as integers: the Decimal one makes it
    divide as reals there, and changes nothing on PostgreSQL."""
    one = sa.literal(Decimal(1), RATIO)
    return sa.type_coerce(sa.case((base > 0, amount * one / base), else_=None), RATIO)


def rollups(org, period, codes, by="commune"):
    """rollup() of several indicators in one statement: {code: rows}."""
    place, above = _place_columns(by)
    within = above[0] if above else sa.null()
    amount = sa.func.sum(IndicatorActual.amount)
    base = sa.func.sum(IndicatorActual.base)
    query = sa.select(Indicator.code, place.label("place"), within.label("within"),
                      amount.label("amount"), base.label("base"),
                      ratio_of(amount, base).label("ratio")).join(
        Organisation, Organisation.id == IndicatorActual.organisation_id).join(
        Indicator, Indicator.id == IndicatorActual.indicator_id).where(
        area_condition(org), IndicatorActual.period == period, Indicator.code.in_(codes),
        place.is_not(None)).group_by(Indicator.code, place, *above).order_by(
        Indicator.code, place, *above)
    result = {code: [] for code in codes}
    for row in db.session.execute(query):
        result[row.code].append(row)
    return result


def without_amount(rows):
    """(places of a rollup with no amount, places in it): what places_without() counts in
    SQL, from rows already summed."""
    return sum(1 for r in rows if r.amount == 0), len(rows)


def places_without(org, period, code, by="commune"):
    """(places with no amount of this indicator, places reporting it): e.g. communes
    without overdue debt, counted in SQL."""
    place, above = _place_columns(by)
    per_place = sa.select(place.label("place"),
                          sa.func.sum(IndicatorActual.amount).label("amount")).join(
        Organisation, Organisation.id == IndicatorActual.organisation_id).join(
        Indicator, Indicator.id == IndicatorActual.indicator_id).where(
        area_condition(org), IndicatorActual.period == period, Indicator.code == code,
        place.is_not(None)).group_by(place, *above).subquery()
    row = db.session.execute(sa.select(
        sa.func.count().filter(per_place.c.amount == 0), sa.func.count())).one()
    return row[0], row[1]


# --- ratings ---------------------------------------------------------------------------------

def grades():
    """The grades a savings-and-loan group may be given, best first (a rating form's choices,
    the field app's included)."""
    return list(Grade)   # declared best first


def _rank():
    return sa.case(*((GroupRating.grade == grade, rank) for grade, rank in
                     GRADE_RANKS.items()), else_=5)


def previous_month(month):
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year,
                                                                      month.month - 1, 1)


def grade_distribution(org, period):
    """[(grade, count, share)] for the groups in org's area this period, in grade order; the
    share comes from a window sum over the counts."""
    count = sa.func.count()
    rows = dict((grade, (n, share)) for grade, n, share in db.session.execute(
        sa.select(GroupRating.grade, count,
                  sa.cast(count, sa.Float) / sa.cast(sa.func.sum(count).over(), sa.Float))
        .join(Organisation, Organisation.id == GroupRating.organisation_id)
        .where(area_condition(org), GroupRating.period == period)
        .group_by(GroupRating.grade)))
    return [(grade, *rows.get(grade, (0, 0.0))) for grade in Grade]


def fell_a_grade(org, period):
    """Groups rated lower this period than last: [(Organisation, grade before, grade now)]."""
    before = sa.orm.aliased(GroupRating)
    now_rank, before_rank = _rank(), sa.case(*((before.grade == g, r) for g, r in
                                               GRADE_RANKS.items()), else_=5)
    return db.session.execute(
        sa.select(Organisation, before.grade, GroupRating.grade)
        .join(GroupRating, GroupRating.organisation_id == Organisation.id)
        .join(before, sa.and_(before.organisation_id == Organisation.id,
                              before.period == previous_month(period)))
        .where(area_condition(org), GroupRating.period == period, now_rank > before_rank)
        .order_by(Organisation.commune, Organisation.name)).all()


def _distributions(org, periods):
    """grade_distribution() of several months in one statement: {month: [(grade, n, share)]}."""
    count = sa.func.count()
    found = {}
    for month, grade, n, share in db.session.execute(
            sa.select(GroupRating.period, GroupRating.grade, count,
                      sa.cast(count, sa.Float) / sa.cast(
                          sa.func.sum(count).over(partition_by=GroupRating.period), sa.Float))
            .join(Organisation, Organisation.id == GroupRating.organisation_id)
            .where(area_condition(org), GroupRating.period.in_(periods))
            .group_by(GroupRating.period, GroupRating.grade)):
        found[(month, grade)] = (n, share)
    return {month: [(grade, *found.get((month, grade), (0, 0.0))) for grade in Grade]
            for month in periods}


def rating_summary(org, period):
    both = _distributions(org, [period, previous_month(period)])
    now, before = both[period], both[previous_month(period)]
    has_before = any(n for _g, n, _s in before)
    return [{"grade": g, "count": n, "share": s,
             "change": (n - before[i][1]) if has_before else None}
            for i, (g, n, s) in enumerate(now)], sum(n for _g, n, _s in now)
