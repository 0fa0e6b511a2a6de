"""No file links a voter to a secret ballot's choice: not the live tables, not free pages, not
SQLite's WAL, not PostgreSQL's dead tuples, xmin, WAL or a dump, taken while the vote is open or
after it closed, and not the logs.

The scenario is the probe of issue 13: twelve voters, each electing a different candidate, in a
known order. A ballot is written in the same transaction as its voter's participation, so the
files do tie each voter to what that transaction wrote; the tests find that link (grouping the
WAL by commit, joining by xmin) and show what it leads to: a sealed ballot that the key held in
the test process's memory opens (the control: the link is real), and the key is in no file, and
gone from memory after the close. The plaintext of a ballot (the receipt hash is part of it) is
in no file either; after the close the receipts appear only inside the published sorted list.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import shutil
import sqlite3
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from auth.models import User
from core.extensions import db
from meetings.commands import dispatch
from meetings.models import CommandLog
from meetings.voting import sealing
from meetings.voting.keyring import keyring
from meetings.voting.models import Ballot, Vote, VoteParticipation
from tests.conftest import make_test_app
from tests.factories import cid, upcoming_meeting_id
from tests.scale import pg

# Twelve voters (the demo's eleven official members and the exempted one), casting in this order
# (not the order of their user ids); the i-th votes for candidate c(i+1).
VOTERS = ["dangvien7", "bithu", "dangvien3", "dangvien9", "phobithu", "dangvien1", "dangvien5",
          "mien1", "dangvien8", "dangvien2", "dangvien6", "dangvien4"]  # fmt: skip
CANDIDATES = [f"Ứng viên {n}" for n in range(1, 13)]


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _run(meeting_id: int, username: str, name: str, payload=None) -> dict:
    return dispatch(_user(username), meeting_id, name, cid(), payload or {})


@dataclass
class Election:
    meeting_id: int
    vote_id: int
    voters: list[int]  # user ids, in the order they voted
    choices: list[str]  # the i-th voter's choice
    receipts: list[str]  # the i-th voter's receipt hash
    secret: bytes  # the vote's key, read from this process's memory while the vote was open

    def key_material(self) -> list[bytes]:
        """Every form in which the key (or a key derived from it) could have been written."""
        derived = [
            self.secret,
            sealing._derive(self.secret, "ballot"),
            sealing._derive(self.secret, "ballot id"),
            sealing.command_key(self.secret),
        ]
        forms = []
        for key in derived:
            forms += [key, key.hex().encode(), base64.b64encode(key)]
        return forms

    def plaintexts(self) -> list[bytes]:
        """A ballot's plaintext contains its receipt hash: in raw form it would mean a ballot on
        disk in the clear; in hex, a receipt stored where it could sit beside a choice."""
        return [bytes.fromhex(r) for r in self.receipts] + [r.encode() for r in self.receipts]

    def close(self) -> None:
        _run(self.meeting_id, "bithu", "close_vote", {"vote_id": self.vote_id})


def open_election() -> Election:
    meeting_id = upcoming_meeting_id()
    _run(meeting_id, "bithu", "start_meeting", {"confirm_early": True})
    for username in VOTERS:
        user_id = _user(username).id
        _run(meeting_id, "bithu", "mark_attendance", {"user_id": user_id, "status": "present"})
    ack = _run(
        meeting_id,
        "bithu",
        "open_vote",
        {"kind": "election", "candidates": CANDIDATES, "seats": 1},
    )
    vote_id = ack["result"]["vote_id"]
    choices, receipts = [f"c{i}" for i in range(1, 13)], []
    for username, choice in zip(VOTERS, choices, strict=True):
        receipt = hashlib.sha256(secrets.token_bytes(10)).hexdigest()
        receipts.append(receipt)
        payload = {"vote_id": vote_id, "choices": [choice], "receipt_hash": receipt}
        assert _run(meeting_id, username, "cast_vote", payload)["ok"]
    secret = keyring().local(vote_id)
    assert secret is not None
    voters = [_user(u).id for u in VOTERS]
    return Election(meeting_id, vote_id, voters, choices, receipts, secret)


def assert_nothing_secret_in(blob: bytes, election: Election, where: str) -> None:
    for form in election.key_material():
        assert form not in blob, f"the vote's key is in {where}"
    for form in election.plaintexts():
        assert form not in blob, f"a ballot's plaintext (its receipt) is in {where}"


def assert_receipts_only_in_the_published_list(blob: bytes, election: Election, where: str):
    """After the close a receipt may appear only as an element of the sorted published list
    (next to its neighbours in that list), never on its own beside anything else."""
    ordered = sorted(election.receipts)
    found = 0
    for index, receipt in enumerate(ordered):
        needle = receipt.encode()
        start = blob.find(needle)
        while start != -1:
            found += 1
            before = ordered[index - 1].encode() + b'", "' if index else None
            after = b'", "' + ordered[index + 1].encode() if index + 1 < len(ordered) else None
            end = start + len(needle)
            in_list = (before and blob[start - len(before) : start] == before) or (
                after and blob[end : end + len(after)] == after
            )
            assert in_list, f"receipt {index} stands alone in {where}"
            start = blob.find(needle, end)
    for raw in (bytes.fromhex(r) for r in election.receipts):
        assert raw not in blob, f"a ballot's plaintext is in {where}"
    return found


def control_probe(election: Election, sealed_by_voter: dict[int, bytes]) -> int:
    """What a reader holding the key (i.e. the servers' memory) would learn from the link."""
    options = [f"c{i}" for i in range(1, 13)]
    linked = 0
    for user_id, blob in sealed_by_voter.items():
        choices, _receipt = sealing.unseal(election.secret, election.vote_id, options, blob)
        linked += choices == [election.choices[election.voters.index(user_id)]]
    return linked


def test_schema_shares_nothing_but_the_vote(ctx):
    inspector = inspect(db.engine)
    ballot_cols = {c["name"]: c for c in inspector.get_columns("ballots")}
    part_cols = {c["name"]: c for c in inspector.get_columns("vote_participations")}
    assert set(ballot_cols) == {"id", "vote_id", "sealed"}
    assert set(part_cols) == {"vote_id", "user_id"}
    for table in ("ballots", "vote_participations"):
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert not targets & {"ballots", "vote_participations"}
    for column in (*ballot_cols.values(), *part_cols.values()):
        kind = str(column["type"]).upper()
        assert "TIME" not in kind and "DATE" not in kind


# ---- SQLite ----------------------------------------------------------------------------------


def sqlite_files(database: Path) -> dict[str, bytes]:
    """The database as a file-level backup would copy it: main file, WAL, journal if any."""
    return {
        path.name: path.read_bytes()
        for path in database.parent.iterdir()
        if path.name.startswith(database.name)
    }


def test_sqlite_files_link_no_voter_to_a_choice(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    database = tmp_path / "secret.db"
    app = make_test_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    with app.app_context():
        election = open_election()

        # While open: the files show who voted, and a sealed ballot per voter.
        files = sqlite_files(database)
        assert any(name.endswith("-wal") for name in files)
        for name, blob in files.items():
            assert_nothing_secret_in(blob, election, name)
        voted = set(db.session.scalars(select(VoteParticipation.user_id)))
        assert voted == set(election.voters)
        sealed = db.session.scalars(select(Ballot.sealed)).all()
        assert len(sealed) == 12 and len({len(blob) for blob in sealed}) == 1  # no length channel
        assert db.session.get(Vote, election.vote_id).result is None  # no running count
        # The probe of the issue: group the WAL by commit; each cast's commit adds one voter's
        # participation and one sealed ballot. The link is still made...
        replays = tmp_path / "replays"
        replays.mkdir()
        by_voter = wal_links(
            files[database.name], files[database.name + "-wal"], election.vote_id, replays
        )
        assert sorted(by_voter) == sorted(election.voters)
        # ...and only the key turns it into a choice (the control, with the key from memory).
        assert control_probe(election, by_voter) == 12
        open_files = files

        election.close()
        vote = db.session.get(Vote, election.vote_id)
        assert vote.result["counts"] == {f"c{i}": 1 for i in range(1, 13)}
        assert vote.receipts == sorted(election.receipts)
        assert keyring().local(election.vote_id) is None  # forgotten: nothing can open them now
        assert db.session.scalars(select(Ballot)).all() == []

        # After the close, whatever was copied while open, and whatever the files hold now:
        # no key, no plaintext, receipts only inside the published list.
        copies = {
            **sqlite_files(database),
            **{f"{k} (while open)": v for k, v in open_files.items()},
        }
        for name, blob in copies.items():
            for form in election.key_material():
                assert form not in blob, f"the vote's key is in {name}"
            assert_receipts_only_in_the_published_list(blob, election, name)
        wal = sqlite_files(database)[database.name + "-wal"]
        assert assert_receipts_only_in_the_published_list(wal, election, "the WAL") >= 12
        # The sealed ballots are still in the WAL's old frames (nothing is cleaned up): unopenable.
        assert all(blob in wal for blob in sealed)
        _assert_logs_clean(caplog.text, election)
        db.session.remove()
        db.engine.dispose()


def wal_links(main: bytes, wal: bytes, vote_id: int, folder: Path) -> dict[int, bytes]:
    """Voter -> sealed ballot, as a reader of the files finds it: replay the WAL one commit at a
    time (the main file plus the WAL cut after that commit) and see what each commit added."""
    if len(wal) < 32:
        return {}
    page_size = struct.unpack(">I", wal[8:12])[0]
    frame = 24 + page_size
    links: dict[int, bytes] = {}
    voters: set[int] = set()
    ballots: set[bytes] = set()
    for index in range((len(wal) - 32) // frame):
        offset = 32 + index * frame
        if not struct.unpack(">I", wal[offset + 4 : offset + 8])[0]:
            continue  # not a commit frame
        copy = folder / f"replay{index}.db"
        copy.write_bytes(main)
        Path(f"{copy}-wal").write_bytes(wal[: offset + frame])
        with sqlite3.connect(copy) as conn:
            now_voters = {
                row[0]
                for row in conn.execute(
                    "SELECT user_id FROM vote_participations WHERE vote_id = ?", (vote_id,)
                )
            }
            now_ballots = {
                bytes(row[0])
                for row in conn.execute("SELECT sealed FROM ballots WHERE vote_id = ?", (vote_id,))
            }
        new_voters, new_ballots = now_voters - voters, now_ballots - ballots
        if len(new_voters) == 1 and len(new_ballots) == 1:
            links[new_voters.pop()] = new_ballots.pop()
        voters, ballots = now_voters, now_ballots
    return links


def _assert_logs_clean(logs: str, election: Election) -> None:
    for receipt in election.receipts:
        assert receipt not in logs
    assert election.secret.hex() not in logs
    for name in CANDIDATES:
        assert name not in logs


# ---- PostgreSQL ------------------------------------------------------------------------------


def _pg_app(tmp_path):
    if not pg.reachable():
        pytest.skip(f"PostgreSQL not reachable at {pg.ADMIN_URL} (start it: make services)")
    url = pg.create_database()
    return make_test_app(tmp_path, SQLALCHEMY_DATABASE_URI=url), url


def every_page(conn) -> dict[str, bytes]:
    """Every page of every table, index and TOAST table of the database (pageinspect)."""
    relations = conn.execute(
        text(
            "SELECT c.oid::regclass::text AS name FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 't', 'i', 'm') AND c.relpersistence = 'p' "
            "AND n.nspname IN ('public', 'pg_toast') AND pg_relation_size(c.oid) > 0"
        )
    ).scalars()
    pages = {}
    for name in relations:
        blocks = conn.execute(
            text(
                "SELECT pg_relation_size(CAST(:r AS regclass)) / current_setting('block_size')::int"
            ),
            {"r": name},
        ).scalar()
        pages[name] = b"".join(
            conn.execute(text("SELECT get_raw_page(:r, :b)"), {"r": name, "b": block}).scalar()
            for block in range(blocks)
        )
    return pages


def pg_dump(url: str) -> bytes:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    dump = shutil.which("pg_dump")
    if dump is None:
        pytest.skip("pg_dump is not installed")
    command = [dump, "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432)]
    command += ["-U", parsed.username or "root", "--no-owner", parsed.database]
    return subprocess.run(command, capture_output=True, check=True, timeout=60).stdout


def wal_written_since(conn, start_segment: str) -> bytes:
    """The WAL segments from `start_segment` on, read through the server, page headers removed
    so that records crossing a page boundary read as one."""
    names = sorted(
        name
        for name in conn.execute(text("SELECT name FROM pg_ls_waldir()")).scalars()
        if len(name) == 24 and name >= start_segment
    )
    assert names, "no WAL segment written during the vote"
    block = 8192
    out = []
    for name in names:
        segment = conn.execute(
            text("SELECT pg_read_binary_file('pg_wal/' || :n)"), {"n": name}
        ).scalar()
        for index in range(0, len(segment), block):
            header = 40 if index == 0 else 24
            out.append(segment[index + header : index + block])
    return b"".join(out)


def test_postgresql_pages_dumps_and_wal_link_no_voter_to_a_choice(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    app, url = _pg_app(tmp_path)
    try:
        with app.app_context():
            db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
            db.session.commit()
            start_segment = db.session.execute(
                text("SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
            ).scalar()
            election = open_election()

            # While open: who voted is readable, and each voter's sealed ballot by xmin.
            dump_open = pg_dump(url)
            assert_nothing_secret_in(dump_open, election, "pg_dump while open")
            with db.engine.connect() as conn:
                pages_open = every_page(conn)
            for name, blob in pages_open.items():
                assert_nothing_secret_in(blob, election, f"the pages of {name} while open")
            rows = db.session.execute(
                text(
                    "SELECT p.user_id, b.sealed FROM vote_participations p "
                    "JOIN ballots b ON b.xmin = p.xmin WHERE p.vote_id = :v"
                ),
                {"v": election.vote_id},
            ).all()
            by_voter = {user_id: bytes(blob) for user_id, blob in rows}
            assert set(by_voter) == set(election.voters)  # the xmin link is there...
            assert len({len(blob) for blob in by_voter.values()}) == 1
            assert control_probe(election, by_voter) == 12  # ...and the key alone opens it

            election.close()
            db.session.rollback()
            assert keyring().local(election.vote_id) is None

            # After: the dead ballot tuples are still in the pages, with their xmin.
            dead = db.session.execute(
                text(
                    "SELECT t_xmin::text, t_data FROM heap_page_items(get_raw_page('ballots', 0))"
                    " WHERE t_data IS NOT NULL"
                )
            ).all()
            xmins = set(
                db.session.scalars(
                    text("SELECT xmin::text FROM vote_participations WHERE vote_id = :v"),
                    {"v": election.vote_id},
                )
            )
            assert len([x for x, _ in dead if x in xmins]) == 12  # the link, to a ciphertext
            assert db.session.scalar(text("SELECT count(*) FROM ballots")) == 0
            with db.engine.connect() as conn:
                pages_closed = every_page(conn)
                wal = wal_written_since(conn, start_segment)
            dump_closed = pg_dump(url)
            artifacts = {
                "pg_dump while open": dump_open,
                "pg_dump after the close": dump_closed,
                "the WAL written during the vote": wal,
                **{f"the pages of {n} while open": b for n, b in pages_open.items()},
                **{f"the pages of {n} after the close": b for n, b in pages_closed.items()},
            }
            for name, blob in artifacts.items():
                for form in election.key_material():
                    assert form not in blob, f"the vote's key is in {name}"
                assert_receipts_only_in_the_published_list(blob, election, name)
            # The sealed ballots themselves are in the WAL (nothing is cleaned up): unopenable.
            assert all(blob in wal for blob in by_voter.values())
            # The command log keeps each voter's cast with the same xmin: it holds no choice.
            logged = db.session.scalars(
                select(CommandLog).where(CommandLog.name == "cast_vote")
            ).all()
            assert {tuple(sorted(row.details)) for row in logged} == {("vote_id",)}
            _assert_logs_clean(caplog.text, election)
            db.session.remove()
            db.engine.dispose()
    finally:
        pg.drop_database(url)


def test_the_command_log_keeps_no_guessable_fingerprint_of_a_secret_ballot(ctx):
    """A plain hash of {vote_id, choices, receipt_hash} could be guessed back once the receipts
    are published; the fingerprint is keyed with the vote's secret, gone after the close."""
    election = open_election()
    logged = db.session.scalars(select(CommandLog).where(CommandLog.name == "cast_vote")).all()
    assert len(logged) == 12
    guesses = set()
    for receipt in election.receipts:
        for choice in election.choices:
            body = {"vote_id": election.vote_id, "choices": [choice], "receipt_hash": receipt}
            canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
            guesses.add("sha256:" + hashlib.sha256(canonical).hexdigest())
    assert all(row.payload_fingerprint.startswith("keyed:") for row in logged)
    assert not guesses & {row.payload_fingerprint for row in logged}
