"""One change format, one reducer: every command of the registry (and every other writer of a
meeting) is run once on a meeting, and for each the watcher's state before + the changes it heard
== a fresh snapshot after — in Python, then in the browser's JavaScript on the same messages."""

from __future__ import annotations

import copy
import hashlib
import io
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from auth.models import User
from core.extensions import db
from core.timeutil import VIETNAM, vietnam_today
from meetings import changes
from meetings.attendance import unsettled
from meetings.changes import CHANGE_TYPES, Part, Rule, apply_message
from meetings.commands import REGISTRY, Command, Effect, Empty, dispatch, run_org
from meetings.documents.models import MeetingDocument
from meetings.models import AgendaItem, CommandLog, Meeting
from tests.factories import schedule, upcoming_meeting_id
from tests.verify_changes import ChangeVerifier, run_browser_reducer

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


def _download(http, meeting_id: int, document_id: int) -> None:
    response = http.get(f"/meetings/{meeting_id}/documents/{document_id}")
    assert response.status_code == 200
    response.close()


def _newest_document(app, meeting_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(MeetingDocument.id)
            .where(MeetingDocument.meeting_id == meeting_id)
            .order_by(MeetingDocument.id.desc())
        )


def _lose_ballot_keys(app) -> None:
    """What the death of every process holding the keys does, then the servers' check."""
    from meetings.voting.keyring import keyring
    from meetings.voting.secret_ballots import check_open_votes

    with app.app_context():
        keyring().forget_all()
        check_open_votes()


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
    released = _newest_document(app, meeting_id)
    room.command(chair, "release_document", {"document_id": released})
    reader = login("dangvien3")  # the first download is the read receipt: a version, no change
    room.form("read_document", lambda: _download(reader, meeting_id, released))
    room.form("attach_document", lambda: _upload(secretary, meeting_id, "Bản nháp"))
    room.command(chair, "remove_document", {"document_id": _newest_document(app, meeting_id)})
    added = room.command(chair, "agenda_add", {"title": "Việc phát sinh", "planned_minutes": 5})
    extra = added["item_id"]
    room.command(
        chair, "agenda_update", {"item_id": extra, "title": "Ý kiến", "planned_minutes": 7}
    )
    room.command(chair, "agenda_move", {"item_id": extra, "position": 0})
    room.command(chair, "agenda_remove", {"item_id": extra})
    room.command(member, "reply_invitation", {"answer": "excused", "reason": "Đi công tác"})
    room.command(member, "reply_invitation", {"answer": "attend"})

    # The meeting: attendance, the current item, an upper-level delegate's visit.
    room.command(chair, "start_meeting", {"confirm_early": True})
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

    # Votes: a show of hands (counts move with each ballot) and a secret ballot (only how many);
    # a hybrid meeting's hall: the counting team, a hand counted in the hall, paper ballots.
    team = [_uid(app, "dangvien1"), _uid(app, "dangvien3")]
    room.command(chair, "set_counting_team", {"user_ids": team})
    opened = room.command(chair, "open_vote", {"kind": "procedural"})
    for client, choice in ((chair, "agree"), (member, "agree"), (taker, "disagree")):
        room.command(client, "cast_vote", {"vote_id": opened["vote_id"], "choices": [choice]})
    hand = {"user_id": _uid(app, "phobithu"), "choice": "agree"}
    room.command(taker, "record_hall_hands", {"vote_id": opened["vote_id"], "hands": [hand]})
    room.command(chair, "close_vote", {"vote_id": opened["vote_id"]})
    secret = room.command(chair, "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    for client in (chair, member):
        room.command(
            client,
            "cast_vote",
            {"vote_id": secret["vote_id"], "choices": ["agree"], "receipt_hash": _receipt_hash()},
        )
    paper = {"vote_id": secret["vote_id"], "user_ids": [_uid(app, "phobithu")]}
    room.command(taker, "mark_paper_voters", paper)
    entry = room.command(
        taker, "enter_paper_tally", {"vote_id": secret["vote_id"], "counts": {"agree": 1}}
    )
    room.command(
        member,
        "confirm_paper_tally",
        {"vote_id": secret["vote_id"], "revision": entry["revision"]},
    )
    room.command(chair, "close_vote", {"vote_id": secret["vote_id"]})
    # A secret vote whose key died with every process holding it is void; the chair retakes it.
    lost = room.command(chair, "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    room.command(
        member,
        "cast_vote",
        {"vote_id": lost["vote_id"], "choices": ["agree"], "receipt_hash": _receipt_hash()},
    )
    room.action("the key is lost: the vote is void", lambda: _lose_ballot_keys(app))
    retaken = room.command(chair, "reopen_vote", {"vote_id": lost["vote_id"]})
    room.command(chair, "close_vote", {"vote_id": retaken["vote_id"]})

    # Conclusions and tasks: recorded here, the demo's carried tasks reviewed, an owner's report.
    due = (vietnam_today() + timedelta(days=9)).isoformat()
    three = _uid(app, "dangvien3")
    task = room.command(
        taker, "task_add", {"text": "Việc mới", "owner_ids": [three], "due_on": due}
    )
    room.command(
        taker,
        "task_edit",
        {"task_id": task["task_id"], "text": "Việc mới (sửa)", "committee": True, "due_on": due},
    )
    conclusion = room.command(chair, "task_add", {"kind": "conclusion", "text": "Nhất trí"})
    room.command(chair, "task_remove", {"task_id": conclusion["task_id"]})
    carried = watcher.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    carried = carried["tasks"]["review"]
    two = _uid(app, "dangvien2")
    mine = next(t["id"] for t in carried if any(o["id"] == two for o in t["owners"]))
    room.command(watcher, "task_update", {"task_id": mine, "status": "in_progress", "note": "Dở"})
    other = next(t["id"] for t in carried if t["id"] != mine and t["open"])
    room.command(chair, "task_review", {"task_id": other, "status": "dropped", "note": "Thôi"})

    # Guests, recorded by the chair; attendance settled before the minutes are approved.
    guest = room.command(chair, "add_guest", {"name": "Nguyễn Thị Mai", "position": "Hội Phụ nữ"})
    room.command(chair, "add_guest", {"name": "Trần Văn Khách"})
    room.command(chair, "remove_guest", {"guest_id": guest["guest_id"]})
    with app.app_context():
        waiting = unsettled(db.session.get(Meeting, meeting_id))
    room.command(chair, "settle_attendance", {"user_ids": waiting})

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

    # The year-end review, in a meeting of its own.
    review_id = _schedule_review(app, meeting_id)
    for client in (chair, watcher):
        assert client.emit("join", {"meeting_id": review_id}, callback=True)["ok"]
    review = ChangeVerifier(watcher, review_id)
    answers = {k: "Nội dung" for k in ("politics", "duties", "commitment", "shortcomings")}
    review.command(
        watcher, "review_submit", {"answers": answers, "score": 91, "grade": "excellent"}
    )
    report = {k: "Nội dung" for k in ("results", "building", "remedies", "shortcomings")}
    review.command(chair, "review_cell_report", {"answers": report, "score": 80, "grade": "good"})
    review.command(chair, "start_meeting", {"confirm_early": True})
    review.command(chair, "mark_attendance", {"user_id": _uid(app, "bithu"), "status": "present"})
    review.command(chair, "mark_attendance", {"user_id": two, "status": "present"})
    review.command(chair, "review_take_up", {"subject_user_id": two})
    grade = review.command(
        chair, "review_grade_vote", {"subject_user_id": two, "grade": "excellent"}
    )
    review.command(chair, "cast_vote", {"vote_id": grade["vote_id"], "choices": ["agree"]})
    review.command(chair, "close_vote", {"vote_id": grade["vote_id"]})

    # Every command of the registry was verified, and every change type of the table was heard:
    # a feature that adds a command or a change type adds a step above.
    # Another meeting of the cell, called off before it starts.
    other_id = _another_meeting(app, meeting_id)
    for client in (chair, watcher):
        assert client.emit("join", {"meeting_id": other_id}, callback=True)["ok"]
    other = ChangeVerifier(watcher, other_id)
    other.command(chair, "cancel_meeting")

    assert set(REGISTRY) - room.commands - other.commands - review.commands == set()
    assert set(CHANGE_TYPES) - room.types - review.types == set()
    room.check_browser_reducer()
    other.check_browser_reducer()
    review.check_browser_reducer()


def _another_meeting(app, meeting_id: int) -> int:
    """A second meeting of the cell, scheduled by its secretary through the command path."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        details = _edit_details(app, meeting_id) | {"title": "Chuyên đề (sẽ hủy)", "agenda": []}
        secretary = db.session.scalar(select(User).where(User.username == "bithu"))
        ack = run_org(secretary, meeting.cell_id, "schedule_meeting", details)
        return ack["result"]["meeting_id"]


def _schedule_review(app, held_id: int) -> int:
    with app.app_context():
        kp1 = db.session.get(Meeting, held_id)
        return schedule(
            kp1.chair,
            kp1.cell_id,
            "year_review",
            kp1.scheduled_at + timedelta(days=10),
            kp1.chair_id,
            kp1.minute_taker_id,
            ["Kiểm điểm từng đảng viên"],
            title="Kiểm điểm cuối năm",
        )


# ---- the reducer's rules, one by one ----------------------------------------------------------


def test_the_table_given_to_the_page_is_the_servers():
    table = changes.table()
    assert set(table) == set(CHANGE_TYPES)
    assert table["attendance"] == [
        {"path": "roster", "rule": "upsert", "field": "rows", "key": "user_id"},
        {"path": "figures", "rule": "replace", "field": "figures"},
    ]


def _message(v: int, *items) -> dict:
    return {"v": v, "changes": [{"type": kind, "data": data} for kind, data in items]}


HALL = {"hall": (Part("hall.count", Rule.PATCH),)}  # a feature's patch of an object, no key
LIVE = {"version": 8, "meeting": {"status": "live"}}
ENDED = ("meeting", {"status": "ended"})

# (what, extra table lines, state, messages, outcomes, state after): each run by both reducers.
RULES = [
    (
        "upsert replaces by key, adds new ones, keeps the snapshot's order",
        {},
        {"version": 1, "votes": [{"id": 1, "s": "open"}, {"id": 3, "s": "open"}]},
        [_message(2, ("vote", {"id": 2, "s": "open"})), _message(3, ("vote", {"id": 3, "s": "x"}))],
        ["applied", "applied"],
        {
            "version": 3,
            "votes": [{"id": 1, "s": "open"}, {"id": 2, "s": "open"}, {"id": 3, "s": "x"}],
        },
    ),
    (
        "upsert without sort appends a new row; a second part replaces the figures",
        {},
        {"version": 1, "roster": [{"user_id": 9, "a": 0}, {"user_id": 2, "a": 0}], "figures": {}},
        [
            _message(
                2,
                (
                    "attendance",
                    {
                        "rows": [{"user_id": 2, "a": 1}, {"user_id": 5, "a": 1}],
                        "figures": {"present": 2},
                    },
                ),
            )
        ],
        ["applied"],
        {
            "version": 2,
            "roster": [{"user_id": 9, "a": 0}, {"user_id": 2, "a": 1}, {"user_id": 5, "a": 1}],
            "figures": {"present": 2},
        },
    ),
    (
        "patch writes only the fields sent into the item with that key",
        {},
        {"version": 1, "votes": [{"id": 4, "voted": 0, "counts": None, "subject": "X"}]},
        [_message(2, ("vote_progress", {"id": 4, "voted": 2, "counts": None}))],
        ["applied"],
        {"version": 2, "votes": [{"id": 4, "voted": 2, "counts": None, "subject": "X"}]},
    ),
    (
        "a partial change leaves the rest of its section",
        {},
        {"version": 1, "minutes": {"status": {"state": "draft"}, "sections": [{"item_id": 5}]}},
        [_message(2, ("minutes", {"status": {"state": "approved"}}))],
        ["applied"],
        {"version": 2, "minutes": {"status": {"state": "approved"}, "sections": [{"item_id": 5}]}},
    ),
    (
        "a missing section is made on the way",
        {},
        {"version": 1},
        [_message(2, ("minutes", {"sections": [{"item_id": 7}, {"item_id": 3}]}))],
        ["applied"],
        {"version": 2, "minutes": {"sections": [{"item_id": 3}, {"item_id": 7}]}},
    ),
    (
        "patch without a key merges into an object",
        HALL,
        {"version": 1},
        [_message(2, ("hall", {"raised": 3})), _message(3, ("hall", {"lowered": 1}))],
        ["applied", "applied"],
        {"version": 3, "hall": {"count": {"raised": 3, "lowered": 1}}},
    ),
    (
        "messages already held change nothing",
        {},
        LIVE,
        [_message(8, ENDED), _message(5, ENDED)],
        ["old", "old"],
        LIVE,
    ),
    ("a missed message (a gap) changes nothing", {}, LIVE, [_message(10, ENDED)], ["gap"], LIVE),
    (
        "an applied message brings its version's tag (a rejoin sends it back)",
        {},
        {**LIVE, "tag": "t8"},
        [{**_message(9, ENDED), "tag": "t9", "prev": "t8"}],
        ["applied"],
        {"version": 9, "tag": "t9", "meeting": {"status": "ended"}},
    ),
    (
        "a type the table lacks changes nothing",
        {},
        LIVE,
        [_message(9, ENDED, ("no_such_change", {}))],
        ["unknown"],
        LIVE,
    ),
]


@pytest.mark.parametrize(
    ("what", "extra", "state", "messages", "outcomes", "after"),
    RULES,
    ids=[case[0] for case in RULES],
)
def test_rules_in_python(monkeypatch, what, extra, state, messages, outcomes, after):
    for kind, parts in extra.items():
        monkeypatch.setitem(CHANGE_TYPES, kind, parts)
    state = copy.deepcopy(state)
    assert [apply_message(state, message) for message in messages] == outcomes
    assert state == after


def test_the_same_rules_in_the_browsers_reducer(monkeypatch):
    for case in RULES:
        for kind, parts in case[1].items():
            monkeypatch.setitem(CHANGE_TYPES, kind, parts)
    cases = [{"state": state, "messages": messages} for _, _, state, messages, _, _ in RULES]
    results = run_browser_reducer(changes.table(), cases)
    for (what, _, _, _, outcomes, after), result in zip(RULES, results, strict=True):
        assert (result["outcomes"], result["state"]) == (outcomes, after), what


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
