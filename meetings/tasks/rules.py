"""Pure rules of the cell's conclusions and tasks (kết luận, nhiệm vụ): statuses, deadlines,
what a review may set, and the follow-up figures leaders see. Plain values in, plain values out.

Where they come from (docs/tasks.md): HD 12-HD/BTCTW on meeting quality puts "the results of last
month's tasks" first and "next month's tasks and assignments" last on a regular agenda; following up
the cell's own conclusions is one of the leaders' quality criteria.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class EntryKind(StrEnum):
    CONCLUSION = "conclusion"  # kết luận: recorded, numbered, not followed up
    TASK = "task"  # nhiệm vụ: what, who, by when; followed up until done or dropped


class TaskStatus(StrEnum):
    OPEN = "open"  # set, not reviewed yet
    IN_PROGRESS = "in_progress"  # đang thực hiện (with a note)
    DONE = "done"  # đã hoàn thành
    NOT_DONE = "not_done"  # chưa hoàn thành (with a reason): still carried forward
    DROPPED = "dropped"  # thôi thực hiện: by the chair, with a reason


# Decision: "not done" keeps the task open (it is carried to the next review with its reason);
# only "done" and "dropped" close it.
CLOSED = frozenset({TaskStatus.DONE, TaskStatus.DROPPED})
NEEDS_NOTE = frozenset({TaskStatus.IN_PROGRESS, TaskStatus.NOT_DONE, TaskStatus.DROPPED})
# What a review or an owner's update may set (OPEN is only the state of a new task).
SETTABLE = frozenset(
    {TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.NOT_DONE, TaskStatus.DROPPED}
)
CHAIR_ONLY = frozenset({TaskStatus.DROPPED})


def is_open(status: str) -> bool:
    return TaskStatus(status) not in CLOSED


def deadline_refusal(due_on: date | None, today: date) -> str | None:
    """Why a task's deadline is refused, or None. A task needs a deadline, today or later."""
    if due_on is None:
        return "missing"
    if due_on < today:
        return "past"
    return None


def update_refusal(
    status: str, note: str, *, is_owner: bool, is_chair: bool, in_meeting: bool
) -> str | None:
    """Why a status change is refused, or None.

    The owner (or, for the cell committee's tasks, a committee member) or the chair in the meeting
    marks a task; dropping it is the chair's call in the meeting; a status other than done says why.
    """
    try:
        new = TaskStatus(status)
    except ValueError:
        return "status"
    if new not in SETTABLE:
        return "status"
    if new in CHAIR_ONLY and not (is_chair and in_meeting):
        return "chair_only"
    if not (is_owner or (is_chair and in_meeting)):
        return "not_owner"
    if new in NEEDS_NOTE and not note:
        return "note"
    return None


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """Still open after its deadline (the deadline day itself is on time)."""
    return is_open(status) and due_on < today


def done_on_time(status: str, due_on: date, done_on: date | None) -> bool:
    return TaskStatus(status) is TaskStatus.DONE and done_on is not None and done_on <= due_on


@dataclass(frozen=True)
class TaskFacts:
    """What the follow-up figures need of one task."""

    status: str
    due_on: date
    done_on: date | None  # Vietnam date it was marked done


@dataclass(frozen=True)
class FollowUp:
    """The follow-up criteria of one cell over one period (tasks set in that period)."""

    tasks_set: int
    done: int
    done_on_time: int
    overdue: int
    open: int

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.tasks_set else self.done_on_time / self.tasks_set

    def as_dict(self) -> dict:
        return {
            "tasks_set": self.tasks_set,
            "done": self.done,
            "done_on_time": self.done_on_time,
            "overdue": self.overdue,
            "open": self.open,
        }


def follow_up(tasks: Iterable[TaskFacts], today: date) -> FollowUp:
    tasks = list(tasks)
    return FollowUp(
        tasks_set=len(tasks),
        done=sum(1 for t in tasks if TaskStatus(t.status) is TaskStatus.DONE),
        done_on_time=sum(1 for t in tasks if done_on_time(t.status, t.due_on, t.done_on)),
        overdue=sum(1 for t in tasks if is_overdue(t.status, t.due_on, today)),
        open=sum(1 for t in tasks if is_open(t.status)),
    )
