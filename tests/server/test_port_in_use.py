"""A second server on a port in use refuses to start (issue 14.6).

eventlet's listener sets SO_REUSEPORT, so two `python app.py --port N` used to both listen and the
kernel split the users between two servers with two databases (random logouts).
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

from tests import live_server


def _second_server(tmp_path, port: int, *extra: str) -> subprocess.Popen:
    instance = tmp_path / "second"
    instance.mkdir()
    env = {
        **os.environ,
        "CHIBO_INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'other.db'}",
        "CHIBO_LOAD_DEMO": "0",
        "SECRET_KEY": "another-server",
    }
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    env.pop("CHIBO_SHARE_PORT", None)
    return subprocess.Popen(
        [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port), *extra],
        cwd=live_server.ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_a_second_server_on_the_same_port_refuses_to_start(tmp_path):
    with live_server.running(tmp_path) as first:
        port = urlsplit(first.url).port
        second = _second_server(tmp_path, port)
        try:
            output, _ = second.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            second.kill()
            output, _ = second.communicate()
            raise AssertionError(
                f"the second server started on a port in use:\n{output!r}"
            ) from None
        assert second.returncode != 0
        assert f"port {port} is already in use".encode() in output
        assert first.process.poll() is None  # the first one is untouched
