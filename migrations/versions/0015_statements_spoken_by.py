"""statements belong to who spoke: who recorded a feedback item on an organisation's behalf,
and whether a statement is confidential only because its meeting is

Revision ID: 3b8f2d6e1a57
Revises: 7c1e5a0d9b14
Create Date: 2026-12-05 21:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '3b8f2d6e1a57'
down_revision = '7c1e5a0d9b14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_feedback_item_recorded_by_id_user'), 'user',
                                    ['recorded_by_id'], ['id'])
    with op.batch_alter_table('meeting_statement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidential_by_meeting', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # statements recorded so far: the recorder entered them for the organisation that spoke
    op.execute(sa.text(
        'UPDATE feedback_item SET recorded_by_id = submitted_by_id '
        'WHERE id IN (SELECT feedback_item_id FROM meeting_statement)'))
    # the statement form never chose a visibility: a confidential statement got it from its
    # meeting, and becomes public again with it
    op.execute(sa.text(
        "UPDATE meeting_statement SET confidential_by_meeting = :yes WHERE feedback_item_id IN "
        "(SELECT id FROM feedback_item WHERE visibility = 'confidential') AND meeting_id IN "
        "(SELECT id FROM meeting WHERE confidential = :yes)").bindparams(yes=True))
    with op.batch_alter_table('meeting_statement', schema=None) as batch_op:
        batch_op.alter_column('confidential_by_meeting', server_default=None)


def downgrade():
    with op.batch_alter_table('meeting_statement', schema=None) as batch_op:
        batch_op.drop_column('confidential_by_meeting')
    with op.batch_alter_table('feedback_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feedback_item_recorded_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('recorded_by_id')
