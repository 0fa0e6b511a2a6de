"""Commands of one meeting that arrive together, run together: one lock, one commit, one broadcast.

When 300 members vote within a second, each ballot used to be its own transaction and its own
`changes` message to 300 sockets: 300 commits one after the other and 90,000 messages. Commands
registered `grouped=True` (a ballot) queue per meeting instead. The one that finds no
group running leads: it lets those arriving with it queue up (one switch), takes every command
queued (up to MAX_GROUP), has them run in one transaction (`meetings.commands._run_group`) and
hands the lead to the first command still waiting. Alone, a command runs at once, as it always
did: nothing waits for a timer, so a quiet meeting sees no delay.

A group is all or nothing: if any of its commands is refused or fails, the transaction is rolled
back and every command of the group runs alone, each on its own (the refused one gets its own
answer). What a command does, sees and answers is the same grouped or alone; only the version is
shared: a group is one version and one `changes` message holding every command's changes.

Works with eventlet's green threads (the server) and real threads (the tests): `threading` is
the one eventlet patches.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_GROUP = 100  # commands per transaction: bounds the lock's hold and a message's size


@dataclass(eq=False)
class Job:
    """One command waiting for its group: what the group needs, and how it ended."""

    actor_id: int
    client_id: str | None
    name: str
    raw: dict
    ack: dict | None = None  # set when the group ran it
    lead: bool = False  # handed the lead: run the next group
    woken: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Queue:
    jobs: list[Job] = field(default_factory=list)


_queues: dict[int, _Queue] = {}  # meetings with a group running; waiting jobs behind it
_guard = threading.Lock()


def submit(meeting_id: int, job: Job, run_group: Callable[[int, list[Job]], None]) -> dict | None:
    """Queue `job` behind the meeting's running group, or lead one. Returns the ack the group
    gave it, or None: it was not run (its group failed), and the caller runs it alone."""
    with _guard:
        queue = _queues.get(meeting_id)
        leads = queue is None
        if leads:
            queue = _queues[meeting_id] = _Queue()
        queue.jobs.append(job)
    if leads:
        time.sleep(0)  # let the commands that arrived with this one join its group
    else:
        job.woken.wait()
    if leads or job.lead:
        _lead(meeting_id, queue, run_group)
    return job.ack


def _lead(meeting_id: int, queue: _Queue, run_group: Callable[[int, list[Job]], None]) -> None:
    with _guard:
        group = queue.jobs[:MAX_GROUP]
        del queue.jobs[:MAX_GROUP]
    try:
        run_group(meeting_id, group)
    finally:
        with _guard:
            if queue.jobs:
                queue.jobs[0].lead = True
                queue.jobs[0].woken.set()
            else:
                del _queues[meeting_id]
        for job in group:
            job.woken.set()
