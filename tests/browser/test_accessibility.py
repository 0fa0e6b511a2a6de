"""Accessibility in a real browser: axe-core (vendored, static/vendor/axe-core) finds no serious or
critical violation on any main page, at phone and desktop widths; the room works with the keyboard
alone (dialog traps and returns the focus, Escape closes, quick links reach the panels); live
regions are labelled for screen readers.

One server per module, brought once to a live meeting with a secret ballot open and a speaker
(tests/browser/pages.py); every page is looked at by its own person (chair, member, observer...).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import live_server
from tests.browser import pages
from tests.browser.pages import DESKTOP, MAIN_PAGES, PHONE, WIDTHS


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    with live_server.running(tmp_path_factory.mktemp("a11y")) as server:
        yield server, pages.stage(server.url)
    print(f"---- server log ----\n{server.log()[-6000:]}")


@pytest.fixture(scope="module")
def people(browser, staged):
    console = pages.Console()
    crowd = pages.People(browser, staged[0].url, console)
    yield crowd
    crowd.close()
    assert console.errors == [], "\n".join(console.errors)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("main", MAIN_PAGES, ids=lambda m: m.name)
def test_no_serious_axe_violation(people, staged, artifacts_dir, main, width):
    page = pages.open_page(people, main, staged[1], WIDTHS[width])
    violations = pages.run_axe(page)
    pages.save_report(artifacts_dir, f"{main.name}_{width}", violations)
    bad = pages.serious(violations)
    assert not bad, f"{main.name} at {width}:\n{pages.describe(bad)}"


def room(people, staged, who: str, viewport=PHONE):
    main = next(m for m in MAIN_PAGES if m.name == f"room_{who}")
    return pages.open_page(people, main, staged[1], viewport)


def test_the_mark_dialog_traps_the_focus_escape_closes_it_and_the_focus_returns(people, staged):
    page = room(people, staged, "chair", DESKTOP)
    mark = page.locator("#roster li.att-present button").first
    key = mark.get_attribute("data-focus-key")
    mark.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#mark-dialog")
    expect(dialog).to_be_visible()
    # Tab goes round the dialog's controls, never to the page behind it.
    for _ in range(12):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.getElementById('mark-dialog').contains(document.activeElement)"
        )
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#roster [data-focus-key='{key}']")).to_be_focused()


def test_keyboard_only_reaches_the_ballot_and_the_chair_folds_the_vote_form(people, staged):
    member = room(people, staged, "member")
    # From the top of the page: the quick link to the vote moves the focus target into view.
    link = member.locator("#room-bar .quick-nav a[href='#voting']")
    expect(link).to_be_visible()
    link.focus()
    member.keyboard.press("Enter")
    assert member.evaluate("location.hash") == "#voting"
    ballot = member.locator("#vote-current form.ballot")
    expect(ballot).to_be_in_viewport()
    # Every radio of the ballot has an accessible name (its label).
    for radio in ballot.locator("input[type=radio]").all():
        assert radio.evaluate("r => r.labels.length") == 1
    # The links lead only to panels the person sees.
    for anchor in member.locator("#room-bar .quick-nav a:visible").all():
        target = anchor.get_attribute("href")
        expect(member.locator(target)).to_be_visible()


def test_the_chair_opens_the_vote_form_from_a_folded_button(people, staged):
    """In the KP2 room the vote is closed: the chair's form is folded behind one button."""
    page = people.page("kp2_bithu", DESKTOP)
    page.goto(f"{people.base}/meetings/{staged[1].result_meeting}")
    expect(page.locator(pages.ROOM_READY)).to_be_visible()
    toggle = page.locator("#vote-open-toggle")
    expect(toggle).to_be_visible()
    expect(page.locator("#vote-open")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#vote-kind")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#vote-open")).to_be_hidden()
    expect(toggle).to_be_focused()


def test_live_regions_and_labels(people, staged):
    page = room(people, staged, "member")
    expect(page.locator("#conn")).to_have_attribute("role", "status")
    for selector in ("#current-item", "#room-announce", "#notice"):
        assert page.locator(selector).get_attribute("aria-live") == "polite", selector
    expect(page.locator("#speakers #sp-name")).not_to_be_empty()  # dangvien1 has the floor
    assert page.locator("html").get_attribute("lang") == "vi"


@pytest.mark.parametrize("who", ["chair", "member", "observer"])
def test_touch_targets_are_44_px_on_a_phone(people, staged, who):
    page = room(people, staged, who)
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll(`#room button, #room .button, #room summary,
             #room .quick-nav a, #room input[type=radio], #room input[type=checkbox]`))
          .filter(e => e.offsetParent !== null)
          .map(e => {
            const target = e.matches('input') ? (e.closest('label') || e) : e;
            const r = target.getBoundingClientRect();
            return [e.id || e.textContent.trim().slice(0, 30) || e.outerHTML.slice(0, 60), r.height];
          })
          .filter(([, h]) => h < 43.5)"""
    )
    assert small == [], small
