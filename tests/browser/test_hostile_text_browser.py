"""Script and HTML typed into any field (names, agenda, minutes, reasons, file names) show as text
in the real browser and in the PDF, and never run."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from meetings import commands
from meetings.models import AgendaItem, Meeting, MeetingStatus
from org.models import Membership, Organization
from tests import live_server

NAME = '<img src=x onerror="window.__pwned=1">Nguyễn Văn Xss'
ITEM = "<script>window.__pwned=2</script>Mục thử"
REASON = '<b onmouseover="window.__pwned=3">ốm</b>'
FILE = '"><svg onload=window.__pwned=4>.pdf'
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _hostile_data() -> None:
    cell = db.session.scalar(select(Organization).where(Organization.name == live_server.KP1))
    user = User(username="xss", full_name=NAME)
    user.set_password(live_server.PASSWORD)
    db.session.add_all([user, Membership(user=user, cell=cell, party_status="official")])
    meeting = db.session.scalars(
        select(Meeting)
        .where(Meeting.cell_id == cell.id, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.scheduled_at)
    ).first()
    db.session.add(AgendaItem(meeting_id=meeting.id, position=0, title=ITEM, planned_minutes=5))
    db.session.commit()  # a command starts from a clean session: commit what is set up so far
    secretary = db.session.scalar(select(User).where(User.username == "bithu"))
    # Documents are attached and released through the command path, as the documents page does.
    upload = {"title": "", "filename": FILE, "data": PDF_BYTES}
    document = commands.run(secretary, meeting.id, "attach_document", upload)["result"]
    commands.run(secretary, meeting.id, "release_document", document)


@pytest.fixture
def server(tmp_path):
    live_server.prepare_database(tmp_path, _hostile_data)
    with live_server.running(tmp_path) as running:
        yield running


def test_hostile_text_is_shown_as_text_and_never_runs(server, browser, artifacts_dir, tmp_path):
    base = server.url
    http = live_server.login(base, "bithu")
    meeting_id = live_server.scheduled_meeting_id(base, http)
    chair = live_server.connect(base, http)
    try:
        chair.join(meeting_id)
        assert chair.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
        state = live_server.fetch_state(base, http, meeting_id)
        xss_id = next(r["user_id"] for r in state["roster"] if r["name"] == NAME)
        ack = chair.command(
            meeting_id,
            "mark_attendance",
            {"user_id": xss_id, "status": "absent_excused", "reason": REASON},
        )
        assert ack["ok"], ack
        item_id = next(i["id"] for i in state["agenda"]["items"] if i["title"] == ITEM)
        assert chair.command(meeting_id, "set_current_item", {"item_id": item_id})["ok"]
        taker = live_server.connect(base, live_server.login(base, "dangvien1"))
        ack = taker.command(
            meeting_id,
            "minutes_edit",
            {
                "item_id": item_id,
                "base_revision": 0,
                "html": "<p>Ghi chép <script>window.__pwned=5</script><a href=javascript:x>x</a></p>",
            },
        )
        assert ack["ok"], ack
        taker.disconnect()
    finally:
        chair.disconnect()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + "/login")
    page.fill("#username", "bithu")
    page.fill("#password", live_server.PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_url(base + "/")
    for path in (
        f"/meetings/{meeting_id}",
        f"/meetings/{meeting_id}/documents",
        f"/meetings/{meeting_id}/minutes",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__pwned") is None, path
    page.goto(base + f"/meetings/{meeting_id}")
    roster = page.locator("#roster")
    expect(roster).to_contain_text(NAME)
    expect(roster).to_contain_text(REASON)
    expect(page.locator("#agenda-list")).to_contain_text(ITEM)
    page.screenshot(path=str(artifacts_dir / "hostile_text_room.png"), full_page=True)
    page.goto(base + f"/meetings/{meeting_id}/documents")
    expect(page.locator("main")).to_contain_text("svg onload")
    assert page.evaluate("window.__pwned") is None and dialogs == []
    context.close()

    pdf = http.get(f"{base}/meetings/{meeting_id}/minutes.pdf", timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Nguyễn Văn Xss" in flat and '<img src=x onerror="window.__pwned=1">' in flat
    assert "<script>window.__pwned=2</script>Mục thử" in flat  # the agenda title, as text
    assert "window.__pwned=5" not in flat  # the minutes' own script was removed by the sanitizer
