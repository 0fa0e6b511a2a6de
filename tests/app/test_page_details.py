"""The smaller things of issue 12 (item 8) that make the pages right, as the server renders them:
"Hôm nay" by Vietnam's date, the leader's attendance line that says what its numbers are, the
administrator's home, plain words for receipts, the vote form's title per kind, and times on the
minutes page in Vietnam time (never the raw UTC of the record)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.extensions import db
from core.timeutil import VIETNAM
from domain import labels
from meetings.minutes.models import MinutesVersion
from meetings.models import Meeting
from oversight.models import Assignment
from tests import factories
from tests.factories import command, settle_attendance, upcoming_meeting_id


def _row(html: str, title: str) -> str:
    """The home page's list item of the meeting with this (unique) title."""
    rows = re.findall(r'<li class="meeting-row[^"]*"[^>]*>.*?</li>', html, flags=re.S)
    [row] = [r for r in rows if title in r]
    return row


# (clock in Vietnam, meetings scheduled in Vietnam time → marked "Hôm nay"?). At 06:30 on
# 1 January in Hà Nội it is still 31 December in UTC; at 20:00 a meeting at 06:00 the next
# morning is on the same UTC date. A UTC comparison gets both wrong.
TODAY_CASES = [
    (
        datetime(2027, 1, 1, 6, 30, tzinfo=VIETNAM),
        [(datetime(2027, 1, 1, 19, 30), True), (datetime(2027, 1, 2, 6, 0), False)],
    ),
    (
        datetime(2027, 1, 1, 20, 0, tzinfo=VIETNAM),
        [(datetime(2027, 1, 1, 21, 0), True), (datetime(2027, 1, 2, 6, 0), False)],
    ),
]


@pytest.mark.parametrize(("clock", "meetings"), TODAY_CASES)
def test_todays_meeting_is_marked_by_vietnam_date(app, login, demo, clock, meetings):
    with time_machine.travel(clock, tick=False):
        titles = {}
        with app.app_context():
            chair = db.session.get(type(demo.users["bithu"]), demo.users["bithu"].id)
            for n, (when, _today) in enumerate(meetings):
                title = f"Buổi thử {n} lúc {when:%d/%m %H:%M}"
                factories.schedule(
                    chair, demo.kp1.id, "extraordinary", when, chair.id, chair.id, ["Một"], title
                )
                titles[title] = _today
        html = login("dangvien2").get("/").get_data(as_text=True)
    for title, today in titles.items():
        row = _row(html, title)
        assert ("Hôm nay" in row) is today, (clock, title, row)
        assert ("is-today" in row) is today


def test_leader_home_says_what_the_attendance_numbers_are(app, login, demo):
    with app.app_context():
        assignment = db.session.scalars(select(Assignment)).first()
        target = assignment.target_per_year
    html = login("lanhdao").get("/").get_data(as_text=True)
    line = re.search(r'<span class="attended">([^<]+)</span>', html).group(1)
    assert re.fullmatch(rf"Đã dự \d+ buổi năm \d{{4}} \(chỉ tiêu: {target} buổi\)", line), line
    # Today and upcoming use the meeting list (time in its own column, not squeezed).
    leader_today = html[
        html.index('id="leader-today"') : html.index("</section>", html.index('id="leader-today"'))
    ]
    assert 'class="when"' in leader_today


def test_admin_home_greets_the_administrator_and_points_to_admin_tasks(app, login):
    html = login("admin").get("/").get_data(as_text=True)
    assert "Xin chào quản trị viên" in html
    assert "Xin chào đồng chí" not in html
    tasks = html[html.index('id="admin-tasks"') :]
    for path in ("/admin/", "/admin/users", "/admin/oversights", "/admin/profiles/import"):
        assert f'href="{path}"' in tasks, path
    # Nothing a member's home says to someone who is in no cell by design.
    assert "You are not a member of any cell" not in html
    assert "Đồng chí chưa là đảng viên của chi bộ nào" not in html
    # A member does not see the administration's tasks.
    assert 'id="admin-tasks"' not in login("dangvien2").get("/").get_data(as_text=True)


def test_the_vote_forms_title_field_is_named_for_each_kind(app):
    from flask_babel import force_locale

    from meetings.voting.strings import voting_strings

    with app.test_request_context("/"), force_locale("vi"):
        strings = voting_strings()
        texts = [strings[f"subject_{kind}"] for kind in labels.VOTE_KINDS]
    assert len(set(texts)) == len(texts), texts  # each kind says what its title is
    assert strings["subject_admission"] == "Họ tên người được đề nghị kết nạp"


def test_receipt_explanation_is_plain_vietnamese(app):
    from flask_babel import force_locale, gettext

    from meetings.voting.strings import voting_strings

    with app.test_request_context("/"), force_locale("vi"):
        words = " ".join(voting_strings().values())
        page = gettext(
            "Each line stands for one voter's receipt code, written in another form so that "
            "nobody can work the code out from it. Your browser looks for your own code "
            "automatically; you can also type it below. A receipt shows that your ballot was "
            "counted, never what it said."
        )
    for jargon in ("băm", "SHA", "hash"):
        assert jargon not in words and jargon not in page, jargon
    assert "mã biên nhận" in page


@pytest.mark.parametrize("language", ["vi", "en"])
def test_signature_times_on_the_minutes_page_are_vietnam_time(app, sio, login, language):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair = sio("bithu")
    taker = sio("dangvien1")  # the demo meeting's minute-taker
    for c in (chair, taker):
        assert c.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    assert command(chair, meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    settle_attendance(app, chair, meeting_id)
    assert command(chair, meeting_id, "minutes_approve", {"method": "chair"})["ok"]
    assert command(chair, meeting_id, "end_meeting")["ok"]
    taker_http = login("dangvien1")
    # 20:05 in UTC is 03:05 the next day in Vietnam: signed tomorrow at 20:05 UTC (after the
    # meeting, whatever day the suite runs on; CI moves the clock).
    signed_at = (datetime.now(UTC) + timedelta(days=1)).replace(hour=20, minute=5, second=0)
    local_day = (signed_at + timedelta(hours=7)).strftime("%d/%m/%Y")
    with time_machine.travel(signed_at, tick=False):
        taker_http.post(f"/meetings/{meeting_id}/minutes/sign", data={"password": "chibo-demo"})
    with app.app_context():
        version = db.session.scalar(
            select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
        )
        assert [s.role for s in version.signatures] == ["minute_taker"]
        assert db.session.get(Meeting, meeting_id).status == "ended"
    reader = login("bithu")
    if language == "en":
        reader.post("/language/en", data={"next": "/"})
    page = reader.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    signed = re.search(r'<li class="sig-state">([^<]+)</li>', page).group(1)
    assert signed.endswith(f"— {local_day} 03:05"), signed
    assert "T20:05" not in page and "20:05" not in signed
