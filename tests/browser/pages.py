"""The main pages of chibo, in the state a person meets them in, for the accessibility and the
page (screenshot) browser tests.

`stage(server)` brings a real server (tests/live_server.py) to a realistic moment through the
same HTTP command route the app uses: in Khu phố 1 a live meeting with members checked in, a
secret ballot open, one member speaking and one waiting; in Khu phố 2 a meeting whose vote has
closed with a verdict. `MAIN_PAGES` names every page to check, who looks at it and its URL.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

from tests import live_server

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
TIMEOUT = 10_000
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"

_META_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
_CELL_LINK = re.compile(r'href="/cells/(\d+)"')


@dataclass
class Stage:
    """Ids of what stage() created, for building URLs."""

    live_meeting: int  # Khu phố 1: live, secret ballot open, a speaker, a queue
    result_meeting: int  # Khu phố 2: live, a closed vote with its verdict
    closed_vote: int
    past_meeting: int  # Khu phố 1: ended, with minutes
    kp1_cell: int


class Http:
    """One person's logged-in session on the live server."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.session = live_server.login(base, username)
        self.token = _META_CSRF.search(self.session.get(base + "/", timeout=10).text).group(1)

    def settle_attendance(self, meeting_id: int) -> None:
        """The chair's one step before approval: the rest absent without reason."""
        waiting = [r["user_id"] for r in self.state(meeting_id)["roster"] if r["to_settle"]]
        if waiting:
            self.command(meeting_id, "settle_attendance", {"user_ids": waiting})

    def command(self, meeting_id: int, name: str, payload: dict | None = None) -> dict:
        response = self.session.post(
            f"{self.base}/meetings/{meeting_id}/commands/{name}",
            json={"cid": secrets.token_hex(8), "payload": payload or {}},
            headers={"X-CSRFToken": self.token},
            timeout=10,
        )
        body = response.json()
        assert body["ok"], (name, body)
        return body["result"]

    def state(self, meeting_id: int) -> dict:
        return live_server.fetch_state(self.base, self.session, meeting_id)


def _meeting_ids(http: Http) -> list[int]:
    home = http.session.get(http.base + "/", timeout=10).text
    return list(dict.fromkeys(int(m) for m in re.findall(r'href="/meetings/(\d+)"', home)))


def stage(base: str) -> Stage:
    """Bring the demo on a fresh server to the moment the pages are checked at."""
    chair = Http(base, "bithu")
    live = live_server.scheduled_meeting_id(base, chair.session)
    past = next(
        m
        for m in _meeting_ids(chair)
        if chair.state(m)["meeting"]["status"] == "ended"
        and chair.state(m)["meeting"]["cell"]["name"] == live_server.KP1
    )
    kp1_cell = int(_CELL_LINK.search(chair.session.get(base + "/", timeout=10).text).group(1))
    chair.command(live, "start_meeting", {"confirm_early": True})
    members = {name: Http(base, name) for name in ("dangvien1", "dangvien2", "dangvien3")}
    for member in members.values():
        member.command(live, "check_in")
    chair.command(live, "open_vote", {"kind": "resolution", "method": "secret"})
    members["dangvien1"].command(live, "raise_hand")
    chair.command(live, "give_floor", {})
    members["dangvien2"].command(live, "raise_hand")

    kp2_chair = Http(base, "kp2_bithu")
    result = live_server.scheduled_meeting_id(base, kp2_chair.session, "Chi bộ Khu phố 2")
    kp2_chair.command(result, "start_meeting", {"confirm_early": True})
    voter = Http(base, "kp2_dangvien1")
    voter.command(result, "check_in")
    Http(base, "kp2_dangvien2").command(result, "check_in")
    vote = kp2_chair.command(result, "open_vote", {"kind": "resolution", "method": "secret"})
    vote_id = vote["vote_id"]
    receipt = hashlib.sha256(b"TEST-RECE-IPTC-ODE2-3456").hexdigest()
    voter.command(
        result, "cast_vote", {"vote_id": vote_id, "choices": ["agree"], "receipt_hash": receipt}
    )
    kp2_chair.command(result, "close_vote", {"vote_id": vote_id})
    return Stage(live, result, vote_id, past, kp1_cell)


@dataclass(frozen=True)
class MainPage:
    name: str
    user: str | None  # None: not logged in
    path: str  # may use {live}, {result}, {vote}, {past}, {cell}
    ready: str  # a selector that is visible once the page is ready
    live: bool = False  # a meeting room: wait for the live connection

    def url(self, base: str, s: Stage) -> str:
        return base + self.path.format(
            live=s.live_meeting,
            result=s.result_meeting,
            vote=s.closed_vote,
            past=s.past_meeting,
            cell=s.kp1_cell,
        )


ROOM_READY = "#conn[data-state=connected]"
MAIN_PAGES = (
    MainPage("login", None, "/login", "form.login"),
    MainPage("home_member", "dangvien3", "/", "#upcoming"),
    MainPage("home_leader", "lanhdao", "/", "main h1"),
    MainPage("cell", "bithu", "/cells/{cell}", "main h1"),
    MainPage("meeting_form", "bithu", "/cells/{cell}/meetings/new", "#agenda-rows li"),
    MainPage("room_chair", "bithu", "/meetings/{live}", ROOM_READY, live=True),
    MainPage("room_member", "dangvien3", "/meetings/{live}", ROOM_READY, live=True),
    MainPage("room_observer", "lanhdao", "/meetings/{live}", ROOM_READY, live=True),
    MainPage("voting_result", "kp2_dangvien1", "/meetings/{result}", ROOM_READY, live=True),
    MainPage(
        "voting_receipts",
        "kp2_dangvien1",
        "/meetings/{result}/votes/{vote}/receipts",
        "#receipt-list",
    ),
    MainPage("minutes", "bithu", "/meetings/{past}/minutes", "main h1"),
    MainPage("dashboard", "lanhdao", "/quality", "main h1"),
    MainPage("admin", "admin", "/admin/", "main h1"),
)


class Console:
    """Errors a page reported: console errors (CSP violations among them) and uncaught ones."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.expected: tuple[str, ...] = ()  # e.g. the network errors of a page sent offline

    def watch(self, page: Page, who: str) -> Page:
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"{who}: {m.text} at {m.location.get('url')}")
                if m.type == "error" and not any(e in m.text for e in self.expected)
                else None
            ),
        )
        page.on("pageerror", lambda e: self.errors.append(f"{who}: {e}"))
        return page


def log_in(page: Page, base: str, username: str) -> None:
    """Through the login form, as a person would."""
    page.goto(base + "/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(live_server.PASSWORD)
    page.locator("form.login button[type=submit]").click()
    expect(page.locator("main")).to_be_visible()
    assert "/login" not in page.url, f"{username} could not log in"


def enter_meeting(page: Page, base: str, username: str) -> None:
    """Log in, then open Khu phố 1's meeting from the home page and wait for its live state."""
    log_in(page, base, username)
    page.locator("#upcoming a", has_text="Khu phố 1").first.click()
    expect(page.locator("#conn")).to_have_attribute("data-state", "connected")


def start_meeting(chair: Page) -> None:
    """The chair presses Start. More than 30 minutes before the planned time (which depends on
    when the suite runs: the demo's meeting is at 19:30 today) the room asks, in the page, and
    the chair confirms; test_early_start_browser.py checks that question on its own."""
    chair.locator("#btn-start").click()
    asked = chair.locator("#early-start")
    expect(asked.or_(chair.locator("#m-status.live"))).to_be_visible()
    if asked.is_visible():
        chair.locator("#early-start-yes").click()
    expect(chair.locator("#m-status")).to_have_class(re.compile(r"\blive\b"))


class People:
    """One browser context per person, logged in once and reused for every page they look at."""

    def __init__(self, browser, base: str, console: Console) -> None:
        self.browser, self.base, self.console = browser, base, console
        self.pages: dict[str | None, Page] = {}

    def page(self, username: str | None, viewport: dict) -> Page:
        if username not in self.pages:
            context = self.browser.new_context(viewport=viewport, locale="vi-VN")
            context.set_default_timeout(TIMEOUT)
            page = self.console.watch(context.new_page(), username or "anonymous")
            page.on("dialog", lambda dialog: dialog.accept())
            if username:
                log_in(page, self.base, username)
            self.pages[username] = page
        page = self.pages[username]
        page.set_viewport_size(viewport)
        return page

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def open_page(people: People, main: MainPage, stage_: Stage, viewport: dict) -> Page:
    page = people.page(main.user, viewport)
    page.goto(main.url(people.base, stage_))
    expect(page.locator(main.ready).first).to_be_visible()
    return page


# ---- axe-core ---------------------------------------------------------------------------------


def run_axe(page: Page, exclude: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the page (every rule it runs by default, WCAG 2.x A/AA and best
    practices). The vendored file is evaluated by Playwright (not a <script> tag, which the
    page's CSP would rightly refuse)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    context = {"exclude": [[s] for s in exclude]} if exclude else None
    result = page.evaluate(
        "async (context) => await axe.run(context ? { exclude: context.exclude } : document,"
        " { resultTypes: ['violations'] })",
        context,
    )
    return result["violations"]


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']} — {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def save_report(artifacts: Path, name: str, violations: list[dict]) -> None:
    summary = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in violations
    ]
    (artifacts / f"axe_{name}.json").write_text(json.dumps(summary, indent=1))
