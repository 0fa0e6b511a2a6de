"""A reminder goes out once, with two web processes and one job worker on real Redis.

Both web processes queue the reminder (one schedules the meeting, the other saves it again at the
same time); the worker runs both copies; the claimed key lets one through. The member, connected
to the other web process, hears exactly one reminder live, and the database holds one per person.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.timeutil import VIETNAM
from tests import live_server

pytestmark = pytest.mark.server

ROOT = live_server.ROOT


@contextlib.contextmanager
def worker(tmp_path, env: dict[str, str]):
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jobs.worker"],
            cwd=ROOT,
            env={**os.environ, **env, "CHIBO_INSTANCE_PATH": str(tmp_path)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "chibo worker" not in log_path.read_text(errors="replace"):
            assert process.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)
        yield log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _form(http, url: str) -> dict:
    return {"csrf_token": live_server.csrf_token(http.get(url).text)}


def _meeting_fields(token: str, when: datetime, chair_id: str) -> dict:
    return {
        "csrf_token": token,
        "kind": "thematic",
        "title": "Chuyên đề (nhắc một lần)",
        "scheduled_at": when.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M"),
        "place": "Nhà văn hóa",
        "online_url": "",
        "chair_id": chair_id,
        "minute_taker_id": chair_id,
        "agenda-0-title": "Nội dung",
        "agenda-0-planned_minutes": "30",
    }


def test_two_web_processes_and_one_worker_remind_once(cluster, tmp_path):
    a, b = cluster.urls
    bithu = live_server.login(a, "bithu")
    engine = sa.create_engine(cluster.env["DATABASE_URL"])
    with engine.connect() as db:
        cell_id, chair_id = db.execute(
            sa.text(
                "select o.id, u.id from organizations o join memberships m on m.cell_id = o.id "
                "join users u on u.id = m.user_id where o.name = :cell and u.username = 'bithu'"
            ),
            {"cell": live_server.KP1},
        ).one()
    # Remind one minute before; the meeting starts at the first whole minute at least 80 s
    # away, so the reminder is due 20-80 s from now (the form takes whole minutes).
    page = f"{a}/cells/{cell_id}/reminders"
    saved = bithu.post(page, data={**_form(bithu, page), "minutes_before": "1"})
    assert saved.status_code == 200 and saved.url.endswith(f"/cells/{cell_id}"), saved.url
    now = datetime.now(UTC)
    start = (now + timedelta(seconds=140)).replace(second=0, microsecond=0)
    due = start - timedelta(minutes=1)

    with worker(tmp_path, cluster.env) as worker_log:
        member_http = live_server.login(b, "dangvien2")
        member = live_server.connect(b, member_http)
        heard: list[dict] = []
        lock = threading.Lock()

        def on_notification(message):
            with lock:
                heard.append(message)

        member.sio.on("notification", on_notification)

        new = f"{a}/cells/{cell_id}/meetings/new"
        created = bithu.post(
            new, data=_meeting_fields(_form(bithu, new)["csrf_token"], start, str(chair_id))
        )
        meeting_id = int(created.url.rstrip("/").split("/")[-1])
        # The same time saved again on the other process: a second copy of the reminder queued.
        edit = f"{b}/meetings/{meeting_id}/edit"
        token = _form(bithu, edit)["csrf_token"]
        fields = _meeting_fields(token, start, str(chair_id))
        fields["place"] = "Hội trường"  # a change members hear of; the time stays
        assert bithu.post(edit, data=fields).status_code == 200

        wait = (due - datetime.now(UTC)).total_seconds() + 15
        assert 0 < wait < 120
        time.sleep(wait)
        with lock:
            reminders = [m for m in heard if m.get("headline", "").startswith("Sắp bắt đầu")]
        member.disconnect()
        log = worker_log.read_text(errors="replace")

    with engine.connect() as db:
        rows = db.execute(
            sa.text(
                "select user_id, count(*) from notifications where meeting_id = :m "
                "and kind = 'remind_soon' group by user_id"
            ),
            {"m": meeting_id},
        ).all()
    engine.dispose()
    assert rows, log
    assert {count for _user, count in rows} == {1}, rows
    assert len(rows) >= 10  # every member and the overseeing leader
    assert len(reminders) == 1, (heard, log)
    assert log.count("send_reminder") >= 2  # both copies ran; one sent
