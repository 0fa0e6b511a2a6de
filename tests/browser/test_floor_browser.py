"""The floor in a real browser against the real server: a leader sees a live meeting on the
home page, joins with one click, raises a hand; the chair gives the floor; both see the timer.

Screenshots at phone and desktop widths go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.pages import DESKTOP, PHONE, TIMEOUT, log_in, start_meeting


def person(browser, errors: list[str], who: str, viewport) -> Page:
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"{who}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{who}: {e}"))
    return page


def seconds(text: str) -> int:
    minutes, secs = re.fullmatch(r"−?(\d+):(\d\d)", text.strip()).groups()
    return int(minutes) * 60 + int(secs)


def test_leader_joins_asks_for_the_floor_and_both_see_the_timer(browser, server, artifacts_dir):
    errors: list[str] = []
    base = server.url
    chair = person(browser, errors, "chair", DESKTOP)
    leader = person(browser, errors, "leader", PHONE)

    # The chair opens today's meeting and starts it.
    log_in(chair, base, "bithu")
    chair.locator("#upcoming a", has_text="Khu phố 1").first.click()
    expect(chair.locator("#conn")).to_have_attribute("data-state", "connected")
    meeting_id = int(re.search(r"/meetings/(\d+)", chair.url).group(1))
    start_meeting(chair)
    expect(chair.locator("#m-status")).to_have_class(re.compile("live"))

    # The leader's home shows it live, with present/members and the current item.
    log_in(leader, base, "lanhdao")
    card = leader.locator("#leader-live .live-card", has_text="Khu phố 1")
    expect(card).to_be_visible()
    expect(card).to_contain_text("/15")
    leader.screenshot(path=str(artifacts_dir / "floor_leader_home_phone.png"), full_page=True)
    card.locator("a.join").click()
    expect(leader.locator("#conn")).to_have_attribute("data-state", "connected")
    assert leader.url.endswith(f"/meetings/{meeting_id}")

    # The leader raises a hand: the chair sees it, marked as an upper-level delegate.
    leader.locator("#sp-raise").click()
    expect(leader.locator("#sp-lower")).to_be_visible()
    row = chair.locator("#sp-queue li", has_text="Trương Quang Vinh")
    expect(row).to_be_visible()
    expect(row.locator(".badge.delegate")).to_be_visible()
    chair.locator("#sp-next").click()

    # Both see the speaker and a timer counting down from the limit (5:00).
    for page in (chair, leader):
        expect(page.locator("#sp-now")).to_be_visible()
        expect(page.locator("#sp-name")).to_have_text("Trương Quang Vinh")
    first = seconds(leader.locator("#sp-timer").inner_text())
    assert 280 <= first <= 300, first
    leader.wait_for_timeout(2200)
    later = seconds(leader.locator("#sp-timer").inner_text())
    assert 1 <= first - later <= 4, (first, later)
    assert abs(seconds(chair.locator("#sp-timer").inner_text()) - later) <= 2

    leader.screenshot(path=str(artifacts_dir / "floor_room_speaking_phone.png"), full_page=True)
    chair.locator("#speakers").screenshot(
        path=str(artifacts_dir / "floor_room_speaking_desktop.png")
    )

    # A reload (a reconnect) shows the same timer, counted from the server's start time.
    leader.reload()
    expect(leader.locator("#sp-now")).to_be_visible()
    assert abs(seconds(leader.locator("#sp-timer").inner_text()) - later) <= 4

    # The chair ends the speech: recorded under "spoken on this item".
    chair.locator("#sp-end").click()
    expect(leader.locator("#sp-nobody")).to_be_visible()
    expect(chair.locator("#sp-spoken-count")).to_have_text("1")

    # The dashboard, desktop and phone.
    leader.goto(base + "/quality?by=month")
    expect(leader.locator("#quality-table")).to_be_visible()
    leader.screenshot(path=str(artifacts_dir / "floor_dashboard_phone.png"), full_page=True)
    chair.goto(base + "/")
    dashboard = person(browser, errors, "leader-desktop", DESKTOP)
    log_in(dashboard, base, "lanhdao")
    dashboard.screenshot(path=str(artifacts_dir / "floor_leader_home_desktop.png"), full_page=True)
    dashboard.goto(base + "/quality?by=quarter")
    expect(dashboard.locator("svg").first).to_be_visible()
    dashboard.screenshot(path=str(artifacts_dir / "floor_dashboard_desktop.png"), full_page=True)
    assert errors == []
