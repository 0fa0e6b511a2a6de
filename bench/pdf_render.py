"""Benchmark: the minutes PDF of a long meeting, and live updates while PDFs render.

1. Render time of the PDF of a long meeting: 60 members, 20 agenda items with a paragraph and a
   list each, 10 votes (vote lines as the voting feature's summaries give them), rendered by
   WeasyPrint in this process (median of 5).
2. p99 latency of minutes updates in a live meeting with 30 connected members, on one real
   server process (`python app.py`, eventlet), with no rendering and while 5 PDF downloads of
   the same long meeting render at once, again and again (each a fresh draft, never cached).
   Latency = from the writer sending `minutes_edit` to each of the 30 clients receiving it.

Run: .venv/bin/python bench/pdf_render.py [--updates 150]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-" + "x" * 20
FIRST = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Quốc", "Thu", "Ngọc", "Đức"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Linh", "Nghĩa", "Phúc", "Quý"]
TEXT = (
    "<p>Đồng chí báo cáo tình hình thực hiện nhiệm vụ trong tháng: kết quả đạt được, những hạn "
    "chế, nguyên nhân và bài học kinh nghiệm; các đồng chí đảng viên tham gia ý kiến sôi nổi, "
    "thẳng thắn, đề nghị chi ủy phân công cụ thể người, cụ thể việc, cụ thể thời gian.</p>"
    "<ul><li>Tiếp tục vận động nhân dân thực hiện nếp sống văn minh đô thị;</li>"
    "<li>Rà soát, đề xuất kết nạp quần chúng ưu tú vào Đảng;</li>"
    "<li>Hoàn thành thu đảng phí và quỹ khuyến học đúng hạn.</li></ul>"
)


def prepare(instance: Path) -> dict:
    """A database with a 60-member cell whose live meeting has 20 items with texts."""
    from app import create_app
    from auth.models import User
    from core.extensions import db
    from core.timeutil import utcnow
    from demo.organisation import load_demo_if_empty
    from meetings.minutes.models import MinutesSection
    from meetings.models import AgendaItem, Meeting, MeetingStatus
    from org.models import Membership, Organization

    instance.mkdir(parents=True, exist_ok=True)
    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'chibo.db'}",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "CHIBO_ASYNC_MODE": "threading",
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        db.create_all()
        load_demo_if_empty()
        cell = db.session.scalar(db.select(Organization).filter_by(name="Chi bộ Khu phố 1"))
        n = 0
        while len(cell.memberships) < 60:
            name = f"{FIRST[n % 12]} {MIDDLE[n % 8]} {GIVEN[n % 11]} {n + 1}"
            user = User(username=f"bench{n}", full_name=name)
            user.set_password("chibo-demo")
            db.session.add(user)
            db.session.add(Membership(user=user, cell=cell, party_status="official"))
            db.session.flush()
            db.session.refresh(cell)
            n += 1
        meeting = db.session.scalar(
            db.select(Meeting).filter_by(cell_id=cell.id, status=MeetingStatus.SCHEDULED)
        )
        meeting.agenda = [
            AgendaItem(position=i, title=f"Nội dung {i + 1}: công tác tháng", planned_minutes=5)
            for i in range(20)
        ]
        meeting.status = MeetingStatus.LIVE
        meeting.started_at = utcnow()
        db.session.flush()
        for item in meeting.agenda:
            db.session.add(
                MinutesSection(meeting_id=meeting.id, item_id=item.id, html=TEXT, revision=1)
            )
        db.session.commit()
        users = {u.username: (u.id, u.get_id()) for u in db.session.scalars(db.select(User))}
        members = [m.user.username for m in cell.memberships]
        return {
            "app": app,
            "meeting_id": meeting.id,
            "item_id": meeting.agenda[0].id,
            "users": users,
            "members": members,
        }


def long_pdf_render(setup: dict, runs: int = 5) -> dict:
    """Median render time of the long meeting's PDF, with 10 vote lines added to its items."""
    import io

    from pypdf import PdfReader

    from core.extensions import db
    from meetings.minutes import pdf, pdf_worker, queries
    from meetings.models import Meeting

    app = setup["app"]
    with app.test_request_context():
        meeting = db.session.get(Meeting, setup["meeting_id"])
        doc = queries.document(meeting, None)
        for i in range(10):
            doc["items"][i * 2]["votes"].append(
                {
                    "id": i,
                    "title": f"Nghị quyết số {i + 1}",
                    "result": "Tán thành: 52 (92,9%); Không tán thành: 2 (3,6%); "
                    "Không biểu quyết: 2 (3,6%)",
                    "eligible": 56,
                    "cast": 56,
                    "verdict": "Thông qua: 52/56 đồng chí tán thành (92,9%), "
                    "đạt quá một nửa số đảng viên chính thức",
                    "rule": "",
                    "secret": i % 3 == 0,
                }
            )
        html = pdf.render_html(doc, None, for_pdf=True)
        static_root = str(Path(app.static_folder).resolve())
    times, data = [], b""
    pdf_worker.render(html, static_root)  # warm-up: fonts, imports
    for _ in range(runs):
        start = time.perf_counter()
        data, _seconds = pdf_worker.render(html, static_root)
        times.append(time.perf_counter() - start)
    return {
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
        "pages": len(PdfReader(io.BytesIO(data)).pages),
        "kb": len(data) / 1024,
    }


def session_cookie(app, user_get_id: str) -> str:
    """A signed Flask session for a user (the login form is rate-limited per address)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return "session=" + serializer.dumps({"_user_id": user_get_id, "_fresh": True})


def measure(url: str, setup: dict, updates: int, renderers: int) -> dict:
    import requests
    import socketio

    app, meeting_id = setup["app"], setup["meeting_id"]
    received: dict[int, list[float]] = {}
    lock = threading.Lock()
    names = ["dangvien1"] + [m for m in setup["members"] if m != "dangvien1"][:29]
    clients = []
    for username in names:
        sio = socketio.Client(reconnection=False)

        def on_changes(message, _sio=sio):
            now = time.perf_counter()
            for change in message["changes"]:
                if change["type"] == "minutes":
                    for section in change["data"].get("sections", []):
                        with lock:
                            received.setdefault(section["revision"], []).append(now)

        sio.on("changes", on_changes)
        cookie = session_cookie(app, setup["users"][username][1])
        sio.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
        assert sio.call("join", {"meeting_id": meeting_id}, timeout=10)["ok"]
        clients.append(sio)
    writer = clients[0]
    stop = threading.Event()
    rendered = []

    def render_loop():
        http = requests.Session()
        http.headers["Cookie"] = session_cookie(app, setup["users"]["bithu"][1])
        while not stop.is_set():
            start = time.perf_counter()
            response = http.get(f"{url}/meetings/{meeting_id}/minutes.pdf", timeout=120)
            assert response.status_code == 200 and response.content.startswith(b"%PDF")
            rendered.append(time.perf_counter() - start)

    threads = [threading.Thread(target=render_loop, daemon=True) for _ in range(renderers)]
    for t in threads:
        t.start()
    if renderers:
        time.sleep(1.0)  # let the renders get going
    sent: dict[int, float] = {}
    state = writer.call("snapshot", {"meeting_id": meeting_id}, timeout=10)["snapshot"]
    revision = next(
        s["revision"] for s in state["minutes"]["sections"] if s["item_id"] == setup["item_id"]
    )
    import secrets

    for i in range(updates):
        html = f"<p>Cập nhật số {i}: {TEXT[:200]}</p>"
        start = time.perf_counter()
        ack = writer.call(
            "command",
            {
                "meeting_id": meeting_id,
                "name": "minutes_edit",
                "cid": secrets.token_hex(8),
                "payload": {"item_id": setup["item_id"], "base_revision": revision, "html": html},
            },
            timeout=30,
        )
        assert ack["ok"], ack
        revision = ack["result"]["revision"]
        sent[revision] = start
        time.sleep(0.1)
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    for sio in clients:
        sio.disconnect()
    latencies = sorted(
        (t - sent[rev]) * 1000 for rev, times in received.items() if rev in sent for t in times
    )
    expected = len(sent) * len(clients)
    return {
        "deliveries": len(latencies),
        "expected": expected,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max": latencies[-1],
        "pdfs": len(rendered),
        "pdf_ms": statistics.median(rendered) * 1000 if rendered else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=150)
    args = parser.parse_args()
    from tests import live_server

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        setup = prepare(tmp_path / "instance")
        long = long_pdf_render(setup)
        print("| long meeting PDF (60 members, 20 items, 10 votes) | median | max | pages | size |")
        print("|---|---|---|---|---|")
        print(
            f"| WeasyPrint 70, in-process | {long['median_ms']:.0f} ms | {long['max_ms']:.0f} ms "
            f"| {long['pages']} | {long['kb']:.0f} KB |"
        )
        env = {"SECRET_KEY": SECRET}
        with live_server.running(tmp_path, env_overrides=env) as server:
            quiet = measure(server.url, setup, args.updates, renderers=0)
            busy = measure(server.url, setup, args.updates, renderers=5)
        print()
        print(
            "| 30 members, minutes updates (eventlet, 1 process) | p50 | p99 | max "
            "| delivered | PDFs rendered meanwhile (median time) |"
        )
        print("|---|---|---|---|---|---|")
        for label, r in (("no rendering", quiet), ("5 PDFs rendering", busy)):
            pdfs = f"{r['pdfs']} ({r['pdf_ms']:.0f} ms)" if r["pdfs"] else "0"
            print(
                f"| {label} | {r['p50']:.1f} ms | {r['p99']:.1f} ms | {r['max']:.1f} ms "
                f"| {r['deliveries']}/{r['expected']} | {pdfs} |"
            )


if __name__ == "__main__":
    main()
