"""The async mode is a setting: eventlet (the default), gevent and threading all serve the room."""

from __future__ import annotations

import pytest

from tests import live_server

pytestmark = pytest.mark.server


@pytest.mark.parametrize("mode", ["gevent", "threading"])
def test_the_room_works_in_every_async_mode(tmp_path, mode):
    with live_server.running(tmp_path, async_mode=mode) as server:
        chair_http = live_server.login(server.url, "bithu")
        member_http = live_server.login(server.url, "dangvien2")
        meeting_id = live_server.scheduled_meeting_id(server.url, chair_http)
        chair = live_server.connect(server.url, chair_http)
        member = live_server.connect(server.url, member_http)
        try:
            version = chair.join(meeting_id)["version"]
            member.join(meeting_id)
            assert chair.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
            assert member.command(meeting_id, "check_in")["ok"]
            message = chair.wait_for(lambda m: m["v"] == version + 2)
            assert message["changes"][0]["type"] == "attendance"
            assert f"({mode})" in server.log()
        finally:
            chair.disconnect()
            member.disconnect()
