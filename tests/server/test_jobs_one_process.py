"""`python app.py` alone (eventlet, SQLite, no Redis) runs its jobs itself: scheduling a meeting
through the form sends the invitation email through a real SMTP server (aiosmtpd, here)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import pytest

from core.timeutil import VIETNAM
from tests import live_server
from tests.app.test_email import Inbox, _free_port
from tests.browser.test_notifications_browser import _selected

pytestmark = pytest.mark.server


@pytest.fixture
def inbox():
    from aiosmtpd.controller import Controller

    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


def test_the_one_process_server_sends_the_invitation_email(tmp_path, inbox):
    env = {
        "CHIBO_SMTP_HOST": "127.0.0.1",
        "CHIBO_SMTP_PORT": str(inbox.port),
        "CHIBO_SMTP_SECURITY": "none",
    }
    with live_server.running(tmp_path, env_overrides=env) as server:
        base = server.url
        http = live_server.login(base, "bithu")
        cell_id = int(re.search(r'href="/cells/(\d+)"', http.get(base + "/").text).group(1))
        url = f"{base}/cells/{cell_id}/meetings/new"
        form = http.get(url).text
        chair = _selected(form, "chair_id")
        day = datetime.now(VIETNAM) + timedelta(days=3)
        response = http.post(
            url,
            data={
                "csrf_token": live_server.csrf_token(form),
                "kind": "regular",
                "title": "Sinh hoạt (thư mời qua email)",
                "scheduled_at": day.strftime("%Y-%m-%dT19:30"),
                "place": "Nhà văn hóa",
                "online_url": "",
                "chair_id": chair,
                "minute_taker_id": chair,
                "agenda-0-title": "Nội dung",
                "agenda-0-planned_minutes": "30",
            },
        )
        assert re.search(r"/meetings/\d+$", response.url), response.text[:1000]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(inbox.messages) < 2:
            time.sleep(0.2)
        log = server.log()
    to = sorted(m["To"] for m in inbox.messages)
    assert to == ["dangvien2@example.org", "phobithu@example.org"], log[-3000:]
    assert inbox.messages[0]["Subject"] == "Giấy mời: Sinh hoạt (thư mời qua email)"
    assert (tmp_path / "instance" / "jobs.db").exists()  # huey's SQLite queue
