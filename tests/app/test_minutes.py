"""Minutes: live editing with optimistic concurrency, approval, signatures, sealing, versions."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select

from core.extensions import db
from meetings.changes import apply_change
from meetings.minutes import sealing
from meetings.minutes.models import MinutesSection, MinutesVersion
from meetings.models import Meeting
from tests.conftest import make_test_app
from tests.factories import command, events, settle_attendance, upcoming_meeting_id

pytestmark = pytest.mark.language("en")  # the assertions quote English texts


@pytest.fixture
def app(tmp_path):
    """The usual test app, with sealed PDFs kept under the test's own folder."""
    app = make_test_app(tmp_path, CHIBO_MINUTES_DIR=str(tmp_path / "minutes"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def minutes_changes(client) -> list[dict]:
    return [c["data"] for e in events(client) for c in e["changes"] if c["type"] == "minutes"]


def live_meeting(app, sio):
    """The upcoming KP1 meeting, started by its chair; returns (meeting_id, item ids, clients)."""
    with app.app_context():
        meeting_id = upcoming_meeting_id()
        items = [i.id for i in db.session.get(Meeting, meeting_id).agenda]
    chair = sio("bithu")
    taker = sio("dangvien1")  # the minute-taker of the demo's upcoming meeting
    member = sio("dangvien2")
    for c in (chair, taker, member):
        assert c.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    assert command(chair, meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    for c in (chair, taker, member):
        assert command(c, meeting_id, "check_in")["ok"]
    # The record must be whole before approval: the rest absent without reason.
    settle_attendance(app, chair, meeting_id)
    for c in (chair, taker, member):
        c.get_received()
    return meeting_id, items, chair, taker, member


def test_minute_taker_edit_reaches_everyone(app, sio):
    meeting_id, items, _chair, taker, member = live_meeting(app, sio)
    ack = command(
        taker,
        meeting_id,
        "minutes_edit",
        {"item_id": items[0], "base_revision": 0, "html": "<p>Chi bộ <b>nhất trí</b></p>"},
    )
    assert ack["ok"], ack
    assert ack["result"]["revision"] == 1
    [data] = minutes_changes(member)
    assert data["sections"][0]["item_id"] == items[0]
    assert data["sections"][0]["html"] == "<p>Chi bộ <strong>nhất trí</strong></p>"
    assert data["sections"][0]["revision"] == 1
    assert data["sections"][0]["updated_by"] == "Lê Văn Bình"


def test_stale_edit_is_refused_with_the_newer_text(app, sio):
    meeting_id, items, chair, taker, _member = live_meeting(app, sio)
    first = {"item_id": items[1], "base_revision": 0, "html": "<p>Bản của thư ký</p>"}
    assert command(taker, meeting_id, "minutes_edit", first)["ok"]
    stale = {"item_id": items[1], "base_revision": 0, "html": "<p>Bản của chủ trì</p>"}
    ack = command(chair, meeting_id, "minutes_edit", stale)
    assert not ack["ok"]
    assert ack["error"]["code"] == "conflict"
    assert ack["error"]["details"]["html"] == "<p>Bản của thư ký</p>"
    assert ack["error"]["details"]["revision"] == 1
    with app.app_context():
        row = db.session.get(MinutesSection, (meeting_id, items[1]))
        assert row.html == "<p>Bản của thư ký</p>" and row.revision == 1
    fresh = {"item_id": items[1], "base_revision": 1, "html": "<p>Bản của chủ trì</p>"}
    assert command(chair, meeting_id, "minutes_edit", fresh)["result"]["revision"] == 2


def test_edit_is_sanitized_and_nfc(app, sio):
    meeting_id, items, _chair, taker, _member = live_meeting(app, sio)
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh phát biểu")
    html = f'<div onclick="x()">{decomposed}<script>alert(1)</script><a href="javascript:x">y</a></div>'
    ack = command(
        taker, meeting_id, "minutes_edit", {"item_id": items[0], "base_revision": 0, "html": html}
    )
    assert ack["result"]["html"] == "<p>Nguyễn Thị Ánh phát biểuy</p>"
    assert unicodedata.is_normalized("NFC", ack["result"]["html"])


def test_only_chair_and_minute_taker_write(app, sio):
    meeting_id, items, _chair, _taker, member = live_meeting(app, sio)
    ack = command(
        member, meeting_id, "minutes_edit", {"item_id": items[0], "base_revision": 0, "html": "x"}
    )
    assert ack["error"]["code"] == "forbidden"


def test_snapshot_equals_events_applied(app, sio, login):
    """Zulip's test: a stale state plus the minutes events equals a fresh snapshot's section."""
    meeting_id, items, chair, taker, member = live_meeting(app, sio)
    stale = member.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    member.get_received()
    command(
        taker, meeting_id, "minutes_edit", {"item_id": items[0], "base_revision": 0, "html": "a"}
    )
    command(
        taker, meeting_id, "minutes_edit", {"item_id": items[2], "base_revision": 0, "html": "b"}
    )
    command(chair, meeting_id, "minutes_approve", {"method": "chair"})
    command(
        taker, meeting_id, "minutes_edit", {"item_id": items[0], "base_revision": 1, "html": "c"}
    )
    state = stale
    for data in minutes_changes(member):
        apply_change(state, {"type": "minutes", "data": data})  # the app's reducer
    fresh = member.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    assert state["minutes"] == fresh["minutes"]
    assert fresh["minutes"]["status"]["state"] == "draft"  # the last edit voided the approval


def sign(client, meeting_id, password="chibo-demo"):
    return client.post(
        f"/meetings/{meeting_id}/minutes/sign", data={"password": password}, follow_redirects=True
    )


def test_approve_sign_seal_then_frozen_and_corrected(app, sio, login):
    meeting_id, items, chair, taker, member = live_meeting(app, sio)
    edit = {"item_id": items[0], "base_revision": 0, "html": "<p>Nội dung đã thống nhất</p>"}
    assert command(taker, meeting_id, "minutes_edit", edit)["ok"]
    assert command(taker, meeting_id, "minutes_approve")["error"]["code"] == "forbidden"
    assert command(chair, meeting_id, "minutes_approve", {"method": "chair"})["ok"]
    chair_http, taker_http = login("bithu"), login("dangvien1")
    # Signing waits for the end of the meeting (the closing time is part of the minutes).
    page = sign(taker_http, meeting_id).get_data(as_text=True)
    assert "the meeting has ended" in page
    with app.app_context():
        assert not db.session.scalar(
            select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
        ).signatures
    assert command(chair, meeting_id, "end_meeting")["ok"]
    sign(taker_http, meeting_id, password="wrong")
    with app.app_context():
        assert not db.session.scalar(
            select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
        ).signatures
    sign(taker_http, meeting_id)
    with app.app_context():
        version = db.session.scalar(
            select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
        )
        assert version.state == "approved" and [s.role for s in version.signatures] == [
            "minute_taker"
        ]
    sign(chair_http, meeting_id)
    with app.app_context():
        version = db.session.scalar(
            select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
        )
        assert version.state == "sealed"
        assert version.fingerprint == sealing.fingerprint(version.content)
        assert {s["name"] for s in version.content["signatures"]} == {
            "Nguyễn Văn Hùng",
            "Lê Văn Bình",
        }
        assert version.content["items"][0]["html"] == "<p>Nội dung đã thống nhất</p>"
        sealed_fp = version.fingerprint
    # Sealed: edits are refused, state unchanged.
    late = {"item_id": items[0], "base_revision": 1, "html": "<p>Sửa lén</p>"}
    ack = command(taker, meeting_id, "minutes_edit", late)
    assert ack["error"]["code"] == "conflict"
    assert ack["error"]["details"]["state"] == "sealed"
    # The seal closed the meeting's room: a socket that stays learns nothing more until it rejoins.
    member.get_received()
    ack = command(taker, meeting_id, "minutes_correct", {"reason": "Sửa tên người phát biểu"})
    assert ack["ok"] and ack["result"]["version"] == 2
    assert member.is_connected() and events(member) == []
    assert member.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    assert command(taker, meeting_id, "minutes_edit", late)["ok"]
    assert command(chair, meeting_id, "minutes_approve", {"method": "chair"})["ok"]
    sign(taker_http, meeting_id)
    sign(chair_http, meeting_id)
    with app.app_context():
        v1, v2 = db.session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting_id)
            .order_by(MinutesVersion.number)
        ).all()
        assert v1.fingerprint == sealed_fp and v1.content["items"][0]["html"] != "<p>Sửa lén</p>"
        assert v2.state == "sealed" and v2.content["items"][0]["html"] == "<p>Sửa lén</p>"
        assert v2.content["version"]["previous_fingerprint"] == sealed_fp
        assert v2.content["version"]["reason"] == "Sửa tên người phát biểu"


def test_cannot_sign_for_someone_else(app, sio, login):
    meeting_id, _items, chair, _taker, _member = live_meeting(app, sio)
    command(chair, meeting_id, "minutes_approve", {"method": "chair"})
    command(chair, meeting_id, "end_meeting")
    response = login("dangvien2").post(
        f"/meetings/{meeting_id}/minutes/sign", data={"password": "chibo-demo"}
    )
    assert response.status_code == 403


def test_demo_past_meeting_has_sealed_minutes_linked_from_cell_and_room(app, login):
    with app.app_context():
        version = db.session.scalar(select(MinutesVersion))
        meeting = db.session.get(Meeting, version.meeting_id)
        assert version.state == "sealed"
        assert version.fingerprint == sealing.fingerprint(version.content)
        cell_id, meeting_id = meeting.cell_id, meeting.id
    client = login("dangvien5")
    cell_page = client.get(f"/cells/{cell_id}").get_data(as_text=True)
    assert f"/meetings/{meeting_id}/minutes.pdf" in cell_page
    room = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert f"/meetings/{meeting_id}/minutes.pdf" in room
    page = client.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert "BIÊN BẢN" in page and sealing.short_code(version.fingerprint) in page


def test_outsiders_cannot_read_minutes(app, login):
    with app.app_context():
        meeting_id = db.session.scalar(select(MinutesVersion)).meeting_id
    other_cell = login("kp2_dangvien1")
    assert other_cell.get(f"/meetings/{meeting_id}/minutes").status_code == 403
    assert other_cell.get(f"/meetings/{meeting_id}/minutes.pdf").status_code == 403
    observer = login("lanhdao")
    assert observer.get(f"/meetings/{meeting_id}/minutes").status_code == 200


def _procedural_vote(meeting_id, chair, voters, choice):
    """A procedural vote on the current item ("approve the minutes"), cast and closed."""
    vote_id = command(
        chair, meeting_id, "open_vote", {"kind": "procedural", "subject": "Thông qua biên bản"}
    )
    assert vote_id["ok"], vote_id
    vote_id = vote_id["result"]["vote_id"]
    for voter in voters:
        assert command(voter, meeting_id, "cast_vote", {"vote_id": vote_id, "choices": [choice]})[
            "ok"
        ]
    assert command(chair, meeting_id, "close_vote", {"vote_id": vote_id})["ok"]
    return vote_id


def test_minutes_are_approved_by_a_passed_procedural_vote_only(app, sio):
    meeting_id, _items, chair, taker, member = live_meeting(app, sio)
    failed = _procedural_vote(meeting_id, chair, [chair, taker, member], "disagree")
    ack = command(chair, meeting_id, "minutes_approve", {"method": "vote", "vote_id": failed})
    assert ack["error"]["code"] == "invalid"  # a vote that did not pass approves nothing
    passed = _procedural_vote(meeting_id, chair, [chair, taker, member], "agree")
    ack = command(chair, meeting_id, "minutes_approve", {"method": "vote", "vote_id": passed})
    assert ack["ok"], ack
    with app.app_context():
        version = db.session.scalar(
            select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
        )
        assert version.state == "approved" and version.approval_method == "vote"
        assert version.approval_vote_id == passed
