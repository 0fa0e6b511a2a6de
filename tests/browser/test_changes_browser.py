"""The room page's own state, kept by static/js/changes.js and the server's change table, equals a
fresh snapshot after others changed every kind of section — without the page fetching one."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from meetings.changes import comparable
from tests.browser.pages import DESKTOP, TIMEOUT, Http, log_in


def page_state(page: Page) -> dict:
    return page.evaluate("() => window.chiboRoom.state()")


def test_the_pages_reducer_keeps_the_same_state_as_a_fresh_snapshot(browser, server, console):
    base = server.url
    chair, taker, member = Http(base, "bithu"), Http(base, "dangvien1"), Http(base, "dangvien3")
    watcher = Http(base, "dangvien2")
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(TIMEOUT)
    page: Page = console.watch(context.new_page(), "dangvien2")
    log_in(page, base, "dangvien2")
    home = chair.session.get(base + "/", timeout=10).text
    meeting_id = next(
        m
        for m in (int(x) for x in re.findall(r'href="/meetings/(\d+)"', home))
        if chair.state(m)["meeting"]["status"] == "scheduled"
    )
    page.goto(f"{base}/meetings/{meeting_id}")
    page.wait_for_function("() => window.chiboRoom && window.chiboRoom.connected()")
    # A resync would replace the state object: the mark shows every change was merged in place.
    page.evaluate("() => { window.chiboRoom.state().__kept = true; }")

    chair.command(meeting_id, "agenda_add", {"title": "Việc phát sinh", "planned_minutes": 5})
    chair.command(meeting_id, "start_meeting", {"confirm_early": True})
    member.command(meeting_id, "check_in")
    unmarked = [
        r["user_id"]
        for r in chair.state(meeting_id)["roster"]
        if r["attendance"]["status"] == "unknown"
    ]
    for user_id in unmarked[:2]:
        chair.command(meeting_id, "mark_attendance", {"user_id": user_id, "status": "late"})
    items = [i["id"] for i in chair.state(meeting_id)["agenda"]["items"]]
    member.command(meeting_id, "raise_hand")
    vote = chair.command(meeting_id, "open_vote", {"kind": "procedural"})["vote_id"]
    member.command(meeting_id, "cast_vote", {"vote_id": vote, "choices": ["agree"]})
    chair.command(meeting_id, "close_vote", {"vote_id": vote})
    for item_id in (items[2], items[0]):  # out of order: the snapshot lists them by item id
        taker.command(
            meeting_id, "minutes_edit", {"item_id": item_id, "base_revision": 0, "html": "<p>x</p>"}
        )
    chair.settle_attendance(meeting_id)
    chair.command(meeting_id, "minutes_approve", {"method": "chair"})

    fresh = watcher.state(meeting_id)
    page.wait_for_function(f"() => window.chiboRoom.state().version >= {fresh['version']}")
    state = page_state(page)
    assert state.pop("__kept") is True, "the page fetched a snapshot instead of merging changes"
    assert state["version"] == fresh["version"]
    assert comparable(state) == comparable(fresh)
    assert [s["item_id"] for s in state["minutes"]["sections"]] == sorted([items[0], items[2]])
    context.close()
