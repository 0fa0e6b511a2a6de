"""Websocket compression is refused by default (it cost ~12 µs CPU and ~90 KB per socket per
message and doubled latency in big rooms); CHIBO_WS_COMPRESSION=1 turns it back on."""

from __future__ import annotations

import base64
import os
import socket

import pytest

from tests import live_server

pytestmark = pytest.mark.server


def _handshake(url: str, cookie: str) -> str:
    host, port = url.removeprefix("http://").split(":")
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        f"Origin: {url}\r\nCookie: {cookie}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request.encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.split(b"\r\n\r\n")[0].decode("latin-1").lower()


@pytest.mark.parametrize(("setting", "compressed"), [(None, False), ("1", True)])
def test_websocket_compression_setting(tmp_path, setting, compressed):
    overrides = {"CHIBO_WS_COMPRESSION": setting} if setting else {}
    with live_server.running(tmp_path, env_overrides=overrides) as server:
        cookie = live_server.cookie_header(live_server.login(server.url, "dangvien2"))
        head = _handshake(server.url, cookie)
    assert head.startswith("http/1.1 101")
    assert ("permessage-deflate" in head) is compressed
