"""Secret votes' keys between processes over Redis pub/sub (meetings.voting.key_exchange),
with three keyrings in this test process standing for three server processes."""

from __future__ import annotations

import base64
import time

import pytest

from meetings.voting.key_exchange import RedisPeers
from meetings.voting.keyring import Keyring, KeyUnreachable


def _ring(redis_url: str, cluster: str, deployment_secret: str = "deployment") -> Keyring:
    ring = Keyring(RedisPeers(redis_url, cluster, deployment_secret))
    assert ring.peers.ready.wait(5), "the key listener did not subscribe"
    return ring


def _eventually(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_keys_are_shared_asked_for_and_dropped(app, redis_url, cluster_name):
    first, second = _ring(redis_url, cluster_name), _ring(redis_url, cluster_name)
    secret = first.create(41)  # returns once the other process confirmed it holds the key
    assert second.local(41) == secret

    # A process started later asks for it; another process of the deployment answers.
    late = _ring(redis_url, cluster_name)
    assert late.local(41) is None
    assert late.get(41) == secret and late.local(41) == secret

    # The vote is counted: every process forgets the key.
    first.drop(41)
    assert _eventually(lambda: second.local(41) is None and late.local(41) is None)

    # Nobody holds a key: every other process says so, and the answer is "lost" (None).
    assert late.get(41) is None


def test_a_process_alone_knows_at_once_that_a_key_it_lacks_is_lost(app, redis_url, cluster_name):
    alone = _ring(redis_url, cluster_name)
    assert alone.peers.others() == 0
    assert alone.get(7) is None


def test_keys_travel_wrapped_and_only_the_same_deployment_opens_them(app, redis_url, cluster_name):
    import redis

    listener = redis.Redis.from_url(redis_url).pubsub()
    listener.subscribe(f"{cluster_name}:ballot-keys")  # someone else reading the channel
    stranger = _ring(redis_url, cluster_name, deployment_secret="another deployment")
    ours = _ring(redis_url, cluster_name)
    secret = ours.create(9)
    heard = b""
    while message := listener.get_message(timeout=0.5):
        heard += message["data"] if isinstance(message["data"], bytes) else b""
    listener.close()
    assert b'"share"' in heard
    for form in (secret, secret.hex().encode(), base64.b64encode(secret)):
        assert form not in heard
    assert stranger.local(9) is None  # could not unwrap it: holds nothing


def test_no_answer_in_time_is_not_taken_for_a_lost_key(app, redis_url, cluster_name, monkeypatch):
    """A silent subscriber (a process too busy to answer) must not make a vote void."""
    import redis

    from meetings.voting import key_exchange

    silent = redis.Redis.from_url(redis_url).pubsub()
    silent.subscribe(f"{cluster_name}:ballot-keys")
    silent.get_message(timeout=1)
    monkeypatch.setattr(key_exchange, "ASK_SECONDS", 0.5)
    asking = _ring(redis_url, cluster_name)
    try:
        with pytest.raises(KeyUnreachable):
            asking.get(3)
    finally:
        silent.close()
