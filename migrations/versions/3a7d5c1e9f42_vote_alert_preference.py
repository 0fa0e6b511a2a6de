"""vote alert: a user's own choice of a sound and vibration when a vote opens

Revision ID: 3a7d5c1e9f42
Revises: a0d6d58121dd
Create Date: 2026-12-07 20:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3a7d5c1e9f42'
down_revision = 'a0d6d58121dd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('vote_alert', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('vote_alert')
