"""Secret ballots: sealed when cast, opened and counted at the close, void when the key is lost.

A ballot is written in the same transaction as the record that its voter voted (so it counts
exactly once). The database can therefore always tie a voter to that write (PostgreSQL's
``xmin``, SQLite's WAL frames, any backup): what it ties them to is a ciphertext whose key exists
only in the memory of the server processes (``keyring``). At the close the ballots are opened,
shuffled, counted, and deleted, the receipts are published apart from any choice, and the key is
forgotten: from then on nothing anywhere can open what the database kept.
"""

from __future__ import annotations

import logging
import random
import re

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from core.extensions import db, socketio
from core.timeutil import utcnow
from meetings.commands import system_change
from meetings.errors import Conflict, Invalid, Unavailable
from meetings.voting import sealing
from meetings.voting.keyring import KeyUnreachable, keyring
from meetings.voting.models import Ballot, Vote, VoteParticipation, VoteStatus
from meetings.voting.sections import vote_change

log = logging.getLogger(__name__)

RECEIPT_HASH = re.compile(r"^[0-9a-f]{64}$")
ALREADY_VOTED = _l("Your ballot is already recorded; a secret ballot cannot be changed.")
VOID = _l(
    "The ballots of this vote can no longer be counted (the server lost their key): "
    "the vote must be taken again."
)
WATCH_SECONDS = 60.0


class KeyLost(Exception):
    """No live process holds the vote's key: its ballots can never be opened."""


def _options(vote: Vote) -> list[str]:
    return [option["key"] for option in vote.options]


def new_key(vote: Vote) -> None:
    """The opened vote's key: in this process's memory and handed to the others."""
    keyring().create(vote.id)


def secret_of(vote: Vote) -> bytes:
    try:
        secret = keyring().get(vote.id)
    except KeyUnreachable:
        log.warning("the key of vote %s could not be asked for", vote.id)
        raise Unavailable() from None
    if secret is None:
        raise KeyLost(vote.id)
    return secret


def cast(vote: Vote, user_id: int, choices: list[str], receipt_hash: str | None) -> None:
    """Record that the user voted and store their sealed ballot (in the command's transaction)."""
    if receipt_hash is None or not RECEIPT_HASH.match(receipt_hash):
        raise Invalid(field="receipt_hash")
    if db.session.get(VoteParticipation, (vote.id, user_id)) is not None:
        raise Conflict(ALREADY_VOTED, reason="already_voted")
    secret = secret_of(vote)
    ballot_id = sealing.ballot_id(secret, vote.id, receipt_hash)
    if db.session.get(Ballot, ballot_id) is not None:
        raise Invalid(field="receipt_hash")  # a reused code: the client must draw a new one
    db.session.add(VoteParticipation(vote_id=vote.id, user_id=user_id))
    sealed = sealing.seal(secret, vote.id, _options(vote), choices, receipt_hash)
    db.session.add(Ballot(id=ballot_id, vote_id=vote.id, sealed=sealed))
    db.session.flush()


def open_all(vote: Vote) -> tuple[list[list[str]], list[str]]:
    """At the close: every ballot's choices (shuffled) and the receipts (sorted), apart; the
    sealed rows are deleted in the same transaction. The caller forgets the key after commit."""
    secret = secret_of(vote)
    options = _options(vote)
    sealed = db.session.scalars(select(Ballot.sealed).where(Ballot.vote_id == vote.id)).all()
    opened = [sealing.unseal(secret, vote.id, options, blob) for blob in sealed]
    random.SystemRandom().shuffle(opened)
    _delete_ballots(vote)
    return [choices for choices, _receipt in opened], sorted(r for _c, r in opened)


def _delete_ballots(vote: Vote) -> None:
    db.session.execute(
        delete(Ballot).where(Ballot.vote_id == vote.id).execution_options(synchronize_session=False)
    )


def forget_key(vote_id: int):
    """The action to run once the close (or the void) is committed."""
    return lambda: keyring().drop(vote_id)


def declare_void(meeting_id: int, vote_id: int) -> None:
    """The vote's key is lost: the vote is void, for everyone to see, in its own change.

    Called from a command whose transaction is abandoned: it rolls it back first."""
    db.session.rollback()

    def apply(meeting) -> list[dict]:
        vote = db.session.get(Vote, vote_id)
        if vote is None or not vote.is_open:
            return []
        vote.status = VoteStatus.VOID
        vote.closed_at = utcnow()
        _delete_ballots(vote)
        log.warning("vote %s is void: no process holds its key", vote_id)
        return [vote_change(vote)]

    system_change(meeting_id, apply, name="vote_void")
    keyring().drop(vote_id)


def refuse_void(meeting_id: int, vote_id: int) -> Conflict:
    declare_void(meeting_id, vote_id)
    return Conflict(VOID, reason="void")


def check_open_votes() -> None:
    """Every open secret vote: hold its key (asking the other processes), or declare it void;
    forget the keys of votes no longer open (a missed `drop`)."""
    open_secret = db.session.execute(
        select(Vote.id, Vote.meeting_id).where(
            Vote.status == VoteStatus.OPEN, Vote.method == "secret"
        )
    ).all()
    db.session.rollback()
    ring = keyring()
    for vote_id in set(ring.held()) - {vote_id for vote_id, _m in open_secret}:
        ring.drop(vote_id, tell_peers=False)
    for vote_id, meeting_id in open_secret:
        try:
            secret = ring.get(vote_id)
        except KeyUnreachable:
            log.warning("the key of vote %s could not be asked for; trying later", vote_id)
            continue
        if secret is None:
            declare_void(meeting_id, vote_id)


def start_watch(app: Flask) -> None:
    """At start and then every minute (a background task of the server process)."""

    def watch() -> None:
        while True:
            try:
                with app.app_context():
                    check_open_votes()
                    db.session.remove()
            except Exception:
                log.exception("checking the open votes' keys failed")
            socketio.sleep(WATCH_SECONDS)

    socketio.start_background_task(watch)
