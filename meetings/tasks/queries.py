"""Which tasks a meeting sets and which it reviews, and who owns a task (database reads only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.timeutil import vietnam_date
from meetings.models import Meeting, MeetingKind, MeetingStatus
from meetings.tasks.models import Task, TaskOwner, TaskUpdate
from meetings.tasks.rules import CLOSED, EntryKind, TaskFacts
from org.models import CellRole, Membership
from org.queries import taking_part

COMMITTEE_ROLES = (CellRole.SECRETARY, CellRole.DEPUTY, CellRole.COMMITTEE)


def set_in(meeting_id: int) -> list[Task]:
    """Conclusions and tasks recorded in this meeting, conclusions first, each by number."""
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.meeting_id == meeting_id)
            .options(selectinload(Task.owners).selectinload(TaskOwner.user))
            .order_by(Task.kind, Task.number)
        ).all()
    )


def reviews_tasks(meeting: Meeting) -> bool:
    """A regular meeting opens with the results of the tasks set before it."""
    return meeting.kind == MeetingKind.REGULAR


def _window_start(meeting: Meeting):
    """The end of the cell's last meeting held before this one: tasks closed since then are still
    shown in this review (a member marked one done between meetings)."""
    return db.session.scalar(
        select(func.max(Meeting.ended_at)).where(
            Meeting.cell_id == meeting.cell_id,
            Meeting.id != meeting.id,
            Meeting.status == MeetingStatus.ENDED,
            Meeting.scheduled_at < meeting.scheduled_at,
        )
    )


def carried_into(meeting: Meeting) -> list[Task]:
    """The tasks this meeting reviews: every task of the cell set in an earlier meeting that is
    still open, or was closed since the cell's previous meeting ended (and, for an ended meeting,
    before its end), or was reviewed here."""
    if not reviews_tasks(meeting):
        return []
    earlier = select(Meeting.id).where(
        Meeting.cell_id == meeting.cell_id,
        Meeting.id != meeting.id,
        Meeting.scheduled_at < meeting.scheduled_at,
    )
    reviewed_here = select(TaskUpdate.task_id).where(TaskUpdate.meeting_id == meeting.id)
    still_open = Task.status.not_in([s.value for s in CLOSED])
    # Closed since the previous meeting (e.g. marked done by its owner in between), and for an
    # ended meeting not after it: the same list before and after the end.
    since = _window_start(meeting)
    closed = [Task.closed_at > since if since is not None else Task.closed_at.is_not(None)]
    if meeting.ended_at is not None:
        closed.append(Task.closed_at <= meeting.ended_at)
    shown = [still_open, Task.id.in_(reviewed_here), and_(*closed)]
    rows = db.session.scalars(
        select(Task)
        .join(Meeting, Meeting.id == Task.meeting_id)
        .where(
            Task.cell_id == meeting.cell_id,
            Task.kind == EntryKind.TASK,
            Task.meeting_id.in_(earlier),
            or_(*shown),
        )
        .options(selectinload(Task.owners).selectinload(TaskOwner.user))
        .order_by(Meeting.scheduled_at, Task.number)
    ).all()
    return list(rows)


def committee_ids(cell_id: int) -> set[int]:
    """Members of the cell committee (chi ủy): secretary, deputy, committee members."""
    return set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.cell_id == cell_id,
                Membership.cell_role.in_([r.value for r in COMMITTEE_ROLES]),
                Membership.is_transferred_out.is_(False),
                Membership.is_suspended.is_(False),
            )
        ).all()
    )


def active_member_ids(cell_id: int) -> set[int]:
    """Who may own a task: the members who take part in the cell's activities."""
    return set(taking_part(cell_id))


def owns(task: Task, user_id: int) -> bool:
    if any(owner.user_id == user_id for owner in task.owners):
        return True
    return task.owner_committee and user_id in committee_ids(task.cell_id)


def updates_in(meeting_id: int) -> dict[int, TaskUpdate]:
    """The last update made in this meeting, per task."""
    rows = db.session.scalars(
        select(TaskUpdate).where(TaskUpdate.meeting_id == meeting_id).order_by(TaskUpdate.id)
    ).all()
    return {row.task_id: row for row in rows}


def reviewing_meeting(task: Task) -> Meeting:
    """Where an owner's update between meetings is recorded: the cell's next regular meeting that
    has not ended (its room shows the update live), else the meeting that set the task."""
    origin = db.session.get(Meeting, task.meeting_id)
    upcoming = db.session.scalar(
        select(Meeting)
        .where(
            Meeting.cell_id == task.cell_id,
            Meeting.kind == MeetingKind.REGULAR,
            Meeting.status != MeetingStatus.ENDED,
            Meeting.scheduled_at > origin.scheduled_at,
        )
        .order_by(Meeting.scheduled_at)
        .limit(1)
    )
    return upcoming or origin


def tasks_of(user_id: int) -> list[Task]:
    """A member's tasks in every cell: their own and their committee's, newest first."""
    committee_cells = select(Membership.cell_id).where(
        Membership.user_id == user_id,
        Membership.cell_role.in_([r.value for r in COMMITTEE_ROLES]),
    )
    own = select(TaskOwner.task_id).where(TaskOwner.user_id == user_id)
    return list(
        db.session.scalars(
            select(Task)
            .where(
                Task.kind == EntryKind.TASK,
                or_(
                    Task.id.in_(own),
                    Task.owner_committee.is_(True) & Task.cell_id.in_(committee_cells),
                ),
            )
            .options(selectinload(Task.owners).selectinload(TaskOwner.user))
            .order_by(Task.due_on.desc(), Task.id.desc())
        ).all()
    )


def follow_up_facts(cell_ids: list[int]) -> dict[int, list[tuple[date, TaskFacts]]]:
    """Per cell, each task with the Vietnam date of the meeting that set it (what the dashboard's
    periods count by)."""
    rows = db.session.execute(
        select(Task.cell_id, Meeting.scheduled_at, Task.status, Task.due_on, Task.done_at)
        .join(Meeting, Meeting.id == Task.meeting_id)
        .where(Task.cell_id.in_(cell_ids), Task.kind == EntryKind.TASK, Task.due_on.is_not(None))
    ).all()
    out: dict[int, list[tuple[date, TaskFacts]]] = {cid: [] for cid in cell_ids}
    for cell_id, set_at, status, due_on, done_at in rows:
        facts = TaskFacts(status=status, due_on=due_on, done_on=vietnam_date(done_at))
        out[cell_id].append((vietnam_date(set_at), facts))
    return out


def overdue(cell_ids: list[int], today: date) -> dict[int, list[Task]]:
    """Per cell, its open tasks past their deadline, oldest deadline first."""
    rows = db.session.scalars(
        select(Task)
        .where(
            Task.cell_id.in_(cell_ids),
            Task.kind == EntryKind.TASK,
            Task.status.not_in([s.value for s in CLOSED]),
            Task.due_on < today,
        )
        .options(selectinload(Task.owners).selectinload(TaskOwner.user))
        .order_by(Task.due_on, Task.id)
    ).all()
    out: dict[int, list[Task]] = {}
    for task in rows:
        out.setdefault(task.cell_id, []).append(task)
    return out
