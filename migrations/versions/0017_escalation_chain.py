"""escalation chain per network: each link belongs to one bank's network and names a person or
a role; an office, when given, limits the link to the items that office handles

Revision ID: 5e2c8a4f7b19
Revises: 9d4a6c2e8f31
Create Date: 2026-12-05 22:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '5e2c8a4f7b19'
down_revision = '9d4a6c2e8f31'
branch_labels = None
depends_on = None

ROLE = sa.Enum('union_director', 'relationship_manager', 'branch_staff', 'ministry_official',
               'administrator', name='role', native_enum=False, length=32)


def _assign_networks():
    """A link belongs to the network of its office, else of its person's first organisation.
    Levels 2 and 3 used to serve the whole bank whatever office they named: they lose the
    office. A link that belongs to no bank's network cannot be told of anything: removed."""
    conn = op.get_bind()
    contact = sa.table('feedback_escalation_contact', sa.column('id', sa.Integer),
                       sa.column('level', sa.Integer), sa.column('organisation_id', sa.Integer),
                       sa.column('user_id', sa.Integer), sa.column('network_id', sa.Integer))
    org = sa.table('organisation', sa.column('id', sa.Integer),
                   sa.column('network_id', sa.Integer))
    membership = sa.table('membership', sa.column('id', sa.Integer),
                          sa.column('user_id', sa.Integer),
                          sa.column('organisation_id', sa.Integer))
    conn.execute(sa.update(contact).values(network_id=sa.select(org.c.network_id).where(
        org.c.id == contact.c.organisation_id).scalar_subquery()))
    for contact_id, user_id in conn.execute(sa.select(contact.c.id, contact.c.user_id).where(
            contact.c.network_id.is_(None))).all():
        network_id = conn.scalar(sa.select(org.c.network_id).join(
            membership, membership.c.organisation_id == org.c.id).where(
            membership.c.user_id == user_id, org.c.network_id.is_not(None))
            .order_by(membership.c.id).limit(1))
        conn.execute(sa.update(contact).where(contact.c.id == contact_id)
                     .values(network_id=network_id))
    conn.execute(sa.delete(contact).where(contact.c.network_id.is_(None)))
    conn.execute(sa.update(contact).where(contact.c.level >= 2).values(organisation_id=None))


def upgrade():
    with op.batch_alter_table('feedback_escalation_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('role', ROLE, nullable=True))
        batch_op.drop_constraint('uq_feedback_escalation_contact', type_='unique')
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
    _assign_networks()
    with op.batch_alter_table('feedback_escalation_contact', schema=None) as batch_op:
        batch_op.alter_column('network_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_feedback_escalation_contact_network_id'),
                              ['network_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_feedback_escalation_contact_network_id_organisation'),
            'organisation', ['network_id'], ['id'])
        batch_op.create_check_constraint(
            'ck_feedback_escalation_contact_person_or_role', '(user_id IS NULL) <> (role IS NULL)')
        batch_op.create_check_constraint(
            'ck_feedback_escalation_contact_escalation_level', 'level BETWEEN 1 AND 3')


def downgrade():
    # links by role, or without an office, cannot be written in the old form
    op.execute(sa.text('DELETE FROM feedback_escalation_contact WHERE user_id IS NULL'))
    op.execute(sa.text(
        'UPDATE feedback_escalation_contact SET organisation_id = network_id '
        'WHERE organisation_id IS NULL'))
    with op.batch_alter_table('feedback_escalation_contact', schema=None) as batch_op:
        batch_op.drop_constraint('ck_feedback_escalation_contact_escalation_level',
                                 type_='check')
        batch_op.drop_constraint('ck_feedback_escalation_contact_person_or_role', type_='check')
        batch_op.drop_constraint(
            batch_op.f('fk_feedback_escalation_contact_network_id_organisation'),
            type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_feedback_escalation_contact_network_id'))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_feedback_escalation_contact',
                                          ['level', 'organisation_id', 'user_id'])
        batch_op.drop_column('role')
        batch_op.drop_column('network_id')
