"""RedisPresence: the MemoryPresence API, shared by processes, and a crashed process's entries
expire instead of staying online for ever."""

from __future__ import annotations

import shutil
import time

import pytest

from meetings.presence import MemoryPresence, RedisPresence
from tests import live_server
from tests.scale.conftest import own_redis


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


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")
def test_redis_down_counts_in_memory_and_the_resync_writes_back(cluster_name):
    """Redis stopped (its own redis-server, killed): the store answers from this process's
    sockets; started again (empty): what was missed is replayed and every socket written back."""
    port = live_server.free_port()
    with own_redis(port) as server:
        store = RedisPresence.from_url(f"redis://127.0.0.1:{port}/0", prefix=cluster_name)
        assert store.join(1, 10, "a") is True
        assert store.join(1, 11, "b") is True
        assert store.join(1, 12, "gone") is True
        server.kill()
        server.wait(10)

        assert sorted(store.online(1)) == [10, 11, 12]  # from memory, not an error
        assert store.degraded
        assert store.join(1, 13, "c") is True  # came online while Redis was down
        assert store.join(1, 13, "c2") is False  # a second tab: no flicker
        assert store.drop_socket("gone") == [(1, 12)]
        assert store.leave(1, 11, "b") is True
        assert sorted(store.online(1)) == [10, 13]
        store.refresh()  # the heartbeat while down: no error
        assert store.degraded

    with own_redis(port):  # back, empty
        store._retry_at = 0  # as if RETRY_SECONDS had passed
        assert sorted(store.online(1)) == [10, 13]
        assert not store.degraded
        other = RedisPresence.from_url(f"redis://127.0.0.1:{port}/0", prefix=cluster_name)
        assert sorted(other.online(1)) == [10, 13]  # in Redis again, where processes share it
        assert other.join(1, 13, "elsewhere") is False  # 13 is known online
        assert store.drop_socket("c") == []  # c2 and the other process's socket remain
        assert store.leave(1, 13, "c2") is False
        assert other.leave(1, 13, "elsewhere") is True


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")
def test_a_redis_restart_between_heartbeats_is_repaired_by_the_next_one(cluster_name):
    """Redis restarted empty and no call failed meanwhile: the heartbeat sees a new run id."""
    port = live_server.free_port()
    with own_redis(port) as server:
        store = RedisPresence.from_url(f"redis://127.0.0.1:{port}/0", prefix=cluster_name)
        store.join(5, 10, "a")
        store.refresh()
        server.kill()
        server.wait(10)
    with own_redis(port):
        store.refresh()
        assert store.online(5) == [10]
        assert not store.degraded
