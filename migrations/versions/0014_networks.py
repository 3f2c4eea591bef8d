"""networks: every organisation belongs to one bank's network; products and packages to the bank
that offers them

Revision ID: 7c1e5a0d9b14
Revises: 59d075222b1a
Create Date: 2026-12-05 20:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '7c1e5a0d9b14'
down_revision = '59d075222b1a'
branch_labels = None
depends_on = None


def _assign_existing():
    """A head office is its own network; its subtree follows it; an organisation without a
    parent is in the network of its country's (first) head office. Offers go to the head office
    that works in their currency."""
    conn = op.get_bind()
    org = sa.table('organisation', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                   sa.column('parent_id', sa.Integer), sa.column('country', sa.String),
                   sa.column('currency', sa.String), sa.column('network_id', sa.Integer))
    offices = conn.execute(sa.select(org.c.id, org.c.country, org.c.currency)
                           .where(org.c.kind == 'bank_head_office').order_by(org.c.id)).all()
    for office_id, _country, _currency in offices:
        conn.execute(sa.update(org).where(org.c.id == office_id).values(network_id=office_id))
    by_country = {}
    for office_id, country, _currency in offices:
        by_country.setdefault(country, office_id)
    roots = conn.execute(sa.select(org.c.id, org.c.kind, org.c.country)
                         .where(org.c.parent_id.is_(None))).all()
    for root_id, kind, country in roots:
        network = root_id if kind == 'bank_head_office' else by_country.get(country)
        if network is None:
            continue
        tree = sa.select(org.c.id).where(org.c.id == root_id).cte('tree', recursive=True)
        tree = tree.union(sa.select(org.c.id).join(tree, org.c.parent_id == tree.c.id))
        conn.execute(sa.update(org).where(org.c.id.in_(sa.select(tree.c.id)),
                                          org.c.kind != 'bank_head_office')
                     .values(network_id=network))
    by_currency = {}
    for office_id, _country, currency in offices:
        by_currency.setdefault(currency, office_id)
    product = sa.table('product', sa.column('currency', sa.String),
                       sa.column('network_id', sa.Integer))
    for currency, office_id in by_currency.items():
        conn.execute(sa.update(product).where(product.c.currency == currency)
                     .values(network_id=office_id))
    # a package goes with the bank of the products it bundles
    package = sa.table('service_package', sa.column('id', sa.Integer),
                       sa.column('network_id', sa.Integer))
    link = sa.table('service_package_product', sa.column('package_id', sa.Integer),
                    sa.column('product_id', sa.Integer))
    full_product = sa.table('product', sa.column('id', sa.Integer),
                            sa.column('network_id', sa.Integer))
    conn.execute(sa.update(package).values(network_id=sa.select(
        sa.func.min(full_product.c.network_id)).join(
            link, link.c.product_id == full_product.c.id)
        .where(link.c.package_id == package.c.id).scalar_subquery()))


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisation_network_id'), ['network_id'],
                              unique=False)
        batch_op.create_foreign_key('fk_organisation_network_id_organisation', 'organisation',
                                    ['network_id'], ['id'])
    for table in ('product', 'service_package'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('network_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_network_id'), ['network_id'],
                                  unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_network_id_organisation'),
                                        'organisation', ['network_id'], ['id'])
    _assign_existing()


def downgrade():
    for table in ('service_package', 'product'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_network_id_organisation'),
                                     type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_network_id'))
            batch_op.drop_column('network_id')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_organisation_network_id_organisation', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_organisation_network_id'))
        batch_op.drop_column('network_id')
