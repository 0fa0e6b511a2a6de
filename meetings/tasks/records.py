"""The meeting's conclusions, tasks and task review as the minutes print them (in Vietnamese,
the document's language): numbered lists with owners and deadlines, and the review's results."""

from __future__ import annotations

from flask_babel import force_locale

from core.extensions import db
from core.timeutil import vietnam_date, vietnam_today
from core.vietnamese import name_sort_key
from meetings.models import Meeting
from meetings.tasks import queries
from meetings.tasks.models import Task
from meetings.tasks.rules import EntryKind, is_overdue
from meetings.tasks.strings import status_label

COMMITTEE = "Chi ủy"


def _owners(task: Task) -> str:
    names = sorted((o.user.full_name for o in task.owners), key=name_sort_key)
    parts = ([COMMITTEE] if task.owner_committee else []) + [f"đồng chí {n}" for n in names]
    return ", ".join(parts)


def _date(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def minutes_part(meeting: Meeting) -> dict:
    """`conclusions`, `tasks` (numbered) and `task_review` for the minutes' content."""
    entries = queries.set_in(meeting.id)
    here = queries.updates_in(meeting.id)
    at = vietnam_date(meeting.ended_at) or vietnam_today()
    review = []
    with force_locale("vi"):
        for task in queries.carried_into(meeting):
            update = here.get(task.id)
            status = update.status if update else task.status
            origin = db.session.get(Meeting, task.meeting_id)
            review.append(
                {
                    "text": task.text,
                    "owners": _owners(task),
                    "due": _date(task.due_on),
                    "set_in": origin.title,
                    "status": status_label(status),
                    "note": (update.note if update else task.note) or "",
                    "reviewed": update is not None,
                    "overdue": bool(task.due_on) and is_overdue(status, task.due_on, at),
                }
            )
    return {
        "conclusions": [
            {"number": t.number, "text": t.text} for t in entries if t.kind == EntryKind.CONCLUSION
        ],
        "tasks": [
            {"number": t.number, "text": t.text, "owners": _owners(t), "due": _date(t.due_on)}
            for t in entries
            if t.kind == EntryKind.TASK
        ],
        "task_review": review,
    }
