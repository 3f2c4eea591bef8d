"""e-mail per kind of event: right away, daily or weekly digests, or none; the one-click
unsubscribe address each message carries

Revision ID: e3b7c1d9f462
Revises: d9a1f3b7c520
Create Date: 2026-12-05 23:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'e3b7c1d9f462'
down_revision = 'd9a1f3b7c520'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_pending', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index('ix_notification_digest_pending', ['digest_pending', 'user_id'],
                              unique=False)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_unsubscribe', sa.String(length=500), nullable=True))
    op.create_table(
        'notification_preference',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('event_group', sa.String(length=32), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                                name=op.f('fk_notification_preference_user_id_user')),
        sa.PrimaryKeyConstraint('user_id', 'event_group',
                                name=op.f('pk_notification_preference')),
    )
    op.create_table(
        'digest_state',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.Column('last_sent_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                                name=op.f('fk_digest_state_user_id_user')),
        sa.PrimaryKeyConstraint('user_id', 'frequency', name=op.f('pk_digest_state')),
    )


def downgrade():
    op.drop_table('digest_state')
    op.drop_table('notification_preference')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('list_unsubscribe')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_digest_pending')
        batch_op.drop_column('digest_pending')
