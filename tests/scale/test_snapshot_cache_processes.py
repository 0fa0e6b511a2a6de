"""The snapshot cache and the catch-up across two `python app.py` processes (PostgreSQL, Redis).

Each process caches the shared part of a meeting's snapshot; the key is read from the database at
every join, so a process never serves a roster it cached before a change made elsewhere (a command
on the other process, a membership edit by a third writer). A client that rejoins on one process
catches up with changes the other process made (kept in Redis).
"""

from __future__ import annotations

import copy
import secrets

import pytest
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from meetings import changes
from org.models import Membership
from tests import live_server

pytestmark = pytest.mark.server


def _make_committee_member(database_url: str, username: str, tmp_path) -> None:
    """A membership edit by a writer that is neither process (the admin's, through the ORM)."""
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path / "writer"),
        }
    )
    with app.app_context():
        membership = db.session.scalar(
            select(Membership).join(User).where(User.username == username)
        )
        membership.cell_role = "committee"
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_two_processes_never_serve_a_stale_roster_and_catch_up_across(cluster, tmp_path):
    a, b = cluster.urls
    chair_http = live_server.login(b, "bithu")
    member_http = live_server.login(a, "dangvien1")
    meeting_id = live_server.scheduled_meeting_id(b, chair_http)
    chair = live_server.connect(b, chair_http)
    member = live_server.connect(a, member_http)
    try:
        held = member.join(meeting_id)  # cached on A
        chair.join(meeting_id)  # cached on B

        # A command on B, then a membership edit by a third writer: A's next join sees both.
        assert chair.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
        _make_committee_member(cluster.env["DATABASE_URL"], "dangvien2", tmp_path)
        fresh = member.join(meeting_id)
        assert fresh["version"] == held["version"] + 1
        assert fresh["meeting"]["status"] == "live"
        assert fresh["roster_version"] != held["roster_version"]
        assert "committee" in {row["role"] for row in fresh["roster"]}
        on_b = chair.call("snapshot", {"meeting_id": meeting_id})["snapshot"]
        assert changes.comparable(fresh) == changes.comparable(on_b)

        # The old state cannot catch up (the roster changed): a snapshot.
        since = {
            "version": held["version"],
            "tag": held["tag"],
            "roster_version": held["roster_version"],
        }
        ack = member.call("join", {"meeting_id": meeting_id, "since": since})
        assert ack["ok"] and "snapshot" in ack and "catch_up" not in ack

        # Changes made on B while the member is away are caught up on A, from Redis.
        member.disconnect()
        title = f"Việc {secrets.token_hex(3)}"
        assert chair.command(meeting_id, "agenda_add", {"title": title, "planned_minutes": 5})["ok"]
        assert chair.command(meeting_id, "check_in")["ok"]
        member = live_server.connect(a, member_http)
        since = {
            "version": fresh["version"],
            "tag": fresh["tag"],
            "roster_version": fresh["roster_version"],
        }
        ack = member.call("join", {"meeting_id": meeting_id, "since": since})
        assert ack["ok"] and "catch_up" in ack, ack.keys()
        messages = ack["catch_up"]["messages"]
        assert [m["v"] for m in messages] == [fresh["version"] + 1, fresh["version"] + 2]
        state = copy.deepcopy(fresh)
        for message in messages:
            assert changes.apply_message(state, message) == "applied"
        now = chair.call("snapshot", {"meeting_id": meeting_id})["snapshot"]
        assert changes.comparable(state) == changes.comparable(now)
        assert title in [item["title"] for item in state["agenda"]["items"]]
    finally:
        chair.disconnect()
        member.disconnect()
