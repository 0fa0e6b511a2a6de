"""A hybrid meeting in real browsers (Chromium at 360 and 1280 px): the vote banner reaches a member
scrolled away and takes them to the ballot; the counting team enters and confirms paper totals in
their own sessions; the close prompt names who has not voted; after the end, the next step."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests import live_server
from tests.browser.pages import TIMEOUT, WIDTHS, enter_meeting, start_meeting


def person(browser, who: str, viewport: dict, errors: list[str], dialogs: list[str]) -> Page:
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"{who}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{who}: {e}"))

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    return page


def hall_strings(page: Page) -> dict:
    return json.loads(page.locator("#hall-i18n").text_content())


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_hybrid_vote_banner_counting_team_close_prompt_and_next_steps(
    browser, server, artifacts_dir, width
):
    errors: list[str] = []
    dialogs: list[str] = []
    viewport = WIDTHS[width]
    chair = person(browser, "chair", viewport, errors, dialogs)
    member = person(browser, "member", viewport, errors, dialogs)
    counter = person(browser, "counter", viewport, errors, dialogs)
    enter_meeting(chair, server.url, "bithu")
    enter_meeting(member, server.url, "dangvien2")
    enter_meeting(counter, server.url, "dangvien3")
    start_meeting(chair)
    for page in (member, counter):
        page.locator("#btn-checkin").click()
    expect(chair.locator("#roster li.att-present")).to_have_count(2)
    # The chair marks the hall: three members present in the hall (no device), and themself.
    http = live_server.login(server.url, "bithu")
    socket = live_server.connect(server.url, http)
    meeting_id = int(chair.locator("#room").get_attribute("data-meeting-id"))
    try:
        roster = socket.join(meeting_id)["roster"]
        chosen = [
            r["user_id"]
            for r in roster
            if r["category"] == "official" and r["attendance"]["status"] == "unknown"
        ][:3]
        for user_id in chosen:
            ack = socket.command(
                meeting_id, "mark_attendance", {"user_id": user_id, "status": "present"}
            )
            assert ack["ok"], ack
        assert socket.command(meeting_id, "check_in")["ok"]
    finally:
        socket.disconnect()
    names = {r["user_id"]: r["name"] for r in roster}
    H = hall_strings(chair)

    # The chair names the counting team: the two members connected from the hall's side.
    team = chair.locator("#team")
    team.locator("summary").click()
    counter_name = counter.evaluate("() => window.chiboRoom.state().me.name")
    for name in ("Phạm Thị Hương", counter_name):
        team.locator("label", has_text=name).locator("input").check()
    team.locator("button[type=submit]").click()
    expect(chair.locator("#team summary")).to_contain_text(counter_name)

    # A secret ballot opens; the member has scrolled down to the agenda.
    member.locator("#agenda").scroll_into_view_if_needed()
    chair.locator("#vote-open-toggle").click()
    chair.locator("#vote-kind").select_option("admission")
    chair.locator("#vote-subject").fill("Lê Thị Cúc")
    chair.locator("#vote-open button[type=submit]").click()
    banner = member.locator("#vote-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Đang biểu quyết: Lê Thị Cúc — bấm để bỏ phiếu")
    assert banner.bounding_box()["y"] < viewport["height"]  # on screen although scrolled away
    member.screenshot(path=str(artifacts_dir / f"hybrid-banner-{width}.png"))
    banner.locator("a").click()
    ballot = member.locator("#vote-current form.ballot")
    expect(ballot).to_be_in_viewport()
    ballot.locator("input[value=agree]").check()
    ballot.locator("button[type=submit]").click()
    expect(member.locator("#vote-current .recorded")).to_be_visible()
    expect(banner).to_be_hidden()

    # The counting team: the counter marks the hall's paper voters and enters the totals.
    paper_voters = counter.locator("#paper-voters")
    counter.screenshot(path=str(artifacts_dir / f"hybrid-counter-{width}.png"), full_page=True)
    for user_id in chosen[:2]:
        paper_voters.locator(f"input[value='{user_id}']").check()
    paper_voters.locator("button[type=submit]").click()
    totals = counter.locator("#paper-totals")
    expect(totals).to_be_visible()
    totals.locator("#paper-agree").fill("1")
    totals.locator("#paper-disagree").fill("1")
    totals.locator("button[type=submit]").click()
    # The other member of the team sees the numbers and confirms in their own session.
    confirm = member.locator("#paper-confirm-button")
    expect(member.locator("#paper-confirm .paper-numbers")).to_contain_text("Tán thành: 1")
    expect(chair.locator("#paper-confirmed")).to_contain_text("Phạm Thị Hương")
    member.screenshot(path=str(artifacts_dir / f"hybrid-confirm-{width}.png"), full_page=True)
    confirm.click()
    expect(chair.locator("#paper-confirmed")).to_have_text(H["confirm_done"])

    # The close prompt names who has not voted yet (the third member in the hall, the counter...).
    chair.locator("#vote-close").click()
    expect(chair.locator("#vote-current .vote-result")).to_be_visible()
    prompt = dialogs[-1]
    assert names[chosen[2]] in prompt and counter_name in prompt
    assert "Phạm Thị Hương" not in prompt and names[chosen[0]] not in prompt
    verdict = chair.locator("#vote-current .verdict")
    expect(verdict).to_be_visible()
    chair.screenshot(path=str(artifacts_dir / f"hybrid-closed-{width}.png"), full_page=True)

    # After the end: settle attendance, then approve; the next step says so.
    chair.locator("#btn-end").click()
    next_steps = chair.locator("#next-steps")
    expect(next_steps).to_be_visible()
    expect(chair.locator("#next-text")).to_contain_text("hoàn tất điểm danh")
    expect(chair.locator("#settle")).to_be_visible()
    chair.locator("#settle-rest").click()
    expect(chair.locator("#settle-none")).to_be_visible()
    expect(chair.locator("#next-text")).to_have_text(H["next_approve"])
    expect(member.locator("#next-text")).to_have_text(H["next_member"])
    chair.screenshot(path=str(artifacts_dir / f"hybrid-next-steps-{width}.png"), full_page=True)
    assert errors == [], errors
    for page in (chair, member, counter):
        page.context.close()
