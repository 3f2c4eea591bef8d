"""entries sent from the field: one row per device entry settled, for idempotent sync

Revision ID: f5c2a8e1b903
Revises: e3b7c1d9f462
Create Date: 2026-12-05 23:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'f5c2a8e1b903'
down_revision = 'e3b7c1d9f462'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'field_submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('client_id', sa.String(length=36), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                                name=op.f('fk_field_submission_user_id_user')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_field_submission_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='SET NULL',
                                name=op.f('fk_field_submission_meeting_id_meeting')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_submission')),
        sa.UniqueConstraint('user_id', 'client_id', name='uq_field_submission_user_client'),
    )
    with op.batch_alter_table('field_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_submission_organisation_id'),
                              ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('field_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_submission_organisation_id'))
    op.drop_table('field_submission')
