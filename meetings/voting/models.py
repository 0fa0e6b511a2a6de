"""Tables of the voting feature.

Secrecy of ballots (see docs/voting.md): ``VoteParticipation`` (who voted) and ``Ballot`` (a
sealed ballot) share no id, no foreign key between them, no timestamp and no order. A ballot is
written in the same transaction as its voter's participation, so the database can always tie the
two (PostgreSQL's ``xmin``, SQLite's WAL frames): what it ties the voter to is a ciphertext whose
key never leaves the servers' memory. At the close the ballots are opened, counted into
``Vote.result`` and deleted, the receipts published in ``Vote.receipts``, and the key forgotten.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class VoteStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    # A secret vote whose key died with every process that held it: never counted; taken again.
    VOID = "void"


class Vote(db.Model):
    """One vote on an agenda item, with the rule, eligible voters and base fixed at opening."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    kind: Mapped[str] = mapped_column(String(20))  # domain.rules.VoteKind
    method: Mapped[str] = mapped_column(String(20))  # domain.rules.Method
    subject: Mapped[str] = mapped_column(Text)
    # [{"key": "agree", "label": null}, ...]; candidates carry their name as label.
    options: Mapped[list] = mapped_column(JSON)
    max_choices: Mapped[int] = mapped_column(default=1)  # seats for an election, else 1
    seats: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[dict] = mapped_column(JSON)  # the threshold(s) applied, frozen at opening
    eligible: Mapped[list] = mapped_column(JSON)  # user ids, sorted, frozen at opening
    base: Mapped[int] = mapped_column()  # the base figure at opening
    auto_close: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default=VoteStatus.OPEN, index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ballots_cast: Mapped[int | None] = mapped_column(Integer)  # set at the close
    result: Mapped[dict | None] = mapped_column(JSON)  # tally.result(), set at the close
    # A closed secret vote's receipts (hashes of the voters' codes), sorted: never beside a choice.
    receipts: Mapped[list | None] = mapped_column(JSON)

    @property
    def is_open(self) -> bool:
        return self.status == VoteStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == VoteStatus.CLOSED

    @property
    def is_secret(self) -> bool:
        return self.method == "secret"


class Hand(db.Model):
    """A raised hand in an open vote (not secret): one row per voter, changed until the close.

    ``channel`` says where: online (the voter's own device) or hall (counted in the room by the
    chair or a named counter, who is ``recorded_by``). One row per voter, so a member can never
    count twice; the other channel is refused by name (domain.rules.channel_refusal).
    """

    __tablename__ = "vote_hands"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10), default="online", server_default="online")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PaperVoter(db.Model):
    """A member marked by the counting team as having cast a paper ballot in the hall.

    Who voted on paper is public in the hall anyway (the ballot box is in the room); what they
    chose exists only on paper, and in the totals of ``PaperTally``, never per voter.
    """

    __tablename__ = "vote_paper_voters"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PaperTally(db.Model):
    """The paper ballots' totals as the counting team entered them: an aggregate, not secret.

    ``revision`` grows with each entry; confirmations are of one revision, so a changed entry
    must be confirmed again by every member of the team before the vote can close.
    """

    __tablename__ = "vote_paper_tallies"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    counts: Mapped[dict] = mapped_column(JSON)  # option key -> votes
    valid: Mapped[int] = mapped_column()
    spoiled: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=1)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaperConfirmation(db.Model):
    """A counting-team member confirmed one revision of the paper entry, in their own session."""

    __tablename__ = "vote_paper_confirmations"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    revision: Mapped[int] = mapped_column()
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VoteParticipation(db.Model):
    """Who has cast a secret ballot: nothing else (no time, no link to the ballot)."""

    __tablename__ = "vote_participations"
    __table_args__ = {"sqlite_with_rowid": False}

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Ballot(db.Model):
    """A sealed secret ballot of an open vote (``sealing.seal``): no user, no time, no sequence.

    The id is a keyed hash of the receipt (``sealing.ballot_id``); ``sealed`` is AES-GCM under the
    vote's in-memory key, the same length for every ballot of a vote. Deleted at the close.
    """

    __tablename__ = "ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
