"""The dashboard's rows, the same for the page and the CSV: one place decides what is shown."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import gettext as _

from auth.models import User
from core.extensions import db
from core.i18n import format_percent
from core.timeutil import VIETNAM
from meetings.tasks import queries as task_queries
from meetings.tasks.rules import follow_up
from org.models import Organization
from oversight import queries
from oversight.quality import (
    CellQuality,
    CommitteeQuality,
    Period,
    assess,
    assignment_progress,
    periods,
    summarize,
)


@dataclass
class Report:
    unit: Organization
    year: int
    by: str  # month / quarter
    periods: list[Period]
    cells: list[Organization]
    # cell id -> one CellQuality per period
    by_cell: dict[int, list[CellQuality]]
    # one committee summary per period (also for a cell: its own figures pooled)
    totals: list[CommitteeQuality]
    names: dict[int, str]  # user id -> full name, for "excused in a row"
    overdue: dict[int, list] = field(default_factory=dict)  # cell id -> open tasks past due


def build(unit: Organization, year: int, by: str) -> Report:
    spans = periods(year, by)
    cells = queries.cells_under(unit)
    recs = queries.records([c.id for c in cells], spans)
    today = datetime.now(VIETNAM).date()
    tasks = task_queries.follow_up_facts([c.id for c in cells])
    by_cell = {
        c.id: [
            replace(
                assess(recs[c.id], p, as_of=today),
                follow_up=follow_up((f for day, f in tasks[c.id] if p.start <= day < p.end), today),
            )
            for p in spans
        ]
        for c in cells
    }
    totals = [
        summarize({cid: rows[i] for cid, rows in by_cell.items()}, p) for i, p in enumerate(spans)
    ]
    ids = {u for rows in by_cell.values() for q in rows for u in q.excused_in_a_row}
    names = (
        {u.id: u.full_name for u in db.session.query(User).filter(User.id.in_(ids))} if ids else {}
    )
    overdue = task_queries.overdue([c.id for c in cells], today)
    return Report(unit, year, by, spans, cells, by_cell, totals, names, overdue)


def ratio(part: int, whole: int) -> str:
    return f"{part}/{whole}"


def cell_row(q: CellQuality, names: dict[int, str]) -> list[str]:
    """The criteria of one cell in one period, as shown in the table and the CSV."""
    return [
        str(q.meetings_held),
        ratio(q.regular_months, q.months),
        "—" if q.period.kind == "month" else str(q.thematic_held),
        format_percent(q.attendance_rate),
        ratio(q.present, q.expected),
        str(q.unexcused_absences),
        ", ".join(names.get(u, str(u)) for u in q.excused_in_a_row) or "0",
        str(q.short_meetings),
        str(q.late_documents),
        ratio(q.minutes_signed, q.meetings_held),
        *follow_up_cells(q.follow_up),
    ]


def follow_up_cells(f) -> list[str]:
    """Tasks set in the period, how many of them were done by their deadline, how many are late."""
    return [str(f.tasks_set), ratio(f.done_on_time, f.tasks_set), str(f.overdue)]


def total_row(t: CommitteeQuality) -> list[str]:
    return [
        str(t.meetings_held),
        ratio(t.cells_regular_ok, t.cells),
        "—" if t.cells_thematic_ok is None else ratio(t.cells_thematic_ok, t.cells),
        format_percent(t.attendance_rate),
        ratio(t.present, t.expected),
        str(t.unexcused_absences),
        str(t.excused_in_a_row),
        str(t.short_meetings),
        str(t.late_documents),
        ratio(t.minutes_signed, t.meetings_held),
        *follow_up_cells(t.follow_up),
    ]


def headers() -> list[str]:
    return [
        _("Meetings held"),
        _("Regular meeting each month"),
        _("Thematic meetings (quarter)"),
        _("Attendance rate"),
        _("Present / expected"),
        _("Unexcused absences"),
        _("Excused more than 3 in a row"),
        _("Shorter than 90 min"),
        _("Documents late (< 24 h)"),
        _("Minutes signed"),
        _("Tasks set"),
        _("Tasks done on time"),
        _("Tasks overdue"),
    ]


def total_headers() -> list[str]:
    cols = headers()
    cols[1] = _("Cells with a regular meeting each month")
    cols[2] = _("Cells with a thematic meeting")
    cols[6] = _("Members excused more than 3 in a row")
    return cols


@dataclass
class LeaderRow:
    leader_id: int
    cell_id: int
    leader: str
    cell: str
    target: int
    attended: int
    met: bool


def leader_rows(cells: list[Organization], year: int) -> list[LeaderRow]:
    """Each assigned leader's attendance this year against the target, from their visits."""
    cell_ids = [c.id for c in cells]
    assignments = queries.assignments_for_cells(cell_ids)
    if not assignments:
        return []
    leaders = sorted({a.leader_id for a in assignments})
    progress = assignment_progress(
        [(a.leader_id, a.cell_id, a.target_per_year) for a in assignments],
        queries.visits(leaders, cell_ids),
        year,
    )
    by_key = {(a.leader_id, a.cell_id): a for a in assignments}
    rows = []
    for p in progress:
        a = by_key[(p.leader_id, p.cell_id)]
        rows.append(
            LeaderRow(
                a.leader_id, a.cell_id, a.leader.full_name, a.cell.name, p.target, p.attended, p.met
            )
        )
    return sorted(rows, key=lambda r: (r.leader, r.cell))
