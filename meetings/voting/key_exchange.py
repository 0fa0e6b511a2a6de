"""Secret votes' keys passed between the processes of one deployment over Redis pub/sub.

Pub/sub keeps nothing: a message reaches the processes subscribed at that moment and is gone
(this Redis runs without persistence anyway, and nothing here is written to a key). Every key
travels wrapped with a key derived from SECRET_KEY (``sealing.wrap``), so a Redis client without
it learns nothing and cannot plant a key of its own.

Messages on ``<CHIBO_CLUSTER>:ballot-keys`` (JSON, each with ``from``, the sender's process id):

- ``share {vote, key}``: a vote was opened; every process holds the key and answers ``ack``.
- ``ask {vote, q}``: a process lacks the key; every other answers ``have {key}`` or ``lack``,
  addressed ``to`` the asker. The asker counts the other subscribers (PUBSUB NUMSUB): when all of
  them answered ``lack``, no live process holds the key and the vote is void. A killed process's
  subscription ends with its connection, so the dead are not waited for.
- ``drop {vote}``: the vote was counted (or is void): forget the key.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import threading
import time

from core.extensions import socketio
from meetings.voting import sealing
from meetings.voting.keyring import KeyUnreachable

log = logging.getLogger(__name__)

ASK_SECONDS = 5.0  # a busy process answers late; a dead one is not counted at all
SHARE_SECONDS = 2.0
RETRY_SECONDS = 1.0


class _Question:
    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.secret: bytes | None = None
        self.answers = 0  # have, lack or ack


class RedisPeers:
    def __init__(self, url: str, cluster: str, deployment_secret: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._url = url
        self.channel = f"{cluster}:ballot-keys"
        self.process_id = secrets.token_hex(8)
        self._deployment_secret = deployment_secret
        self._questions: dict[str, _Question] = {}
        self._keyring = None
        self.ready = threading.Event()

    def attach(self, keyring) -> None:
        self._keyring = keyring
        socketio.start_background_task(self._listen)

    # ---- asking --------------------------------------------------------------------------------

    def others(self) -> int:
        """How many other processes listen (this one is subscribed once it is ready)."""
        [(_channel, count)] = self._redis.pubsub_numsub(self.channel)
        return int(count) - 1

    def _label(self, vote_id: int) -> str:
        return f"{self.channel}:{vote_id}"

    def _wrapped(self, vote_id: int, secret: bytes) -> str:
        wrapped = sealing.wrap(self._deployment_secret, self._label(vote_id), secret)
        return base64.b64encode(wrapped).decode()

    def _publish(self, **message) -> None:
        self._redis.publish(self.channel, json.dumps({**message, "from": self.process_id}))

    def _question(self, op: str, vote_id: int, timeout: float, done, **extra) -> _Question:
        """Publish a question and wait until `done(question, others)` or the timeout."""
        import redis

        try:
            if not self.ready.wait(timeout):
                raise KeyUnreachable("not subscribed to the key channel yet")
            others = self.others()
            q = secrets.token_hex(8)
            question = _Question()
            self._questions[q] = question
            try:
                if others > 0:
                    self._publish(op=op, vote=vote_id, q=q, **extra)
                deadline = time.monotonic() + timeout
                with question.changed:
                    while not done(question, others):
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            raise KeyUnreachable(f"{op} for vote {vote_id}: no answer in time")
                        question.changed.wait(remaining)
            finally:
                self._questions.pop(q, None)
        except redis.RedisError as exc:
            raise KeyUnreachable(str(exc)) from exc
        return question

    def share(self, vote_id: int, secret: bytes) -> None:
        """Hand a new vote's key to every other process; wait (a little) for them to hold it."""
        try:
            self._question(
                "share",
                vote_id,
                SHARE_SECONDS,
                lambda q, others: q.answers >= others,
                key=self._wrapped(vote_id, secret),
            )
        except KeyUnreachable:
            # The vote works on this process; a process that missed it asks when it needs it.
            log.warning("ballot key of vote %s: not every process confirmed it", vote_id)

    def ask(self, vote_id: int) -> bytes | None:
        """The key from another process; None when every other process said it lacks it."""
        question = self._question(
            "ask",
            vote_id,
            ASK_SECONDS,
            lambda q, others: q.secret is not None or q.answers >= others,
        )
        return question.secret

    def drop(self, vote_id: int) -> None:
        try:
            self._publish(op="drop", vote=vote_id)
        except Exception:  # the others drop it when they next see the vote closed
            log.exception("could not tell the other processes to drop key %s", vote_id)

    # ---- answering -----------------------------------------------------------------------------

    def _listen(self) -> None:
        import redis

        while True:
            try:
                client = redis.Redis.from_url(self._url)
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                for message in pubsub.listen():
                    if message.get("type") == "subscribe":
                        # Counted by PUBSUB NUMSUB from now on: only then may we count the others.
                        self.ready.set()
                    elif message.get("type") == "message":
                        self.handle(message["data"])
            except Exception:  # Redis restarting: subscribe again
                log.exception("ballot key listener failed; retrying")
            self.ready.clear()
            socketio.sleep(RETRY_SECONDS)

    def handle(self, raw: bytes | str) -> None:
        try:
            message = json.loads(raw)
            op, vote_id, sender = message["op"], message["vote"], message["from"]
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed message on the ballot key channel")
            return
        if sender == self.process_id or not isinstance(vote_id, int):
            return
        if op == "share":
            secret = self._unwrap(vote_id, message.get("key"))
            if secret is not None:
                self._keyring.hold(vote_id, secret)
                self._publish(op="ack", vote=vote_id, q=message.get("q"), to=sender)
        elif op == "ask":
            secret = self._keyring.local(vote_id)
            if secret is None:
                self._publish(op="lack", vote=vote_id, q=message.get("q"), to=sender)
            else:
                key = self._wrapped(vote_id, secret)
                self._publish(op="have", vote=vote_id, q=message.get("q"), to=sender, key=key)
        elif op == "drop":
            self._keyring.drop(vote_id, tell_peers=False)
        elif op in ("have", "lack", "ack") and message.get("to") == self.process_id:
            question = self._questions.get(message.get("q"))
            if question is None:
                return
            secret = self._unwrap(vote_id, message.get("key")) if op == "have" else None
            with question.changed:
                question.answers += 1
                if secret is not None:
                    question.secret = secret
                question.changed.notify_all()

    def _unwrap(self, vote_id: int, key) -> bytes | None:
        try:
            return sealing.unwrap(
                self._deployment_secret, self._label(vote_id), base64.b64decode(key)
            )
        except (sealing.BrokenSeal, TypeError, ValueError):
            log.warning("ignored a ballot key for vote %s that does not open", vote_id)
            return None
