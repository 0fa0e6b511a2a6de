"""Every main page at a 360-px phone and a 1280-px desktop, in a real browser: a screenshot of each
in test-artifacts/pages_<page>_<width>.png for a person to look at, nothing wider than the screen,
and in the meeting room the essentials within reach (the current item on the first screen, the
sticky bar with the connection state and the panel links always in view).

Then the room's promises about language and the network: Vietnamese by default, English switched
from the room and remembered for the next login, numbers in each language's format; a secret
ballot confirmed by a push (no polling), and after a time offline, a notice of what changed
("you were given the floor", "your ballot was recorded") without a reload.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import live_server
from tests.browser import pages
from tests.browser.pages import DESKTOP, MAIN_PAGES, PHONE, WIDTHS


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    with live_server.running(tmp_path_factory.mktemp("pages")) as server:
        yield server, pages.stage(server.url)
    print(f"---- server log ----\n{server.log()[-6000:]}")


@pytest.fixture(scope="module")
def console():
    return pages.Console()


@pytest.fixture(scope="module")
def people(browser, staged, console):
    crowd = pages.People(browser, staged[0].url, console)
    yield crowd
    crowd.close()
    assert console.errors == [], "\n".join(console.errors)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("main", MAIN_PAGES, ids=lambda m: m.name)
def test_page_fits_and_is_saved_for_review(people, staged, artifacts_dir, main, width):
    viewport = WIDTHS[width]
    page = pages.open_page(people, main, staged[1], viewport)
    page.screenshot(path=str(artifacts_dir / f"pages_{main.name}_{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{main.name} is {overflow} px wider than the {width} screen"
    assert page.locator("html").get_attribute("lang") == "vi"
    if not main.live:
        return
    # The room: what is happening now is on the first screen...
    page.evaluate("window.scrollTo(0, 0)")
    expect(page.locator("#current-item")).to_be_in_viewport()
    assert page.locator("#current-item").bounding_box()["y"] < viewport["height"] * 0.6
    page.screenshot(path=str(artifacts_dir / f"pages_{main.name}_{width}_fold.png"))
    # ... and wherever one scrolls, the connection state and the panel links stay in view.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(page.locator("#conn")).to_be_in_viewport()
    expect(page.locator("#room-bar .quick-nav")).to_be_in_viewport()
    page.evaluate("window.scrollTo(0, 0)")


def test_room_member_reaches_the_ballot_from_the_quick_links(people, staged, artifacts_dir):
    page = pages.open_page(people, MAIN_PAGES[6], staged[1], PHONE)  # room_member
    page.locator("#room-bar .quick-nav a[href='#voting']").click()
    expect(page.locator("#vote-current form.ballot button[type=submit]")).to_be_in_viewport()
    page.screenshot(path=str(artifacts_dir / "pages_room_member_phone_ballot.png"))


def test_language_switched_in_the_room_is_remembered_with_its_number_format(
    browser, people, staged
):
    base, stage = people.base, staged[1]
    page = people.page("dangvien2", PHONE)
    page.goto(f"{base}/meetings/{stage.live_meeting}")
    expect(page.locator(pages.ROOM_READY)).to_be_visible()
    rate = page.locator("#fig-rate dd")
    expect(rate).to_have_text(re.compile(r"^\d+,\d%$"))  # 26,7% in Vietnamese
    when = page.locator("#m-when").inner_text()
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", when), when

    page.locator("header.topbar button[lang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert re.search(rf"/meetings/{stage.live_meeting}$", page.url)
    expect(page.locator(pages.ROOM_READY)).to_be_visible()
    expect(page.locator("#now-h")).to_have_text("Current item")
    expect(rate).to_have_text(re.compile(r"^\d+\.\d%$"))  # 26.7% in English
    assert page.locator("#m-when").inner_text() == when  # dd/mm/yyyy, 24-hour in both

    # Remembered for this user: a new login elsewhere opens in English.
    other = browser.new_context(viewport=DESKTOP)
    try:
        second = other.new_page()
        pages.log_in(second, base, "dangvien2")
        expect(second.locator("html")).to_have_attribute("lang", "en")
    finally:
        other.close()
    page.locator("header.topbar button[lang=vi]").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_ballot_confirmed_by_push_and_what_changed_while_offline(
    people, staged, console, artifacts_dir
):
    base, stage = people.base, staged[1]
    page = people.page("dangvien2", PHONE)
    page.goto(f"{base}/meetings/{stage.live_meeting}")
    expect(page.locator(pages.ROOM_READY)).to_be_visible()
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/votes/mine" in r.url else None)
    ballot = page.locator("#vote-current form.ballot")
    expect(ballot).to_be_visible()

    # Offline: the ballot is kept on the device; meanwhile the chair gives this member the floor.
    console.expected = ("ERR_INTERNET_DISCONNECTED",)
    page.context.set_offline(True)
    expect(page.locator("#conn")).to_have_attribute(
        "data-state", re.compile("offline|reconnecting")
    )
    expect(page.locator("#conn")).to_be_in_viewport()
    ballot.locator("input[value=agree]").check()
    ballot.locator("button[type=submit]").click()
    expect(page.locator("#notice")).to_have_attribute("data-kind", "pending")
    expect(page.locator("#vote-current .sending")).to_be_visible()
    chair = pages.Http(base, "bithu")
    queue = chair.state(stage.live_meeting)["speakers"]["queue"]
    request = next(
        r
        for r in queue
        if r["name"]
        == page.evaluate(
            "window.chiboRoom.state().roster.find(r => r.user_id === window.chiboRoom.state().me.user_id).name"
        )
    )
    chair.command(stage.live_meeting, "give_floor", {"request_id": request["id"]})
    page.screenshot(path=str(artifacts_dir / "pages_room_member_offline_phone.png"))

    page.context.set_offline(False)
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected", timeout=20_000)
    notice = page.locator("#notice")
    expect(notice).to_have_attribute("data-kind", "away")
    strings = page.evaluate("JSON.parse(document.getElementById('room-i18n').textContent)")
    voting = page.evaluate("JSON.parse(document.getElementById('voting-i18n').textContent)")
    expect(notice).to_contain_text(strings["away_floor_you"])
    expect(notice).to_contain_text(strings["away_sent"])
    # The ballot resent on reconnect is confirmed by the server's push, in the same notice.
    expect(notice).to_contain_text(voting["recorded"])
    expect(page.locator("#vote-current .recorded")).to_have_text(voting["recorded"])
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert polls == [], f"the ballot was confirmed by polling: {polls}"
    page.screenshot(path=str(artifacts_dir / "pages_room_member_back_online_phone.png"))
    console.expected = ()
    page.locator("#notice-close").click()
    expect(notice).to_be_hidden()
