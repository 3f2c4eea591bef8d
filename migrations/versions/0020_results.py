"""results the bank commits to ("you said, we did"): texts per language, milestones, the
feedback items each result answers, the meeting commitments it carries out,
the offers and branches it changes, and the figure
that measures it

Revision ID: d9a1f3b7c520
Revises: c4e8f2a6d301
Create Date: 2026-12-05 23:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'd9a1f3b7c520'
down_revision = 'c4e8f2a6d301'
branch_labels = None
depends_on = None

MEASURE = sa.Enum('indicator', 'in_bank_share', name='measurekind', native_enum=False,
                  length=32)
STATUS = sa.Enum('planned', 'in_progress', 'done', 'dropped', name='resultstatus',
                 native_enum=False, length=32)


def upgrade():
    op.create_table(
        'result',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('network_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('weight', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', STATUS, nullable=False),
        sa.Column('typed_progress', sa.Integer(), nullable=False),
        sa.Column('dropped_reason', sa.Text(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('escalation_level', sa.Integer(), nullable=False),
        sa.Column('measure', MEASURE, nullable=True),
        sa.Column('measure_indicator_id', sa.Integer(), nullable=True),
        sa.Column('measure_organisation_id', sa.Integer(), nullable=True),
        sa.Column('baseline', sa.Float(), nullable=True),
        sa.Column('baseline_on', sa.Date(), nullable=True),
        sa.Column('target', sa.Float(), nullable=True),
        sa.Column('target_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_result_created_by_id_user')),
        sa.ForeignKeyConstraint(['network_id'], ['organisation.id'],
                                name=op.f('fk_result_network_id_organisation')),
        sa.ForeignKeyConstraint(['measure_indicator_id'], ['indicator.id'],
                                name=op.f('fk_result_measure_indicator_id_indicator')),
        sa.ForeignKeyConstraint(['measure_organisation_id'], ['organisation.id'],
                                name=op.f('fk_result_measure_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_result_owner_id_user')),
        sa.ForeignKeyConstraint(['parent_id'], ['result.id'],
                                name=op.f('fk_result_parent_id_result')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_result')),
    )
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_parent_id'), ['parent_id'], unique=False)
    op.create_table(
        'result_text',
        sa.Column('result_id', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=5), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('description_html', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['result_id'], ['result.id'], ondelete='CASCADE',
                                name=op.f('fk_result_text_result_id_result')),
        sa.PrimaryKeyConstraint('result_id', 'locale', name=op.f('pk_result_text')),
    )
    op.create_table(
        'result_milestone',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('result_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('reached', sa.Boolean(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'],
                                name=op.f('fk_result_milestone_recorded_by_id_user')),
        sa.ForeignKeyConstraint(['result_id'], ['result.id'], ondelete='CASCADE',
                                name=op.f('fk_result_milestone_result_id_result')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_result_milestone')),
    )
    with op.batch_alter_table('result_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_milestone_result_id'), ['result_id'],
                              unique=False)
    op.create_table(
        'result_feedback_item',
        sa.Column('result_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['feedback_item.id'], ondelete='CASCADE',
                                name=op.f('fk_result_feedback_item_item_id_feedback_item')),
        sa.ForeignKeyConstraint(['result_id'], ['result.id'], ondelete='CASCADE',
                                name=op.f('fk_result_feedback_item_result_id_result')),
        sa.PrimaryKeyConstraint('result_id', 'item_id', name=op.f('pk_result_feedback_item')),
    )
    with op.batch_alter_table('result_feedback_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_feedback_item_item_id'), ['item_id'],
                              unique=False)
    op.create_table(
        'result_commitment',
        sa.Column('result_id', sa.Integer(), nullable=False),
        sa.Column('commitment_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['commitment_id'], ['meeting_commitment.id'], ondelete='CASCADE',
                                name=op.f('fk_result_commitment_commitment_id_meeting_commitment')),
        sa.ForeignKeyConstraint(['result_id'], ['result.id'], ondelete='CASCADE',
                                name=op.f('fk_result_commitment_result_id_result')),
        sa.PrimaryKeyConstraint('result_id', 'commitment_id', name=op.f('pk_result_commitment')),
    )
    with op.batch_alter_table('result_commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_commitment_commitment_id'), ['commitment_id'],
                              unique=False)
    for table, column, target in (('result_product', 'product_id', 'product'),
                                  ('result_package', 'package_id', 'service_package'),
                                  ('result_branch', 'branch_id', 'branch')):
        op.create_table(
            table,
            sa.Column('result_id', sa.Integer(), nullable=False),
            sa.Column(column, sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint([column], [f'{target}.id'], ondelete='CASCADE',
                                    name=op.f(f'fk_{table}_{column}_{target}')),
            sa.ForeignKeyConstraint(['result_id'], ['result.id'], ondelete='CASCADE',
                                    name=op.f(f'fk_{table}_result_id_result')),
            sa.PrimaryKeyConstraint('result_id', column, name=op.f(f'pk_{table}')),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def downgrade():
    for table in ('result_branch', 'result_package', 'result_product'):
        op.drop_table(table)
    op.drop_table('result_commitment')
    op.drop_table('result_feedback_item')
    op.drop_table('result_milestone')
    op.drop_table('result_text')
    op.drop_table('result')
