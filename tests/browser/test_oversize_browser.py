"""A message too large to send, in the room in Chromium against the real server (issue 14).

The page measures every command before sending it: over the server's limit it says so and sends
nothing (it used to send it, the server closed the connection without a word, and the page
resent it after every reconnect). A message that reaches the server anyway (a script on the
page) is answered `too_large` and the connection closed (1009): the page says why, reconnects
and carries on with its state. The other member's room never notices. The same over long-polling
(a network that blocks websockets): the request is answered 413 and the page says the same.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import live_server
from tests.browser.pages import DESKTOP, PHONE, TIMEOUT, enter_meeting, start_meeting

# The test takes hold of the page's `send` the way feature scripts do (the `chibo:render` event).
CAPTURE_SEND = 'document.addEventListener("chibo:render", e => { window.__send = e.detail.send; });'
# A network where websockets fail: Socket.IO falls back to long-polling (tryAllTransports).
# Every websocket fails the way a blocked one does: an error, then a close (1006).
NO_WEBSOCKET = """
window.WebSocket = function () {
  var ws = this;
  setTimeout(function () {
    if (ws.onerror) ws.onerror(new Event("error"));
    if (ws.onclose) ws.onclose({ code: 1006, reason: "" });
  }, 0);
};
window.WebSocket.prototype.close = function () {};
"""


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_message_too_large_is_refused_with_a_message_and_the_room_goes_on(
    browser, server, console, artifacts_dir, transport
):
    base = server.url
    chair_ctx = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    chair_ctx.set_default_timeout(TIMEOUT)
    chair_ctx.add_init_script(CAPTURE_SEND)
    if transport == "polling":
        chair_ctx.add_init_script(NO_WEBSOCKET)
        console.expected = ("status of 413",)  # the browser logs the refused request itself
    chair = console.watch(chair_ctx.new_page(), "bithu")
    member_ctx = browser.new_context(viewport=PHONE, locale="vi-VN")
    member_ctx.set_default_timeout(TIMEOUT)
    member = console.watch(member_ctx.new_page(), "dangvien3")
    enter_meeting(chair, base, "bithu")
    enter_meeting(member, base, "dangvien3")
    meeting_id = int(re.search(r"/meetings/(\d+)", chair.url).group(1))
    assert chair.evaluate("window.chiboSocket.io.engine.transport.name") == transport
    http = live_server.login(base, "bithu")
    before = live_server.fetch_state(base, http, meeting_id)
    agenda_before = chair.locator("#agenda-list li").count()

    # The page's own check: nothing is sent, the person is told, the connection stays.
    chair.evaluate("window.__send('agenda_add', {title: 'x'.repeat(2000000), planned_minutes: 5})")
    notice = chair.locator("#notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("quá lớn")
    expect(chair.locator("#conn")).to_have_attribute("data-state", "connected")
    chair.screenshot(path=str(artifacts_dir / f"room_too_large_{transport}_desktop.png"))
    chair.locator("#notice-close").click()

    # Sent anyway, past the page's check: answered, closed (1009), said, reconnected.
    chair.evaluate(
        """id => window.chiboSocket.emit("command", {meeting_id: id, name: "agenda_add",
             cid: "oversize-1", payload: {title: "x".repeat(1500000), planned_minutes: 5}},
             () => {})""",
        meeting_id,
    )
    expect(notice).to_contain_text("quá lớn")
    expect(chair.locator("#conn")).to_have_attribute("data-state", "connected")
    # Back online: the notice says what changed meanwhile, and still why the connection dropped.
    expect(notice).to_have_attribute("data-kind", "away")
    expect(notice).to_contain_text("quá lớn")
    chair.screenshot(path=str(artifacts_dir / f"room_back_after_too_large_{transport}_desktop.png"))
    expect(chair.locator("#agenda-list li")).to_have_count(agenda_before)
    after = live_server.fetch_state(base, http, meeting_id)
    assert after["version"] == before["version"] and after["agenda"] == before["agenda"]
    expect(member.locator("#conn")).to_have_attribute("data-state", "connected")

    # The room goes on: the chair starts the meeting, the member sees it live.
    start_meeting(chair)
    expect(member.locator("#m-status")).to_have_class(re.compile(r"\blive\b"))
    member.screenshot(
        path=str(artifacts_dir / f"room_after_too_large_{transport}_member_phone.png")
    )
    chair_ctx.close()
    member_ctx.close()
