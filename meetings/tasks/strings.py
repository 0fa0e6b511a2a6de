"""Labels of the tasks feature (one home: pages, the room's script and the minutes use these)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from meetings.tasks.rules import TaskStatus

STATUS_LABELS = {
    TaskStatus.OPEN: _l("Not yet reported"),
    TaskStatus.IN_PROGRESS: _l("Under way"),
    TaskStatus.DONE: _l("Completed"),
    TaskStatus.NOT_DONE: _l("Not done"),
    TaskStatus.DROPPED: _l("Dropped"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS[TaskStatus(status)])


def tasks_strings() -> dict[str, str]:
    """The room script's texts for the tasks panel, in the current language."""
    return {"status_" + status.value: str(label) for status, label in STATUS_LABELS.items()} | {
        "conclusions": _("Conclusions"),
        "tasks": _("Tasks"),
        "none_set": _("No conclusion or task recorded yet."),
        "none_review": _("No task carried from earlier meetings."),
        "committee": _("The cell committee"),
        "due": _("by %(date)s", date="{date}"),
        "overdue": _("Overdue"),
        "set_in": _("set in: %(title)s", title="{title}"),
        "remove": _("Remove"),
        "note": _("Note (how far it is, or why not)"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "reviewed_by": _("marked in this meeting by %(name)s", name="{name}"),
        "updated_by": _("reported by %(name)s", name="{name}"),
        "confirm_remove": _("Remove this entry?"),
        "owners_needed": _("Choose the owners or the cell committee."),
        "you": _("you"),
    }
