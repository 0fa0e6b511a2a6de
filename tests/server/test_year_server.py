"""The cell's year on the real server (`python app.py` under eventlet, python-socketio clients):
an owner's report between meetings reaches the chair's open room; in the meeting the chair records
a conclusion and a task and every client receives them; the carried review is marked live; then the
year-end review of the demo cell: a member's ballot on their own grade refused with its reason,
the result list in every client's state at the close and in the CSV, the minutes, the report."""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import date, timedelta

import pytest

from tests import live_server

pytestmark = pytest.mark.server

_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _with_version(version: int, change_type: str):
    def match(message: dict) -> bool:
        return message["v"] == version and any(c["type"] == change_type for c in message["changes"])

    return match


def _change(message: dict, change_type: str) -> dict:
    return next(c["data"] for c in message["changes"] if c["type"] == change_type)


def _follow_up(base: str, http, cell_id: int, year: int) -> tuple[list[int], str]:
    """The dashboard's CSV for a cell (secretary's view): tasks set and overdue summed over the
    year's months (done on time is a ratio), and the overdue list's CSV."""
    query = f"unit={cell_id}&year={year}&by=month"
    text = http.get(f"{base}/quality.csv?{query}", timeout=10).content.decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text))][1:]
    sums = [sum(int(r[i] or 0) for r in rows if r[0] == live_server.KP1) for i in (-3, -1)]
    overdue = http.get(f"{base}/quality.csv?{query}&list=overdue", timeout=10)
    return sums, overdue.content.decode("utf-8-sig")


def _meeting_of_kind(base: str, http, kind: str) -> int:
    home = http.get(base + "/", timeout=10).text
    for meeting_id in dict.fromkeys(int(m) for m in re.findall(r'href="/meetings/(\d+)"', home)):
        snap = live_server.fetch_state(base, http, meeting_id)
        if snap["meeting"]["kind"] == kind and snap["meeting"]["status"] == "scheduled":
            return meeting_id
    raise AssertionError(f"no scheduled {kind} meeting on the home page")


def test_tasks_recorded_live_and_the_carried_review(server, http_login, room_client):
    base = server
    chair_http, owner_http, reader_http = (
        http_login(n) for n in ("bithu", "dangvien3", "dangvien9")
    )
    meeting_id = live_server.scheduled_meeting_id(base, chair_http)
    chair, owner, reader = (room_client(h) for h in (chair_http, owner_http, reader_http))
    clients = [chair, owner, reader]
    snapshots = [c.join(meeting_id) for c in clients]
    owner_id = snapshots[1]["me"]["user_id"]
    lamp = next(t for t in snapshots[0]["tasks"]["review"] if "đèn chiếu sáng" in t["text"])
    assert owner_id in {o["id"] for o in lamp["owners"]}

    # Between meetings: the owner reports from My tasks (the form); the chair's room hears it.
    page = owner_http.get(f"{base}/my/tasks", timeout=10).text
    response = owner_http.post(
        f"{base}/my/tasks/{lamp['id']}",
        data={
            "csrf_token": _CSRF_FIELD.search(page).group(1),
            "cid": secrets.token_hex(8),
            "status": "in_progress",
            "note": "Đã gửi văn bản lên phường lần hai",
        },
        timeout=10,
    )
    assert response.status_code in (200, 302)
    chair.wait_for(
        lambda m: any(
            c["type"] == "tasks"
            and any(
                t["id"] == lamp["id"] and t["note"] == "Đã gửi văn bản lên phường lần hai"
                for t in c["data"]["review"]
            )
            for c in m["changes"]
        )
    )

    assert chair.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    state = live_server.fetch_state(base, chair_http, meeting_id)
    today = date.fromisoformat(state["tasks"]["today"])
    cell_id = state["meeting"]["cell"]["id"]
    counted_before, overdue_csv = _follow_up(base, chair_http, cell_id, today.year)
    assert "Vận động 100% hộ gia đình" in overdue_csv  # the demo's overdue task, seen from above
    due = (today + timedelta(days=30)).isoformat()

    # Refused, nothing changed: a member recording, a deadline in the past.
    before = live_server.fetch_state(base, chair_http, meeting_id)["version"]
    ack = reader.command(meeting_id, "task_add", {"text": "Việc lạ", "owner_ids": [owner_id]})
    assert not ack["ok"] and ack["error"]["code"] == "forbidden"
    ack = chair.command(
        meeting_id,
        "task_add",
        {
            "text": "Việc quá hạn",
            "owner_ids": [owner_id],
            "due_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert not ack["ok"] and ack["error"]["details"]["field"] == "due_on"
    assert "đã qua" in ack["error"]["message"]  # in the chair's language (Vietnamese)
    assert live_server.fetch_state(base, chair_http, meeting_id)["version"] == before

    # The chair records a conclusion and a task: every client receives each, at its version.
    conclusion = chair.command(
        meeting_id,
        "task_add",
        {"kind": "conclusion", "text": "Chi bộ thống nhất tập trung vận động hội viên."},
    )
    task = chair.command(
        meeting_id,
        "task_add",
        {
            "text": "Chuẩn bị hội nghị kiểm điểm cuối năm",
            "owner_ids": [owner_id],
            "committee": True,
            "due_on": due,
        },
    )
    assert conclusion["ok"] and task["ok"], (conclusion, task)
    for client in clients:
        got = _change(client.wait_for(_with_version(task["version"], "tasks")), "tasks")
        [c1] = [t for t in got["set"] if t["kind"] == "conclusion"]
        [t1] = [t for t in got["set"] if t["kind"] == "task"]
        assert (c1["number"], c1["owners"], c1["due_on"]) == (1, [], None)
        assert (t1["number"], t1["due_on"], t1["committee"]) == (1, due, True)
        assert [o["id"] for o in t1["owners"]] == [owner_id]

    # The carried review, live: the owner marks their task done; the chair sees who and when.
    ack = owner.command(meeting_id, "task_review", {"task_id": lamp["id"], "status": "done"})
    assert ack["ok"], ack
    for client in clients:
        got = _change(client.wait_for(_with_version(ack["version"], "tasks")), "tasks")
        row = next(t for t in got["review"] if t["id"] == lamp["id"])
        assert row["status"] == "done" and row["reviewed"]["status"] == "done"
        assert row["reviewed"]["by"] == snapshots[1]["me"]["name"]

    # The dashboard counts the task set today (and nothing else changed its figures).
    counted_after, _ = _follow_up(base, chair_http, cell_id, today.year)
    assert counted_after[0] - counted_before[0] == 1  # tasks set (a conclusion is not a task)

    # A client that comes back (a reconnect is a new socket) gets the same state from a snapshot.
    reader.disconnect()
    again = room_client(reader_http)
    snap = again.join(meeting_id)
    assert snap["tasks"] == live_server.fetch_state(base, chair_http, meeting_id)["tasks"]
    assert [t["text"] for t in snap["tasks"]["set"]] == [
        "Chi bộ thống nhất tập trung vận động hội viên.",
        "Chuẩn bị hội nghị kiểm điểm cuối năm",
    ]


def test_year_end_review_excludes_the_member_concerned(server, http_login, room_client):
    base = server
    names = ["bithu", "phobithu"] + [f"dangvien{n}" for n in range(1, 9)]
    https = {n: http_login(n) for n in names}
    meeting_id = _meeting_of_kind(base, https["bithu"], "year_review")
    clients = {n: room_client(https[n]) for n in names}
    ids = {n: c.join(meeting_id)["me"]["user_id"] for n, c in clients.items()}
    chair, subject = clients["bithu"], "dangvien3"
    reader = http_login("dangvien9")  # absent today: reads the results afterwards

    # Before the meeting a member submits over the socket: the secretary's panel shows who.
    answers = {
        "politics": "Giữ vững lập trường.",
        "duties": "Hoàn thành việc được giao.",
        "commitment": "Đúng cam kết.",
        "shortcomings": "Còn chậm; sẽ khắc phục.",
    }
    ack = clients["dangvien5"].command(
        meeting_id, "review_submit", {"answers": answers, "score": 80, "grade": "excellent"}
    )
    assert not ack["ok"] and "Hoàn thành tốt nhiệm vụ" in ack["error"]["message"]
    ack = clients["dangvien5"].command(
        meeting_id, "review_submit", {"answers": answers, "score": 80, "grade": "good"}
    )
    assert ack["ok"], ack
    panel = _change(chair.wait_for(_with_version(ack["version"], "review")), "review")
    row5 = next(r for r in panel["members"] if r["user_id"] == ids["dangvien5"])
    assert row5 == {"user_id": ids["dangvien5"], "name": row5["name"], "submitted": True}

    assert chair.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    for name in names:  # the chair checks in too: present like everyone
        assert clients[name].command(meeting_id, "check_in")["ok"]
    ack = clients["dangvien7"].command(
        meeting_id, "review_submit", {"answers": answers, "score": 75, "grade": "good"}
    )
    assert not ack["ok"] and ack["error"]["code"] == "conflict"

    # The chair takes up the member: everyone sees their self-assessment.
    ack = chair.command(meeting_id, "review_take_up", {"subject_user_id": ids[subject]})
    assert ack["ok"], ack
    for client in clients.values():
        focus = _change(client.wait_for(_with_version(ack["version"], "review")), "review")["focus"]
        assert focus["subject_user_id"] == ids[subject]
        assert focus["assessment"]["score"] == 78  # the demo's submission

    # The grade vote: the member concerned is not on the list; their ballot is refused, why said.
    opened = chair.command(
        meeting_id,
        "review_grade_vote",
        {"subject_user_id": ids[subject], "grade": "good", "method": "show_of_hands"},
    )
    assert opened["ok"], opened
    vote_id = opened["result"]["vote_id"]
    vote = _change(clients[subject].wait_for(_with_version(opened["version"], "vote")), "vote")
    assert vote["eligible"] == len(names) - 1
    own = clients[subject].command(
        meeting_id, "cast_vote", {"vote_id": vote_id, "choices": ["agree"]}
    )
    assert not own["ok"]
    assert own["error"]["code"] == "forbidden"
    assert own["error"]["details"]["reason"] == "own_grade"
    assert own["error"]["message"] == "Đồng chí không biểu quyết mức xếp loại của chính mình."
    voters = [n for n in names if n != subject]
    for name in voters:
        choice = "disagree" if name == "dangvien8" else "agree"
        ack = clients[name].command(
            meeting_id, "cast_vote", {"vote_id": vote_id, "choices": [choice]}
        )
        assert ack["ok"], (name, ack)

    # The close: in the same message every client gets the verdict and the result list's row.
    closed = chair.command(meeting_id, "close_vote", {"vote_id": vote_id})
    assert closed["ok"], closed
    for client in clients.values():
        message = client.wait_for(_with_version(closed["version"], "review"))
        result = _change(message, "vote")
        assert result["status"] == "closed" and result["result"]["passed"] is True
        row = next(r for r in _change(message, "review")["members"] if r["user_id"] == ids[subject])
        assert (row["self_score"], row["self_grade"], row["grade"]) == (78, "good", "good")
        assert row["counts"] == {"agree": len(voters) - 1, "disagree": 1, "abstain": 0}
    csv_text = reader.get(f"{base}/meetings/{meeting_id}/review/results.csv", timeout=10)
    csv_lines = csv_text.content.decode("utf-8-sig").splitlines()
    [line] = [line for line in csv_lines if row["name"] in line]
    assert line.split(",")[2:7] == [
        "78",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
        str(len(voters) - 1),
        "1",
    ]

    # The cell's own grade: everyone votes, the member graded before among them.
    cell_vote = chair.command(
        meeting_id,
        "review_grade_vote",
        {"subject_user_id": None, "grade": "good", "method": "show_of_hands"},
    )
    assert cell_vote["ok"], cell_vote
    for name in names:
        ack = clients[name].command(
            meeting_id,
            "cast_vote",
            {"vote_id": cell_vote["result"]["vote_id"], "choices": ["agree"]},
        )
        assert ack["ok"], (name, ack)
    closed = chair.command(meeting_id, "close_vote", {"vote_id": cell_vote["result"]["vote_id"]})
    for client in clients.values():
        review = _change(client.wait_for(_with_version(closed["version"], "review")), "review")
        assert review["cell"]["grade"] == "good"
        assert review["cell"]["counts"] == {"agree": len(names), "disagree": 0, "abstain": 0}

    # The meeting ends: the minutes carry the result list.
    assert chair.command(meeting_id, "end_meeting")["ok"]
    minutes = reader.get(f"{base}/meetings/{meeting_id}/minutes", timeout=10).text
    assert "Kết quả đánh giá, xếp loại chất lượng" in minutes
    assert row["name"] in minutes
    assert "Chi bộ tự đánh giá, xếp loại: <strong>Hoàn thành tốt nhiệm vụ</strong>" in minutes
