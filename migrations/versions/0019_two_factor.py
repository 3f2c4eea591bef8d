"""second factor, recovery codes, sign-in throttling, sign-in links

Revision ID: c4e8f2a6d301
Revises: b7d3e9a1c218
Create Date: 2026-12-05 23:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e8f2a6d301'
down_revision = 'b7d3e9a1c218'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('two_factor_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('signin_link_nonce', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=300), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_recovery_code_user_id_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    op.create_index(op.f('ix_recovery_code_user_id'), 'recovery_code', ['user_id'])
    op.create_table(
        'sign_in_throttle',
        sa.Column('key', sa.String(length=320), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(), nullable=True),
        sa.Column('wait_until', sa.DateTime(), nullable=True),
        sa.Column('owner_told_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttle')),
    )
    op.create_index(op.f('ix_audit_entry_action'), 'audit_entry', ['action'])


def downgrade():
    op.drop_index(op.f('ix_audit_entry_action'), table_name='audit_entry')
    op.drop_table('sign_in_throttle')
    op.drop_index(op.f('ix_recovery_code_user_id'), table_name='recovery_code')
    op.drop_table('recovery_code')
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('signin_link_nonce')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('two_factor_since')
        batch_op.drop_column('totp_secret')
