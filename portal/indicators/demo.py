"""Demo indicators from the real figures (domain.md, seeds 001-003), loaded through the same
import code users use. Idempotent: importing the same rows twice changes nothing.

Kim Bang, 31 Aug 2023: 213 groups (206 good, 5 fair, 2 average); outstanding 512,143 million
VND over 7,970 households, +39,894 million since January, 98.41% of plan; bad debt 0.12%;
15 of 18 communes without overdue debt; capital 70,494 million = 24,085 savings through
groups + 46,409 deposits, 91.76% of plan. Thanh Hóa: 97% of value at commune points.
"""
from datetime import date

import sqlalchemy as sa

from portal.accounts.models import Organisation, OrgKind
from portal.extensions import db

MILLION = 1_000_000
AUGUST, JULY = date(2023, 8, 1), date(2023, 7, 1)
OUTSTANDING = 512_143 * MILLION
HOUSEHOLDS = 7_970
GROWTH = 39_894 * MILLION
GROUP_SAVINGS = 24_085 * MILLION
DEPOSITS = 46_409 * MILLION
BAD_DEBT = OUTSTANDING * 12 // 10_000          # 0.12% of outstanding
OVERDUE = 96 * MILLION                          # in 3 of the 18 communes only
# plans for 2023 chosen so that the attainments are the published ones
PLANS = {"outstanding_loans": 520_418 * MILLION,      # 512,143 / 520,418 = 98.41%
         "capital_mobilised": 76_824 * MILLION,       # 70,494 / 76,824 = 91.76%
         "borrowing_households": 8_100,
         "loan_growth_ytd": 45_000 * MILLION}


def _spread(total, count, salt=0):
    """total split into count unequal whole parts that add up exactly."""
    weights = [80 + ((i + salt) * 37) % 41 for i in range(count)]
    parts = [total * w // sum(weights) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def kim_bang_rows(groups, office_code="VBSP-KB", month=AUGUST):
    """The import rows for Kim Bang. groups: [(code, commune)] of the 213 groups, ordered.

    Returns {"actuals": [...], "plans": [...], "ratings": [...]} in the import formats.
    """
    period = f"{month:%Y-%m}"
    previous = f"{JULY:%Y-%m}"
    n = len(groups)
    outstanding = _spread(OUTSTANDING, n)
    households = _spread(HOUSEHOLDS, n, 3)
    growth = _spread(GROWTH, n, 5)
    savings = _spread(GROUP_SAVINGS, n, 7)
    bad_debt_groups = {7, 61, 133}
    bad_debt = dict(zip(sorted(bad_debt_groups), _spread(BAD_DEBT, 3), strict=True))
    communes = sorted({c for _code, c in groups}, key=[c for _code, c in groups].index)
    overdue_communes = set(communes[-3:])
    overdue_groups = [i for i, (_code, c) in enumerate(groups) if c in overdue_communes][::4]
    overdue = dict(zip(overdue_groups, _spread(OVERDUE, len(overdue_groups)), strict=True))
    actuals = []
    for i, (code, _commune) in enumerate(groups):
        actuals += [
            (code, period, "outstanding_loans", outstanding[i], ""),
            (code, period, "borrowing_households", households[i], ""),
            (code, period, "loan_growth_ytd", growth[i], ""),
            (code, period, "group_savings", savings[i], ""),
            (code, period, "overdue_ratio", overdue.get(i, 0), outstanding[i]),
            (code, period, "bad_debt_ratio", bad_debt.get(i, 0), outstanding[i]),
        ]
    actuals.append((office_code, period, "deposits", DEPOSITS, ""))
    # 206 good, 5 fair, 2 average this month; last month two of this month's fair groups
    # were still good and one average group was fair
    fair, average = {12, 50, 98, 150, 190}, {75, 160}
    ratings, before = [], []
    for i, (code, _commune) in enumerate(groups):
        grade = "fair" if i in fair else "average" if i in average else "good"
        was = {12: "good", 98: "good", 160: "fair"}.get(i, grade)
        ratings.append((code, period, grade))
        before.append((code, previous, was))
    plans = [(office_code, month.year, code, value) for code, value in PLANS.items()]
    return {"actuals": actuals, "plans": plans, "ratings": before + ratings}


def thanh_hoa_rows(office_code="VBSP-TH", month=AUGUST):
    """Seed 002: 97% of the value at commune points, disbursement 100%, collection 93%."""
    period = f"{month:%Y-%m}"
    return {"actuals": [
        (office_code, period, "commune_point_share", 97_000 * MILLION, 100_000 * MILLION),
        (office_code, period, "disbursement_rate", 1_250 * MILLION, 1_250 * MILLION),
        (office_code, period, "collection_rate", 930 * MILLION, 1_000 * MILLION)]}


def kim_bang_groups():
    """The demo's Kim Bang groups, as (code, commune), in code order."""
    return db.session.execute(sa.select(Organisation.code, Organisation.commune).where(
        Organisation.code.like("VN-KB-G%"), Organisation.kind == OrgKind.SAVINGS_GROUP)
        .order_by(Organisation.code)).all()


def _thanh_hoa_office(by_code):
    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == "VBSP-TH"))
    if org is None:
        org = Organisation(code="VBSP-TH", name="Chi nhánh NHCSXH tỉnh Thanh Hóa",
                           name_en="VBSP Thanh Hoa provincial branch",
                           kind=OrgKind.SPECIALISED_BRANCH, parent=by_code.get("VBSP-HO"),
                           country="VN", currency="VND", province="Thanh Hóa")
        db.session.add(org)
        db.session.flush()
    return org


def seed(by_code):
    from portal.indicators import importing, services

    services.ensure_definitions()
    _thanh_hoa_office(by_code)
    groups = [tuple(g) for g in kim_bang_groups()]
    if not groups or "VBSP-KB" not in by_code:
        return
    rows = kim_bang_rows(groups)
    th = thanh_hoa_rows()
    for kind in ("plans", "actuals", "ratings"):
        records = [(line, dict(zip(importing.KINDS[kind], map(str, row), strict=True)))
                   for line, row in enumerate(rows[kind] + th.get(kind, []), start=2)]
        clean = importing._validate(_SYSTEM, kind, list(importing.KINDS[kind]), records)
        importing._write(kind, clean)


class _System:
    """The demo loader acts as an administrator would."""

    is_authenticated = True
    is_active = True
    id = None

    def has_role(self, *roles):
        return "administrator" in roles


_SYSTEM = _System()
