"""A secret ballot in real browsers: a member votes in one context, the chair closes the vote in
another, both see the verdict; the member's browser finds its receipt on the published list."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.pages import PHONE, TIMEOUT, enter_meeting, log_in, start_meeting


def person(browser, who: str, errors: list[str]) -> Page:
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.on("console", lambda m: errors.append(f"{who}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{who}: {e}"))
    page.on("dialog", lambda dialog: dialog.accept())  # "Cast it now?", "Close the vote now?"
    return page


def enter_room(page: Page, base: str, username: str, room_url: str) -> None:
    """The live meeting's room (no longer among the upcoming ones on the home page)."""
    log_in(page, base, username)
    page.goto(room_url)
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")


def strings(page: Page) -> dict:
    return json.loads(page.locator("#voting-i18n").text_content())


def test_secret_ballot_from_one_browser_closed_from_another(browser, server, artifacts_dir):
    errors: list[str] = []
    chair, member = person(browser, "chair", errors), person(browser, "member", errors)
    enter_meeting(chair, server.url, "bithu")
    enter_meeting(member, server.url, "dangvien2")
    start_meeting(chair)
    member.locator("#btn-checkin").click()
    expect(chair.locator("#roster li.att-present")).to_have_count(1)
    # A probationary member in the room before the vote opens: told why by the server's reason
    # for any later vote (the page works none out).
    probationary = person(browser, "probationary", errors)
    enter_room(probationary, server.url, "dubi1", chair.url)

    chair.locator("#vote-open-toggle").click()  # the form is folded until asked for
    chair.locator("#vote-kind").select_option("admission")
    chair.locator("#vote-subject").fill("Lê Thị Cúc")
    chair.locator("#vote-open button[type=submit]").click()
    T = strings(member)
    expect(probationary.locator("#vote-current .why")).to_have_text(T["why_probationary"])
    # A member who comes in after it opened, not checked in: that vote's own reason.
    late = person(browser, "late", errors)
    enter_room(late, server.url, "dangvien3", chair.url)
    expect(late.locator("#vote-current .why")).to_have_text(T["why_not_present"])
    probationary.locator("#voting").screenshot(
        path=str(artifacts_dir / "voting_probationary_why.png")
    )

    # The member sees the ballot first, right under the current item.
    ballot = member.locator("#vote-current form.ballot")
    expect(ballot).to_be_visible()
    ballot.locator("input[value=agree]").check()
    ballot.locator("button[type=submit]").click()
    expect(member.locator("#vote-current .recorded")).to_have_text(T["recorded"])
    code = member.locator("#vote-current .receipt-code").text_content()
    assert re.fullmatch(r"([A-Z2-9]{4}-){4}[A-Z2-9]{4}", code)
    expect(chair.locator("#vote-current .progress")).to_have_text(
        T["progress"].replace("{n}", "1").replace("{m}", "1")
    )
    member.screenshot(path=str(artifacts_dir / "voting_member_recorded.png"), full_page=True)

    # Reloading (a lost connection) still says the ballot is recorded and shows the same code.
    member.reload()
    expect(member.locator("#vote-current .recorded")).to_be_visible()
    expect(member.locator("#vote-current .receipt-code")).to_have_text(code)

    chair.locator("#vote-close").click()
    for page in (chair, member):
        verdict = page.locator("#vote-current .verdict")
        expect(verdict).to_be_visible()
        # 1 agree of a base of 11 (eleven official members; the exempted one is absent).
        expect(verdict).to_contain_text("1/11")
        expect(verdict).to_contain_text("9,1%")
    expect(member.locator("#vote-current p.ok")).to_have_text(T["receipt_found"])
    chair.screenshot(path=str(artifacts_dir / "voting_chair_verdict.png"), full_page=True)

    member.locator("#vote-current a", has_text=T["receipts_link"]).click()
    expect(member.locator("#receipt-list li")).to_have_count(1)
    expect(member.locator("#receipt-list li.mine")).to_have_count(1)
    expect(member.locator("#receipt-result")).to_have_text(T["receipt_found"])
    member.locator("#receipt-code").fill(code.lower())
    member.locator("#receipt-check button").click()
    expect(member.locator("#receipt-result")).to_have_text(T["checked"])
    assert errors == []
