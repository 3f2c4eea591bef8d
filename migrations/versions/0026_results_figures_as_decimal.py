"""a result's baseline and target as Decimal: the last Float columns become NUMERIC

A result measured by a figure kept its baseline and target as floating point, while the
indicator actuals it is compared with are exact since c3d9e1f0a824: a baseline typed as
123.45 could come back as 123.4499999. Both become NUMERIC(24, 6), which holds any amount or
count an indicator keeps (NUMERIC(20, 2)) and a share or ratio as a fraction to six decimals,
like indicators' thresholds (0.45 % is 0.0045).

Revision ID: 5e8b2d7c41f9
Revises: c3d9e1f0a824
Create Date: 2026-12-06 05:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '5e8b2d7c41f9'
down_revision = 'c3d9e1f0a824'
branch_labels = None
depends_on = None

FIGURE = sa.Numeric(24, 6)
COLUMNS = ('baseline', 'target')  # of the table result, both nullable


def upgrade():
    with op.batch_alter_table('result', schema=None) as batch_op:
        for column in COLUMNS:
            # PostgreSQL rounds a double precision to the new scale on the cast
            batch_op.alter_column(column, existing_type=sa.Float(), type_=FIGURE,
                                  existing_nullable=True,
                                  postgresql_using=f'round({column}::numeric, {FIGURE.scale})')


def downgrade():
    with op.batch_alter_table('result', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=FIGURE, type_=sa.Float(),
                                  existing_nullable=True,
                                  postgresql_using=f'{column}::double precision')
