"""Zulip's `verify_action` for the room: a state before + the changes a step broadcast, merged by the
change table, equals a fresh snapshot after — with the app's Python reducer at once, and with the
browser's (static/js/changes.js, run in Node) over every recorded step at the end."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.extensions import db
from meetings import changes, snapshot
from meetings.models import Meeting
from org import roster_versions
from tests.factories import command, events

RUNNER = Path(__file__).parent / "js" / "run_reducer.js"


@dataclass
class Step:
    label: str
    before: dict
    messages: list[dict]
    after: dict


@dataclass
class ChangeVerifier:
    """Watches one meeting through `watcher` (a Socket.IO test client that joined its room)."""

    watcher: object
    meeting_id: int
    steps: list[Step] = field(default_factory=list)
    commands: set[str] = field(default_factory=set)  # names of the commands verified
    types: set[str] = field(default_factory=set)  # change types seen

    def snapshot(self) -> dict:
        ack = self.watcher.emit("snapshot", {"meeting_id": self.meeting_id}, callback=True)
        assert ack["ok"], ack
        return ack["snapshot"]

    def action(self, label: str, act: Callable[[], object]) -> object:
        """Run `act` (anything that changes the meeting) and check what the room heard of it."""
        before = self.snapshot()
        self.watcher.get_received()
        outcome = act()
        messages = [m for m in events(self.watcher) if m["meeting_id"] == self.meeting_id]
        after = self.snapshot()
        state = copy.deepcopy(before)
        for message in messages:
            self.types.update(c["type"] for c in message["changes"])
            assert changes.apply_message(state, message) == "applied", (label, message["v"])
        assert state["version"] == after["version"], (label, "a version with no message")
        assert changes.comparable(state) == changes.comparable(after), label
        # The room serves the shared part from a cache that `before` filled: it must be what a
        # fresh build gives now, or the step changed state without moving the cache's key.
        assert changes.comparable(after) == fresh_shared(self.watcher.app, self.meeting_id), (
            label,
            "the cached snapshot is stale",
        )
        self.steps.append(Step(label, before, messages, after))
        return outcome

    def command(self, client, name: str, payload: dict | None = None) -> dict:
        """Run one command of the registry through `client` and verify it; returns its result."""
        ack = self.action(name, lambda: command(client, self.meeting_id, name, payload))
        assert ack["ok"], (name, ack)
        self.commands.add(name)
        return ack["result"]

    def form(self, name: str, act: Callable[[], object]) -> object:
        """Run a command the server's own pages run (`act` posts the form) and verify it."""
        outcome = self.action(name, act)
        self.commands.add(name)
        return outcome

    def check_browser_reducer(self) -> None:
        """The same steps through the JavaScript the page runs: each must give the same state."""
        cases = [{"state": s.before, "messages": s.messages} for s in self.steps]
        results = run_browser_reducer(changes.table(), cases)
        for step, result in zip(self.steps, results, strict=True):
            assert set(result["outcomes"]) <= {"applied"}, (step.label, result["outcomes"])
            assert result["state"]["version"] == step.after["version"], step.label
            assert changes.comparable(result["state"]) == changes.comparable(step.after), step.label


def fresh_shared(app, meeting_id: int) -> dict:
    """The shared part of the meeting's snapshot built now, without the room's cache."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return snapshot.shared(meeting, roster_versions.token(meeting.cell_id))


def run_browser_reducer(table: dict, cases: list[dict]) -> list[dict]:
    """static/js/changes.js in Node: each case `{state, messages}` gives `{outcomes, state}`."""
    node = shutil.which("node")
    assert node, "Node.js runs the browser's reducer in this test (Debian package nodejs)"
    done = subprocess.run(
        [node, str(RUNNER)],
        input=json.dumps({"table": table, "cases": cases}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    results = json.loads(done.stdout)
    assert len(results) == len(cases)
    return results
