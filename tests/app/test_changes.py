"""One change format, one reducer: every command of the registry (and every other writer of a
meeting) is run once on a meeting, and for each the watcher's state before + the changes it heard
== a fresh snapshot after — in Python, then in the browser's JavaScript on the same messages."""

from __future__ import annotations

import hashlib
import io
import secrets

import pytest
from sqlalchemy import func, select

from auth.models import User
from core.extensions import db
from core.timeutil import VIETNAM
from meetings import changes
from meetings.changes import CHANGE_TYPES, Part, Rule, apply_change, apply_message
from meetings.commands import REGISTRY, Command, Effect, Empty, dispatch
from meetings.documents.models import MeetingDocument
from meetings.models import AgendaItem, CommandLog, Meeting
from tests.factories import upcoming_meeting_id
from tests.verify_changes import ChangeVerifier

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _uid(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def _receipt_hash() -> str:
    return hashlib.sha256(secrets.token_hex(10).encode()).hexdigest()


def _edit_details(app, meeting_id: int) -> dict:
    """The meeting form's edit (`edit_meeting`): a new place, the agenda as it is."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "scheduled_at": meeting.scheduled_at.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M"),
            "place": "Hội trường khu phố",
            "online_url": meeting.online_url,
            "chair_id": meeting.chair_id,
            "minute_taker_id": meeting.minute_taker_id,
            "agenda": [
                {"item_id": i.id, "title": i.title, "planned_minutes": i.planned_minutes}
                for i in meeting.agenda
            ],
        }


def _upload(http, meeting_id: int, title: str):
    body = {"title": title, "agenda_item_id": "0", "file": (io.BytesIO(PDF), "tai-lieu.pdf")}
    response = http.post(
        f"/meetings/{meeting_id}/documents", data=body, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.status_code


def _newest_document(app, meeting_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(MeetingDocument.id)
            .where(MeetingDocument.meeting_id == meeting_id)
            .order_by(MeetingDocument.id.desc())
        )


def test_every_command_and_writer_changes_the_room_as_a_fresh_snapshot_shows(app, sio, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair, taker, member = sio("bithu"), sio("dangvien1"), sio("dangvien3")
    watcher = sio("dangvien2")
    for client in (chair, taker, member, watcher):
        assert client.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    room = ChangeVerifier(watcher, meeting_id)

    # Before the meeting: the form's edit and the agenda.
    room.command(chair, "edit_meeting", _edit_details(app, meeting_id))
    secretary = login("bithu")
    room.form("attach_document", lambda: _upload(secretary, meeting_id, "Dự thảo"))
    room.command(chair, "release_document", {"document_id": _newest_document(app, meeting_id)})
    room.form("attach_document", lambda: _upload(secretary, meeting_id, "Bản nháp"))
    room.command(chair, "remove_document", {"document_id": _newest_document(app, meeting_id)})
    added = room.command(chair, "agenda_add", {"title": "Việc phát sinh", "planned_minutes": 5})
    extra = added["item_id"]
    room.command(
        chair, "agenda_update", {"item_id": extra, "title": "Ý kiến", "planned_minutes": 7}
    )
    room.command(chair, "agenda_move", {"item_id": extra, "position": 0})
    room.command(chair, "agenda_remove", {"item_id": extra})

    # The meeting: attendance, the current item, an upper-level delegate's visit.
    room.command(chair, "start_meeting")
    room.command(member, "check_in")
    room.command(chair, "mark_attendance", {"user_id": _uid(app, "bithu"), "status": "present"})
    room.command(
        chair,
        "mark_attendance",
        {"user_id": _uid(app, "dangvien4"), "status": "absent_excused", "reason": "Ốm"},
    )
    for username in ("dangvien1", "dangvien2", "phobithu"):
        room.command(chair, "mark_attendance", {"user_id": _uid(app, username), "status": "late"})
    leader = sio("lanhdao")
    room.action(
        "observer visit",
        lambda: leader.emit("join", {"meeting_id": meeting_id}, callback=True),
    )
    items = watcher.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    items = [i["id"] for i in items["agenda"]["items"]]
    room.command(chair, "set_current_item", {"item_id": items[1]})

    # Speakers.
    room.command(member, "raise_hand")
    room.command(watcher, "raise_hand")
    request = room.command(leader, "raise_hand")
    room.command(watcher, "lower_hand")
    room.command(chair, "reorder_speakers", {"request_id": request["request_id"], "position": 0})
    room.command(chair, "set_speaking_limit", {"seconds": 180})
    room.command(chair, "give_floor")
    room.command(chair, "end_speech")

    # Votes: a show of hands (counts move with each ballot) and a secret ballot (only how many).
    opened = room.command(chair, "open_vote", {"kind": "procedural"})
    for client, choice in ((chair, "agree"), (member, "agree"), (taker, "disagree")):
        room.command(client, "cast_vote", {"vote_id": opened["vote_id"], "choices": [choice]})
    room.command(chair, "close_vote", {"vote_id": opened["vote_id"]})
    secret = room.command(chair, "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    for client in (chair, member):
        room.command(
            client,
            "cast_vote",
            {"vote_id": secret["vote_id"], "choices": ["agree"], "receipt_hash": _receipt_hash()},
        )
    room.command(chair, "close_vote", {"vote_id": secret["vote_id"]})

    # Minutes: items written out of order (the snapshot lists them by item id), approval,
    # an edit that voids it, approval again, the end, both signatures (sealing), a correction.
    for item_id, html in ((items[2], "<p>Hai</p>"), (items[0], "<p>Một</p>")):
        room.command(taker, "minutes_edit", {"item_id": item_id, "base_revision": 0, "html": html})
    room.command(chair, "minutes_approve", {"method": "chair"})
    room.command(
        taker, "minutes_edit", {"item_id": items[2], "base_revision": 1, "html": "<p>Ba</p>"}
    )
    room.command(chair, "minutes_approve", {"method": "vote", "vote_id": opened["vote_id"]})
    room.command(chair, "end_meeting")
    for username in ("dangvien1", "bithu"):
        http = login(username)
        room.form(
            "minutes_sign",
            lambda http=http: http.post(
                f"/meetings/{meeting_id}/minutes/sign", data={"password": "chibo-demo"}
            ),
        )
    # Sealing closed the room (docs/protocol.md): whoever opens the meeting again rejoins it.
    sealed = watcher.emit("join", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    assert sealed["minutes"]["status"]["state"] == "sealed"
    room.command(taker, "minutes_correct", {"reason": "Sửa lỗi chính tả"})

    # Every command of the registry was verified, and every change type of the table was heard:
    # a feature that adds a command or a change type adds a step above.
    assert set(REGISTRY) - room.commands == set()
    assert set(CHANGE_TYPES) - room.types == set()
    room.check_browser_reducer()


# ---- the reducer's rules, one by one ----------------------------------------------------------


def test_the_table_given_to_the_page_is_the_servers():
    table = changes.table()
    assert set(table) == set(CHANGE_TYPES)
    assert table["attendance"] == [
        {"path": "roster", "rule": "upsert", "field": "rows", "key": "user_id"},
        {"path": "figures", "rule": "replace", "field": "figures"},
    ]


def test_upsert_replaces_by_key_adds_new_ones_and_keeps_the_snapshots_order():
    state = {"version": 1, "votes": [{"id": 1, "s": "open"}, {"id": 3, "s": "open"}]}
    apply_change(state, {"type": "vote", "data": {"id": 2, "s": "open"}})
    apply_change(state, {"type": "vote", "data": {"id": 3, "s": "closed"}})
    assert state["votes"] == [
        {"id": 1, "s": "open"},
        {"id": 2, "s": "open"},
        {"id": 3, "s": "closed"},
    ]


def test_patch_writes_only_the_fields_sent_into_the_item():
    state = {"version": 1, "votes": [{"id": 4, "voted": 0, "counts": None, "subject": "X"}]}
    apply_change(state, {"type": "vote_progress", "data": {"id": 4, "voted": 2, "counts": None}})
    assert state["votes"] == [{"id": 4, "voted": 2, "counts": None, "subject": "X"}]


def test_a_partial_change_leaves_the_rest_of_its_section():
    state = {"version": 1, "minutes": {"status": {"state": "draft"}, "sections": [{"item_id": 5}]}}
    apply_change(state, {"type": "minutes", "data": {"status": {"state": "approved"}}})
    assert state["minutes"] == {"status": {"state": "approved"}, "sections": [{"item_id": 5}]}


def test_patch_without_a_key_merges_into_an_object(monkeypatch):
    monkeypatch.setitem(CHANGE_TYPES, "hall", (Part("hall.count", Rule.PATCH),))
    state = {"version": 1}
    apply_change(state, {"type": "hall", "data": {"raised": 3}})
    apply_change(state, {"type": "hall", "data": {"lowered": 1}})
    assert state == {"version": 1, "hall": {"count": {"raised": 3, "lowered": 1}}}


@pytest.mark.parametrize(
    ("held", "v", "kinds", "outcome"),
    [
        (8, 8, ["meeting"], "old"),
        (8, 5, ["meeting"], "old"),
        (7, 9, ["meeting"], "gap"),
        (7, 8, ["meeting", "no_such_change"], "unknown"),
    ],
)
def test_messages_already_held_missed_or_unknown_change_nothing(held, v, kinds, outcome):
    state = {"version": held, "meeting": {"status": "live"}}
    message = {"v": v, "changes": [{"type": k, "data": {"status": "ended"}} for k in kinds]}
    assert apply_message(state, message) == outcome
    assert state == {"version": held, "meeting": {"status": "live"}}


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "no_such_change", "data": {}},
        {"type": "agenda"},  # no data
        {"type": "minutes", "data": {"text": "x"}},  # neither sections nor status
        {"type": "vote_progress", "data": {"voted": 3}},  # no id to merge by
        {"type": "attendance", "data": {"rows": [{"name": "x"}], "figures": {}}},
    ],
)
def test_a_change_no_client_could_merge_is_refused_before_the_commit(bad):
    with pytest.raises(changes.InvalidChange):
        changes.check([bad])


def test_a_command_whose_change_is_refused_leaves_the_meeting_unchanged(app, monkeypatch):
    def handler(ctx, payload):
        db.session.add(AgendaItem(meeting=ctx.meeting, title="X", planned_minutes=5, position=99))
        return Effect(changes=[{"type": "not_in_the_table", "data": {}}])

    monkeypatch.setitem(REGISTRY, "bad", Command("bad", "edit_agenda", Empty, handler))
    with app.app_context():
        meeting_id = upcoming_meeting_id()
        chair = db.session.scalar(select(User).where(User.username == "bithu"))
        before = (db.session.get(Meeting, meeting_id).version, _items(meeting_id))
        with pytest.raises(changes.InvalidChange):
            dispatch(chair, meeting_id, "bad", "cid-refused-1", {})
        assert (db.session.get(Meeting, meeting_id).version, _items(meeting_id)) == before
        assert db.session.scalar(select(CommandLog).where(CommandLog.name == "bad")) is None


def _items(meeting_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
    )
