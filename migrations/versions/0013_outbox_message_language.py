"""outbox message language

Revision ID: 59d075222b1a
Revises: aba87a2c10d5
Create Date: 2026-12-05 19:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '59d075222b1a'
down_revision = 'aba87a2c10d5'
branch_labels = None
depends_on = None


def upgrade():
    # the language a queued message is written in; messages queued before stay without one
    # (their HTML part then takes its direction from the text)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('locale')
