"""A hybrid meeting on the real server (`python app.py`, eventlet) with python-socketio clients:
the province leader in the room before the start, members online and in the hall, a show of hands
counted in the hall (exactly half of the base: not passed), a secret ballot cast online and on paper
and confirmed by both counters (exactly two thirds: passed), a guest, attendance settled before
approval, and the minutes PDF's text stating both parts."""

from __future__ import annotations

import hashlib
import re
import secrets
import time

import pytest

from tests import live_server
from tests.app.test_minutes_pdf import flat, pdf_text

pytestmark = pytest.mark.server

ONLINE = ["bithu", "dangvien1", "dangvien2", "dangvien3"]


def _receipt() -> str:
    return hashlib.sha256(secrets.token_hex(10).encode()).hexdigest()


def test_hybrid_meeting_record_on_a_real_server(tmp_path):
    with live_server.running(tmp_path) as server:
        base = server.url
        sessions = {u: live_server.login(base, u) for u in [*ONLINE, "lanhdao"]}
        meeting_id = live_server.scheduled_meeting_id(base, sessions["bithu"])
        clients = {u: live_server.connect(base, http) for u, http in sessions.items()}
        try:
            for client in clients.values():
                client.join(meeting_id)  # the leader is in the room before the start
            chair = clients["bithu"]

            def call(client, name, payload=None):
                for _ in range(20):  # a chair marking a hall quickly meets the socket's rate limit
                    ack = client.command(meeting_id, name, payload)
                    if ack["ok"] or ack["error"]["code"] != "rate_limited":
                        return ack
                    time.sleep(ack["error"]["details"]["retry_after"])
                return ack

            def ok(client, name, payload=None):
                ack = call(client, name, payload)
                assert ack["ok"], (name, ack)
                return ack["result"]

            ok(chair, "start_meeting", {"confirm_early": True})
            snapshot = chair.join(meeting_id)
            assert [o["name"] for o in snapshot["observers"]] == ["Trương Quang Vinh"]
            by_user = {}
            for username in ONLINE:
                ok(clients[username], "check_in")
                by_user[username] = clients[username].join(meeting_id)["me"]["user_id"]
            hall = [
                r["user_id"]
                for r in snapshot["roster"]
                if r["category"] in ("official", "exempted")
                and r["user_id"] not in by_user.values()
                and r["role"] != "deputy"
            ]
            assert len(hall) == 7  # dangvien4..9 and the exempted member, in the hall
            for user_id in hall:
                ok(chair, "mark_attendance", {"user_id": user_id, "status": "present"})
            team = [by_user["dangvien1"], by_user["dangvien2"]]
            ok(chair, "set_counting_team", {"user_ids": team})
            ok(chair, "add_guest", {"name": "Nguyễn Thị Lan", "position": "Chi hội trưởng Phụ nữ"})

            # A show of hands: 4 online + 2 in the hall agree = 6 of the base 12: not passed.
            vote = ok(chair, "open_vote", {"kind": "resolution"})["vote_id"]
            for username in ONLINE:
                ok(clients[username], "cast_vote", {"vote_id": vote, "choices": ["agree"]})
            hands = [{"user_id": u, "choice": "agree"} for u in hall[:2]]
            hands += [{"user_id": u, "choice": "disagree"} for u in hall[2:]]
            ok(clients["dangvien1"], "record_hall_hands", {"vote_id": vote, "hands": hands})
            refused = call(
                clients["dangvien1"],
                "record_hall_hands",
                {
                    "vote_id": vote,
                    "hands": [{"user_id": by_user["dangvien3"], "choice": "abstain"}],
                },
            )
            assert refused["error"]["details"]["reason"] == "voted_online"
            ok(chair, "close_vote", {"vote_id": vote, "not_voted": 0})
            state = chair.join(meeting_id)
            closed = next(v for v in state["votes"] if v["id"] == vote)
            assert closed["result"]["passed"] is False
            assert closed["result"]["data"]["channels"]["hall_hands"] == 7

            # A secret ballot: 4 online + 4 paper agree = 8 of 12: at least two thirds.
            vote = ok(chair, "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})["vote_id"]
            for username in ONLINE:
                payload = {"vote_id": vote, "choices": ["agree"], "receipt_hash": _receipt()}
                ok(clients[username], "cast_vote", payload)
            ok(clients["dangvien2"], "mark_paper_voters", {"vote_id": vote, "user_ids": hall})
            entry = {"vote_id": vote, "counts": {"agree": 4, "disagree": 1, "abstain": 1}}
            revision = ok(clients["dangvien2"], "enter_paper_tally", {**entry, "spoiled": 1})
            half = call(chair, "close_vote", {"vote_id": vote})
            assert half["error"]["details"]["reason"] == "hall_incomplete"  # one counter left
            ok(clients["dangvien1"], "confirm_paper_tally", {"vote_id": vote, **revision})
            ok(chair, "close_vote", {"vote_id": vote, "not_voted": 0})
            state = chair.join(meeting_id)
            closed = next(v for v in state["votes"] if v["id"] == vote)
            assert closed["result"]["passed"] is True
            assert closed["result"]["data"]["counts"]["agree"] == 8

            # The end: approval waits for the attendance; the rest settled in one step.
            ok(chair, "end_meeting")
            waiting = call(chair, "minutes_approve", {"method": "chair"})
            assert waiting["error"]["details"]["reason"] == "attendance_unsettled"
            ok(chair, "settle_attendance", {"user_ids": waiting["error"]["details"]["user_ids"]})
            ok(chair, "minutes_approve", {"method": "chair"})
        finally:
            for client in clients.values():
                client.disconnect()
        pdf = sessions["bithu"].get(f"{base}/meetings/{meeting_id}/minutes.pdf", timeout=60)
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        # The draft's page furniture (its watermark and, from page 2, the page number) falls
        # wherever a page breaks, even inside a sentence: read the text without it.
        text = re.sub(
            r" ?DỰ THẢO — chưa niêm phong(?: \d+)?(?= |$)", "", flat(pdf_text(pdf.content))
        )
        for expected in (
            "Đại biểu cấp trên dự: đồng chí Trương Quang Vinh",
            "Khách mời: Nguyễn Thị Lan, Chi hội trưởng Phụ nữ",
            "(trong đó 7 biểu quyết giơ tay tại hội trường)",
            "(trong đó 6 phiếu giấy tại hội trường; 1 phiếu giấy không hợp lệ)",
            "Không thông qua: 6/12",
            "Thông qua: 8/12",
        ):
            assert expected in text, (expected, text)
