"""The room in a real browser against the real server (`python app.py`, eventlet, CSRF on).

Two browser contexts are two people: the secretary starts the meeting, a member checks in with
one click, and the secretary's page shows it live. Screenshots at phone and desktop widths go to
test-artifacts/ for a person to look at. Every page must load without a console error (a CSP
violation is one).
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.pages import DESKTOP, PHONE, TIMEOUT, Console, log_in, start_meeting


def person(browser, console: Console, who: str, viewport=PHONE) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    context.set_default_timeout(TIMEOUT)
    return context, console.watch(context.new_page(), who)


def open_kp1_meeting(page: Page) -> int:
    """From the home page's upcoming list, open the Khu phố 1 meeting."""
    link = page.locator("#upcoming a", has_text="Khu phố 1").first
    if not link.count():
        link = page.locator("#upcoming a").first
    link.click()
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")
    return int(re.search(r"/meetings/(\d+)", page.url).group(1))


def shoot(page: Page, artifacts: Path, name: str, viewport=None, full_page=True) -> Path:
    if viewport:
        page.set_viewport_size(viewport)
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 0
    return path


def roster_row(page: Page, user_id: int):
    return page.locator(f"#roster li[data-user-id='{user_id}']")


def member_id(page: Page) -> int:
    return int(page.locator("#room").get_attribute("data-user-id"))


def test_secretary_sees_a_check_in_live(browser, server, console, artifacts_dir):
    base = server.url
    chair_ctx, chair = person(browser, console, "bithu", DESKTOP)
    member_ctx, member = person(browser, console, "dangvien3", PHONE)

    log_in(chair, base, "bithu")
    shoot(chair, artifacts_dir, "home_desktop")
    shoot(chair, artifacts_dir, "home_phone", PHONE)
    chair.set_viewport_size(DESKTOP)
    meeting_id = open_kp1_meeting(chair)
    expect(chair.locator("#m-status")).to_have_class(re.compile(r"\bscheduled\b"))
    shoot(chair, artifacts_dir, "room_chair_scheduled_desktop")

    start_meeting(chair)
    expect(chair.locator("#m-status")).to_have_class(re.compile(r"\blive\b"))
    expect(chair.locator("#btn-start")).to_be_hidden()
    expect(chair.locator("#current-item")).not_to_have_text("")
    present_before = int(chair.locator("#fig-present dd").inner_text())

    log_in(member, base, "dangvien3")
    shoot(member, artifacts_dir, "home_member_phone")
    member.goto(f"{base}/meetings/{meeting_id}")
    expect(member.locator("#conn")).to_have_attribute("data-state", "connected")
    checkin = member.locator("#btn-checkin")
    expect(checkin).to_be_visible()
    assert checkin.bounding_box()["y"] < PHONE["height"], "check-in is below the phone's fold"
    shoot(member, artifacts_dir, "room_member_phone_before_checkin", full_page=False)
    dangvien3 = member_id(member)

    # The member is online (presence) but not yet checked in, on the chair's page.
    row = roster_row(chair, dangvien3)
    expect(row.locator(".dot")).to_have_class(re.compile(r"\bon\b"))
    expect(row).to_have_class(re.compile(r"\batt-unknown\b"))

    checkin.click()
    expect(checkin).to_be_hidden()
    expect(member.locator("#my-status")).not_to_have_text("")

    # Live on the chair's page, without a reload.
    expect(row).to_have_class(re.compile(r"\batt-present\b"))
    expect(row.locator(".status")).to_contain_text(re.compile(r"\d\d:\d\d"))
    expect(chair.locator("#fig-present dd")).to_have_text(str(present_before + 1))
    assert chair.evaluate("performance.getEntriesByType('navigation').length") == 1

    shoot(chair, artifacts_dir, "room_chair_live_desktop")
    shoot(chair, artifacts_dir, "room_chair_live_phone", PHONE)
    shoot(chair, artifacts_dir, "room_chair_live_phone_fold", full_page=False)
    shoot(member, artifacts_dir, "room_member_live_phone", full_page=False)
    shoot(member, artifacts_dir, "room_member_live_phone_full")
    shoot(member, artifacts_dir, "room_member_live_desktop", DESKTOP)

    # The other pages a secretary uses.
    chair.set_viewport_size(DESKTOP)
    chair.locator(".crumbs a").first.click()
    expect(chair.locator("h1")).to_contain_text("Khu phố 1")
    shoot(chair, artifacts_dir, "cell_desktop")
    shoot(chair, artifacts_dir, "cell_phone", PHONE)
    chair.locator("a.button.primary").first.click()
    expect(chair.locator("#agenda-rows li").first).to_be_visible()
    shoot(chair, artifacts_dir, "schedule_form_phone")
    shoot(chair, artifacts_dir, "schedule_form_desktop", DESKTOP)

    anonymous = console.watch(browser.new_page(viewport=PHONE), "anonymous")
    anonymous.goto(base + "/login")
    shoot(anonymous, artifacts_dir, "login_phone")
    shoot(anonymous, artifacts_dir, "login_desktop", DESKTOP)
    anonymous.close()
    chair_ctx.close()
    member_ctx.close()


def test_back_online_shows_the_new_state_and_what_changed(browser, server, console, artifacts_dir):
    base = server.url
    chair_ctx, chair = person(browser, console, "bithu", DESKTOP)
    member_ctx, member = person(browser, console, "dangvien3", PHONE)
    log_in(chair, base, "bithu")
    meeting_id = open_kp1_meeting(chair)
    start_meeting(chair)
    expect(chair.locator("#m-status")).to_have_class(re.compile(r"\blive\b"))

    log_in(member, base, "dangvien3")
    frames: list[str] = []  # what the member's socket receives: the rejoin's answer among them
    sockets: list[str] = []  # the room's socket URLs: nginx routes them by the meeting named
    member.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    member.on("websocket", lambda ws: sockets.append(ws.url))
    member.goto(f"{base}/meetings/{meeting_id}")
    expect(member.locator("#conn")).to_have_attribute("data-state", "connected")
    current_before = member.locator("#current-item").inner_text()
    dangvien3 = member_id(member)

    expect(member.locator("#btn-checkin")).to_be_visible()
    # The browser reports its failed reconnection attempts while offline: expected here.
    console.expected = ("ERR_INTERNET_DISCONNECTED",)
    member_ctx.set_offline(True)
    expect(member.locator("#conn")).to_have_attribute(
        "data-state", re.compile("offline|reconnecting")
    )
    # A check-in pressed while offline is kept and sent when the connection returns.
    member.locator("#btn-checkin").click()
    expect(member.locator("#notice")).to_have_attribute("data-kind", "pending")
    expect(member.locator("#my-attendance")).to_have_attribute("data-status", "sending")
    expect(member.locator("#btn-checkin")).to_be_hidden()
    shoot(member, artifacts_dir, "room_member_offline_phone", full_page=False)

    chair.locator("#btn-next").click()
    expect(chair.locator("#current-item")).not_to_have_text(current_before)
    current_now = chair.locator("#current-item").inner_text()

    member_ctx.set_offline(False)
    expect(member.locator("#conn")).to_have_attribute("data-state", "connected", timeout=20_000)
    expect(member.locator("#current-item")).to_have_text(current_now)
    notice = member.locator("#notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_attribute("data-kind", "away")
    expect(notice).not_to_be_empty()
    # The pending check-in went through after the reconnect, and reached the chair.
    expect(roster_row(chair, dangvien3)).to_have_class(re.compile(r"\batt-(present|late)\b"))
    expect(member.locator("#btn-checkin")).to_be_hidden()
    assert member.evaluate("performance.getEntriesByType('navigation').length") == 1
    # It caught up with the changes it missed (docs/protocol.md), not with a new snapshot.
    assert any('"catch_up"' in frame for frame in frames)
    # The room's connection and its reconnect name the meeting (deploy/nginx routes by it);
    # the home page's bell, opened just before, does not.
    named = [url for url in sockets if f"meeting={meeting_id}&" in url + "&"]
    assert len(named) >= 2, sockets
    shoot(member, artifacts_dir, "room_member_back_online_phone", full_page=False)
    chair_ctx.close()
    member_ctx.close()


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_released_document_reaches_the_open_room(browser, server, console, artifacts_dir):
    """The secretary attaches and releases a document on the documents page; a member who has the
    room open sees it in the documents panel at once, without a reload."""
    base = server.url
    secretary_ctx, secretary = person(browser, console, "bithu", DESKTOP)
    member_ctx, member = person(browser, console, "dangvien3", PHONE)
    log_in(secretary, base, "bithu")
    meeting_id = open_kp1_meeting(secretary)
    log_in(member, base, "dangvien3")
    member.goto(f"{base}/meetings/{meeting_id}")
    expect(member.locator("#conn")).to_have_attribute("data-state", "connected")
    title = "Dự thảo báo cáo quý IV"
    released = member.locator("#docs-released li", has_text=title)
    expect(released).to_have_count(0)

    secretary.goto(f"{base}/meetings/{meeting_id}/documents")
    secretary.locator("#upload-form input[name=title]").fill(title)
    secretary.locator("#upload-form input[type=file]").set_input_files(
        files=[{"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    secretary.locator("#upload-form button[type=submit]").click()
    row = secretary.locator("#docs li", has_text=title)
    expect(row.locator(".badge.draft")).to_be_visible()
    expect(released).to_have_count(0)  # not released: members do not see it
    row.locator("button.primary").click()
    expect(row.locator(".badge.released")).to_be_visible()

    expect(released).to_have_count(1)
    expect(member.locator("#docs-none")).to_be_hidden()
    href = released.locator("a").get_attribute("href")
    assert re.search(rf"/meetings/{meeting_id}/documents/\d+$", href), href
    assert member.evaluate("performance.getEntriesByType('navigation').length") == 1
    member.locator("#documents-panel").scroll_into_view_if_needed()
    shoot(member, artifacts_dir, "room_member_document_released_phone", full_page=False)
    secretary_ctx.close()
    member_ctx.close()
