"""Nothing in the database links a voter to a secret ballot once the vote is closed.

Checked on the schema (no shared id, key, time) and on the rows the database keeps on its own:
SQLite's order of rows (both tables are WITHOUT ROWID, and rewritten at the close) and
PostgreSQL's physical order (ctid) and transaction stamp (xmin).
"""

from __future__ import annotations

import hashlib
import secrets

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import OperationalError

from auth.models import User
from core.extensions import db
from meetings.commands import dispatch
from meetings.voting.models import Ballot, Vote, VoteParticipation
from tests.conftest import make_test_app
from tests.factories import cid, upcoming_meeting_id
from tests.scale import pg

# Ten voters, casting in this order (not the order of their user ids).
VOTERS = ["dangvien7", "bithu", "dangvien3", "dangvien9", "phobithu", "dangvien1", "dangvien5",
          "dangvien8", "dangvien2", "dangvien6"]  # fmt: skip
CHOICES = ["agree"] * 6 + ["disagree"] * 3 + ["abstain"]


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _run(meeting_id: int, username: str, name: str, payload=None) -> dict:
    return dispatch(_user(username), meeting_id, name, cid(), payload or {})


def secret_vote(close: bool = True) -> tuple[int, list[str], dict]:
    """A secret vote with VOTERS casting CHOICES in order; returns (vote id, receipts, traces)."""
    meeting_id = upcoming_meeting_id()
    _run(meeting_id, "bithu", "start_meeting")
    for username in VOTERS:
        _run(
            meeting_id,
            "bithu",
            "mark_attendance",
            {"user_id": _user(username).id, "status": "present"},
        )
    vote_id = _run(
        meeting_id, "bithu", "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"}
    )["result"]["vote_id"]
    receipts = []
    for username, choice in zip(VOTERS, CHOICES, strict=True):
        digest = hashlib.sha256(secrets.token_hex(10).encode()).hexdigest()
        receipts.append(digest)
        _run(
            meeting_id,
            username,
            "cast_vote",
            {"vote_id": vote_id, "choices": [choice], "receipt_hash": digest},
        )
    open_ids = set(db.session.scalars(select(Ballot.id).where(Ballot.vote_id == vote_id)))
    if close:
        _run(meeting_id, "bithu", "close_vote", {"vote_id": vote_id})
    return vote_id, receipts, {"open_ids": open_ids, "meeting_id": meeting_id}


def test_schema_shares_nothing_but_the_vote(ctx):
    inspector = inspect(db.engine)
    ballot_cols = {c["name"]: c for c in inspector.get_columns("ballots")}
    part_cols = {c["name"]: c for c in inspector.get_columns("vote_participations")}
    assert set(ballot_cols) == {"id", "vote_id", "choices", "receipt_hash"}
    assert set(part_cols) == {"vote_id", "user_id"}
    assert set(ballot_cols) & set(part_cols) == {"vote_id"}
    # No foreign key between the two tables, and no time anywhere in them.
    for table in ("ballots", "vote_participations"):
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert not targets & {"ballots", "vote_participations"}
    for column in (*ballot_cols.values(), *part_cols.values()):
        assert (
            "TIME" not in str(column["type"]).upper() and "DATE" not in str(column["type"]).upper()
        )
    # The ballot id is random text, never an auto-incremented integer.
    assert "CHAR" in str(ballot_cols["id"]["type"]).upper()
    # SQLite: no hidden rowid, so no insertion order is recorded by the table itself.
    # (PostgreSQL's physical order and xmin are checked in test_postgresql_*.)
    if db.engine.dialect.name != "sqlite":
        return
    for table in ("ballots", "vote_participations"):
        sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table})
        assert sql.rstrip().upper().endswith("WITHOUT ROWID")
        with pytest.raises(OperationalError):
            db.session.execute(text(f"SELECT rowid FROM {table}"))  # noqa: S608
        db.session.rollback()


def test_after_close_rows_keep_no_trace_of_who_cast_which(ctx):
    vote_id, receipts, traces = secret_vote()
    ballots = db.session.execute(
        text("SELECT id, choices, receipt_hash FROM ballots WHERE vote_id = :v"), {"v": vote_id}
    ).all()
    voters = db.session.scalars(
        text("SELECT user_id FROM vote_participations WHERE vote_id = :v"), {"v": vote_id}
    ).all()
    ids = [row.id for row in ballots]
    # Stored order is the order of fresh random ids, drawn at the close...
    assert ids == sorted(ids) and not set(ids) & traces["open_ids"]
    # ...and the voters are stored by user id, not in the order they voted.
    voter_ids = [_user(u).id for u in VOTERS]
    assert voters == sorted(voter_ids) and voters != voter_ids
    # Receipts, ballots and voters: the same count; every receipt is published.
    assert sorted(row.receipt_hash for row in ballots) == sorted(receipts)
    assert len(ballots) == len(voters) == len(receipts) == 10
    vote = db.session.get(Vote, vote_id)
    assert vote.result["counts"] == {"agree": 6, "disagree": 3, "abstain": 1}
    # Nothing a participation holds appears in any ballot.
    for row in ballots:
        for user_id in voters:
            assert str(user_id) not in (row.id, row.receipt_hash)


def _pg_app(tmp_path):
    if not pg.reachable():
        pytest.skip(f"PostgreSQL not reachable at {pg.ADMIN_URL} (start it: make services)")
    url = pg.create_database()
    return make_test_app(tmp_path, SQLALCHEMY_DATABASE_URI=url), url


def test_postgresql_xmin_and_physical_order_unlink_ballots(tmp_path):
    app, url = _pg_app(tmp_path)
    try:
        with app.app_context():
            vote_id, _receipts, traces = secret_vote(close=False)

            def stamps(table: str) -> list[str]:
                return list(
                    db.session.scalars(
                        text(f"SELECT xmin::text FROM {table} WHERE vote_id = :v ORDER BY ctid"),  # noqa: S608
                        {"v": vote_id},
                    )
                )

            # The threat is real: while open, each ballot shares its transaction with its voter.
            assert sorted(stamps("ballots")) == sorted(stamps("vote_participations"))
            assert len(set(stamps("ballots"))) == 10
            _run(traces["meeting_id"], "bithu", "close_vote", {"vote_id": vote_id})
            db.session.rollback()
            closing = db.session.scalar(
                text("SELECT xmin::text FROM votes WHERE id = :v"), {"v": vote_id}
            )
            assert set(stamps("ballots")) == set(stamps("vote_participations")) == {closing}
            by_ctid = list(
                db.session.scalars(
                    text("SELECT id FROM ballots WHERE vote_id = :v ORDER BY ctid"), {"v": vote_id}
                )
            )
            assert by_ctid == sorted(by_ctid) and len(by_ctid) == 10
            voters = list(
                db.session.scalars(
                    text(
                        "SELECT user_id FROM vote_participations WHERE vote_id = :v ORDER BY ctid"
                    ),
                    {"v": vote_id},
                )
            )
            assert voters == sorted(voters) and len(voters) == 10
            assert db.session.query(VoteParticipation).count() == 10
            db.session.remove()
            db.engine.dispose()
    finally:
        pg.drop_database(url)
