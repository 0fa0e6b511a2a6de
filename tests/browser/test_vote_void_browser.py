"""The server dies with a secret vote open: when it is back, every browser says plainly that the
vote must be taken again, and the chair takes it again with one click."""

from __future__ import annotations

import os
import secrets
import signal

from playwright.sync_api import expect

from tests import live_server
from tests.browser.pages import start_meeting
from tests.browser.test_voting_browser import enter_meeting, person, strings


def test_a_void_vote_is_said_plainly_and_taken_again(browser, tmp_path, artifacts_dir):
    instance = tmp_path / "instance"
    instance.mkdir()
    port = live_server.free_port()
    env = {
        **os.environ,
        "CHIBO_INSTANCE_PATH": str(instance),
        "CHIBO_LOAD_DEMO": "1",
        "CHIBO_AUTO_MIGRATE": "1",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{instance / 'chibo.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    base, log_path = f"http://127.0.0.1:{port}", tmp_path / "server.log"
    process = live_server.start(env, port, log_path)
    errors: list[str] = []
    try:
        chair, member = person(browser, "chair", errors), person(browser, "member", errors)
        enter_meeting(chair, base, "bithu")
        enter_meeting(member, base, "dangvien2")
        start_meeting(chair)
        member.locator("#btn-checkin").click()
        expect(chair.locator("#roster li.att-present")).to_have_count(1)
        chair.locator("#vote-open-toggle").click()
        chair.locator("#vote-kind").select_option("admission")
        chair.locator("#vote-subject").fill("Lê Thị Cúc")
        chair.locator("#vote-open button[type=submit]").click()
        ballot = member.locator("#vote-current form.ballot")
        ballot.locator("input[value=agree]").check()
        ballot.locator("button[type=submit]").click()
        T = strings(member)
        expect(member.locator("#vote-current .recorded")).to_have_text(T["recorded"])

        process.send_signal(signal.SIGKILL)  # the only process, and the vote's key with it
        process.wait(timeout=10)
        process = live_server.start(env, port, log_path)

        for page in (chair, member):  # both reconnect by themselves and are told
            expect(page.locator("#vote-current .void [role=alert]")).to_have_text(
                T["void_text"], timeout=30_000
            )
        expect(member.locator("#vote-retake")).to_have_count(0)  # only the chair retakes it
        member.screenshot(path=str(artifacts_dir / "vote_void_member.png"), full_page=True)
        chair.screenshot(path=str(artifacts_dir / "vote_void_chair.png"), full_page=True)

        chair.locator("#vote-retake").click()
        expect(member.locator("#vote-current form.ballot")).to_be_visible()
        expect(chair.locator("#vote-current .vote-subject")).to_have_text("Lê Thị Cúc")
        # While the server was down the browsers logged failed connections; nothing else.
        down = ("WebSocket", "ERR_CONNECTION_REFUSED", "Failed to load resource")
        assert not [e for e in errors if not any(d in e for d in down)], errors
    finally:
        process.terminate()
        process.wait(timeout=10)
