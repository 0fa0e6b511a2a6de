"""Fixtures for tests past one process: PostgreSQL, Redis, several `python app.py` processes.

Every test gets its own PostgreSQL database and its own cluster name (CHIBO_CLUSTER), which names
the Socket.IO channel, the control channel and the presence keys: tests running at the same time
on one Redis never hear each other. Tests skip, saying why, when a service is down.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import time
from dataclasses import dataclass

import pytest

from tests import live_server
from tests.scale import pg

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for this test (dropped afterwards)."""
    if not pg.reachable():
        pytest.skip(f"PostgreSQL is not reachable at {pg.ADMIN_URL}")
    url = pg.create_database()
    yield url
    pg.drop_database(url)


@pytest.fixture
def redis_url():
    if not redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def cluster_name():
    return f"chibo-test-{secrets.token_hex(6)}"


@dataclass
class Cluster:
    servers: list[live_server.LiveServer]
    name: str
    env: dict[str, str]

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]


def cluster_env(postgres_url: str, redis_url: str, name: str) -> dict[str, str]:
    """What every process of one deployment shares: database, queue, secret, cluster name."""
    return {
        "DATABASE_URL": postgres_url,
        "SOCKETIO_MESSAGE_QUEUE": redis_url,
        "CHIBO_CLUSTER": name,
        "SECRET_KEY": secrets.token_hex(32),
        # create_all(): the schema of the models under test, whatever the migration's state.
        "CHIBO_AUTO_MIGRATE": "0",
    }


@pytest.fixture
def cluster(tmp_path, postgres_url, redis_url, cluster_name):
    """Two chibo processes (eventlet) on two ports sharing PostgreSQL and Redis."""
    env = cluster_env(postgres_url, redis_url, cluster_name)
    with contextlib.ExitStack() as stack:
        servers = []
        # One after the other: the first creates the schema and loads the demo organisation.
        for index in range(2):
            folder = tmp_path / f"process{index}"
            folder.mkdir()
            servers.append(stack.enter_context(live_server.running(folder, env_overrides=env)))
        yield Cluster(servers, cluster_name, env)


@contextlib.contextmanager
def own_redis(port: int):
    """A redis-server of the test's own on `port` (never the shared one on 6379), stopped at
    the end (or earlier, by the test: `process.terminate()`)."""
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        client.close()
        yield process
    finally:
        process.terminate()
        process.wait(10)
