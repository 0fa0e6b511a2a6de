"""command log for every writer: organisation commands, the server's own changes, form posts

Revision ID: 5d1c0a9e7b21
Revises: 642cf832e761
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0a9e7b21'
down_revision = '642cf832e761'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('command_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.Integer(), nullable=True))
        batch_op.alter_column('actor_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('client_id', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index(batch_op.f('ix_command_log_organization_id'), ['organization_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_command_log_organization_id_organizations'), 'organizations', ['organization_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('command_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_command_log_organization_id_organizations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_command_log_organization_id'))
        batch_op.alter_column('client_id', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('actor_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('organization_id')
