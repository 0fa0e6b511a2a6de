"""Faults: the server is killed (SIGKILL) with a secret vote open and restarted. Nothing
acknowledged is lost (meeting, attendance, who voted); clients reconnect by themselves and resync.
The vote's key died with the only process that held it (by design it was nowhere else), so the
vote is declared void for everyone, and the chair takes it again; that vote counts right."""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import subprocess
import threading
import time

import pytest
import socketio

from tests import live_server

pytestmark = pytest.mark.server

MEMBERS = ["dangvien2", "dangvien3", "dangvien4", "dangvien5", "dangvien6", "dangvien7"]


class Member:
    """A python-socketio client that reconnects by itself and rejoins the room, like room.js."""

    def __init__(self, base: str, http, meeting_id: int):
        self.meeting_id = meeting_id
        self.joins = 0
        self.snapshot: dict | None = None
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        self.sio = socketio.Client(
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1
        )
        self.sio.on("connect", self._rejoin)
        self.sio.on("changes", self._changes)
        self.sio.connect(
            base,
            headers={"Cookie": live_server.cookie_header(http)},
            transports=["websocket"],
            wait_timeout=10,
        )

    def _rejoin(self):
        def join():
            ack = self.sio.call("join", {"meeting_id": self.meeting_id}, timeout=10)
            with self.lock:
                self.snapshot = ack["snapshot"]
                self.joins += 1

        self.sio.start_background_task(join)

    def _changes(self, message):
        with self.lock:
            self.messages.append(message)

    def command(self, name: str, payload: dict | None = None, cid: str | None = None) -> dict:
        return self.sio.call(
            "command",
            {
                "meeting_id": self.meeting_id,
                "name": name,
                "cid": cid or secrets.token_hex(8),
                "payload": payload or {},
            },
            timeout=15,
        )

    def wait(self, predicate, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate(self):
                    return
            time.sleep(0.05)
        raise AssertionError("condition not reached")


def _vote_status(person: Member, vote_id: int) -> str | None:
    """The vote's latest status as this client knows it (snapshot, then the changes after it)."""
    status, since = None, -1
    if person.snapshot:
        status = next((v["status"] for v in person.snapshot["votes"] if v["id"] == vote_id), None)
        since = person.snapshot["version"]
    for message in person.messages:
        if message["v"] <= since:
            continue
        for change in message["changes"]:
            if change["type"] == "vote" and change["data"]["id"] == vote_id:
                status = change["data"]["status"]
    return status


def test_sigkill_with_a_secret_vote_open_voids_it_and_it_is_taken_again(tmp_path):
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
    log_path = tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    process = live_server.start(env, port, log_path)
    people: list[Member] = []
    receipts: list[str] = []
    try:
        chair_http = live_server.login(base, "bithu")
        meeting_id = live_server.scheduled_meeting_id(base, chair_http)
        chair = Member(base, chair_http, meeting_id)
        people = [chair] + [Member(base, live_server.login(base, u), meeting_id) for u in MEMBERS]
        for person in people:
            person.wait(lambda p: p.joins == 1)
        assert chair.command("start_meeting", {"confirm_early": True})["ok"]
        for person in people:
            assert person.command("check_in")["ok"]
        ack = chair.command("open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
        assert ack["ok"], ack
        vote_id = ack["result"]["vote_id"]

        def cast(person, choice, cid=None, vote=None, receipt=None):
            receipt = receipt or hashlib.sha256(secrets.token_bytes(16)).hexdigest()
            receipts.append(receipt)
            return person.command(
                "cast_vote",
                {"vote_id": vote or vote_id, "choices": [choice], "receipt_hash": receipt},
                cid=cid,
            )

        early_cid, early_receipt = secrets.token_hex(8), hashlib.sha256(b"early").hexdigest()
        assert cast(people[1], "agree", cid=early_cid, receipt=early_receipt)["ok"]
        assert cast(people[2], "agree")["ok"]
        assert cast(people[3], "disagree")["ok"]

        process.send_signal(signal.SIGKILL)  # no shutdown, no flush: a power cut
        process.wait(timeout=10)
        process = live_server.start(env, port, log_path)

        # Every client comes back by itself, resyncs, and learns that the vote is void.
        for person in people:
            person.wait(lambda p: p.joins == 2 and p.sio.connected)
        for person in people:
            person.wait(lambda p: _vote_status(p, vote_id) == "void")
        snapshot = chair.snapshot
        assert snapshot["meeting"]["status"] == "live"
        present = {r["name"] for r in snapshot["roster"] if r["attendance"]["status"] == "present"}
        assert len(present) == len(people)

        # The acknowledged ballot sent again is a repeat (it was recorded, then voided with its
        # vote); a new ballot in the void vote is refused, saying why.
        again = cast(people[1], "agree", cid=early_cid, receipt=early_receipt)
        assert again["ok"] and again.get("repeat") is True
        fresh = cast(people[4], "agree")
        assert fresh["ok"] is False and fresh["error"]["details"]["reason"] == "void"

        retake = chair.command("reopen_vote", {"vote_id": vote_id})
        assert retake["ok"], retake
        new_id = retake["result"]["vote_id"]
        for person, choice in zip(people, ["agree"] * 5 + ["disagree", "abstain"], strict=True):
            assert cast(person, choice, vote=new_id)["ok"]
        closed = chair.command("close_vote", {"vote_id": new_id})
        assert closed["ok"], closed
        for person in people:
            person.wait(lambda p: _vote_status(p, new_id) == "closed", timeout=10)
        final = next(
            c["data"]
            for m in chair.messages
            for c in m["changes"]
            if c["type"] == "vote" and c["data"]["id"] == new_id and c["data"]["status"] == "closed"
        )
        assert final["counts"] == {"agree": 5, "disagree": 1, "abstain": 1}
        assert final["result"]["cast"] == 7 and len(final["receipts"]) == 7
        log = log_path.read_text(errors="replace")
        assert not [r for r in receipts if r in log]  # the server's log holds no receipt
    finally:
        for person in people:
            person.sio.disconnect()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
