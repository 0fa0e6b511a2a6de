"""RedisPresence: the MemoryPresence API, shared by processes, and a crashed process's entries
expire instead of staying online for ever."""

from __future__ import annotations

import time

import pytest

from meetings.presence import MemoryPresence, RedisPresence


@pytest.fixture
def make_store(redis_url, cluster_name):
    made: list[RedisPresence] = []

    def _make(ttl: int = 45) -> RedisPresence:
        store = RedisPresence.from_url(redis_url, prefix=cluster_name, ttl=ttl)
        made.append(store)
        return store

    yield _make
    client = made[0]._redis if made else None
    if client is not None:
        for key in client.scan_iter(f"{cluster_name}:*"):
            client.delete(key)


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_both_stores_count_sockets_alike(kind, make_store):
    store = MemoryPresence() if kind == "memory" else make_store()
    assert store.join(1, 10, "s1") is True  # first socket: came online
    assert store.join(1, 10, "s2") is False  # second tab: no flicker
    assert store.join(1, 11, "s3") is True
    assert store.join(2, 10, "s1") is True  # another meeting, same socket
    assert sorted(store.online(1)) == [10, 11]
    assert store.meetings_of("s1") == {1, 2}
    assert store.leave(1, 10, "s1") is False  # s2 still there
    assert store.leave(1, 10, "s1") is False  # leaving twice changes nothing
    assert sorted(store.drop_socket("s2")) == [(1, 10)]  # last socket of 10 in meeting 1
    assert store.online(1) == [11]
    assert store.drop_socket("s1") == [(2, 10)]
    assert store.online(2) == []
    store.clear_meeting(1)
    assert store.online(1) == []
    assert store.meetings_of("s3") == set()


def test_processes_share_counts(make_store):
    a, b = make_store(), make_store()
    assert a.join(7, 10, "sid") is True
    assert b.join(7, 10, "sid") is False  # same sid text on another process: another socket
    assert a.drop_socket("sid") == []  # b still holds one
    assert b.online(7) == [10]
    assert b.drop_socket("sid") == [(7, 10)]
    assert a.online(7) == []


def test_a_crashed_process_drops_out_after_the_ttl_and_a_live_one_stays(make_store):
    crashed, alive = make_store(ttl=1), make_store(ttl=1)
    crashed.join(3, 20, "x")
    alive.join(3, 21, "y")
    assert sorted(alive.online(3)) == [20, 21]
    for _ in range(4):  # the live process's heartbeat; the crashed one says nothing
        time.sleep(0.5)
        alive.refresh()
    assert alive.online(3) == [21]
    # The crashed user's new socket (reconnected on the live process) counts as coming online.
    assert alive.join(3, 20, "z") is True
