"""money and figures as Decimal: indicators' Float columns and the concentration threshold
become NUMERIC; the standard indicator definitions are reference data written here

Indicators kept amounts, plans and thresholds as floating point, so a district's sum of
communes could differ in the last digits from the communes it added up. Amounts, plans and
bases are now NUMERIC(20, 2) (every currency's minor unit); the traffic-light thresholds and
the concentration threshold are fractions, NUMERIC(9, 6) and NUMERIC(5, 4). Turnover amounts
stay BIGINT (whole units of the currency: portal.turnover.models.WholeUnits).

The standard indicators used to be created by the definitions page during a GET; they are
reference data, written here once (where they are missing: a database may already have
them, with the thresholds its administrators set).

Revision ID: c3d9e1f0a824
Revises: c3b8e1f4a6d2
Create Date: 2026-12-06 02:30:00.000000

"""
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = 'c3d9e1f0a824'
down_revision = 'c3b8e1f4a6d2'
branch_labels = None
depends_on = None

AMOUNT, FRACTION, SHARE = sa.Numeric(20, 2), sa.Numeric(9, 6), sa.Numeric(5, 4)
CHANGES = [  # table, column, nullable, new type
    ('indicator', 'green_at', False, FRACTION),
    ('indicator', 'amber_at', False, FRACTION),
    ('indicator_plan', 'value', False, AMOUNT),
    ('indicator_actual', 'amount', False, AMOUNT),
    ('indicator_actual', 'base', True, AMOUNT),
    ('concentration_threshold', 'share', False, SHARE),
]

# As portal.indicators.services.DEFINITIONS stood when this was written (a migration does not
# follow the code that comes after it): code, unit, direction, plan-based, green, amber, part of
DEFINITIONS = [
    ('outstanding_loans', 'money', 'higher', True, '0.95', '0.85', None),
    ('borrowing_households', 'count', 'higher', True, '0.95', '0.85', None),
    ('loan_growth_ytd', 'money', 'higher', True, '0.9', '0.7', None),
    ('capital_mobilised', 'money', 'higher', True, '0.95', '0.85', None),
    ('group_savings', 'money', 'higher', False, '0', '0', 'capital_mobilised'),
    ('deposits', 'money', 'higher', False, '0', '0', 'capital_mobilised'),
    ('overdue_ratio', 'ratio', 'lower', False, '0.001', '0.004', None),
    ('bad_debt_ratio', 'ratio', 'lower', False, '0.002', '0.004', None),
    ('disbursement_rate', 'ratio', 'higher', False, '0.98', '0.9', None),
    ('collection_rate', 'ratio', 'higher', False, '0.95', '0.85', None),
    ('commune_point_share', 'ratio', 'higher', False, '0.9', '0.75', None),
]


def _using(column, new_type):
    # PostgreSQL rounds a double precision to the new scale on the cast
    return f'round({column}::numeric, {new_type.scale})'


def upgrade():
    for table, column, nullable, new_type in CHANGES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Float(), type_=new_type,
                                  existing_nullable=nullable,
                                  postgresql_using=_using(column, new_type))
    _write_definitions()


def _write_definitions():
    indicator = sa.table(
        'indicator', sa.column('id', sa.Integer), sa.column('code', sa.String),
        sa.column('unit', sa.String), sa.column('direction', sa.String),
        sa.column('plan_based', sa.Boolean), sa.column('green_at', FRACTION),
        sa.column('amber_at', FRACTION), sa.column('part_of_id', sa.Integer),
        sa.column('position', sa.Integer), sa.column('version_id', sa.Integer),
        sa.column('created_at', sa.DateTime), sa.column('updated_at', sa.DateTime))
    connection = op.get_bind()
    ids = dict(connection.execute(sa.select(indicator.c.code, indicator.c.id)).all())
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for position, (code, unit, direction, plan_based, green, amber, part_of) in enumerate(
            DEFINITIONS):
        if code in ids:
            continue
        connection.execute(indicator.insert().values(
            code=code, unit=unit, direction=direction, plan_based=plan_based,
            green_at=Decimal(green), amber_at=Decimal(amber), part_of_id=ids.get(part_of), position=position,
            version_id=1, created_at=now, updated_at=now))
        ids[code] = connection.scalar(sa.select(indicator.c.id).where(
            indicator.c.code == code))


def downgrade():
    # the definitions stay: they are the indicators' reference data under either type
    for table, column, nullable, new_type in reversed(CHANGES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=new_type, type_=sa.Float(),
                                  existing_nullable=nullable,
                                  postgresql_using=f'{column}::double precision')
