"""roster versions: what the room's snapshot cache is keyed on besides the meeting's version

Revision ID: 7c2b9e4f1a30
Revises: 0bf0ed5ebdde
Create Date: 2026-12-02 00:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7c2b9e4f1a30'
down_revision = '0bf0ed5ebdde'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'roster_versions',
        sa.Column('scope', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_roster_versions')),
    )


def downgrade():
    op.drop_table('roster_versions')
