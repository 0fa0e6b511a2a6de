"""A page refused for a while after a flood comes back by itself, in Chromium (issue 14).

The message gate closes a connection that floods the server and refuses its user's new
connections for a cool-down, with `rate_limited` and a retry hint. Socket.IO's browser client
does not retry a refused connection by itself: without the room's own retry, the member's page
would say "reconnecting" for ever once the cool-down was over.
"""

from __future__ import annotations

import secrets
import time

import pytest
import socketio
from playwright.sync_api import expect

from tests import live_server
from tests.browser.pages import PHONE, TIMEOUT, enter_meeting

COOL_DOWN = 3


@pytest.fixture
def server(tmp_path):
    overrides = {"CHIBO_FLOOD_COOL_DOWN": str(COOL_DOWN)}
    with live_server.running(tmp_path, env_overrides=overrides) as running:
        yield running
    print(f"---- server log ({running.url}) ----\n{running.log()[-8000:]}")


def flood_until_closed(base: str, username: str, meeting_id: int) -> None:
    """A script with the member's cookie sends commands without waiting, until the gate closes
    it (the member's user then cools down)."""
    flooder = live_server.connect(base, live_server.login(base, username))
    deadline = time.monotonic() + 20
    while flooder.sio.connected and time.monotonic() < deadline:
        try:
            flooder.sio.emit(
                "command",
                {"meeting_id": meeting_id, "name": "lower_hand", "cid": secrets.token_hex(8)},
            )
        except socketio.exceptions.BadNamespaceError:
            break
    time.sleep(0.5)
    assert not flooder.sio.connected, "the gate did not close the flooding connection"


def test_a_page_refused_after_a_flood_connects_again_after_the_cool_down(browser, server, console):
    base = server.url
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    context.set_default_timeout(TIMEOUT)
    page = console.watch(context.new_page(), "dangvien3")
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    enter_meeting(page, base, "dangvien3")
    meeting_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])

    flood_until_closed(base, "dangvien3", meeting_id)
    # The page's connection drops now (a weak network): its reconnect falls in the cool-down.
    page.evaluate("window.chiboSocket.io.engine.close()")
    expect(page.locator("#conn")).to_have_attribute("data-state", "reconnecting")
    expect(page.locator("#conn")).to_have_attribute(
        "data-state", "connected", timeout=(COOL_DOWN + 10) * 1000
    )
    assert any("rate_limited" in frame for frame in frames), "the reconnect was never refused"
    # Back in the room with its state: the meeting's snapshot came with the rejoin.
    expect(page.locator("#current-item")).to_be_visible()
    context.close()
