"""The list of speakers over Socket.IO: order, delegates first, idempotent hands, the timer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetings.commands import REGISTRY
from tests.factories import command, upcoming_meeting_id

pytestmark = pytest.mark.language("en")  # the assertions quote English texts

T0 = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)


def join(client, meeting_id):
    answer = client.emit("join", {"meeting_id": meeting_id}, callback=True)
    assert answer["ok"], answer
    return answer["snapshot"]


def ok(ack):
    assert ack["ok"], ack
    return ack.get("result", {})


@pytest.fixture
def room(app, sio):
    """A live KP1 meeting with the chair, three members and the province leader in the room."""
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    people = {name: sio(name) for name in ("bithu", "dangvien2", "dangvien3", "dubi1", "lanhdao")}
    for client in people.values():
        join(client, meeting_id)
    ok(command(people["bithu"], meeting_id, "start_meeting", {"confirm_early": True}))
    return meeting_id, people


@pytest.fixture
def clock(monkeypatch):
    """Freeze the speakers' clock; `clock.now` moves it."""

    class Clock:
        now = T0

    import meetings.speakers.commands as commands

    monkeypatch.setattr(commands, "utcnow", lambda: Clock.now)
    return Clock


def speakers(client, meeting_id):
    return join(client, meeting_id)["speakers"]


def test_queue_keeps_the_order_hands_were_raised(room):
    meeting_id, p = room
    for name in ("dangvien3", "dangvien2", "dubi1"):
        ok(command(p[name], meeting_id, "raise_hand"))
    state = speakers(p["dangvien2"], meeting_id)
    assert [r["name"] for r in state["queue"]] == [
        "Hoàng Văn Dũng",
        "Phạm Thị Hương",
        "Phan Thị Yến",
    ]
    snapshot = join(p["bithu"], meeting_id)
    current = snapshot["agenda"]["current_item_id"]
    assert current is not None
    assert {r["agenda_item_id"] for r in state["queue"]} == {current}
    assert state["speaking"] is None and state["spoken"] == []


def test_raising_twice_is_a_no_op_and_lowering_withdraws(room):
    meeting_id, p = room
    first = ok(command(p["dangvien2"], meeting_id, "raise_hand"))
    again = ok(command(p["dangvien2"], meeting_id, "raise_hand"))
    assert again["request_id"] == first["request_id"]
    assert len(speakers(p["bithu"], meeting_id)["queue"]) == 1

    assert ok(command(p["dangvien2"], meeting_id, "lower_hand"))["status"] == "withdrawn"
    assert speakers(p["bithu"], meeting_id)["queue"] == []
    # Lowering a hand that is not raised changes nothing.
    assert ok(command(p["dangvien2"], meeting_id, "lower_hand")) == {
        "request_id": None,
        "status": None,
    }
    # Raising again puts the member at the end of the queue.
    ok(command(p["dangvien3"], meeting_id, "raise_hand"))
    ok(command(p["dangvien2"], meeting_id, "raise_hand"))
    assert [r["name"] for r in speakers(p["bithu"], meeting_id)["queue"]] == [
        "Hoàng Văn Dũng",
        "Phạm Thị Hương",
    ]


def test_a_member_cannot_lower_another_members_hand(room):
    meeting_id, p = room
    ok(command(p["dangvien2"], meeting_id, "raise_hand"))
    assert ok(command(p["dangvien3"], meeting_id, "lower_hand"))["request_id"] is None
    assert len(speakers(p["bithu"], meeting_id)["queue"]) == 1


def test_delegate_request_is_marked_and_the_chair_puts_it_first(room):
    meeting_id, p = room
    ok(command(p["dangvien2"], meeting_id, "raise_hand"))
    ok(command(p["dangvien3"], meeting_id, "raise_hand"))
    delegate = ok(command(p["lanhdao"], meeting_id, "raise_hand"))
    queue = speakers(p["bithu"], meeting_id)["queue"]
    assert [(r["name"], r["is_observer"], r["office"]) for r in queue] == [
        ("Phạm Thị Hương", False, None),
        ("Hoàng Văn Dũng", False, None),
        ("Trương Quang Vinh", True, "Ủy viên Ban Thường vụ Tỉnh ủy"),
    ]
    # Only the chair's side may reorder.
    refused = command(
        p["dangvien2"],
        meeting_id,
        "reorder_speakers",
        {"request_id": delegate["request_id"], "position": 0},
    )
    assert refused["error"]["code"] == "forbidden"
    ok(
        command(
            p["bithu"],
            meeting_id,
            "reorder_speakers",
            {"request_id": delegate["request_id"], "position": 0},
        )
    )
    assert [r["name"] for r in speakers(p["dangvien2"], meeting_id)["queue"]] == [
        "Trương Quang Vinh",
        "Phạm Thị Hương",
        "Hoàng Văn Dũng",
    ]
    # Giving the floor without naming anyone takes the first.
    ok(command(p["bithu"], meeting_id, "give_floor"))
    state = speakers(p["dangvien3"], meeting_id)
    assert state["speaking"]["name"] == "Trương Quang Vinh"
    assert state["speaking"]["is_observer"] is True
    assert [r["name"] for r in state["queue"]] == ["Phạm Thị Hương", "Hoàng Văn Dũng"]


def test_timer_limit_and_recorded_durations(app, room, clock):
    meeting_id, p = room
    ok(command(p["bithu"], meeting_id, "set_speaking_limit", {"seconds": 120}))
    first = ok(command(p["dangvien2"], meeting_id, "raise_hand"))
    second = ok(command(p["dangvien3"], meeting_id, "raise_hand"))

    # The chair may give the floor to anyone waiting, not only the first.
    ok(command(p["bithu"], meeting_id, "give_floor", {"request_id": second["request_id"]}))
    seen = [speakers(c, meeting_id)["speaking"] for c in (p["dangvien2"], p["lanhdao"])]
    for speaking in seen:
        assert speaking["name"] == "Hoàng Văn Dũng"
        assert speaking["started_at"] == "2026-11-20T12:30:00Z"
        assert speaking["limit_seconds"] == 120

    # Giving the floor to the next ends the current speech and records its length.
    clock.now = T0 + timedelta(seconds=75)
    ok(command(p["bithu"], meeting_id, "give_floor", {"request_id": first["request_id"]}))
    clock.now = T0 + timedelta(seconds=75 + 190)  # over the limit: recorded as spoken
    ended = ok(command(p["bithu"], meeting_id, "end_speech"))
    assert ended["seconds"] == 190

    state = speakers(p["dubi1"], meeting_id)
    assert state["speaking"] is None
    assert state["limit_seconds"] == 120
    assert [(r["name"], r["seconds"]) for r in state["spoken"]] == [
        ("Hoàng Văn Dũng", 75),
        ("Phạm Thị Hương", 190),
    ]
    assert command(p["bithu"], meeting_id, "end_speech")["error"]["code"] == "conflict"

    with app.app_context():
        from meetings.speakers.records import speeches

        records = speeches(meeting_id)
    assert [(s.name, s.seconds, s.is_observer) for s in records] == [
        ("Hoàng Văn Dũng", 75, False),
        ("Phạm Thị Hương", 190, False),
    ]
    assert records[0].started_at == T0
    assert records[1].ended_at == T0 + timedelta(seconds=265)


def test_timer_survives_a_reconnect(app, sio, login, room, clock):
    meeting_id, p = room
    ok(command(p["lanhdao"], meeting_id, "raise_hand"))
    ok(command(p["bithu"], meeting_id, "give_floor"))
    before = speakers(p["dangvien2"], meeting_id)["speaking"]
    p["dangvien2"].disconnect()
    again = sio("dangvien2")
    after = join(again, meeting_id)["speakers"]["speaking"]
    assert after == before
    assert after["started_at"] == "2026-11-20T12:30:00Z" and after["limit_seconds"] == 300
    # The page counts down against the server's clock: /clock gives it in ms.
    response = login("dangvien2").get("/clock")
    assert response.headers["Cache-Control"] == "no-store"
    assert abs(response.get_json()["now"] - datetime.now(UTC).timestamp() * 1000) < 5000


def test_change_events_carry_the_same_section_as_the_snapshot(room):
    meeting_id, p = room
    p["dangvien3"].get_received()
    ok(command(p["dangvien2"], meeting_id, "raise_hand"))
    [event] = [e["args"][0] for e in p["dangvien3"].get_received() if e["name"] == "changes"]
    [change] = event["changes"]
    assert change["type"] == "speakers"
    assert change["data"] == speakers(p["dangvien3"], meeting_id)


def test_the_list_opens_with_the_meeting(app, sio):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    member = sio("dangvien2")
    join(member, meeting_id)
    ack = command(member, meeting_id, "raise_hand")
    assert ack["ok"] is False and ack["error"]["code"] == "conflict"
    assert "starts" in ack["error"]["message"]


def test_members_cannot_run_the_list(room):
    meeting_id, p = room
    request = ok(command(p["dangvien2"], meeting_id, "raise_hand"))
    for client in (p["dangvien3"], p["lanhdao"]):
        for name, payload in [
            ("give_floor", {}),
            ("end_speech", {}),
            ("set_speaking_limit", {"seconds": 60}),
            ("reorder_speakers", {"request_id": request["request_id"], "position": 0}),
        ]:
            assert command(client, meeting_id, name, payload)["error"]["code"] == "forbidden", name


def test_invalid_payloads_are_refused(room):
    meeting_id, p = room
    for name, payload in [
        ("set_speaking_limit", {"seconds": 5}),
        ("set_speaking_limit", {"seconds": "60"}),
        ("give_floor", {"request_id": "1"}),
        ("raise_hand", {"extra": True}),
    ]:
        assert command(p["bithu"], meeting_id, name, payload)["error"]["code"] == "invalid", name
    assert (
        command(p["bithu"], meeting_id, "give_floor", {"request_id": 999})["error"]["code"]
        == "not_found"
    )
    assert command(p["bithu"], meeting_id, "give_floor")["error"]["code"] == "conflict"


def test_observer_refusals_are_clear(room):
    """A delegate speaks but never counts, votes, checks in or changes the agenda."""
    meeting_id, p = room
    before = join(p["lanhdao"], meeting_id)
    attempts = [
        ("check_in", {}),
        ("agenda_add", {"title": "Ý kiến cấp trên", "planned_minutes": 5}),
        ("set_current_item", {"item_id": before["agenda"]["items"][2]["id"]}),
    ]
    if "cast_vote" in REGISTRY:  # the voting feature: a well-formed ballot, still refused
        attempts.append(("cast_vote", {"vote_id": 1, "choices": ["agree"]}))
    for name, payload in attempts:
        ack = command(p["lanhdao"], meeting_id, name, payload)
        assert ack["ok"] is False, name
        assert ack["error"]["code"] == "forbidden", name
        assert ack["error"]["message"], name
    after = join(p["lanhdao"], meeting_id)
    assert after["agenda"] == before["agenda"]
    assert after["figures"] == before["figures"]
    assert before["me"]["user_id"] not in {r["user_id"] for r in after["roster"]}
    # ...but the delegate may ask for the floor.
    assert ok(command(p["lanhdao"], meeting_id, "raise_hand"))["status"] == "waiting"
