"""The room over Flask-SocketIO's test client: join, snapshot, versioned events, refusals."""

from __future__ import annotations

from tests.factories import command, events, upcoming_meeting_id


def join(client, meeting_id):
    return client.emit("join", {"meeting_id": meeting_id}, callback=True)


def test_members_receive_each_change_with_the_next_version(app, sio):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair, member, observer = sio("bithu"), sio("dangvien2"), sio("lanhdao")
    snapshots = [join(c, meeting_id) for c in (chair, member, observer)]
    assert all(s["ok"] for s in snapshots)
    version = snapshots[0]["snapshot"]["version"]
    for c in (chair, member, observer):
        c.get_received()

    ack = command(chair, meeting_id, "start_meeting", {"confirm_early": True})
    assert ack["ok"] and ack["version"] == version + 1
    for c in (chair, member, observer):
        [event] = events(c)
        assert event["v"] == version + 1
        # The leader in the room before the start is recorded as a delegate by the start.
        assert {ch["type"] for ch in event["changes"]} == {"meeting", "agenda", "observers"}

    ack = command(member, meeting_id, "check_in")
    assert ack["ok"] and ack["result"]["status"] == "present"
    [event] = events(observer)
    assert event["v"] == version + 2
    [change] = event["changes"]
    assert change["type"] == "attendance"
    assert change["data"]["rows"][0]["attendance"]["status"] == "present"
    assert change["data"]["figures"]["eligible_present"] == 1


def test_anonymous_socket_is_refused(app):
    from core.extensions import socketio

    client = socketio.test_client(app, flask_test_client=app.test_client())
    assert not client.is_connected()


def test_member_of_another_cell_cannot_join_or_act(app, sio):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    outsider = sio("kp2_dangvien1")
    answer = join(outsider, meeting_id)
    assert answer == {
        "ok": False,
        "error": {"code": "forbidden", "message": answer["error"]["message"]},
    }
    assert command(outsider, meeting_id, "check_in")["error"]["code"] == "forbidden"


def test_observer_cannot_change_anything(app, sio):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair, observer = sio("bithu"), sio("lanhdao")
    join(chair, meeting_id)
    command(chair, meeting_id, "start_meeting", {"confirm_early": True})
    before = join(observer, meeting_id)["snapshot"]
    for name, payload in [
        ("check_in", {}),
        ("start_meeting", {}),
        ("end_meeting", {}),
        ("set_current_item", {"item_id": before["agenda"]["items"][1]["id"]}),
        ("agenda_add", {"title": "X", "planned_minutes": 5}),
        ("mark_attendance", {"user_id": before["me"]["user_id"], "status": "present"}),
    ]:
        ack = command(observer, meeting_id, name, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden", name
    after = join(observer, meeting_id)["snapshot"]
    assert after["version"] == before["version"]
    assert after["roster"] == before["roster"]
    assert [o["name"] for o in after["observers"]] == ["Trương Quang Vinh"]
    assert before["me"]["user_id"] not in {r["user_id"] for r in after["roster"]}


def test_repeated_command_id_is_applied_once(app, sio):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair = sio("bithu")
    join(chair, meeting_id)
    first = command(
        chair,
        meeting_id,
        "agenda_add",
        {"title": "Việc khác", "planned_minutes": 5},
        command_id="repeat-me-123",
    )
    again = command(
        chair,
        meeting_id,
        "agenda_add",
        {"title": "Việc khác", "planned_minutes": 5},
        command_id="repeat-me-123",
    )
    assert first["ok"] and again["ok"] and again["repeat"] is True
    assert again["version"] == first["version"]
    titles = [i["title"] for i in join(chair, meeting_id)["snapshot"]["agenda"]["items"]]
    assert titles.count("Việc khác") == 1
