"""version tags: a random tag per meeting version, and the one before it (catch-up across a restore)

Revision ID: 4b8e2d6f0a13
Revises: 3a7d5c1e9f42
Create Date: 2026-12-08 02:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '4b8e2d6f0a13'
down_revision = '3a7d5c1e9f42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version_tag', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('previous_version_tag', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('previous_version_tag')
        batch_op.drop_column('version_tag')
