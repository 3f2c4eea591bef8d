"""a discussion under each feedback item, kept apart from the official answer

Revision ID: b7d3e9a1c218
Revises: 5e2c8a4f7b19
Create Date: 2026-12-05 22:50:00.000000

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'b7d3e9a1c218'
down_revision = '5e2c8a4f7b19'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
