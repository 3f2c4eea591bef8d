"""outbox message id: each message keeps one Message-ID from enqueueing through every resend

Revision ID: c3b8e1f4a6d2
Revises: a7e4c9d2b815
Create Date: 2026-12-07 09:00:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = 'c3b8e1f4a6d2'
down_revision = 'a7e4c9d2b815'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
    # messages already queued get theirs now; the random part keeps them apart from any other
    # installation's, since receivers compare Message-IDs across all the mail they get
    run = secrets.token_hex(8)
    op.execute(sa.text(
        "UPDATE outbox_message SET message_id = "
        "'<outbox.' || CAST(id AS VARCHAR(20)) || '." + run + "@cooperative-bank-portal>'"))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=255),
                              nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_message_message_id'),
                                          ['message_id'])


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_message_message_id'), type_='unique')
        batch_op.drop_column('message_id')
