"""a discussion under each feedback item, kept apart from the official answer

Revision ID: b7d3e9a1c218
Revises: 5e2c8a4f7b19
Create Date: 2026-12-05 22:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = 'b7d3e9a1c218'
down_revision = '5e2c8a4f7b19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feedback_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('edited_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('hidden_at', sa.DateTime(), nullable=True),
        sa.Column('hidden_by_id', sa.Integer(), nullable=True),
        sa.Column('hidden_reason', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'],
                                name=op.f('fk_feedback_comment_author_id_user')),
        sa.ForeignKeyConstraint(['hidden_by_id'], ['user.id'],
                                name=op.f('fk_feedback_comment_hidden_by_id_user')),
        sa.ForeignKeyConstraint(['item_id'], ['feedback_item.id'],
                                name=op.f('fk_feedback_comment_item_id_feedback_item'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_feedback_comment_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_comment')),
    )
    with op.batch_alter_table('feedback_comment', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_comment_item', ['item_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_comment_author_id'), ['author_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('feedback_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_comment_author_id'))
        batch_op.drop_index('ix_feedback_comment_item')
    op.drop_table('feedback_comment')
