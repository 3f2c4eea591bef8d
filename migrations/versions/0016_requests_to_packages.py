"""requests to packages: a product request answered by a service package, the record that its
requesters were told the offer is available, and what replaces a withdrawn offer

Revision ID: 9d4a6c2e8f31
Revises: 3b8f2d6e1a57
Create Date: 2026-12-05 21:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '9d4a6c2e8f31'
down_revision = '3b8f2d6e1a57'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('package_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('offer_notice_sent_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_feedback_item_package_id'), ['package_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_feedback_item_package_id_service_package'),
                                    'service_package', ['package_id'], ['id'])
        batch_op.create_check_constraint('one_offer', 'product_id IS NULL OR package_id IS NULL')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_product_replaced_by_id_product'), 'product',
                                    ['replaced_by_id'], ['id'])
    with op.batch_alter_table('service_package', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_service_package_replaced_by_id_service_package'), 'service_package',
            ['replaced_by_id'], ['id'])
    # Requests linked to a product that has already been available were told then (the notice
    # went out the first time the product became available): record it, so nobody hears it
    # twice.
    op.execute(sa.text(
        'UPDATE feedback_item SET offer_notice_sent_at = '
        '(SELECT available_since FROM product WHERE product.id = feedback_item.product_id) '
        'WHERE product_id IN (SELECT id FROM product WHERE available_since IS NOT NULL)'))


def downgrade():
    with op.batch_alter_table('service_package', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_service_package_replaced_by_id_service_package'), type_='foreignkey')
        batch_op.drop_column('replaced_by_id')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_product_replaced_by_id_product'),
                                 type_='foreignkey')
        batch_op.drop_column('replaced_by_id')
    with op.batch_alter_table('feedback_item', schema=None) as batch_op:
        batch_op.drop_constraint('one_offer', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_feedback_item_package_id_service_package'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_feedback_item_package_id'))
        batch_op.drop_column('offer_notice_sent_at')
        batch_op.drop_column('package_id')
