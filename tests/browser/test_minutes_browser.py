"""Minutes in a real browser against the real server (`python app.py`, eventlet, CSRF on).

The minute-taker types in the room and a member's page shows the words live; the secretary then
downloads the sealed minutes of last month's meeting as a PDF from the cell's page.
"""

from __future__ import annotations

import re
import subprocess

from playwright.sync_api import expect

from tests import live_server
from tests.browser.pages import TIMEOUT, log_in, start_meeting
from tests.browser.test_room_browser import open_kp1_meeting, person


def test_minute_taker_types_and_a_member_sees_it_live(browser, server, console, artifacts_dir):
    chair_ctx, chair = person(browser, console, "chair")
    log_in(chair, server.url, "bithu")
    meeting_id = open_kp1_meeting(chair)
    start_meeting(chair)
    expect(chair.locator("#m-status")).to_have_class(re.compile(r"\blive\b"))

    taker_ctx, taker = person(browser, console, "minute-taker")
    log_in(taker, server.url, "dangvien1")
    taker.goto(f"{server.url}/meetings/{meeting_id}")
    member_ctx, member = person(browser, console, "member")
    log_in(member, server.url, "dangvien2")
    member.goto(f"{server.url}/meetings/{meeting_id}")
    for page in (taker, member):
        expect(page.locator("#conn")).to_have_attribute("data-state", "connected")

    editor = taker.locator("#mp-items .mp-editor").first
    expect(editor).to_be_visible()
    expect(member.locator("#mp-items .mp-editor")).to_have_count(0)  # members read, never write
    editor.click()
    words = "Chi bộ nhất trí thông qua chương trình; đồng chí Lê Văn Bình làm thư ký."
    taker.keyboard.type(words, delay=15)
    view = member.locator("#mp-items .mp-view").first
    expect(view).to_have_text(words, timeout=TIMEOUT)  # within the throttle (~1 s) + network
    taker.keyboard.press("Control+B")
    taker.keyboard.type(" Đã biểu quyết.", delay=15)
    chair.locator("#btn-next").focus()  # blur: the last words go at once
    expect(member.locator("#mp-items .mp-view strong").first).to_have_text("Đã biểu quyết.")
    expect(taker.locator("#mp-items .mp-meta").first).to_have_text(re.compile(r".+"))
    member.locator("#minutes-panel").screenshot(path=str(artifacts_dir / "minutes_room_member.png"))
    taker.locator("#minutes-panel").screenshot(path=str(artifacts_dir / "minutes_room_taker.png"))
    for ctx in (chair_ctx, taker_ctx, member_ctx):
        ctx.close()


def test_secretary_downloads_the_sealed_pdf_from_the_cell_page(
    browser, server, console, artifacts_dir
):
    ctx, page = person(browser, console, "secretary", viewport={"width": 1280, "height": 900})
    log_in(page, server.url, "bithu")
    page.locator(".cell-card a", has_text="Khu phố 1").first.click()
    link = page.locator(".cell-minutes a.minutes-pdf").first
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert re.fullmatch(r"bien-ban-chi-bo-khu-pho-1-\d{8}-v1\.pdf", download.suggested_filename)
    path = artifacts_dir / "minutes_downloaded.pdf"
    download.save_as(str(path))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "BIÊN BẢN" in text
    assert "Mã xác thực" in text
    # The minutes page shows the same document on screen.
    page.goto(server.url + "/")
    page.locator(".cell-card a", has_text="Khu phố 1").first.click()
    page.locator(".cell-minutes li a").first.click()
    expect(page.locator(".paper .md-title")).to_have_text("BIÊN BẢN")
    code = page.locator("#minutes-code").inner_text()
    page.screenshot(path=str(artifacts_dir / "minutes_page_desktop.png"), full_page=False)
    page.goto(server.url + "/verify?code=" + code)
    expect(page.locator("#verify-result")).to_have_attribute("data-status", "valid")
    ctx.close()


def test_chair_approves_the_minutes_by_the_meeting_procedural_vote(browser, server, console):
    http = live_server.login(server.url, "bithu")
    meeting_id = live_server.scheduled_meeting_id(server.url, http)
    chair_socket = live_server.connect(server.url, http)
    try:
        chair_socket.join(meeting_id)
        assert chair_socket.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
        assert chair_socket.command(meeting_id, "check_in")["ok"]
        ack = chair_socket.command(
            meeting_id, "open_vote", {"kind": "procedural", "subject": "Thông qua biên bản"}
        )
        vote_id = ack["result"]["vote_id"]
        assert chair_socket.command(
            meeting_id, "cast_vote", {"vote_id": vote_id, "choices": ["agree"]}
        )["ok"]
        assert chair_socket.command(meeting_id, "close_vote", {"vote_id": vote_id})["ok"]
        roster = chair_socket.join(meeting_id)["roster"]
        waiting = [r["user_id"] for r in roster if r["to_settle"]]
        ack = chair_socket.command(meeting_id, "settle_attendance", {"user_ids": waiting})
        assert ack["ok"], ack
    finally:
        chair_socket.disconnect()
    ctx, page = person(browser, console, "chair", viewport={"width": 1280, "height": 900})
    log_in(page, server.url, "bithu")
    page.goto(f"{server.url}/meetings/{meeting_id}")
    button = page.locator("#mp-approve-vote")
    expect(button).to_have_text("Thông qua theo kết quả biểu quyết: Thông qua biên bản")
    button.click()
    expect(page.locator("#mp-status")).to_have_text(re.compile(r"^Đã thông qua"))
    expect(button).to_be_hidden()
    ctx.close()
