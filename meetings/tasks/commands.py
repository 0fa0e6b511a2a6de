"""Commands of conclusions and tasks: record them in the meeting, review them in the next
regular meeting, and an owner's update between meetings. Thin: the rules live in `rules`."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictBool, StrictInt, StrictStr
from sqlalchemy import func, select

from core.extensions import db
from core.timeutil import utcnow, vietnam_today
from core.vietnamese import nfc
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, Forbidden, Invalid, NotFound
from meetings.models import AgendaItem, MeetingStatus
from meetings.tasks import queries, rules
from meetings.tasks.models import Task, TaskOwner, TaskUpdate
from meetings.tasks.rules import EntryKind, TaskStatus
from meetings.tasks.sections import tasks_change

MAX_TEXT = 2000
MAX_NOTE = 1000
MAX_OWNERS = 50
MAX_PER_MEETING = 200

NOT_LIVE = _l("Conclusions and tasks are recorded while the meeting is in progress.")
TEXT_NEEDED = _l("Write what was concluded or what is to be done.")
NO_OWNER = _l("Name who does it: one or more members, or the cell committee.")
OWNER_NOT_MEMBER = _l("Every owner must be a member of this cell.")
NO_DEADLINE = _l("A task needs a deadline.")
PAST_DEADLINE = _l("The deadline is already past: choose today or a later date.")
BAD_DATE = _l("The deadline is not a valid date.")
CONCLUSION_FIELDS = _l("A conclusion has no owner and no deadline; record a task instead.")
NOT_IN_REVIEW = _l("This task is not reviewed in this meeting.")
REVIEW_NOT_LIVE = _l("Tasks are reviewed while the meeting is in progress.")
REFUSALS = {
    "status": _l("This status is not valid."),
    "chair_only": _l("Only the chair may drop a task, in the meeting."),
    "not_owner": _l("Only the task's owner, or the chair in the meeting, may mark this task."),
    "note": _l("Add a note: how far it is, or why it was not done."),
}


def _require_live(ctx: Context, message=NOT_LIVE) -> None:
    if ctx.meeting.status != MeetingStatus.LIVE:
        raise Conflict(message)


def _parse_date(value: str | None) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(BAD_DATE, field="due_on") from None


class TaskFields(Payload):
    kind: StrictStr = EntryKind.TASK.value
    text: StrictStr = Field(max_length=MAX_TEXT)
    owner_ids: list[StrictInt] = Field(default_factory=list, max_length=MAX_OWNERS)
    committee: StrictBool = False
    due_on: StrictStr | None = Field(default=None, max_length=10)
    agenda_item_id: StrictInt | None = None


def _apply_fields(ctx: Context, task: Task, payload: TaskFields) -> None:
    """Validate every field first, then write: a refusal changes nothing."""
    try:
        kind = EntryKind(payload.kind)
    except ValueError:
        raise Invalid(field="kind") from None
    text = nfc(payload.text) or ""
    if not text:
        raise Invalid(TEXT_NEEDED, field="text")
    item_id = payload.agenda_item_id
    if item_id is not None:
        item = db.session.get(AgendaItem, item_id)
        if item is None or item.meeting_id != ctx.meeting.id:
            raise NotFound(field="agenda_item_id")
    owners = sorted(set(payload.owner_ids))
    due_on = _parse_date(payload.due_on)
    if kind is EntryKind.CONCLUSION:
        if owners or payload.committee or due_on is not None:
            raise Invalid(CONCLUSION_FIELDS, field="owner_ids")
    else:
        if not owners and not payload.committee:
            raise Invalid(NO_OWNER, field="owner_ids")
        if not set(owners) <= queries.active_member_ids(ctx.meeting.cell_id):
            raise Invalid(OWNER_NOT_MEMBER, field="owner_ids")
        refusal = rules.deadline_refusal(due_on, vietnam_today())
        if refusal:
            message = NO_DEADLINE if refusal == "missing" else PAST_DEADLINE
            raise Invalid(message, field="due_on", reason=refusal)
    if task.id is not None and task.kind != kind:
        raise Invalid(field="kind")  # a number belongs to its list: remove and record anew
    task.kind = kind.value
    task.text = text
    task.agenda_item_id = item_id if item_id is not None else ctx.meeting.current_item_id
    task.owner_committee = payload.committee
    task.due_on = due_on
    task.owners = [TaskOwner(user_id=uid) for uid in owners]


def _own_task(ctx: Context, task_id: int) -> Task:
    """A task recorded in this meeting."""
    task = db.session.get(Task, task_id)
    if task is None or task.meeting_id != ctx.meeting.id:
        raise NotFound(field="task_id")
    return task


@command("task_add", permission="record_tasks", payload=TaskFields)
def task_add(ctx: Context, payload: TaskFields) -> Effect:
    """The chair or the minute-taker records a conclusion or a task (what, who, by when)."""
    _require_live(ctx)
    count = db.session.scalar(
        select(func.count()).select_from(Task).where(Task.meeting_id == ctx.meeting.id)
    )
    if count >= MAX_PER_MEETING:
        raise Conflict()
    task = Task(cell_id=ctx.meeting.cell_id, meeting_id=ctx.meeting.id, created_by_id=ctx.actor.id)
    _apply_fields(ctx, task, payload)
    task.number = 1 + (
        db.session.scalar(
            select(func.max(Task.number)).where(
                Task.meeting_id == ctx.meeting.id, Task.kind == task.kind
            )
        )
        or 0
    )
    db.session.add(task)
    db.session.flush()
    return Effect(
        changes=[tasks_change(ctx.meeting)],
        result={"task_id": task.id, "number": task.number},
        audit={"task_id": task.id, "kind": task.kind},
    )


class EditTask(TaskFields):
    task_id: StrictInt


@command("task_edit", permission="record_tasks", payload=EditTask)
def task_edit(ctx: Context, payload: EditTask) -> Effect:
    _require_live(ctx)
    task = _own_task(ctx, payload.task_id)
    _apply_fields(ctx, task, payload)
    db.session.flush()
    return Effect(changes=[tasks_change(ctx.meeting)], audit={"task_id": task.id})


class TaskRef(Payload):
    task_id: StrictInt


@command("task_remove", permission="record_tasks", payload=TaskRef)
def task_remove(ctx: Context, payload: TaskRef) -> Effect:
    """Removed while the meeting is in progress; the later ones of its list move up a number."""
    _require_live(ctx)
    task = _own_task(ctx, payload.task_id)
    later = db.session.scalars(
        select(Task).where(
            Task.meeting_id == ctx.meeting.id, Task.kind == task.kind, Task.number > task.number
        )
    ).all()
    db.session.delete(task)
    for other in later:
        other.number -= 1
    db.session.flush()
    return Effect(changes=[tasks_change(ctx.meeting)], audit={"task_id": payload.task_id})


class StatusChange(Payload):
    task_id: StrictInt
    status: StrictStr = Field(max_length=20)
    note: StrictStr = Field(default="", max_length=MAX_NOTE)


def _change_status(ctx: Context, task: Task, payload: StatusChange, in_meeting: bool) -> None:
    note = nfc(payload.note) or ""
    refusal = rules.update_refusal(
        payload.status,
        note,
        is_owner=queries.owns(task, ctx.actor.id),
        is_chair="chair" in ctx.roles,
        in_meeting=in_meeting,
    )
    if refusal == "status":
        raise Invalid(REFUSALS[refusal], field="status")
    if refusal in ("chair_only", "not_owner"):
        raise Forbidden(REFUSALS[refusal], reason=refusal)
    if refusal:
        raise Invalid(REFUSALS[refusal], field="note", reason=refusal)
    now = utcnow()
    status = TaskStatus(payload.status)
    task.status = status.value
    task.note = note or None
    task.done_at = now if status is TaskStatus.DONE else None
    task.closed_at = now if not rules.is_open(status) else None
    task.updated_at = now
    task.updated_by_id = ctx.actor.id
    db.session.add(
        TaskUpdate(
            task_id=task.id,
            meeting_id=ctx.meeting.id if in_meeting else None,
            status=status.value,
            note=note or None,
            by_id=ctx.actor.id,
            at=now,
        )
    )
    db.session.flush()


@command("task_review", permission="review_tasks", payload=StatusChange)
def task_review(ctx: Context, payload: StatusChange) -> Effect:
    """In the results-of-last-month item: the owner or the chair marks a carried task."""
    _require_live(ctx, REVIEW_NOT_LIVE)
    task = db.session.get(Task, payload.task_id)
    if task is None or task.cell_id != ctx.meeting.cell_id:
        raise NotFound(field="task_id")
    if task.id not in {t.id for t in queries.carried_into(ctx.meeting)}:
        raise Conflict(NOT_IN_REVIEW)
    _change_status(ctx, task, payload, in_meeting=True)
    return Effect(
        changes=[tasks_change(ctx.meeting)],
        result={"task_id": task.id, "status": task.status},
        audit={"task_id": task.id, "status": task.status},
    )


@command("task_update", permission="update_own_task", payload=StatusChange)
def task_update(ctx: Context, payload: StatusChange) -> Effect:
    """Between meetings, from the member's page: an owner reports on their own task. Recorded on
    the meeting that will review it (see queries.reviewing_meeting), so its room shows it."""
    task = db.session.get(Task, payload.task_id)
    if task is None or task.cell_id != ctx.meeting.cell_id or task.kind != EntryKind.TASK:
        raise NotFound(field="task_id")
    _change_status(ctx, task, payload, in_meeting=False)
    return Effect(
        changes=[tasks_change(ctx.meeting)],
        result={"task_id": task.id, "status": task.status},
        audit={"task_id": task.id, "status": task.status},
    )
