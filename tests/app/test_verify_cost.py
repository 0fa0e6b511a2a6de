"""/verify costs the web process little and bounded work, whatever is uploaded (issue 14.1).

The attack: anonymous uploads of a small PDF whose compressed text streams take pypdf seconds
per page. Before, the web process parsed it itself (35 s for 10 pages) and every meeting stalled.
"""

from __future__ import annotations

import io
import re
import threading
import time

from core.extensions import db
from meetings.minutes import verification
from tests.hostile_files import slow_pdf


def _upload(client, blob: bytes, code: str = "") -> str:
    body = {"file": (io.BytesIO(blob), "bien-ban.pdf", "application/pdf"), "code": code}
    response = client.post("/verify", data=body, content_type="multipart/form-data")
    assert response.status_code == 200
    return re.search(r'data-status="(\w+)"', response.get_data(as_text=True)).group(1)


def test_a_hostile_pdf_costs_the_web_process_under_50_ms(client):
    client.get("/verify")  # templates compiled, app warmed up
    hostile = slow_pdf(pages=10)
    cpu, wall = time.thread_time(), time.perf_counter()
    status = _upload(client, hostile)  # the test client runs the request in this thread
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    assert status == "no_code"
    assert cpu < 0.050, f"the web process spent {cpu * 1000:.0f} ms of CPU on the upload"
    assert wall < verification.WORKER_TIMEOUT + verification.QUEUE_WAIT + 2


def test_uploads_beyond_the_worker_cap_are_answered_busy_at_once(app, client, monkeypatch):
    monkeypatch.setattr(verification, "QUEUE_WAIT", 0.1)
    with app.app_context():
        slots = verification._worker_slots()
    assert app.config["CHIBO_VERIFY_WORKERS"] == 1
    assert slots.acquire(timeout=1)  # another upload is being read
    try:
        started = time.perf_counter()
        assert _upload(client, slow_pdf(pages=1)) == "busy"
        assert time.perf_counter() - started < 1
    finally:
        slots.release()


def test_a_typed_code_beside_a_changed_file_needs_no_parsing(app, client, monkeypatch):
    from tests.app.test_minutes_pdf import demo_sealed

    _meeting_id, fingerprint, _names = demo_sealed(app)

    def no_worker(*_args, **_kwargs):
        raise AssertionError("the file was parsed although a code was typed")

    monkeypatch.setattr(verification.subprocess, "run", no_worker)
    code = "-".join(fingerprint[i : i + 4] for i in range(0, 16, 4))
    assert _upload(client, b"%PDF-1.4 something else", code=code) == "altered"


def test_an_upload_waiting_for_a_worker_holds_no_database_connection(app, client, monkeypatch):
    """Ten hostile uploads a second each waited seconds for the worker with a connection
    checked out: the pool (5 + 10) ran dry and every meeting's events queued for one."""
    monkeypatch.setattr(verification, "QUEUE_WAIT", 1.0)
    with app.app_context():
        slots = verification._worker_slots()
        pool = db.engine.pool
    assert slots.acquire(timeout=1)  # the worker is busy: the upload waits QUEUE_WAIT
    statuses: list[str] = []
    try:
        upload = threading.Thread(target=lambda: statuses.append(_upload(client, slow_pdf(1))))
        upload.start()
        time.sleep(0.5)  # inside the wait
        held = pool.checkedout()
        upload.join(5)
    finally:
        slots.release()
    assert statuses == ["busy"]
    assert held == 0, f"{held} connection(s) held while waiting for a worker"
