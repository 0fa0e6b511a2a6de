"""Votes on the real server: `python app.py` under eventlet, python-socketio clients.

Fifty extra official members are added to the demo cell before the server starts (the demo cell
has only fourteen). All fifty cast a secret ballot at the same moment, one of them from twenty
sockets at once (twenty "tabs", each with a new command id) and another resending one command id
twenty times; the tally must be exact and every client must receive it.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from org.models import Membership, Organization
from tests import live_server

pytestmark = pytest.mark.server

VOTERS = 50
CHOICES = ["agree"] * 40 + ["disagree"] * 7 + ["abstain"] * 3


class _FromAddress(HTTPAdapter):
    """Connect from another loopback address: the login form allows 20 tries a minute per address."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _login(base_url: str, username: str, address: str) -> requests.Session:
    http = requests.Session()
    http.mount("http://", _FromAddress(address))
    page = http.get(base_url + "/login", timeout=10)
    response = http.post(
        base_url + "/login",
        data={
            "csrf_token": live_server.csrf_token(page.text),
            "username": username,
            "password": live_server.PASSWORD,
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, f"login of {username}: {response.status_code}"
    return http


def _add_voters() -> None:
    """VOTERS more official members of Khu phố 1."""
    cell = db.session.scalar(select(Organization).where(Organization.name == live_server.KP1))
    for i in range(1, VOTERS + 1):
        user = User(username=f"voter{i:02d}", full_name=f"Đảng viên Thử {i:02d}")
        user.set_password(live_server.PASSWORD)
        db.session.add(user)
        db.session.add(Membership(user=user, cell=cell, party_status="official"))


@pytest.fixture
def voting_server(tmp_path, monkeypatch):
    live_server.prepare_database(tmp_path, _add_voters)
    with live_server.running(tmp_path) as running:
        yield running.url
    print(f"---- server log ----\n{running.log()[-8000:]}")


def _digest() -> str:
    return hashlib.sha256(secrets.token_hex(10).encode()).hexdigest()


def _cast(client, meeting_id, vote_id, choice, cid=None):
    return client.call(
        "command",
        {
            "meeting_id": meeting_id,
            "name": "cast_vote",
            "cid": cid or secrets.token_hex(8),
            "payload": {"vote_id": vote_id, "choices": [choice], "receipt_hash": _digest()},
        },
        timeout=30,
    )


def test_fifty_secret_ballots_at_once_are_counted_exactly(voting_server):
    base = voting_server
    chair_http = _login(base, "bithu", "127.0.0.1")
    meeting_id = live_server.scheduled_meeting_id(base, chair_http)
    chair = live_server.connect(base, chair_http)
    chair.join(meeting_id)
    assert chair.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]

    # Fifty voters log in (from several loopback addresses), join and check in.
    https = [_login(base, f"voter{i:02d}", f"127.0.0.{2 + i // 15}") for i in range(1, VOTERS + 1)]
    voters = [live_server.connect(base, http) for http in https]
    tabs = [live_server.connect(base, https[0]) for _ in range(20)]  # voter01's twenty tabs
    clients = [chair, *voters, *tabs]
    try:
        for client in voters + tabs:
            client.join(meeting_id)
        for client in voters:
            assert client.command(meeting_id, "check_in")["ok"]
        ack = chair.command(meeting_id, "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
        assert ack["ok"], ack
        vote_id = ack["result"]["vote_id"]
        opened = chair.wait_for(
            lambda m: any(c["type"] == "vote" for c in m["changes"]) and m["v"] == ack["version"]
        )
        assert opened["changes"][0]["data"]["eligible"] == VOTERS

        # Everyone at once: 50 ballots, voter01 also from its 20 tabs, voter02 resending one id.
        start = threading.Barrier(VOTERS + 20 + 20)
        repeated_cid = secrets.token_hex(8)

        def ballot(client, choice, cid=None):
            start.wait()
            return _cast(client, meeting_id, vote_id, choice, cid)

        with ThreadPoolExecutor(max_workers=VOTERS + 40) as pool:
            main = [pool.submit(ballot, c, ch) for c, ch in zip(voters, CHOICES, strict=True)]
            extra = [pool.submit(ballot, tab, "disagree") for tab in tabs]
            resent = [pool.submit(ballot, voters[1], "agree", repeated_cid) for _ in range(20)]
            main_acks = [f.result() for f in main]
            tab_acks = [f.result() for f in extra]
            resent_acks = [f.result() for f in resent]

        # voter01: exactly one of its 21 ballots went in, the others were refused as repeats.
        voter1_acks = [main_acks[0], *tab_acks]
        assert sum(a["ok"] for a in voter1_acks) == 1
        refused = [a for a in voter1_acks if not a["ok"]]
        assert {a["error"]["details"]["reason"] for a in refused} == {"already_voted"}
        # voter02's resent command id: one ballot (its own main ballot or the resent one).
        voter2_acks = [main_acks[1], *resent_acks]
        assert sum(a["ok"] and not a.get("repeat") for a in voter2_acks) == 1
        assert all(a["ok"] for a in main_acks[2:])

        state = live_server.fetch_state(base, chair_http, meeting_id)
        [vote] = state["votes"]
        assert vote["voted"] == VOTERS and vote["counts"] is None  # secret: nothing before close

        closed_at = time.monotonic()
        ack = chair.command(meeting_id, "close_vote", {"vote_id": vote_id})
        assert ack["ok"], ack

        def final(message):
            return any(
                c["type"] == "vote" and c["data"]["status"] == "closed" for c in message["changes"]
            )

        for client in clients:
            message = client.wait_for(final, timeout=10)
            data = message["changes"][0]["data"]
            assert data["result"]["cast"] == VOTERS
            assert len(data["receipts"]) == VOTERS
        elapsed = time.monotonic() - closed_at
        print(f"final tally on all {len(clients)} clients after {elapsed:.2f} s")
        counts = data["counts"]
        # voter01 cast its main choice ("agree") or a tab's "disagree", whichever came first;
        # voter02 "agree" either way.
        assert sum(counts.values()) == VOTERS
        assert counts["abstain"] == 3
        assert counts["agree"] + counts["disagree"] == 47 and counts["agree"] in (39, 40)
        assert data["result"]["passed"] is False  # 40 of base 61 is below two thirds (40.67)
        assert data["base"] == 61
    finally:
        for client in clients:
            client.disconnect()
