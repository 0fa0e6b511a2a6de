"""The snapshot section `tasks`: what this meeting records and what it reviews.

One section, the same for every viewer; every task command re-sends it whole.
"""

from __future__ import annotations

from core.extensions import db
from core.timeutil import iso, vietnam_date, vietnam_today
from core.vietnamese import name_sort_key
from meetings.models import Meeting
from meetings.snapshot import section
from meetings.tasks import queries
from meetings.tasks.models import Task
from meetings.tasks.rules import is_open, is_overdue


def task_row(task: Task, today) -> dict:
    owners = sorted(task.owners, key=lambda o: name_sort_key(o.user.full_name))
    return {
        "id": task.id,
        "kind": task.kind,
        "number": task.number,
        "text": task.text,
        "agenda_item_id": task.agenda_item_id,
        "owners": [{"id": o.user_id, "name": o.user.full_name} for o in owners],
        "committee": task.owner_committee,
        "due_on": task.due_on.isoformat() if task.due_on else None,
        "status": task.status,
        "note": task.note,
        "open": is_open(task.status),
        "overdue": bool(task.due_on) and is_overdue(task.status, task.due_on, today),
        "done_on": (d.isoformat() if (d := vietnam_date(task.done_at)) else None),
        "updated_at": iso(task.updated_at),
        "updated_by": task.updated_by.full_name if task.updated_by else None,
    }


def tasks_section(meeting: Meeting) -> dict:
    today = vietnam_today()
    here = queries.updates_in(meeting.id)
    review = []
    for task in queries.carried_into(meeting):
        row = task_row(task, today)
        origin = db.session.get(Meeting, task.meeting_id)
        row["set_in"] = {
            "id": origin.id,
            "title": origin.title,
            "date": vietnam_date(origin.scheduled_at).isoformat(),
        }
        update = here.get(task.id)
        row["reviewed"] = (
            None
            if update is None
            else {"status": update.status, "note": update.note, "by": update.by.full_name}
        )
        review.append(row)
    return {
        "reviews": queries.reviews_tasks(meeting),
        "set": [task_row(t, today) for t in queries.set_in(meeting.id)],
        "review": review,
        "today": today.isoformat(),
    }


@section("tasks")
def tasks_snapshot(meeting: Meeting, viewer, roles) -> dict:
    return tasks_section(meeting)


def tasks_change(meeting: Meeting) -> dict:
    return {"type": "tasks", "data": tasks_section(meeting)}
