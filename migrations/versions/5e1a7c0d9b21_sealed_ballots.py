"""sealed ballots: ballots encrypted with in-memory keys, receipts on the vote, command fingerprints

Revision ID: 5e1a7c0d9b21
Revises: 5d1c0a9e7b21
Create Date: 2026-12-01 23:40:00

The old ballots table kept each choice in plain text next to its receipt hash. Closed secret
votes keep their counts (already in votes.result); their receipts move to votes.receipts and the
old rows go. A secret vote still open when this runs cannot be sealed after the fact (its choices
are already on disk in plain text, and no key exists): it is declared void, to be taken again.
"""
from alembic import op
import sqlalchemy as sa


revision = '5e1a7c0d9b21'
down_revision = '5d1c0a9e7b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipts', sa.JSON(), nullable=True))
    with op.batch_alter_table('command_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload_fingerprint', sa.String(length=80), nullable=True))

    conn = op.get_bind()
    votes = sa.table(
        'votes',
        sa.column('id', sa.Integer),
        sa.column('method', sa.String),
        sa.column('status', sa.String),
        sa.column('receipts', sa.JSON),
    )
    old = sa.table('ballots', sa.column('vote_id', sa.Integer), sa.column('receipt_hash', sa.String))
    secret = conn.execute(
        sa.select(votes.c.id, votes.c.status).where(votes.c.method == 'secret')
    ).all()
    for vote_id, status in secret:
        if status == 'closed':
            hashes = sorted(
                conn.execute(sa.select(old.c.receipt_hash).where(old.c.vote_id == vote_id)).scalars()
            )
            conn.execute(votes.update().where(votes.c.id == vote_id).values(receipts=hashes))
        elif status == 'open':
            conn.execute(votes.update().where(votes.c.id == vote_id).values(status='void'))

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballots_vote_id'))
    op.drop_table('ballots')
    op.create_table('ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_ballots_vote_id_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballots_vote_id'), ['vote_id'], unique=False)


def downgrade():
    # The sealed ballots cannot be turned back into plain choices (their keys are gone).
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballots_vote_id'))
    op.drop_table('ballots')
    op.create_table('ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_ballots_vote_id_votes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sa.UniqueConstraint('vote_id', 'receipt_hash', name=op.f('uq_ballots_vote_id')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballots_vote_id'), ['vote_id'], unique=False)
    with op.batch_alter_table('command_log', schema=None) as batch_op:
        batch_op.drop_column('payload_fingerprint')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('receipts')
