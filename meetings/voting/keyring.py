"""Where the secret of a secret vote lives: in the memory of the server processes, nowhere else.

Never in the database, on disk, in a log or in a stored Redis key. One process: a dict. Several
processes (SOCKETIO_MESSAGE_QUEUE): the same dict in each, kept in step over Redis pub/sub by
``key_exchange.RedisPeers`` (a process that opens a vote hands the secret to the others; one that
lacks it asks them), so a vote survives the loss of any one process. When no live process holds
a vote's secret its ballots can never be counted: ``get`` answers None and the vote is void.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

from meetings.voting import sealing

_EXTENSION = "chibo.ballot_keys"


class KeyUnreachable(Exception):
    """The other processes could not be asked (Redis down, no answer in time): try again."""


class Keyring:
    def __init__(self, peers=None) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[int, bytes] = {}
        self.peers = peers
        if peers is not None:
            peers.attach(self)

    def create(self, vote_id: int) -> bytes:
        """A new vote's secret, held here and handed to the other processes."""
        secret = sealing.new_secret()
        self.hold(vote_id, secret)
        if self.peers is not None:
            self.peers.share(vote_id, secret)
        return secret

    def hold(self, vote_id: int, secret: bytes) -> None:
        with self._lock:
            self._secrets[vote_id] = secret

    def local(self, vote_id: int) -> bytes | None:
        with self._lock:
            return self._secrets.get(vote_id)

    def get(self, vote_id: int) -> bytes | None:
        """The vote's secret, asked of the other processes when this one lacks it.

        None means that no live process holds it: the ballots can never be counted.
        Raises KeyUnreachable when the answer is not known (the caller may retry)."""
        secret = self.local(vote_id)
        if secret is None and self.peers is not None:
            secret = self.peers.ask(vote_id)
            if secret is not None:
                self.hold(vote_id, secret)
        return secret

    def drop(self, vote_id: int, tell_peers: bool = True) -> None:
        """Forget a vote's secret (it was counted, or is void), here and in every process."""
        with self._lock:
            self._secrets.pop(vote_id, None)
        if tell_peers and self.peers is not None:
            self.peers.drop(vote_id)

    def held(self) -> list[int]:
        with self._lock:
            return sorted(self._secrets)

    def forget_all(self) -> None:
        """What the death of this process does to its keys (used by tests)."""
        with self._lock:
            self._secrets.clear()


_create_lock = threading.Lock()


def keyring(app: Flask | None = None) -> Keyring:
    """The app's keyring, created on first use (with Redis peers when a message queue is set)."""
    app = app or current_app._get_current_object()
    ring = app.extensions.get(_EXTENSION)
    if ring is None:
        with _create_lock:
            ring = app.extensions.get(_EXTENSION)
            if ring is None:
                ring = Keyring(_peers(app))
                app.extensions[_EXTENSION] = ring
    return ring


def _peers(app: Flask):
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if not url or not url.startswith(("redis://", "rediss://")):
        return None
    from meetings.voting.key_exchange import RedisPeers

    return RedisPeers(url, app.config["CHIBO_CLUSTER"], app.config["SECRET_KEY"])
