"""What keeps a secret ballot secret in the database: receipts and the rewrite at the close.

A secret ballot is written in the same transaction as the record that its voter voted (so a
ballot is counted exactly once). While the vote is open, that transaction leaves traces that can
join the two rows: PostgreSQL stamps both with the same ``xmin`` and appends both to the heap in
sequence; SQLite places both cells in its pages in write order. ``rewrite`` removes those traces
at the close: it reads the vote's ballots and voters, deletes them, and inserts them again in one
transaction, ballots under fresh random ids in id order, voters in user-id order. Afterwards every
row of the vote carries the closing transaction's ``xmin`` and an order unrelated to time.
What remains visible during an open vote is documented in docs/voting.md.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy import delete, insert, select, text

from core.extensions import db
from meetings.voting.models import Ballot, VoteParticipation

RECEIPT_HASH = re.compile(r"^[0-9a-f]{64}$")


def new_ballot_id() -> str:
    """A random id (128 bits): says nothing about when or by whom a ballot was cast."""
    return secrets.token_hex(16)


def rewrite(vote_id: int) -> None:
    """Re-create the vote's ballots and participations so no id, order or xmin links them.

    Call inside the closing transaction (the caller commits).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        # Deleted cells are overwritten with zeros instead of lingering in free space.
        db.session.execute(text("PRAGMA secure_delete = ON"))
    db.session.flush()
    # Rows written earlier in this session must not linger in its identity map.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Ballot | VoteParticipation):
            db.session.expunge(obj)
    ballots = db.session.execute(
        select(Ballot.choices, Ballot.receipt_hash).where(Ballot.vote_id == vote_id)
    ).all()
    voters = db.session.scalars(
        select(VoteParticipation.user_id).where(VoteParticipation.vote_id == vote_id)
    ).all()
    db.session.execute(
        delete(Ballot).where(Ballot.vote_id == vote_id).execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(VoteParticipation)
        .where(VoteParticipation.vote_id == vote_id)
        .execution_options(synchronize_session=False)
    )
    fresh = sorted(
        (
            {"id": new_ballot_id(), "vote_id": vote_id, "choices": list(c), "receipt_hash": h}
            for c, h in ballots
        ),
        key=lambda row: row["id"],
    )
    if fresh:
        db.session.execute(insert(Ballot), fresh)
    if voters:
        db.session.execute(
            insert(VoteParticipation),
            [{"vote_id": vote_id, "user_id": user_id} for user_id in sorted(voters)],
        )
